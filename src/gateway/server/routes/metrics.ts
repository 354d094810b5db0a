/** @module `GET /metrics`: the Prometheus text exposition (unauthenticated, like most scrape targets: bind or firewall accordingly). */
import type { RouteHandler } from '../gateway-context.js';

export const metricsRoute: RouteHandler = async (ctx, call) => {
  const text = await ctx.metrics.metricsText();
  call.res.writeHead(200, { 'content-type': ctx.metrics.contentType, 'content-length': Buffer.byteLength(text) });
  call.res.end(text);
};
