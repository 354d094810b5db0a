/** @module `GET /api/plan` (public) and `POST /api/plan` (admin: a re-plan in the job worker, 202 with its job id). */
import { requireAdmin } from '../../gateway/server/admin-auth.js';
import { InvalidRequestError } from '../../gateway/server/gateway-errors.js';
import { readJsonBody } from '../../gateway/server/read-json-body.js';
import { sendJson } from '../../gateway/server/send-json.js';
import type { ApiHandler } from '../dashboard-api.js';

export const getPlanRoute: ApiHandler = async (api, _ctx, call) => {
  sendJson(call.res, 200, api.plans.view(), { 'cache-control': 'no-store' });
};

function variantsOf(v: unknown): readonly string[] | 'all' {
  if (v === undefined || v === 'all') return 'all';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new InvalidRequestError(`variants: expected "all" or an array of variant names, got ${JSON.stringify(v)}`, 'variants');
}

export const postPlanRoute: ApiHandler = async (api, ctx, call) => {
  requireAdmin(ctx, call);
  const body = await readJsonBody(call.req, api.maxBodyBytes);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('expected a JSON object {scenarioYaml?, variants?}');
  const { scenarioYaml, variants, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new InvalidRequestError(`${extra}: unknown field (expected scenarioYaml, variants)`, extra);
  if (scenarioYaml !== undefined && typeof scenarioYaml !== 'string') throw new InvalidRequestError('scenarioYaml: expected the scenario as a YAML string', 'scenarioYaml');
  const job = api.plans.start(variantsOf(variants), scenarioYaml === undefined ? undefined : { file: 'scenarioYaml', yaml: scenarioYaml });
  ctx.log.info('plan job started', { jobId: job.id });
  sendJson(call.res, 202, { jobId: job.id });
};
