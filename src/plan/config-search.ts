/**
 * @module The configuration search: for a workload class on an accelerator type
 * and engine, the parallel layout and concurrency per replica with the highest
 * throughput per accelerator whose closed-loop estimate meets the class's TTFT
 * and TPOT targets. What the fleet planner reads as "tokens/s one chip of this
 * type serves for this class".
 */
import type { AcceleratorFamily, AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import type { Precision } from '../core/catalogue/precision.js';
import { InvalidInputError } from '../core/errors.js';
import { calibrationFor } from '../core/perf/calibration.js';
import { makeDeployment, type Deployment } from '../core/perf/deployment.js';
import { UnsupportedError } from '../core/perf/hardware-rates.js';
import { planMemory, type MemoryPlan } from '../core/perf/memory-plan.js';
import { resolveModel } from '../config/model-registry.js';
import { estimateServing, type ServingEstimate } from '../sim/estimate-serving.js';
import { cacheKey, calibrationVersion, memoryCache, type ConfigCache } from './config-cache.js';
import type { AcceleratorOffer, ConfigCapacity, WorkloadClass } from './plan-input.js';

/** One parallel layout and precision choice of a replica. */
export interface Layout {
  /** Tensor parallelism of attention and dense layers within one attention-DP rank. */
  readonly tp: number;
  /** Attention data-parallel ranks (1: off). */
  readonly dp: number;
  /** Expert parallelism (MoE models only; expert TP is tp x dp / ep). */
  readonly ep?: number;
  /** Weights, routed experts included. */
  readonly precision: Precision;
  readonly kvPrecision: Precision;
}

/** A search result; `notes` records assumptions made on the way (e.g. TP over PCIe). */
export type ConfigSearchResult = ConfigCapacity & { readonly notes?: readonly string[] };

export interface SearchOptions {
  /** Most estimates one (workload, accelerator) search may run; it returns the best found so far when reached (default 5,000). */
  readonly maxEstimates?: number;
  /** Called once per serving estimate run (for progress and for counting). */
  readonly onEstimate?: () => void;
}

/** Largest TP tried on chips with a known scale-up domain (beyond it, TP across nodes is never worth it). */
const MAX_TP = 16;
/** Largest TP tried on cards without a known scale-up domain: 8 cards in a PCIe server (ASSUMPTION). */
const PCIE_MAX_TP = 8;
/** Largest attention-DP (and, for tp 1, expert-parallel) group tried. */
const MAX_DP = 16;
/** Most chips in one replica (tp x dp, MoE models): two to four 8-chip servers, as in wide-EP deployments. */
const MAX_REPLICA_DEVICES = 32;
/** Largest concurrency per replica tried. */
const MAX_CONCURRENCY = 4096;
const DEFAULT_MAX_ESTIMATES = 5000;
/** Closed-loop requests per client: two is enough for a steady mean and halves the cost of the default three. */
/**
 * How each candidate is measured: the steady state of an open service (no first burst of all
 * clients at once) with lengths spread around the class's means so that clients do not move in
 * lockstep; four requests per client.
 */
export const SEARCH_HARNESS = { requestsPerClient: 4, steadyState: true, lengthRange: [0.5, 1.5] as const };

/**
 * Families whose fp4 (NVFP4 with fine-grained block scales) serves at accuracy
 * close to fp8, so the search may choose it (ASSUMPTION: other chips with an
 * fp4 peak are kept at 8 bits until their quantisation quality is established).
 */
const FP4_FAMILIES: ReadonlySet<AcceleratorFamily> = new Set(['blackwell', 'blackwell-ultra', 'blackwell-workstation']);

/** The narrowest weight precision the chip runs natively: fp4 (Blackwell-class with a known fp4 peak), fp8, int8, else bf16. */
export function weightPrecisionFor(acc: AcceleratorSpec): Precision {
  if (acc.precisions.includes('fp4') && acc.peakFlopsPerSecond.fp4.value !== null && FP4_FAMILIES.has(acc.family)) return 'fp4';
  if (acc.precisions.includes('fp8')) return 'fp8';
  if (acc.precisions.includes('int8')) return 'int8';
  return 'bf16';
}

/** KV cache in fp8 where the chip has it, else int8, else bf16. */
export function kvPrecisionFor(acc: AcceleratorSpec): Precision {
  if (acc.precisions.includes('fp8')) return 'fp8';
  if (acc.precisions.includes('int8')) return 'int8';
  return 'bf16';
}

function powersOfTwo(from: number, to: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x *= 2) out.push(x);
  return out;
}

