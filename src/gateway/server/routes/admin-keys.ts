/**
 * @module API keys of the admin API: `POST /admin/tenants/{id}/keys` (201
 * with `{ id, key, tenantId }`: the key's only appearance), `GET
 * /admin/tenants/{id}/keys` (no secrets) and `DELETE /admin/keys/{keyId}`
 * (revokes at once in this process; see cached-tenant-store.ts for others).
 */
import { requireAdmin } from '../admin-auth.js';
import type { RouteHandler } from '../gateway-context.js';
import { NotFoundError } from '../gateway-errors.js';
import { sendJson } from '../send-json.js';

export const createKeyRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  const tenantId = call.params['id'] ?? '';
  const created = await ctx.tenants.createKey(tenantId);
  ctx.log.info('key created', { tenantId, keyId: created.keyId });
  sendJson(call.res, 201, { id: created.keyId, key: created.key, tenantId });
};

export const listKeysRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  sendJson(call.res, 200, { object: 'list', data: await ctx.tenants.listKeys(call.params['id'] ?? '') });
};

export const revokeKeyRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  const keyId = call.params['keyId'] ?? '';
  if (!(await ctx.tenants.revokeKey(keyId))) throw new NotFoundError(`no active key '${keyId}' (unknown or already revoked)`, 'key_not_found');
  ctx.log.info('key revoked', { keyId });
  sendJson(call.res, 200, { id: keyId, revoked: true });
};
