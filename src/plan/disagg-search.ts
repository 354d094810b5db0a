/**
 * @module The disaggregated configuration search: for a workload class on an accelerator type and an engine with
 * prefill/decode disaggregation, the pair of a prefill layout and a decode layout, and the concurrency, with the
 * highest throughput per accelerator whose estimate (worker counts inferred) meets the class's TTFT and TPOT targets.
 * The disaggregated counterpart of searchResolved (config-search.ts), as NVIDIA AIConfigurator compares the two.
 *
 * Candidates (chosen without serving estimates, from the calibrated step-time model alone), among the valid layouts
 * whose weights fit in memory:
 * - prefill: the PREFILL_CANDIDATES layouts with the most prompt tokens per second per chip in one prompt-only step
 *   of a single request, among those whose single-request prefill takes at most the TTFT target (else the one with
 *   the shortest prefill, so that the reason names the target it misses);
 * - decode: the DECODE_CANDIDATES layouts with the most output tokens per second per chip in a pure decode step at
 *   the largest batch per rank (a power of two up to DISAGG_DECODE_SEQUENCES_PER_RANK and the KV capacity) whose
 *   step time meets the TPOT target (else the one with the shortest single-sequence step).
 * Every pair is then searched over concurrency as searchLayout does: doubling from 1 up to 4,096 while the SLO is
 * met, then bisection between the last success and the first miss; within `maxEstimates` estimates in all.
 */