/** Largest TP to try, with a note when the chip has no known scale-up domain. */
function tpLimit(acc: AcceleratorSpec): { maxTp: number; note?: string } {
  const domain = acc.scaleUp.domainSize.value;
  if (domain === null || domain <= 1) {
    return { maxTp: PCIE_MAX_TP, note: `${acc.id}: scale-up domain ${domain === null ? 'unknown' : 'of 1'}; TP up to ${PCIE_MAX_TP} tried over PCIe` };
  }
  return { maxTp: Math.min(domain, MAX_TP) };
}

function deploymentOf(model: ModelSpec, acc: AcceleratorSpec, engine: EngineId, l: Layout): Deployment {
  return makeDeployment({
    model,
    accelerator: acc,
    engine,
    parallel: { tp: l.tp, dp: l.dp, ...(l.ep !== undefined && { ep: l.ep }) },
    precision: { weights: l.precision, moeWeights: l.precision, kv: l.kvPrecision },
  });
}

/** Layouts valid for the model (TP divides the heads, EP the experts), fit not checked, with notes on assumptions. */
function validLayouts(model: ModelSpec, acc: AcceleratorSpec): { layouts: Layout[]; notes: string[] } {
  const precision = weightPrecisionFor(acc);
  const kvPrecision = kvPrecisionFor(acc);
  const { maxTp, note } = tpLimit(acc);
  const tps = powersOfTwo(1, maxTp).filter((tp) => model.numAttentionHeads % tp === 0);
  const shapes: { tp: number; dp: number; ep?: number }[] = [];
  if (!model.moe) {
    for (const tp of tps) shapes.push({ tp, dp: 1 });
  } else {
    for (const tp of tps) {
      shapes.push({ tp, dp: 1, ep: tp });
      // Experts tensor-parallel instead of expert-parallel (vLLM's default for MoE).
      if (tp > 1) shapes.push({ tp, dp: 1, ep: 1 });
    }
    for (const dp of powersOfTwo(2, MAX_DP)) {
      for (const tp of tps) if (tp * dp <= MAX_REPLICA_DEVICES) shapes.push({ tp, dp, ep: tp * dp });
    }
  }
  const layouts: Layout[] = [];
  for (const s of shapes) {
    const layout: Layout = { ...s, precision, kvPrecision };
    try {
      deploymentOf(model, acc, 'generic', layout);
      layouts.push(layout);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
    }
  }
  return { layouts, notes: note === undefined ? [] : [note] };
}

/**
 * Layouts worth estimating for `model` on `acc`: TP over powers of two that
 * divide the attention heads, up to the scale-up domain (at most 16; 8 on PCIe
 * cards); for MoE models also expert-TP layouts, attention-DP layouts (tp 1,
 * dp = ep = 2..16) and tp x dp with ep = tp x dp (up to 32 chips). Weights at
 * the narrowest precision the chip runs natively, KV at 8 bits where it can.
 * Layouts whose weights do not fit in the engine's share of memory are left out.
 * @throws UnsupportedError when the chip's memory is unknown.
 */
export function candidateLayouts(model: ModelSpec, acc: AcceleratorSpec, engine: EngineId = 'generic'): Layout[] {
  return validLayouts(model, acc).layouts.filter((l) => planMemory(deploymentOf(model, acc, engine, l)).fits);
}

