/**
 * @module The hint `tokenfleet estimate` prints under "fits NO": the smallest
 * `--memory-utilization` that would fit, else the layouts or precisions that
 * would, each one checked with the memory plan (never a canned suggestion).
 */
import { BYTES_PER_ELEMENT, type Precision } from '../core/catalogue/precision.js';
import { InvalidInputError } from '../core/errors.js';
import { makeDeployment, type Deployment, type ParallelConfig } from '../core/perf/deployment.js';
import { planMemory } from '../core/perf/memory-plan.js';

/**
 * Highest utilization the hint proposes (ASSUMPTION): above it the engine's own
 * allocations outside its budget (CUDA graphs, communicator buffers, fragmentation)
 * leave too little headroom to rely on.
 */
export const MAX_SUGGESTED_UTILIZATION = 0.98;

/** Most devices of one replica the hint proposes (eight 8-GPU servers) when looking for a layout that fits. */
const MAX_DEVICES = 64;

/** Weight precisions narrower than bf16, widest first. */
const NARROWER: readonly Precision[] = ['fp8', 'int8', 'fp4', 'int4'];

export interface FitQuery {
  /** The deployment that did not fit. */
  readonly deployment: Deployment;
  /** Utilization it was sized with, 0..1. */
  readonly memoryUtilization: number;
  /** Tokens of one request (input + output). */
  readonly sequenceTokens: number;
  /** Requests in flight at once (the closed loop's clients). */
  readonly concurrency: number;
}

/** Requests of `sequenceTokens` the KV cache of `d` holds at `util`; -1 when the weights and reserve alone do not fit. */
function requestsHeld(d: Deployment, util: number, sequenceTokens: number): number {
  const m = planMemory(d, { memoryUtilization: util });
  return m.fits ? Math.floor(m.kvCapacityTokens / sequenceTokens) : -1;
}

/** Utilizations in hundredths above `from`, up to MAX_SUGGESTED_UTILIZATION. */
function utilizationsAbove(from: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(from * 100 + 1e-9) + 1; p <= Math.round(MAX_SUGGESTED_UTILIZATION * 100); p++) out.push(p / 100);
  return out;
}

/** The deployment with `parallel` changed (everything else kept), or undefined when that layout is invalid for the model. */
function relayout(d: Deployment, parallel: Partial<ParallelConfig>): Deployment | undefined {
  try {
    return makeDeployment({ ...d, parallel });
  } catch (e) {
    if (e instanceof InvalidInputError) return undefined;
    throw e;
  }
}

/** `--tp` / `--pp` doubled until the replica fits (the smallest that does, up to MAX_DEVICES), experts kept spread over every device when they were. */
function moreDevices(q: FitQuery, fits: (d: Deployment) => boolean): string[] {
  const { tp, pp, dp, ep } = q.deployment.parallel;
  const wideEp = ep === tp * dp;
  const devices = tp * pp * dp;
  const out: string[] = [];
  for (let f = 2; devices * f <= MAX_DEVICES; f *= 2) {
    const d = relayout(q.deployment, { tp: tp * f, pp, dp, ...(wideEp ? {} : { ep }) });
    if (d !== undefined && fits(d)) {
      out.push(`--tp ${tp * f}`);
      break;
    }
  }
  for (let f = 2; devices * f <= MAX_DEVICES; f *= 2) {
    const d = relayout(q.deployment, { tp, pp: pp * f, dp, ep });
    if (d !== undefined && fits(d)) {
      out.push(`--pp ${pp * f}`);
      break;
    }
  }
  return out;
}

/** The widest weight precision narrower than the current one that fits, preferring those the chip runs natively at equal width. */
function narrowerWeights(q: FitQuery, fits: (d: Deployment) => boolean): string[] {
  const d0 = q.deployment;
  const current = Math.max(BYTES_PER_ELEMENT[d0.precision.weights], BYTES_PER_ELEMENT[d0.precision.moeWeights]);
  const native = (p: Precision) => (d0.accelerator.precisions.includes(p) ? 0 : 1);
  const candidates = NARROWER.filter((p) => BYTES_PER_ELEMENT[p] < current).sort((a, b) => BYTES_PER_ELEMENT[b] - BYTES_PER_ELEMENT[a] || native(a) - native(b));
  for (const p of candidates) {
    const d = makeDeployment({ ...d0, precision: { ...d0.precision, weights: p, moeWeights: p } });
    if (fits(d)) return [`--precision ${p}`];
  }
  return [];
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

/**
 * One line saying what would make `q.deployment` fit with room for at least one
 * request: the smallest utilization up to MAX_SUGGESTED_UTILIZATION (with how many
 * of the requests its KV cache holds at once), else more devices or narrower weights
 * at the same utilization.
 */
export function fitHint(q: FitQuery): string {
  const { deployment: d, sequenceTokens: seq, concurrency } = q;
  const utils = utilizationsAbove(q.memoryUtilization);
  const least = utils.find((u) => requestsHeld(d, u, seq) >= 1);
  if (least !== undefined) {
    const held = requestsHeld(d, least, seq);
    if (held >= concurrency) return `fits with --memory-utilization ${least.toFixed(2)}${concurrency > 1 ? ` (KV for all ${concurrency} requests at once)` : ''}`;
    const all = utils.find((u) => u > least && requestsHeld(d, u, seq) >= concurrency);
    return `fits with --memory-utilization ${least.toFixed(2)} (KV for ${held} of the ${concurrency} requests at once${all !== undefined ? `; ${all.toFixed(2)} holds all` : ''})`;
  }
  const fits = (x: Deployment) => requestsHeld(x, q.memoryUtilization, seq) >= 1;
  const options = [...moreDevices(q, fits), ...narrowerWeights(q, fits)];
  const max = MAX_SUGGESTED_UTILIZATION.toFixed(2);
  const raised = q.memoryUtilization < MAX_SUGGESTED_UTILIZATION;
  if (options.length === 0) return `no single change fits: not ${raised ? `--memory-utilization up to ${max}, ` : ''}--tp or --pp up to ${MAX_DEVICES} devices, nor narrower weights`;
  return `fits with ${orList(options)}${raised ? ` (not with --memory-utilization up to ${max})` : ''}`;
}
