/**
 * @module `GET /api/catalogue/accelerators`, `/models` (the records of
 * `tokenfleet catalog accelerators|models --json`) and `/roofline` (the
 * calibrated step-time model's points against the accelerator's roofline).
 */
import { listModelSummaries } from '../../config/model-summaries.js';
import { resolveModel } from '../../config/model-registry.js';
import { ENGINE_IDS, type EngineId } from '../../core/catalogue/accelerator-spec.js';
import { getEngine } from '../../core/catalogue/engines.js';
import { getAccelerator, listAccelerators } from '../../core/catalogue/find-accelerator.js';
import { isPrecision } from '../../core/catalogue/precision.js';
import { calibrationFor } from '../../core/perf/calibration.js';
import { makeDeployment } from '../../core/perf/deployment.js';
import { planMemory } from '../../core/perf/memory-plan.js';
import { rooflineOf } from '../../core/perf/roofline.js';
import { compileStepModel } from '../../core/perf/step-time.js';
import { InvalidRequestError } from '../../gateway/server/gateway-errors.js';
import { sendJson } from '../../gateway/server/send-json.js';
import type { ApiHandler } from '../dashboard-api.js';
import { asBadRequest } from '../dashboard-errors.js';

// The catalogue is fixed for the life of the process: parse the model configs once.
let models: ReturnType<typeof listModelSummaries> | undefined;

export const acceleratorsRoute: ApiHandler = async (_api, _ctx, call) => {
  sendJson(call.res, 200, listAccelerators());
};

export const modelsRoute: ApiHandler = async (_api, _ctx, call) => {
  models ??= listModelSummaries();
  sendJson(call.res, 200, models);
};

function required(query: URLSearchParams, name: string): string {
  const v = query.get(name);
  if (v === null || v.trim() === '') throw new InvalidRequestError(`${name}: required (e.g. ?model=meta-llama/Llama-3.1-8B&accelerator=h200-sxm)`, name);
  return v.trim();
}

export const rooflineRoute: ApiHandler = async (_api, _ctx, call) => {
  const q = call.query;
  const accelerator = asBadRequest(() => getAccelerator(required(q, 'accelerator')), 'accelerator');
  const modelId = required(q, 'model');
  const model = asBadRequest(() => resolveModel(modelId).spec, 'model');
  const precision = q.get('precision') ?? undefined;
  if (precision !== undefined && (!isPrecision(precision) || precision === 'fp32')) {
    throw new InvalidRequestError(`precision: expected one of bf16, fp16, fp8, int8, fp4, int4, got '${precision}'`, 'precision');
  }
  const tpText = q.get('tp') ?? '1';
  const tp = Number(tpText);
  if (!Number.isInteger(tp) || tp < 1 || tp > 64) throw new InvalidRequestError(`tp: expected a whole number from 1 to 64, got '${tpText}'`, 'tp');
  const engineText = q.get('engine');
  const engine: EngineId =
    engineText !== null ? asBadRequest(() => getEngine(engineText).id, 'engine') : accelerator.engines.includes('vllm') ? 'vllm' : (accelerator.engines[0] ?? ENGINE_IDS[0]);
  const d = asBadRequest(() => makeDeployment({ model, accelerator, engine, parallel: { tp }, ...(precision !== undefined && { precision: { weights: precision, moeWeights: precision } }) }), 'tp');
  if (accelerator.memoryBytes.value === null) throw new InvalidRequestError(`accelerator: the memory of ${accelerator.id} is unknown, so no deployment can be sized on it`, 'accelerator');
  const memory = asBadRequest(() => planMemory(d), 'accelerator');
  if (!memory.fits) throw new InvalidRequestError(`${model.id} does not fit: ${memory.reason ?? 'not enough memory'}; raise tp or lower the precision`, 'tp');
  const step = asBadRequest(() => compileStepModel(d, calibrationFor(accelerator, engine).efficiencies), 'accelerator');
  const roofline = rooflineOf(d, step, { kvCapacityTokens: memory.kvCapacityTokens });
  sendJson(call.res, 200, { accelerator: accelerator.id, model: modelId, precision: d.precision.weights, tp, engine, ...roofline });
};
