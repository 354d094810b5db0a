/** @module The `tenant` query parameter of the admin reports: required, and a tenant that exists. */
import type { GatewayContext } from '../gateway-context.js';
import { InvalidRequestError } from '../gateway-errors.js';
import { NoSuchTenantError } from '../../tenants/tenant-store.js';

/** @throws InvalidRequestError when missing, NoSuchTenantError when unknown. */
export async function requireTenantParam(ctx: GatewayContext, query: URLSearchParams): Promise<string> {
  const tenantId = query.get('tenant');
  if (tenantId === null || tenantId === '') throw new InvalidRequestError('the query parameter tenant is required (a tenant id, see GET /admin/tenants)', 'tenant');
  if ((await ctx.tenants.getTenant(tenantId)) === undefined) throw new NoSuchTenantError(tenantId);
  return tenantId;
}
