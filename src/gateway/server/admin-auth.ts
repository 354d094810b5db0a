/**
 * @module The admin API's authentication: `Authorization: Bearer <admin
 * token>`, compared in constant time (both sides hashed first, so that the
 * comparison leaks neither content nor length). Admin is global: one token
 * sees every tenant. Tenant API keys are not admin tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayContext, RouteCall } from './gateway-context.js';
import { AdminAuthError } from './gateway-errors.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** @throws AdminAuthError unless the request carries the admin token. */
export function requireAdmin(ctx: GatewayContext, call: RouteCall): void {
  const token = ctx.adminToken;
  if (token === undefined || token === '') throw new AdminAuthError(true);
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(call.req.headers.authorization ?? '');
  const given = m?.[1];
  if (given === undefined || !timingSafeEqual(digest(given), digest(token))) throw new AdminAuthError(false);
}
