/**
 * @module `POST /admin/tenants` (201 with the tenant) and `GET /admin/tenants`
 * (every tenant, oldest first). The body is validated by the tenant store:
 * {name, budgetUsdPerMonth?, rpm?, tpm?, weight?, models?}.
 */
import { requireAdmin } from '../admin-auth.js';
import type { RouteHandler } from '../gateway-context.js';
import { readJsonBody } from '../read-json-body.js';
import { sendJson } from '../send-json.js';

export const createTenantRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  const body = await readJsonBody(call.req, ctx.config.maxBodyBytes);
  const tenant = await ctx.tenants.createTenant(body);
  ctx.log.info('tenant created', { tenantId: tenant.id, name: tenant.name });
  sendJson(call.res, 201, tenant);
};

export const listTenantsRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  sendJson(call.res, 200, { object: 'list', data: await ctx.tenants.listTenants() });
};