/** e.g. `tp8 fp8`, `tp1 dp16 ep16 fp8`, `tp4 ep1 int8 kv int8`. */
export function layoutName(l: Layout): string {
  const parts = [`tp${l.tp}`];
  if (l.dp > 1) parts.push(`dp${l.dp}`);
  if (l.ep !== undefined && (l.ep > 1 || l.tp > 1)) parts.push(`ep${l.ep}`);
  parts.push(l.precision);
  if (l.kvPrecision !== l.precision) parts.push(`kv ${l.kvPrecision}`);
  return parts.join(' ');
}

const ms = (x: number): string => `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 })} ms`;

interface Probe {
  readonly concurrency: number;
  readonly estimate: ServingEstimate;
  readonly ok: boolean;
  /** Input + output tokens per second per accelerator. */
  readonly tokensPerSecondPerAccelerator: number;
}

interface LayoutOutcome {
  readonly layout: Layout;
  /** The estimate at concurrency 1, or why it does not fit. */
  readonly first?: ServingEstimate;
  readonly notFit?: MemoryPlan;
  readonly best?: Probe;
}

/** Runs estimates within a budget; `undefined` once the budget is spent. */
class Estimator {
  count = 0;
  constructor(
    private readonly w: WorkloadClass,
    private readonly model: ModelSpec,
    private readonly acc: AcceleratorSpec,
    private readonly engine: EngineId,
    private readonly max: number,
    private readonly onEstimate: (() => void) | undefined,
  ) {}

  get exhausted(): boolean {
    return this.count >= this.max;
  }

  probe(l: Layout, concurrency: number): Probe | undefined {
    if (this.exhausted) return undefined;
    this.count++;
    this.onEstimate?.();
    const { w } = this;
    const estimate = estimateServing({
      model: this.model,
      accelerator: this.acc,
      engine: this.engine,
      parallel: { tp: l.tp, dp: l.dp, ...(l.ep !== undefined && { ep: l.ep }) },
      precision: { weights: l.precision, moeWeights: l.precision, kv: l.kvPrecision },
      inputTokens: w.inputTokens,
      outputTokens: w.outputTokens,
      concurrency,
      ...SEARCH_HARNESS,
      prefixHitRate: w.prefixHitRate ?? 0,
    });
    // NaN latencies (a request that does not fit) compare false: not ok.
    const ok = estimate.fits && estimate.ttftMs <= w.slo.ttftMs && estimate.tpotMs <= w.slo.tpotMs;
    const tps = ((w.inputTokens + w.outputTokens) * estimate.requestsPerSecond) / estimate.accelerators;
    return { concurrency, estimate, ok, tokensPerSecondPerAccelerator: ok ? tps : 0 };
  }
}

