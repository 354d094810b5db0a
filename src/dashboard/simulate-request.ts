/**
 * @module The body of POST /api/simulate, validated at once (so a mistake is
 * a 400 naming the field, not a failed job): the shape by schema, then the
 * trace, the model and each pool's layout (it must fit the accelerator's
 * memory).
 */
import { z } from 'zod';
import { resolveModel } from '../config/model-registry.js';
import { ENGINE_IDS } from '../core/catalogue/accelerator-spec.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import type { Precision } from '../core/catalogue/precision.js';
import { makeDeployment } from '../core/perf/deployment.js';
import { planMemory } from '../core/perf/memory-plan.js';
import { InvalidRequestError } from '../gateway/server/gateway-errors.js';
import { ROUTER_NAMES } from '../sim/routers/index.js';
import { asBadRequest } from './dashboard-errors.js';
import type { SimulateJobRequest } from './jobs/job-types.js';
import type { TraceEntry } from './trace-catalogue.js';

/** The most requests one dashboard simulation replays (a job of seconds, not minutes). */
export const MAX_SIMULATED_REQUESTS = 20_000;

const positive = z.number({ error: 'expected a number' }).positive('expected a positive number');

const schema = z
  .object({
    trace: z.string({ error: 'expected a trace id (GET /api/simulate/options)' }).min(1),
    maxRequests: z.number().int('expected a whole number').min(1).max(MAX_SIMULATED_REQUESTS, `at most ${MAX_SIMULATED_REQUESTS} requests`).default(2000),
    rateScale: positive.max(1000, 'at most 1000').default(1),
    router: z.enum(ROUTER_NAMES).default('least-outstanding'),
    model: z.string({ error: 'expected a model id (GET /api/simulate/options)' }).min(1),
    seed: z.number().int('expected a whole number').default(1),
    sloTtftMs: positive.optional(),
    sloTpotMs: positive.optional(),
    pools: z
      .array(
        z
          .object({
            accelerator: z.string({ error: 'expected an accelerator id' }).min(1),
            engine: z.enum(ENGINE_IDS).default('vllm'),
            tp: z.number().int('expected a whole number').min(1).max(64).default(1),
            precision: z.enum(['bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4']).optional(),
            replicas: z.number().int('expected a whole number').min(1).max(256).default(1),
          })
          .strict(),
      )
      .min(1, 'expected at least one pool')
      .max(8, 'at most 8 pools'),
  })
  .strict();

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** The job request for `body`. @throws InvalidRequestError (400) naming the field at fault. */
export function parseSimulateRequest(body: unknown, traces: readonly TraceEntry[]): SimulateJobRequest {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = pathOf(issue.path);
    throw new InvalidRequestError(`${path || 'body'}: ${issue.message}`, path || null);
  }
  const o = r.data;
  const trace = traces.find((t) => t.id === o.trace);
  if (trace === undefined) {
    throw new InvalidRequestError(`trace: unknown trace '${o.trace}'; available: ${traces.map((t) => t.id).join(', ') || 'none (the shared traces folder is missing)'}`, 'trace');
  }
  const model = asBadRequest(() => resolveModel(o.model).spec, 'model');
  o.pools.forEach((p, i) => {
    const where = `pools[${i}]`;
    const accelerator = asBadRequest(() => getAccelerator(p.accelerator), `${where}.accelerator`);
    const precision = p.precision as Precision | undefined;
    const d = asBadRequest(
      () => makeDeployment({ model, accelerator, engine: p.engine, parallel: { tp: p.tp }, ...(precision !== undefined && { precision: { weights: precision, moeWeights: precision } }) }),
      `${where}.tp`,
    );
    const memory = asBadRequest(() => planMemory(d), `${where}.accelerator`);
    if (!memory.fits) throw new InvalidRequestError(`${where}: ${model.id} does not fit: ${memory.reason ?? 'not enough memory'}; raise tp or lower the precision`, where);
  });
  return {
    kind: 'simulate',
    traceFile: trace.file,
    traceFormat: trace.format,
    maxRequests: Math.min(o.maxRequests, trace.requests),
    rateScale: o.rateScale,
    router: o.router,
    model: o.model,
    seed: o.seed,
    ...(o.sloTtftMs !== undefined && { sloTtftMs: o.sloTtftMs }),
    ...(o.sloTpotMs !== undefined && { sloTpotMs: o.sloTpotMs }),
    pools: o.pools.map((p) => ({ accelerator: p.accelerator, engine: p.engine, tp: p.tp, ...(p.precision !== undefined && { precision: p.precision }), replicas: p.replicas })),
  };
}
