/**
 * @module `GET /admin/requests?tenant={id}[&cursor=][&limit=]`: a page of the
 * tenant's ledger records, newest first; each `requestId` is the completion's
 * `id` and its `x-request-id`. Pass `nextCursor` back as `cursor` for the next page.
 */
import { requireAdmin } from '../admin-auth.js';
import type { RouteHandler } from '../gateway-context.js';
import { InvalidRequestError } from '../gateway-errors.js';
import { sendJson } from '../send-json.js';
import { requireTenantParam } from './tenant-param.js';

export const requestsRoute: RouteHandler = async (ctx, call) => {
  requireAdmin(ctx, call);
  const tenantId = await requireTenantParam(ctx, call.query);
  const cursor = call.query.get('cursor') ?? undefined;
  const limitText = call.query.get('limit');
  const limit = limitText === null || limitText === '' ? undefined : Number(limitText);
  if (limit !== undefined && !Number.isInteger(limit)) throw new InvalidRequestError(`expected an integer from 1 to 1000, got '${limitText}'`, 'limit');
  const page = await ctx.ledger.requests({ tenantId, ...(cursor !== undefined && cursor !== '' && { cursor }), ...(limit !== undefined && { limit }) });
  sendJson(call.res, 200, { object: 'list', data: page.records, ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) });
};