import type { AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import { getEngine } from '../core/catalogue/engines.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { calibrationFor } from '../core/perf/calibration.js';
import { UnsupportedError } from '../core/perf/hardware-rates.js';
import { planMemory } from '../core/perf/memory-plan.js';
import { batchOf, compileStepModel } from '../core/perf/step-time.js';
import { DISAGG_DECODE_SEQUENCES_PER_RANK } from '../sim/estimate-serving.js';
import { deploymentOf, layoutName, powersOfTwo, validLayouts, type Layout } from './candidate-layouts.js';
import { better, climbConcurrency, Estimator, MAX_CONCURRENCY, parallelOf, type Probe } from './concurrency-search.js';
import type { WorkloadClass } from './plan-input.js';

/** Prefill layouts tried. */
export const PREFILL_CANDIDATES = 3;
/** Decode layouts tried. */
export const DECODE_CANDIDATES = 4;
/** Default cap on serving estimates of one search. */
const DEFAULT_MAX_ESTIMATES = 240;

export interface DisaggSearchOptions {
  /** Most estimates the search may run; it returns the best found so far when reached (default 240). */
  readonly maxEstimates?: number;
  /** Fraction of device memory the engine may use, 0..1 (default: the engine's). */
  readonly memoryUtilization?: number;
  /** Called once per serving estimate run. */
  readonly onEstimate?: () => void;
}

/** One side of the best disaggregated deployment. */
export interface DisaggSide {
  readonly layout: Layout;
  readonly workers: number;
  readonly acceleratorsPerWorker: number;
}

/** What the disaggregated search found; zero throughput and a `reason` when no pair meets the SLO. */
export interface DisaggSearchResult {
  readonly workload: string;
  readonly accelerator: string;
  readonly engine: EngineId;
  /** Input + output tokens per second per accelerator (all workers of both sides). */
  readonly tokensPerSecondPerAccelerator: number;
  readonly outputTokensPerSecondPerAccelerator: number;
  readonly prefill?: DisaggSide;
  readonly decode?: DisaggSide;
  /** Accelerators of the whole deployment (both sides). */
  readonly accelerators: number;
  /** Concurrent clients of the whole deployment. */
  readonly concurrency: number;
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly confidence: string;
  readonly reason?: string;
  readonly notes?: readonly string[];
  /** Serving estimates run. */
  readonly estimates: number;
}

/** e.g. `P 2x(tp8 fp8) + D 1x(tp1 dp16 ep16 fp8)`. */
export function disaggLayoutName(prefill: DisaggSide, decode: DisaggSide): string {
  return `P ${prefill.workers}x(${layoutName(prefill.layout)}) + D ${decode.workers}x(${layoutName(decode.layout)})`;
}

/** Milliseconds as the planner's reasons write them. */
const ms = (x: number): string => `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 })} ms`;

interface Ranked {
  readonly layout: Layout;
  /** Whether the layout alone can meet its side's target. */
  readonly meets: boolean;
  /** Tokens per second per chip on its side (higher is better). */
  readonly perChip: number;
  /** Latency on its side at one request, ms (the fallback ranking). */
  readonly latencyMs: number;
}

/** The best `n` by throughput per chip among those that meet their target; else the one with the lowest latency. */
function pick(ranked: readonly Ranked[], n: number): Layout[] {
  const meeting = ranked.filter((r) => r.meets).sort((a, b) => b.perChip - a.perChip);
  if (meeting.length > 0) return meeting.slice(0, n).map((r) => r.layout);
  const fastest = [...ranked].sort((a, b) => a.latencyMs - b.latencyMs)[0];
  return fastest === undefined ? [] : [fastest.layout];
}

/** Candidate prefill and decode layouts (see the module comment). */
function candidates(w: WorkloadClass, model: ModelSpec, acc: AcceleratorSpec, engine: EngineId, memoryUtilization: number | undefined): { prefill: Layout[]; decode: Layout[] } {
  const eff = calibrationFor(acc, engine, 'disagg').efficiencies;
  const seq = w.inputTokens + w.outputTokens;
  const prefill: Ranked[] = [];
  const decode: Ranked[] = [];
  for (const l of validLayouts(model, acc).layouts) {
    const d = deploymentOf(model, acc, engine, l, w.speculative);
    const mem = planMemory(d, { memoryUtilization });
    if (!mem.fits) continue;
    const step = compileStepModel(d, eff);
    const prefillMs = step.stepTimeMs(batchOf([{ tokens: w.inputTokens }], []));
    prefill.push({ layout: l, meets: prefillMs <= w.slo.ttftMs, perChip: (w.inputTokens * l.dp) / prefillMs / d.devices, latencyMs: prefillMs });
    const kvPerRank = Math.floor(mem.kvCapacityTokens / seq / l.dp);
    if (kvPerRank < 1) continue;
    const single = step.stepTimeMs(batchOf([], [w.inputTokens + w.outputTokens / 2]));
    let perChip = 0;
    for (const b of powersOfTwo(1, Math.min(DISAGG_DECODE_SEQUENCES_PER_RANK, kvPerRank))) {
      const stepMs = step.stepTimeMs(batchOf([], new Array<number>(b).fill(w.inputTokens + w.outputTokens / 2)));
      if (stepMs <= w.slo.tpotMs) perChip = (b * l.dp) / stepMs / d.devices;
    }
    decode.push({ layout: l, meets: perChip > 0, perChip, latencyMs: single });
  }
  return { prefill: pick(prefill, PREFILL_CANDIDATES), decode: pick(decode, DECODE_CANDIDATES) };
}

/** A disaggregated deployment of prefill workers of layout `p` and decode workers of layout `d` (whose precisions both run). */
function probePair(est: Estimator, p: Layout, d: Layout, concurrency: number): Probe | undefined {
  return est.probeServing({ disagg: { prefill: { parallel: parallelOf(p) }, decode: { parallel: parallelOf(d) } } }, d, concurrency);
}

/** What the concurrency search of one pair found: its best probe, or the first probe when that misses. */
function searchPair(est: Estimator, p: Layout, d: Layout): { first?: Probe; best?: Probe } {
  const first = probePair(est, p, d, 1);
  if (first === undefined || !first.ok) return { ...(first !== undefined && { first }) };
  return { first, best: climbConcurrency(first, (c) => probePair(est, p, d, c), powersOfTwo(2, MAX_CONCURRENCY)) };
}

/** Why a first probe (concurrency 1) misses the SLO. */
function missReason(w: WorkloadClass, first: Probe): string {
  const e = first.estimate;
  if (!e.fits) return `does not fit: ${e.memory.reason ?? 'too little memory'}`;
  const missed: string[] = [];
  if (!(e.ttftMs <= w.slo.ttftMs)) missed.push(`TTFT ${ms(e.ttftMs)} > ${ms(w.slo.ttftMs)}`);
  if (!(e.tpotMs <= w.slo.tpotMs)) missed.push(`TPOT ${ms(e.tpotMs)} > ${ms(w.slo.tpotMs)}`);
  return missed.join(', ');
}

/**
 * The best disaggregated deployment of `w` on `acc` with `engine` (see the module comment). Never throws for a
 * catalogue gap or an engine without disaggregation: the throughput is 0 with a `reason`. Deterministic.
 */
export function searchDisagg(w: WorkloadClass, model: ModelSpec, acc: AcceleratorSpec, engine: EngineId, opts: DisaggSearchOptions = {}): DisaggSearchResult {
  let confidence = 'unknown';
  let estimates = 0;
  const zero = (reason: string, notes: readonly string[] = []): DisaggSearchResult => ({
    workload: w.id,
    accelerator: acc.id,
    engine,
    tokensPerSecondPerAccelerator: 0,
    outputTokensPerSecondPerAccelerator: 0,
    accelerators: 0,
    concurrency: 0,
    ttftMs: 0,
    tpotMs: 0,
    confidence,
    reason,
    estimates,
    ...(notes.length > 0 && { notes }),
  });
  if (!acc.engines.includes(engine)) return zero(`engine ${engine} does not run on ${acc.id} (it runs ${acc.engines.join(', ')})`);
  const spec = getEngine(engine);
  if (!spec.features.disaggregation) return zero(`engine ${engine} has no prefill/decode disaggregation`);
  if (w.speculative !== undefined && !spec.features.speculativeDecoding) return zero(`engine ${engine} has no speculative decoding, which workload ${w.id} is served with`);
  confidence = calibrationFor(acc, engine, 'disagg').source;
  let notes: string[] = [];
  try {
    notes = [...validLayouts(model, acc).notes];
    const { prefill, decode } = candidates(w, model, acc, engine, opts.memoryUtilization);
    if (prefill.length === 0 || decode.length === 0) return zero('no layout fits in memory', notes);
    const est = new Estimator(w, model, acc, engine, opts.maxEstimates ?? DEFAULT_MAX_ESTIMATES, opts.onEstimate, opts.memoryUtilization);
    let best: Probe | undefined;
    let bestPair: { p: Layout; d: Layout } | undefined;
    const misses: string[] = [];
    for (const p of prefill) {
      for (const d of decode) {
        const r = searchPair(est, p, d);
        if (r.best !== undefined && better(best, r.best)) {
          best = r.best;
          bestPair = { p, d };
        } else if (r.best === undefined && r.first !== undefined) {
          misses.push(`P ${layoutName(p)} + D ${layoutName(d)}: ${missReason(w, r.first)}`);
        }
      }
    }
    estimates = est.count;
    if (est.exhausted) notes.push(`disaggregated search stopped after ${est.count} estimates (maxEstimates); the result may not be the best pair`);
    if (best === undefined || bestPair === undefined) {
      const why = misses.length > 0 ? `no prefill/decode pair meets the SLO at concurrency 1 (${misses.slice(0, 2).join('; ')}${misses.length > 2 ? `; ${misses.length - 2} more` : ''})` : 'no prefill/decode pair was searched (estimate budget)';
      return zero(why, notes);
    }
    const e = best.estimate;
    const perWorker = (l: Layout) => l.tp * l.dp;
    return {
      workload: w.id,
      accelerator: acc.id,
      engine,
      tokensPerSecondPerAccelerator: best.tokensPerSecondPerAccelerator,
      outputTokensPerSecondPerAccelerator: (best.tokensPerSecondPerAccelerator * w.outputTokens) / (w.inputTokens + w.outputTokens),
      prefill: { layout: bestPair.p, workers: e.workers.prefill, acceleratorsPerWorker: perWorker(bestPair.p) },
      decode: { layout: bestPair.d, workers: e.workers.decode, acceleratorsPerWorker: perWorker(bestPair.d) },
      accelerators: e.accelerators,
      concurrency: best.concurrency,
      ttftMs: e.ttftMs,
      tpotMs: e.tpotMs,
      confidence: e.confidence.source,
      estimates,
      ...(notes.length > 0 && { notes }),
    };
  } catch (e) {
    if (e instanceof UnsupportedError) return zero(`unsupported: ${e.message}`, notes);
    throw e;
  }
}
