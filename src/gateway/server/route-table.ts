/**
 * @module The gateway's routes: path and method to handler. Static paths are
 * one map look-up (the completion routes are on the hot path); the few
 * admin paths with a parameter are matched by pattern after that.
 */
import type { RouteHandler } from './gateway-context.js';
import { MethodNotAllowedError, RouteNotFoundError } from './gateway-errors.js';
import type { RequestIdPrefix } from './request-id.js';
import { createKeyRoute, listKeysRoute, revokeKeyRoute } from './routes/admin-keys.js';
import { requestsRoute } from './routes/admin-requests.js';
import { createTenantRoute, listTenantsRoute } from './routes/admin-tenants.js';
import { usageRoute } from './routes/admin-usage.js';
import { chatCompletionsRoute } from './routes/chat-completions.js';
import { completionsRoute } from './routes/completions.js';
import { healthzRoute } from './routes/healthz.js';
import { metricsRoute } from './routes/metrics.js';
import { modelsRoute } from './routes/models.js';
import { readyzRoute } from './routes/readyz.js';

export interface MatchedRoute {
  readonly handler: RouteHandler;
  readonly params: Readonly<Record<string, string>>;
  readonly idPrefix: RequestIdPrefix;
}

type Methods = Readonly<Partial<Record<string, RouteHandler>>>;

const STATIC_ROUTES: ReadonlyMap<string, Methods> = new Map<string, Methods>([
  ['/v1/chat/completions', { POST: chatCompletionsRoute }],
  ['/v1/completions', { POST: completionsRoute }],
  ['/v1/models', { GET: modelsRoute }],
  ['/healthz', { GET: healthzRoute }],
  ['/readyz', { GET: readyzRoute }],
  ['/metrics', { GET: metricsRoute }],
  ['/admin/tenants', { GET: listTenantsRoute, POST: createTenantRoute }],
  ['/admin/usage', { GET: usageRoute }],
  ['/admin/requests', { GET: requestsRoute }],
]);

const PARAM_ROUTES: readonly { readonly pattern: RegExp; readonly names: readonly string[]; readonly methods: Methods }[] = [
  { pattern: /^\/admin\/tenants\/([^/]+)\/keys$/, names: ['id'], methods: { GET: listKeysRoute, POST: createKeyRoute } },
  { pattern: /^\/admin\/keys\/([^/]+)$/, names: ['keyId'], methods: { DELETE: revokeKeyRoute } },
];

const ID_PREFIXES: ReadonlyMap<RouteHandler, RequestIdPrefix> = new Map<RouteHandler, RequestIdPrefix>([
  [chatCompletionsRoute, 'chatcmpl-'],
  [completionsRoute, 'cmpl-'],
]);

/** The handler for `method` on `path` (no query string), or the 404/405 error to answer with. */
export function matchRoute(method: string, path: string): MatchedRoute | RouteNotFoundError | MethodNotAllowedError {
  let methods = STATIC_ROUTES.get(path);
  let params: Record<string, string> = {};
  if (methods === undefined) {
    for (const r of PARAM_ROUTES) {
      const m = r.pattern.exec(path);
      if (m === null) continue;
      methods = r.methods;
      params = {};
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      break;
    }
  }
  if (methods === undefined) return new RouteNotFoundError(method, path);
  const handler = methods[method];
  if (handler === undefined) return new MethodNotAllowedError(method, path, Object.keys(methods));
  return { handler, params, idPrefix: ID_PREFIXES.get(handler) ?? 'req-' };
}
