/** @module `GET /healthz`: liveness; 200 while the process answers at all. */
import type { RouteHandler } from '../gateway-context.js';
import { sendJson } from '../send-json.js';

export const healthzRoute: RouteHandler = (_ctx, call) => {
  sendJson(call.res, 200, { status: 'ok' });
  return Promise.resolve();
};
