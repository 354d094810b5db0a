/** @module `GET /v1/models`: the served models the caller's tenant may use (an API key is required, as with OpenAI). */
import type { RouteHandler } from '../gateway-context.js';
import { AuthenticationError } from '../gateway-errors.js';
import { sendJson } from '../send-json.js';

export const modelsRoute: RouteHandler = async (ctx, call) => {
  const authorization = call.req.headers.authorization;
  const auth = await ctx.tenants.authenticate(authorization, call.arrivalEpochMs);
  if (auth === undefined) throw new AuthenticationError(authorization === undefined || authorization.trim() === '');
  const allowed = auth.tenant.models;
  const data = [...ctx.models.keys()]
    .filter((id) => allowed === undefined || allowed.includes(id))
    .map((id) => ({ id, object: 'model', created: ctx.startedAtSeconds, owned_by: 'tokenfleet' }));
  sendJson(call.res, 200, { object: 'list', data });
};
