/**
 * @module `GET /admin/usage?tenant={id}[&from=&to=]`: a tenant's totals
 * {requests, inputTokens, outputTokens, cachedTokens, costUsd} and the same
 * per model and UTC day, from the ledger. `from` (inclusive) and `to`
 * (exclusive) are Unix epoch milliseconds or ISO 8601 dates/times.
 */
import { requireAdmin } from '../admin-auth.js';
import type { RouteHandler } from '../gateway-context.js';
import { InvalidRequestError } from '../gateway-errors.js';
import { sendJson } from '../send-json.js';
import { requireTenantParam } from './tenant-param.js';

function timeParam(query: URLSearchParams, name: 'from' | 'to'): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const ms = /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new InvalidRequestError(`expected Unix epoch milliseconds or an ISO 8601 date, got '${v}'`, name);
  return ms;
}

export const usageRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  const tenantId = await requireTenantParam(ctx, call.query);
  const fromMs = timeParam(call.query, 'from');
  const toMs = timeParam(call.query, 'to');
  const report = await ctx.ledger.usage({ tenantId, ...(fromMs !== undefined && { fromMs }), ...(toMs !== undefined && { toMs }) });
  sendJson(call.res, 200, { tenant: tenantId, ...report });
};
