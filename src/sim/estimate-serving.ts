/**
 * @module The serving estimate behind `tokenfleet estimate` and `predict`: a
 * deployment at a closed-loop load, run through the replica scheduler with the
 * calibrated step-time model, with memory fit and an error band.
 */
import type { AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import { defaultTokenBudget, getEngine } from '../core/catalogue/engines.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { InvalidInputError } from '../core/errors.js';
import { calibrationFor } from '../core/perf/calibration.js';
import { expectedTokensPerStep, makeDeployment, type Deployment, type ParallelConfig, type PrecisionConfig, type SpeculativeConfig } from '../core/perf/deployment.js';
import type { Calibration, Efficiencies } from '../core/perf/efficiency.js';
import { planMemory, type MemoryPlan } from '../core/perf/memory-plan.js';
import { batchOf, compileStepModel, emptyBreakdown, type StepModel, type StepTimeBreakdown } from '../core/perf/step-time.js';
import { RequestTooLargeError, runClosedLoop, type PoolSpec } from './closed-loop.js';
import type { ReplicaSchedulerConfig } from './replica-scheduler.js';

export interface WorkerLayout {
  readonly parallel: Partial<ParallelConfig>;
  /** Replicas of this layout; when omitted in a disaggregated deployment, inferred (see inferDisaggWorkers). */
  readonly workers?: number;
  /**
   * When `workers` is inferred: enough workers for at least this many devices on this side (a pool size the
   * deployment is known to be built with, e.g. a serving recipe's). Ignored when `workers` is given.
   */
  readonly minDevices?: number;
}

export interface ServingEstimateInput {
  readonly model: ModelSpec;
  readonly accelerator: AcceleratorSpec;
  readonly engine: EngineId;
  readonly precision?: Partial<PrecisionConfig>;
  /** Aggregated layout (ignored when `disagg` is given). */
  readonly parallel?: Partial<ParallelConfig>;
  /** Disaggregated prefill and decode pools. */
  readonly disagg?: { readonly prefill: WorkerLayout; readonly decode: WorkerLayout };
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly concurrency: number;
  /** Override the calibration (used by the fitter). */
  readonly efficiencies?: Efficiencies;
  /** Override the engine's token budget per step. */
  readonly maxBatchedTokens?: number;
  /** Fraction of device memory the engine may use, 0..1 (default: the engine's, e.g. vLLM 0.9). */
  readonly memoryUtilization?: number;
  /** Speculative decoding on the decode side (both sides of a disaggregated deployment hold the drafter). */
  readonly speculative?: SpeculativeConfig;
  /** Requests each simulated client sends (default 3). */
  readonly requestsPerClient?: number;
  /** Request lengths uniform in [low * L, high * L] (default [1, 1]: every request exactly `inputTokens` and `outputTokens`). */
  readonly lengthRange?: readonly [number, number];
  /** Leave the clients' first burst out of the latency means (steady state; see runClosedLoop). */
  readonly steadyState?: boolean;
  /** Share of each prompt served from the prefix cache, 0..1 (see runClosedLoop). */
  readonly prefixHitRate?: number;
  /**
   * The server hands generated tokens to the client every `streamInterval` engine iterations (TensorRT-LLM's
   * `stream_interval`; default 1, every iteration). The first token then reaches the client with the request's
   * `streamInterval`-th iteration, not with its prefill: see streamHoldMs.
   */
  readonly streamInterval?: number;
}

export interface ServingEstimate {
  /** Mean time to first token, ms. */
  readonly ttftMs: number;
  /** Mean time per output token, ms. */
  readonly tpotMs: number;
  readonly e2eMs: number;
  readonly queueMs: number;
  readonly outputTokensPerSecond: number;
  readonly outputTokensPerSecondPerAccelerator: number;
  readonly requestsPerSecond: number;
  readonly accelerators: number;
  readonly fits: boolean;
  readonly memory: MemoryPlan;
  /** Sequences of isl+osl tokens the KV cache of all replicas holds at once. */
  readonly maxConcurrency: number;
  /** Step time of a pure decode step at the mean running batch, ms, with its breakdown. */
  readonly decodeStep: StepTimeBreakdown;
  /** Step time of one full-budget prefill step, ms, with its breakdown. */
  readonly prefillStep: StepTimeBreakdown;
  readonly calibration: Calibration;
  readonly confidence: {
    readonly source: Calibration['source'];
    /** Likely range of TTFT (median error band), ms. */
    readonly ttftMsRange: readonly [number, number];
    readonly tpotMsRange: readonly [number, number];
    readonly note: string;
    readonly assumptions: readonly string[];
  };
  readonly deployment: Deployment;
  /** Replicas per pool (inferred for a disaggregated deployment that did not say). */
  readonly workers: { readonly prefill: number; readonly decode: number };
  /** The prefill side of a disaggregated deployment (`deployment` is then the decode side). */
  readonly prefillDeployment?: Deployment;
}

/**
 * The scheduler of a pool of `workers` identical replicas under a symmetric
 * closed-loop load, run as one scheduler in lockstep: capacities add up and
 * each step's shape is divided over workers x attention-DP ranks. Exact for
 * identical requests balanced across replicas, and O(steps) instead of
 * O(workers x steps).
 */
function schedulerFor(d: Deployment, mem: MemoryPlan, maxBatchedTokens: number | undefined, prefillOnly: boolean, workers: number): ReplicaSchedulerConfig {
  const e = getEngine(d.engine);
  const ranks = d.parallel.dp * workers;
  return {
    batching: e.batching,
    maxBatchedTokens: (maxBatchedTokens ?? defaultTokenBudget(e, d.accelerator.memoryBytes.value)) * ranks,
    maxRunningSequences: e.maxRunningSequences * ranks,
    kvCapacityTokens: mem.kvCapacityTokens * workers,
    kvBlockTokens: mem.kvBlockTokens,
    dpRanks: ranks,
    reserveWholeSequence: e.kvAdmission === 'whole-sequence',
    ...(d.parallel.dp > 1 && e.attentionDpContextWaitSteps !== undefined && { contextWaitSteps: e.attentionDpContextWaitSteps }),
    prefillOnly,
  };
}

/** Thrown when a deployment does not fit; carries the memory plan. */
export class DoesNotFitError extends Error {
  constructor(readonly memory: MemoryPlan, message: string) {
    super(message);
  }
}

export function estimateServing(input: ServingEstimateInput): ServingEstimate {
  const { model, accelerator, engine, inputTokens: isl, outputTokens: osl, concurrency } = input;
  if (input.streamInterval !== undefined && !(Number.isInteger(input.streamInterval) && input.streamInterval >= 1)) {
    throw new InvalidInputError(`the stream interval is a whole number of iterations, 1 or more (got ${input.streamInterval})`, '--stream-interval');
  }
  const calibration = calibrationFor(accelerator, engine, input.disagg ? 'disagg' : 'agg');
  const eff = input.efficiencies ?? calibration.efficiencies;
  const layouts = input.disagg ? [input.disagg.prefill, input.disagg.decode] : [{ parallel: input.parallel ?? {}, workers: 1 }];
  const built: BuiltSide[] = layouts.map((l, i) => {
    let d: Deployment;
    try {
      d = makeDeployment({ model, accelerator, engine, parallel: l.parallel, precision: input.precision, speculative: input.speculative });
    } catch (e) {
      // A disaggregated side's layout error names that side's option (--prefill-tp rather than --tp).
      const side = i === 0 ? 'prefill' : 'decode';
      if (input.disagg && e instanceof InvalidInputError && e.where !== undefined && /^--(tp|pp|dp|ep)$/.test(e.where)) {
        throw new InvalidInputError(e.message.slice(e.where.length + 2), `--${side}-${e.where.slice(2)}`);
      }
      throw e;
    }
    const mem = planMemory(d, { memoryUtilization: input.memoryUtilization, maxBatchedTokens: input.maxBatchedTokens });
    return { d, mem, model: compileStepModel(d, eff), workers: l.workers ?? 0 };
  });
  if (input.disagg && built.every((b) => b.mem.fits)) inferDisaggWorkers(built[0]!, built[1]!, input);
  const main = built[built.length - 1]!;
  for (const b of built) if (b.workers === 0) b.workers = 1;
  const workers = { prefill: built[0]!.workers, decode: built[built.length - 1]!.workers };
  const accelerators = built.reduce((s, b) => s + b.d.devices * b.workers, 0);
  const seqTokens = isl + osl;
  const maxConcurrency = Math.floor(main.mem.kvCapacityTokens / seqTokens) * main.workers;
  const notFit = built.find((b) => !b.mem.fits);
  const assumptions = [...new Set(built.flatMap((b) => b.model.rates.assumptions))];
  if (input.speculative) {
    const s = input.speculative;
    assumptions.push(
      `speculative decoding: ${s.draftTokens} drafted token${s.draftTokens > 1 ? 's' : ''} per step by a one-layer drafter, each accepted with probability ${s.acceptanceRate}: ${expectedTokensPerStep(s).toFixed(2)} tokens per step on average (the acceptance rate depends on the drafter and the traffic; measure it)`,
    );
  }
  const pool = (b: (typeof built)[number], prefillOnly: boolean): PoolSpec => ({
    stepModel: b.model,
    scheduler: schedulerFor(b.d, b.mem, input.maxBatchedTokens, prefillOnly, b.workers),
    replicas: 1,
  });
  const decodeStep = emptyBreakdown();
  const prefillStep = emptyBreakdown();
  if (notFit) {
    return {
      ttftMs: NaN, tpotMs: NaN, e2eMs: NaN, queueMs: NaN, outputTokensPerSecond: 0, outputTokensPerSecondPerAccelerator: 0, requestsPerSecond: 0,
      accelerators, fits: false, memory: notFit.mem, maxConcurrency: 0, decodeStep, prefillStep, calibration,
      confidence: { source: calibration.source, ttftMsRange: [NaN, NaN], tpotMsRange: [NaN, NaN], note: calibration.note, assumptions },
      deployment: main.d,
      workers,
      ...(input.disagg && { prefillDeployment: built[0]!.d }),
    };
  }
  let loop;
  try {
    loop = runClosedLoop({
      concurrency,
      inputTokens: isl,
      outputTokens: osl,
      requestsPerClient: input.requestsPerClient,
      lengthRange: input.lengthRange,
      steadyState: input.steadyState,
      prefixHitRate: input.prefixHitRate,
      ...(input.disagg
        ? { disagg: { prefill: pool(built[0]!, true), decode: pool(built[1]!, false), kvTransferMs: kvTransferMs(built[0]!.d, built[1]!.d, built[0]!.model, isl) } }
        : { pool: pool(main, false) }),
    });
  } catch (e) {
    if (e instanceof RequestTooLargeError) {
      const mem = { ...main.mem, fits: false, reason: `${e.message} (${main.mem.kvCapacityTokens} tokens)` };
      return {
        ttftMs: NaN, tpotMs: NaN, e2eMs: NaN, queueMs: NaN, outputTokensPerSecond: 0, outputTokensPerSecondPerAccelerator: 0, requestsPerSecond: 0,
        accelerators, fits: false, memory: mem, maxConcurrency: 0, decodeStep, prefillStep, calibration,
        confidence: { source: calibration.source, ttftMsRange: [NaN, NaN], tpotMsRange: [NaN, NaN], note: calibration.note, assumptions },
        deployment: main.d,
        workers,
        ...(input.disagg && { prefillDeployment: built[0]!.d }),
      };
    }
    throw e;
  }
  const running = Math.max(1, Math.min(concurrency, maxConcurrency || concurrency) / main.workers / main.d.parallel.dp);
  main.model.stepTimeMs(batchOf([], new Array<number>(Math.round(running)).fill(isl + osl / 2)), decodeStep);
  const first = built[0]!;
  const budget = input.maxBatchedTokens ?? defaultTokenBudget(getEngine(engine), first.d.accelerator.memoryBytes.value);
  first.model.stepTimeMs(batchOf([{ tokens: Math.min(budget, isl) }], []), prefillStep);
  const band = calibration.errorBand;
  const tokensPerIteration = input.speculative ? expectedTokensPerStep(input.speculative) : 1;
  const hold = streamHoldMs(input.streamInterval ?? 1, loop.tpotMs, osl, tokensPerIteration);
  const ttftMs = loop.ttftMs + eff.requestOverheadMs + hold;
  const tpotMs = osl > 1 ? loop.tpotMs - hold / (osl - 1) : loop.tpotMs;
  if ((input.streamInterval ?? 1) > 1) assumptions.push(`tokens streamed every ${input.streamInterval} iterations: the first reaches the client ${fmtMs(hold)} ms after its prefill`);
  return {
    ttftMs,
    tpotMs,
    e2eMs: loop.e2eMs + eff.requestOverheadMs,
    queueMs: loop.queueMs,
    outputTokensPerSecond: loop.outputTokensPerSecond,
    outputTokensPerSecondPerAccelerator: loop.outputTokensPerSecond / accelerators,
    requestsPerSecond: loop.requestsPerSecond,
    accelerators,
    fits: true,
    memory: main.mem,
    maxConcurrency,
    decodeStep,
    prefillStep,
    calibration,
    confidence: {
      source: calibration.source,
      ttftMsRange: [ttftMs * (1 - Math.min(band.ttftMedian, 0.9)), ttftMs * (1 + band.ttftMedian)],
      tpotMsRange: [tpotMs * (1 - Math.min(band.tpotMedian, 0.9)), tpotMs * (1 + band.tpotMedian)],
      note: calibration.note,
      assumptions,
    },
    deployment: main.d,
    workers,
    ...(input.disagg && { prefillDeployment: built[0]!.d }),
  };
}

function fmtMs(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/**
 * How much later than its prefill the client sees a request's first token when the server streams every
 * `interval` iterations: the first token leaves with the request's `interval`-th iteration, that is after
 * interval - 1 decode iterations (fewer when the request finishes sooner: its last token is always sent).
 * A decode iteration is taken as the run's mean: `tpotMs` per token x the tokens an iteration yields.
 * End-to-end latency is unchanged, so the measured TPOT, (e2e - TTFT) / (osl - 1), shrinks by as much.
 */
export function streamHoldMs(interval: number, tpotMs: number, outputTokens: number, tokensPerIteration = 1): number {
  if (interval <= 1 || outputTokens <= 1 || !(tpotMs > 0)) return 0;
  const iterations = Math.min(interval - 1, (outputTokens - 1) / tokensPerIteration);
  return iterations * tokensPerIteration * tpotMs;
}

interface BuiltSide {
  readonly d: Deployment;
  readonly mem: MemoryPlan;
  readonly model: StepModel;
  workers: number;
}

/**
 * Running sequences per decode rank (attention-DP rank, or worker without
 * attention DP) that a disaggregated deployment not stating its worker counts
 * is sized for (ASSUMPTION, fitted): deployments add decode workers as the
 * concurrency grows rather than run every sequence on as few as fit. Fitted on
 * the training rows of the shared measurements that lack worker counts (TensorRT-LLM
 * and SGLang DeepSeek disaggregated runs; see docs/calibration.md): with only the
 * fewest workers that hold the sequences, their TPOT was over-predicted (log bias
 * 1.32 on TensorRT-LLM, p90 error 142%); at 128 per rank the bias is 0.97 and the p90
 * 101% (at 64: 0.85, 89%; at 256: 1.09, 113%).
 */
export const DISAGG_DECODE_SEQUENCES_PER_RANK = 128;

/**
 * Worker counts of a disaggregated deployment that does not state them
 * (ASSUMPTION, as a capacity planner would size it): enough decode workers to
 * hold every client's sequence in KV and under the engine's batch cap, with at
 * most DISAGG_DECODE_SEQUENCES_PER_RANK sequences per rank, and enough prefill
 * workers to keep up with the request rate of that decode pool; on each side at
 * least the workers its `minDevices` asks for.
 */
function inferDisaggWorkers(prefill: BuiltSide, decode: BuiltSide, input: ServingEstimateInput): void {
  const { inputTokens: isl, outputTokens: osl, concurrency } = input;
  if (decode.workers === 0) {
    const byKv = Math.max(1, Math.floor(decode.mem.kvCapacityTokens / (isl + osl)));
    const bySeqs = getEngine(decode.d.engine).maxRunningSequences * decode.d.parallel.dp;
    const byLoad = Math.ceil(concurrency / (DISAGG_DECODE_SEQUENCES_PER_RANK * decode.d.parallel.dp));
    decode.workers = Math.max(1, Math.ceil(concurrency / Math.min(byKv, bySeqs)), byLoad, poolWorkers(decode, input.disagg?.decode.minDevices));
  }
  if (prefill.workers === 0) {
    const perRank = concurrency / decode.workers / decode.d.parallel.dp;
    const tpotMs = decode.model.stepTimeMs(batchOf([], new Array<number>(Math.max(1, Math.round(perRank))).fill(isl + osl / 2)));
    const decodeRequestsPerMs = concurrency / (osl * tpotMs);
    const budget = input.maxBatchedTokens ?? defaultTokenBudget(getEngine(prefill.d.engine), prefill.d.accelerator.memoryBytes.value);
    const chunk = Math.min(budget, isl);
    const prefillMs = prefill.model.stepTimeMs(batchOf([{ tokens: chunk }], []));
    const prefillRequestsPerMs = ((chunk / isl) * prefill.d.parallel.dp) / prefillMs;
    prefill.workers = Math.max(1, Math.ceil(decodeRequestsPerMs / prefillRequestsPerMs), poolWorkers(prefill, input.disagg?.prefill.minDevices));
  }
}

/** Workers of `side` that reach `minDevices` devices (0 when none is asked for). */
function poolWorkers(side: BuiltSide, minDevices: number | undefined): number {
  return minDevices !== undefined && minDevices > 0 ? Math.ceil(minDevices / side.d.devices) : 0;
}

/** KV transfer from a prefill to a decode replica: the prompt's KV over the scale-out links of the prefill devices (scale-up inside one NVLink domain). */
export function kvTransferMs(prefill: Deployment, decode: Deployment, stepModel: StepModel, isl: number): number {
  const m = prefill.model;
  const rates = stepModel.rates;
  const sameDomain = prefill.devices + decode.devices <= rates.scaleUpDomain;
  const link = (sameDomain ? rates.scaleUpBandwidth : rates.scaleOutBandwidth) * prefill.devices;
  const perToken = m.mla
    ? (m.mla.kvLoraRank + m.mla.qkRopeHeadDim) * prefill.params.numAttentionLayers
    : 2 * m.numKeyValueHeads * m.headDim * prefill.params.numAttentionLayers;
  const bytes = perToken * isl * (prefill.precision.kv === 'bf16' || prefill.precision.kv === 'fp16' ? 2 : 1);
  return (bytes / link) * 1000 + 1;
}