function better(a: Probe | undefined, b: Probe): boolean {
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
function searchLayout(est: Estimator, l: Layout): LayoutOutcome {
  const first = est.probe(l, 1);
  if (first === undefined) return { layout: l };
  if (!first.estimate.fits) return { layout: l, first: first.estimate, notFit: first.estimate.memory };
  if (!first.ok) return { layout: l, first: first.estimate };
  let best = first;
  const kvLimit = first.estimate.maxConcurrency;
  const steps = [...new Set([...powersOfTwo(2, MAX_CONCURRENCY), ...(kvLimit > 1 && kvLimit < MAX_CONCURRENCY ? [kvLimit] : [])])].sort((a, b) => a - b);
  let lo = 1;
  let hi: number | undefined;
  for (const c of steps) {
    const p = est.probe(l, c);
    if (p === undefined) return { layout: l, first: first.estimate, best };
    if (!p.ok) {
      hi = c;
      break;
    }
    if (better(best, p)) best = p;
    lo = c;
  }
  while (hi !== undefined && hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = est.probe(l, mid);
    if (p === undefined) break;
    if (p.ok) {
      if (better(best, p)) best = p;
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return { layout: l, first: first.estimate, best };
}

/** Why nothing met the SLO, from what each layout did at concurrency 1. */
function noCapacityReason(w: WorkloadClass, outcomes: readonly LayoutOutcome[], exhausted: boolean, estimates: number): string {
  const fitted = outcomes.filter((o) => o.first !== undefined && o.notFit === undefined);
  const notFit = outcomes.filter((o) => o.notFit !== undefined);
  const untried = outcomes.length - fitted.length - notFit.length;
  if (fitted.length === 0) {
    if (exhausted && untried > 0) return `search stopped after ${estimates} estimates (maxEstimates) before any layout fitted`;
    if (notFit.length === 0) return `no valid layout for ${w.model} on this accelerator`;
    // The layout closest to fitting, with its memory figures.
    const closest = [...notFit].sort((a, b) => a.notFit!.neededBytesPerDevice / a.notFit!.usableBytes - b.notFit!.neededBytesPerDevice / b.notFit!.usableBytes)[0]!;
    const most = Math.max(...notFit.map((o) => o.layout.tp * o.layout.dp));
    return `does not fit: none of ${notFit.length} layouts (up to ${most} chips) fits in memory; closest, ${layoutName(closest.layout)}: ${closest.notFit!.reason ?? 'too little memory'}`;
  }
  const firsts = fitted.map((o) => ({ o, e: o.first! }));
  const minBy = (f: (e: ServingEstimate) => number) => firsts.reduce((a, b) => (f(b.e) < f(a.e) ? b : a));
  const bestTtft = minBy((e) => e.ttftMs);
  const bestTpot = minBy((e) => e.tpotMs);
  const onEvery = (best: Layout): string =>
    fitted.length === 1 ? `on the only layout that fits (${layoutName(best)})` : `on every layout (best: ${layoutName(best)})`;
  const parts: string[] = [];
  if (bestTtft.e.ttftMs > w.slo.ttftMs) {
    parts.push(`TTFT at concurrency 1 is ${ms(bestTtft.e.ttftMs)} > ${ms(w.slo.ttftMs)} ${onEvery(bestTtft.o.layout)}`);
  }
  if (bestTpot.e.tpotMs > w.slo.tpotMs) {
    parts.push(`TPOT at concurrency 1 is ${ms(bestTpot.e.tpotMs)} > ${ms(w.slo.tpotMs)} ${onEvery(bestTpot.o.layout)}`);
  }
  if (parts.length === 0) {
    // Each target is met by some layout, never both by one.
    const closest = minBy((e) => Math.max(e.ttftMs / w.slo.ttftMs, e.tpotMs / w.slo.tpotMs));
    parts.push(
      `no layout meets both targets at concurrency 1; closest, ${layoutName(closest.o.layout)}: TTFT ${ms(closest.e.ttftMs)} (target ${ms(w.slo.ttftMs)}), TPOT ${ms(closest.e.tpotMs)} (target ${ms(w.slo.tpotMs)})`,
    );
  }
  if (notFit.length > 0) parts.push(`${notFit.length} of ${outcomes.length} layouts do not fit in memory`);
  if (exhausted && untried > 0) parts.push(`search stopped after ${estimates} estimates (maxEstimates) with ${untried} layouts untried`);
  return parts.join('; ');
}

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
  let notes: string[] = [];
  try {
    const valid = validLayouts(model, acc);
    notes = valid.notes;
    const est = new Estimator(w, model, acc, engine, opts.maxEstimates ?? DEFAULT_MAX_ESTIMATES, opts.onEstimate);
    const outcomes: LayoutOutcome[] = [];
    for (const l of valid.layouts) {
      // A layout whose weights do not fit costs no estimate.
      const mem = planMemory(deploymentOf(model, acc, engine, l));
      outcomes.push(mem.fits ? searchLayout(est, l) : { layout: l, notFit: mem });
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
      const key = cacheKey(w, acc.id, offer.engine, calibrationVersion(acc, model));
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
