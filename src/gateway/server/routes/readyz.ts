/**
 * @module `GET /readyz`: readiness; asks every backend for its health (the
 * routers record the answers) and answers 200 when every served model has a
 * healthy backend and the gateway is not shutting down, else 503.
 */
import type { RouteHandler } from '../gateway-context.js';
import { sendJson } from '../send-json.js';

export const readyzRoute: RouteHandler = async (ctx, call) => {
  const served = [...ctx.models.values()];
  await Promise.all(served.map((m) => m.router.checkHealth()));
  const models = served.map((m) => ({
    id: m.config.id,
    backends: m.backends.length,
    healthy: m.backends.filter((b) => m.router.isHealthy(b.id)).length,
  }));
  const ready = !ctx.closing() && models.every((m) => m.healthy > 0);
  sendJson(call.res, ready ? 200 : 503, { status: ready ? 'ready' : ctx.closing() ? 'shutting down' : 'no healthy backend for some model', models });
};
