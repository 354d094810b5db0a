/**
 * @module The configuration search: for a workload class on an accelerator type
 * and engine, the parallel layout and concurrency per replica with the highest
 * throughput per accelerator whose closed-loop estimate meets the class's TTFT
 * and TPOT targets. What the fleet planner reads as "tokens/s one chip of this
 * type serves for this class".
 *
 * The pieces live beside this file: precision-choice.ts, candidate-layouts.ts,
 * concurrency-search.ts and no-capacity-reason.ts.
 */
import type { AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import { getEngine } from '../core/catalogue/engines.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { calibrationFor } from '../core/perf/calibration.js';
import { UnsupportedError } from '../core/perf/hardware-rates.js';
import { planMemory } from '../core/perf/memory-plan.js';
import { resolveModel } from '../config/model-registry.js';
import { deploymentOf, layoutName, validLayouts, type Layout } from './candidate-layouts.js';
import { better, Estimator, searchLayout, type LayoutOutcome, type Probe } from './concurrency-search.js';
import { cacheKey, calibrationVersion, memoryCache, type ConfigCache } from './config-cache.js';
import { noCapacityReason } from './no-capacity-reason.js';
import type { AcceleratorOffer, ConfigCapacity, WorkloadClass } from './plan-input.js';

export { candidateLayouts, layoutName, type Layout } from './candidate-layouts.js';
export { SEARCH_HARNESS, type LayoutOutcome } from './concurrency-search.js';
export { kvPrecisionFor, weightPrecisionFor } from './precision-choice.js';

/** A search result; `notes` records assumptions made on the way (e.g. TP over PCIe). */
export type ConfigSearchResult = ConfigCapacity & { readonly notes?: readonly string[] };

export interface SearchOptions {
  /** Most estimates one (workload, accelerator) search may run; it returns the best found so far when reached (default 5,000). */
  readonly maxEstimates?: number;
  /** Called once per serving estimate run (for progress and for counting). */
  readonly onEstimate?: () => void;
  /** Fraction of device memory the engine may use, 0..1 (default: the engine's). */
  readonly memoryUtilization?: number;
  /**
   * Called once per valid layout searched, in the order tried, those that do not fit in memory included (for
   * showing every layout, not only the best). Not called when the search returns before trying layouts (an engine
   * that does not run on the chip or has no speculative decoding), nor for a result a cache answers.
   */
  readonly onLayout?: (outcome: LayoutOutcome) => void;
}

const DEFAULT_MAX_ESTIMATES = 5000;

/** The search on resolved specs (no registry look-ups). */
export function searchResolved(
  w: WorkloadClass,
  model: ModelSpec,
  acc: AcceleratorSpec,
  engine: EngineId,
  opts: SearchOptions = {},
): ConfigSearchResult {
  let confidence = 'unknown';
  const zero = (reason: string, notes: readonly string[] = []): ConfigSearchResult => ({
    workload: w.id,
    accelerator: acc.id,
    engine,
    tokensPerSecondPerAccelerator: 0,
    layout: '',
    acceleratorsPerReplica: 0,
    concurrencyPerReplica: 0,
    ttftMs: 0,
    tpotMs: 0,
    confidence,
    reason,
    ...(notes.length > 0 && { notes }),
  });
  if (!acc.engines.includes(engine)) return zero(`engine ${engine} does not run on ${acc.id} (it runs ${acc.engines.join(', ')})`);
  confidence = calibrationFor(acc, engine).source;
  if (w.speculative !== undefined && !getEngine(engine).features.speculativeDecoding) {
    const able = acc.engines.filter((e) => getEngine(e).features.speculativeDecoding);
    return zero(
      `engine ${engine} has no speculative decoding, which workload ${w.id} is served with; ` +
        (able.length > 0 ? `give the ${acc.id} offer an engine that has it (${able.join(', ')})` : `no engine that runs on ${acc.id} has it`),
    );
  }
  let notes: string[] = [];
  try {
    const valid = validLayouts(model, acc);
    notes = valid.notes;
    const est = new Estimator(w, model, acc, engine, opts.maxEstimates ?? DEFAULT_MAX_ESTIMATES, opts.onEstimate, opts.memoryUtilization);
    const outcomes: LayoutOutcome[] = [];
    for (const l of valid.layouts) {
      // A layout whose weights do not fit costs no estimate.
      const mem = planMemory(deploymentOf(model, acc, engine, l, w.speculative), { memoryUtilization: opts.memoryUtilization });
      const outcome: LayoutOutcome = mem.fits ? searchLayout(est, l) : { layout: l, notFit: mem };
      outcomes.push(outcome);
      opts.onLayout?.(outcome);
    }
    let best: Probe | undefined;
    let bestLayout: Layout | undefined;
    for (const o of outcomes) {
      if (o.best !== undefined && better(best, o.best)) {
        best = o.best;
        bestLayout = o.layout;
      }
    }
    if (est.exhausted) notes.push(`search stopped after ${est.count} estimates (maxEstimates); the result may not be the best layout`);
    if (best === undefined || bestLayout === undefined) return zero(noCapacityReason(w, outcomes, est.exhausted, est.count), notes);
    const e = best.estimate;
    return {
      workload: w.id,
      accelerator: acc.id,
      engine,
      tokensPerSecondPerAccelerator: best.tokensPerSecondPerAccelerator,
      layout: layoutName(bestLayout),
      acceleratorsPerReplica: e.accelerators,
      concurrencyPerReplica: best.concurrency,
      ttftMs: e.ttftMs,
      tpotMs: e.tpotMs,
      confidence: e.confidence.source,
      ...(notes.length > 0 && { notes }),
    };
  } catch (e) {
    // A catalogue gap (unknown memory, bandwidth or peak): no capacity, and say which figure is missing.
    if (e instanceof UnsupportedError) return zero(`unsupported: ${e.message}`, notes);
    throw e;
  }
}

/**
 * Highest throughput per accelerator of `workload` on one accelerator type with
 * one engine at the workload's SLO. Never throws for a catalogue gap: the
 * capacity is 0 with a `reason`. Deterministic.
 * @throws NoSuchEntryError for an unknown model or accelerator id.
 */
export function searchCapacity(
  workload: WorkloadClass,
  offer: Pick<AcceleratorOffer, 'accelerator' | 'engine'>,
  opts: SearchOptions = {},
): ConfigSearchResult {
  return searchResolved(workload, resolveModel(workload.model).spec, getAccelerator(offer.accelerator), offer.engine, opts);
}

export interface SearchAllOptions extends SearchOptions {
  /** Results of earlier searches; a fresh in-memory cache when omitted (so repeated offers are searched once). */
  readonly cache?: ConfigCache;
  /** Called after each (workload, offer) pair with the pairs done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Capacities of every (workload, offer) pair, workloads outer, offers inner, through the cache. */
export function searchAll(
  workloads: readonly WorkloadClass[],
  offers: readonly Pick<AcceleratorOffer, 'accelerator' | 'engine'>[],
  opts: SearchAllOptions = {},
): ConfigCapacity[] {
  const cache = opts.cache ?? memoryCache();
  const models = new Map<string, ModelSpec>();
  const accs = new Map<string, AcceleratorSpec>();
  const total = workloads.length * offers.length;
  const out: ConfigCapacity[] = [];
  for (const w of workloads) {
    let model = models.get(w.model);
    if (model === undefined) models.set(w.model, (model = resolveModel(w.model).spec));
    for (const offer of offers) {
      let acc = accs.get(offer.accelerator);
      if (acc === undefined) accs.set(offer.accelerator, (acc = getAccelerator(offer.accelerator)));
      const key = cacheKey(w, acc.id, offer.engine, calibrationVersion(acc, model), opts.memoryUtilization);
      let result = cache.get(key);
      if (result === undefined) {
        result = searchResolved(w, model, acc, offer.engine, opts);
        cache.set(key, result);
      }
      out.push(result);
      opts.onProgress?.(out.length, total);
    }
  }
  return out;
}
