/**
 * @module The dashboard API's routes under /api/: path and method to
 * handler. Admin checks live in the handlers (see docs/dashboard-api.md for
 * which are public).
 */
import { MethodNotAllowedError } from '../gateway/server/gateway-errors.js';
import type { ApiHandler } from './dashboard-api.js';
import { ApiNotFoundError } from './dashboard-errors.js';
import { acceleratorsRoute, modelsRoute, rooflineRoute } from './routes/catalogue-routes.js';
import { jobRoute } from './routes/job-routes.js';
import { liveRoute, tenantsLiveRoute } from './routes/live-routes.js';
import { getPlanRoute, postPlanRoute } from './routes/plan-routes.js';
import { postSimulateRoute, simulateOptionsRoute } from './routes/simulate-routes.js';

type Methods = Readonly<Partial<Record<string, ApiHandler>>>;

const STATIC_ROUTES: ReadonlyMap<string, Methods> = new Map<string, Methods>([
  ['/api/live', { GET: liveRoute }],
  ['/api/tenants/live', { GET: tenantsLiveRoute }],
  ['/api/catalogue/accelerators', { GET: acceleratorsRoute }],
  ['/api/catalogue/models', { GET: modelsRoute }],
  ['/api/catalogue/roofline', { GET: rooflineRoute }],
  ['/api/plan', { GET: getPlanRoute, POST: postPlanRoute }],
  ['/api/simulate/options', { GET: simulateOptionsRoute }],
  ['/api/simulate', { POST: postSimulateRoute }],
]);

const JOB_PATH = /^\/api\/jobs\/([^/]+)$/;

export interface MatchedApiRoute {
  readonly handler: ApiHandler;
  readonly params: Readonly<Record<string, string>>;
}

/** The handler of `method` on an /api/ `path`. @throws ApiNotFoundError (404), MethodNotAllowedError (405) */
export function matchApiRoute(method: string, path: string): MatchedApiRoute {
  let methods = STATIC_ROUTES.get(path);
  let params: Record<string, string> = {};
  const job = methods === undefined ? JOB_PATH.exec(path) : null;
  if (job !== null) {
    methods = { GET: jobRoute };
    params = { id: decodeURIComponent(job[1] ?? '') };
  }
  if (methods === undefined) {
    throw new ApiNotFoundError(`unknown dashboard API path: ${method} ${path} (see docs/dashboard-api.md: ${[...STATIC_ROUTES.keys(), '/api/jobs/{id}'].join(', ')})`, 'unknown_url');
  }
  // HEAD is answered like GET (node drops the body).
  const handler = methods[method] ?? (method === 'HEAD' ? methods.GET : undefined);
  if (handler === undefined) throw new MethodNotAllowedError(method, path, Object.keys(methods));
  return { handler, params };
}
