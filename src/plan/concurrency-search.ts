/**
 * @module The concurrency search for one layout: serving estimates at rising
 * concurrency per replica, within an estimate budget, keeping the best
 * throughput per accelerator that meets the workload's TTFT and TPOT targets.
 */
import type { AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import type { MemoryPlan } from '../core/perf/memory-plan.js';
import { estimateServing, type ServingEstimate, type ServingEstimateInput } from '../sim/estimate-serving.js';

type ParallelConfigInput = NonNullable<ServingEstimateInput['parallel']>;
import { powersOfTwo, type Layout } from './candidate-layouts.js';
import type { WorkloadClass } from './plan-input.js';

/** Largest concurrency per replica (or per disaggregated deployment) tried. */
export const MAX_CONCURRENCY = 4096;

/**
 * How each candidate is measured: the steady state of an open service (no first burst of all
 * clients at once) with lengths spread around the class's means so that clients do not move in
 * lockstep; four requests per client.
 */
export const SEARCH_HARNESS = { requestsPerClient: 4, steadyState: true, lengthRange: [0.5, 1.5] as const };

/** One serving estimate of a layout at one concurrency. */
export interface Probe {
  readonly concurrency: number;
  readonly estimate: ServingEstimate;
  readonly ok: boolean;
  /** Input + output tokens per second per accelerator. */
  readonly tokensPerSecondPerAccelerator: number;
}

/** What the search found for one layout. */
export interface LayoutOutcome {
  readonly layout: Layout;
  /** The estimate at concurrency 1, or why it does not fit. */
  readonly first?: ServingEstimate;
  readonly notFit?: MemoryPlan;
  readonly best?: Probe;
}

/** Runs estimates within a budget; `undefined` once the budget is spent. */
export class Estimator {
  count = 0;
  constructor(
    private readonly w: WorkloadClass,
    private readonly model: ModelSpec,
    private readonly acc: AcceleratorSpec,
    private readonly engine: EngineId,
    private readonly max: number,
    private readonly onEstimate: (() => void) | undefined,
    /** Fraction of device memory the engine may use; undefined: the engine's. */
    private readonly memoryUtilization?: number,
  ) {}

  get exhausted(): boolean {
    return this.count >= this.max;
  }

  /** An aggregated replica of layout `l` at `concurrency` clients. */
  probe(l: Layout, concurrency: number): Probe | undefined {
    return this.probeServing({ parallel: parallelOf(l) }, l, concurrency);
  }

  /**
   * A deployment at `concurrency` clients: `layout` says how it is served (aggregated replicas or
   * disaggregated pools), `precisions` which weight and KV precisions it runs (one choice per chip).
   */
  probeServing(layout: Pick<ServingEstimateInput, 'parallel' | 'disagg'>, precisions: Pick<Layout, 'precision' | 'kvPrecision'>, concurrency: number): Probe | undefined {
    if (this.exhausted) return undefined;
    this.count++;
    this.onEstimate?.();
    const { w } = this;
    const estimate = estimateServing({
      model: this.model,
      accelerator: this.acc,
      engine: this.engine,
      ...layout,
      precision: { weights: precisions.precision, moeWeights: precisions.precision, kv: precisions.kvPrecision },
      inputTokens: w.inputTokens,
      outputTokens: w.outputTokens,
      concurrency,
      ...SEARCH_HARNESS,
      prefixHitRate: w.prefixHitRate ?? 0,
      ...(this.memoryUtilization !== undefined && { memoryUtilization: this.memoryUtilization }),
      ...(w.speculative !== undefined && { speculative: w.speculative }),
    });
    // NaN latencies (a request that does not fit) compare false: not ok.
    const ok = estimate.fits && estimate.ttftMs <= w.slo.ttftMs && estimate.tpotMs <= w.slo.tpotMs;
    const tps = ((w.inputTokens + w.outputTokens) * estimate.requestsPerSecond) / estimate.accelerators;
    return { concurrency, estimate, ok, tokensPerSecondPerAccelerator: ok ? tps : 0 };
  }
}

/** The parallel configuration of one replica (or one disaggregated worker) of layout `l`. */
export function parallelOf(l: Layout): ParallelConfigInput {
  return { tp: l.tp, dp: l.dp, ...(l.ep !== undefined && { ep: l.ep }) };
}

/** Whether `b` beats `a`: more tokens/s per accelerator, then fewer accelerators, then lower concurrency. */
export function better(a: Probe | undefined, b: Probe): boolean {
  if (a === undefined) return true;
  if (b.tokensPerSecondPerAccelerator !== a.tokensPerSecondPerAccelerator) return b.tokensPerSecondPerAccelerator > a.tokensPerSecondPerAccelerator;
  if (b.estimate.accelerators !== a.estimate.accelerators) return b.estimate.accelerators < a.estimate.accelerators;
  return b.concurrency < a.concurrency;
}

/**
 * The concurrency with the best throughput among those meeting the SLO: doubling
 * from 1 (with the KV-limited concurrency as an extra step) up to 4,096 until
 * the SLO is missed, then bisection between the last success and the first miss.
 */
export function searchLayout(est: Estimator, l: Layout): LayoutOutcome {
  const first = est.probe(l, 1);
  if (first === undefined) return { layout: l };
  if (!first.estimate.fits) return { layout: l, first: first.estimate, notFit: first.estimate.memory };
  if (!first.ok) return { layout: l, first: first.estimate };
  const kvLimit = first.estimate.maxConcurrency;
  const steps = [...new Set([...powersOfTwo(2, MAX_CONCURRENCY), ...(kvLimit > 1 && kvLimit < MAX_CONCURRENCY ? [kvLimit] : [])])].sort((a, b) => a - b);
  return { layout: l, first: first.estimate, best: climbConcurrency(first, (c) => est.probe(l, c), steps) };
}

/**
 * The concurrency search after a first probe (concurrency 1) that meets the SLO: `steps` in increasing order
 * until one misses it, then bisection between the last success and the first miss. The best probe found;
 * stops early, with what it has, when `probe` returns undefined (the estimate budget is spent).
 */
export function climbConcurrency(first: Probe, probe: (concurrency: number) => Probe | undefined, steps: readonly number[]): Probe {
  let best = first;
  let lo = 1;
  let hi: number | undefined;
  for (const c of steps) {
    const p = probe(c);
    if (p === undefined) return best;
    if (!p.ok) {
      hi = c;
      break;
    }
    if (better(best, p)) best = p;
    lo = c;
  }
  while (hi !== undefined && hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = probe(mid);
    if (p === undefined) break;
    if (p.ok) {
      if (better(best, p)) best = p;
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return best;
}
