/** @module `GET /api/simulate/options` (public) and `POST /api/simulate` (admin: a simulation in the job worker, 202 with its job id). */
import { listBuiltinModels } from '../../config/model-registry.js';
import { ENGINE_IDS } from '../../core/catalogue/accelerator-spec.js';
import { listAccelerators } from '../../core/catalogue/find-accelerator.js';
import { requireAdmin } from '../../gateway/server/admin-auth.js';
import { readJsonBody } from '../../gateway/server/read-json-body.js';
import { sendJson } from '../../gateway/server/send-json.js';
import { ROUTER_NAMES } from '../../sim/routers/index.js';
import type { ApiHandler } from '../dashboard-api.js';
import { parseSimulateRequest } from '../simulate-request.js';

export const simulateOptionsRoute: ApiHandler = async (api, _ctx, call) => {
  sendJson(call.res, 200, {
    traces: api.traces.map((t) => ({ id: t.id, label: t.label, format: t.format, requests: t.requests })),
    models: listBuiltinModels().map((m) => m.id),
    accelerators: listAccelerators().map((a) => a.id),
    engines: ENGINE_IDS,
    routers: ROUTER_NAMES,
  });
};

export const postSimulateRoute: ApiHandler = async (api, ctx, call) => {
  requireAdmin(ctx, call);
  const request = parseSimulateRequest(await readJsonBody(call.req, api.maxBodyBytes), api.traces);
  const job = api.jobs.submit(request);
  ctx.log.info('simulation job started', { jobId: job.id, model: request.model, maxRequests: request.maxRequests });
  sendJson(call.res, 202, { jobId: job.id });
};
