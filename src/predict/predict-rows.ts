/**
 * @module Predicts TTFT and TPOT for silicon-sample rows: each row becomes a
 * serving estimate (agg or disagg), and every failure becomes the row's
 * `error` rather than an exception.
 */
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { getEngine } from '../core/catalogue/engines.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { TokenfleetError } from '../core/errors.js';
import type { ParallelConfig } from '../core/perf/deployment.js';
import type { Efficiencies } from '../core/perf/efficiency.js';
import { estimateServing } from '../sim/estimate-serving.js';
import { rowConcurrency, rowParallel, rowPrecision, rowReplicas, type SiliconRow } from './silicon-row.js';

export interface RowPrediction {
  readonly id: string;
  readonly ttftMs: number;
  readonly tpotMs: number;
  /** Empty when predicted; otherwise why not. */
  readonly error: string;
  /** The model config file used, and how it was matched. */
  readonly modelFile?: string;
  readonly matchedBy?: string;
}

export interface ModelResolver {
  (name: string): { spec: ModelSpec; file: string; matchedBy: string };
}

/** When a row's TP does not divide the attention heads of a MoE model, the run used attention DP over those GPUs. */
function fitLayout(p: ParallelConfig, model: ModelSpec): ParallelConfig {
  if (model.numAttentionHeads % p.tp === 0) return p;
  if (model.moe) return { ...p, dp: p.dp * p.tp, tp: 1 };
  return p;
}

/** How a closed-loop benchmark drew its requests (see runClosedLoop). */
export interface BenchmarkHarness {
  /** Request lengths uniform in [low * L, high * L] for the stated lengths L. */
  readonly lengthRange: readonly [number, number];
  /** Requests each client sends in the simulation. */
  readonly requestsPerClient: number;
  /**
   * Requests each client sent in the real benchmark. When larger than the simulated count, the
   * clients' simultaneous first burst weighs 1 / benchmarkRequestsPerClient of the means instead of
   * 1 / requestsPerClient (see benchmarkMeans).
   */
  readonly benchmarkRequestsPerClient: number;
}

/**
 * Mean TTFT or TPOT of a benchmark of `benchmark` requests per client, from a simulation of
 * `simulated` requests per client: `all` is the simulated mean over every request, `steady` the mean
 * without the first round (the clients' simultaneous burst). The burst's mean is
 * simulated * all - (simulated - 1) * steady, and it weighs 1 / benchmark of the real mean; the other
 * rounds are taken to look like the simulated later rounds.
 */
export function benchmarkMeans(all: number, steady: number, simulated: number, benchmark: number): number {
  if (benchmark <= simulated || !Number.isFinite(steady)) return all;
  return (simulated * all + (benchmark - simulated) * steady) / benchmark;
}

/**
 * The benchmark harness behind most silicon measurements (InferenceMAX-style
 * runs), as the training rows show it: each client's requests have random
 * lengths, uniform in [0.8 L, L] for the stated input and output lengths L
 * (vLLM's benchmark random dataset with `--random-range-ratio 0.8`). The spread
 * desynchronises the clients after their first request, so later prompts
 * arrive one by one instead of in a burst of `concurrency` prompts; fixed
 * lengths keep every round a burst and overstate TTFT several times at high
 * concurrency on mixed-batching engines (see docs/calibration.md).
 *
 * Used as simulated (the first burst weighs 1/3 of the means) where the
 * clients regroup after the burst: prefill-first engines (SGLang) and the
 * prefill pools of disaggregated deployments run waiting prompts together, so
 * later rounds stay partly bursty, which the heavier weight of the simulated
 * burst stands for (see DRIFTING_HARNESS).
 */
export const SILICON_HARNESS: BenchmarkHarness = { lengthRange: [0.8, 1], requestsPerClient: 3, benchmarkRequestsPerClient: 3 };

/**
 * SILICON_HARNESS where the clients drift apart after their first burst:
 * aggregated mixed-batching engines (vLLM, TensorRT-LLM), whose prompts join the
 * running decode batch one chunk at a time. The benchmarks send 10 requests per
 * client (InferenceMAX: `--num-prompts` = 10 x concurrency), so the burst is a
 * tenth of the means, not the third a 3-request simulation gives it; at 8k
 * prompts and concurrency 64 the burst alone made the simulated TTFT of
 * Llama-3.1-70B on TensorRT-LLM 3.5x the measured one. Simulated with 3
 * requests per client and reweighted (benchmarkMeans), at the cost of one more
 * run instead of 10/3 the steps.
 */
export const DRIFTING_HARNESS: BenchmarkHarness = { ...SILICON_HARNESS, benchmarkRequestsPerClient: 10 };

/**
 * AIConfigurator's own gap-analysis runs (rows whose source is a
 * `...gap-analysis...` file) send fixed synthetic lengths (AIPerf, stddev 0,
 * `ignore_eos`). Under prefill-first scheduling (SGLang) such clients stay in
 * lock-step: every prompt of a round is prefilled before anyone decodes, all
 * requests then decode together and finish in the same step, so the next round
 * arrives as one burst again. TTFT is then the wait for the whole burst's
 * prefill and TPOT a clean decode, which the simulation reproduces only with
 * exact lengths. Under mixed batching (vLLM, TensorRT-LLM) the prompts of a
 * burst join the decode batch at different steps and the clients drift apart,
 * which DRIFTING_HARNESS's spread approximates better (see docs/calibration.md).
 * Only SGLang releases before 0.5.6 show it (see LOCKSTEP_BEFORE_SGLANG).
 */
export const LOCKSTEP_HARNESS: BenchmarkHarness = { lengthRange: [1, 1], requestsPerClient: 3, benchmarkRequestsPerClient: 3 };

/**
 * AIConfigurator's gap-analysis runs on TensorRT-LLM: the fixed lengths of
 * LOCKSTEP_HARNESS's source, on an engine whose clients drift apart after the
 * first burst, but less than vLLM's: TensorRT-LLM schedules the waiting context
 * requests of a round together up to its token budget, so fixed-length clients
 * regroup partly and later rounds stay partly bursty. Simulated as
 * DRIFTING_HARNESS with the burst weighing 1 of 5 requests instead of 1 of 10:
 * fitted on the training model of these runs (Llama-3.1-8B on H100, 124 rows:
 * TTFT log bias 0.80 at 1 in 10, 1.25 at 1 in 3, 1.00 at 1 in 5); on the held-out
 * Qwen3-235B-A22B-FP8 (89 rows) the TTFT median error went from 26% to 15% and
 * on Qwen3-32B (126 rows) from 23% to 22% before any refit. vLLM's gap-analysis
 * rows fit 1 in 10 better (Qwen3-32B on H100: 15% against 35%) and keep it.
 */
export const GAP_TRTLLM_HARNESS: BenchmarkHarness = { ...SILICON_HARNESS, benchmarkRequestsPerClient: 5 };

/**
 * The SGLang releases whose gap-analysis rows run in lock-step: before 0.5.6. The rows of 0.5.6.post2,
 * 0.5.8.post1, 0.5.9 and nightly builds show drifting clients instead (TTFT about one prefill, TPOT carrying
 * the others' prefills), as InferenceMAX rows do: simulated as SILICON_HARNESS, their training rows' TTFT
 * median error fell from 114% to 35% (Llama-3.1-8B on H200, 26 rows), 29% to 24% (Qwen3.5-397B on B200,
 * 31) and 38% to 15% (Qwen3.5-397B on H200, 9); the held-out Qwen3-32B rows of 0.5.8.post1 on H100 from 22%
 * to 4%, while those of 0.5.1.post1 (54 rows) stay lock-step. Which scheduler change makes the difference
 * is not known from the rows; the boundary is where the rows change.
 */
export const LOCKSTEP_BEFORE_SGLANG: readonly [number, number, number] = [0, 5, 6];

/** Whether a dotted release (`0.5.1.post1`) is before `bound`; a release that is not numbered (`nightly-dev`) is not. */
export function releaseBefore(version: string, bound: readonly [number, number, number]): boolean {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (v[i]! !== bound[i]) return v[i]! < bound[i]!;
  return false;
}

/** The harness to simulate for a row, from its recorded source, its mode and its engine's batching. */
export function harnessOf(row: SiliconRow): BenchmarkHarness {
  const fixedLengths = (row.fields.silicon_data_source ?? '').includes('gap-analysis');
  const prefillFirst = getEngine(row.backend).batching === 'prefill-first';
  if (fixedLengths && prefillFirst && releaseBefore(row.fields.backend_version ?? '', LOCKSTEP_BEFORE_SGLANG)) return LOCKSTEP_HARNESS;
  if (fixedLengths && row.mode === 'agg' && getEngine(row.backend).id === 'trtllm') return GAP_TRTLLM_HARNESS;
  return row.mode === 'agg' && !prefillFirst ? DRIFTING_HARNESS : SILICON_HARNESS;
}

export function predictRow(row: SiliconRow, resolve: ModelResolver, opts: { efficiencies?: (row: SiliconRow) => Efficiencies | undefined } = {}): RowPrediction {
  const fail = (error: string, extra: Partial<RowPrediction> = {}): RowPrediction => ({ id: row.id, ttftMs: NaN, tpotMs: NaN, error, ...extra });
  let resolved;
  try {
    resolved = resolve(row.modelPath);
  } catch (e) {
    if (e instanceof TokenfleetError) return fail(e.message.startsWith('unknown model') ? e.message : `unknown model: ${e.message}`);
    throw e;
  }
  const meta = { modelFile: resolved.file, matchedBy: resolved.matchedBy };
  try {
    const accelerator = getAccelerator(row.system);
    const engine = getEngine(row.backend).id;
    const total = rowConcurrency(row);
    if (total === undefined) return fail('unsupported: no concurrency (batch_size, silicon_concurrency or _c<N>_ in the id)', meta);
    // Replicas behind a router serve equal shares of the clients: the means are one replica's.
    const concurrency = total / rowReplicas(row);
    const precision = rowPrecision(row, resolved.spec.declaredWeightPrecision);
    const harness = harnessOf(row);
    const common = {
      model: resolved.spec,
      accelerator,
      engine,
      precision,
      inputTokens: row.isl,
      outputTokens: row.osl,
      concurrency,
      lengthRange: harness.lengthRange,
      requestsPerClient: harness.requestsPerClient,
      efficiencies: opts.efficiencies?.(row),
    };
    const layout =
      row.mode === 'agg'
        ? { parallel: fitLayout(rowParallel(row, '', { scaleUpDomain: accelerator.scaleUp.domainSize.value ?? undefined }), resolved.spec) }
        : {
            disagg: {
              prefill: { parallel: fitLayout(rowParallel(row, 'prefill_'), resolved.spec), ...opt(workers(row, 'prefill_num_workers')) },
              decode: { parallel: fitLayout(rowParallel(row, 'decode_'), resolved.spec), ...opt(workers(row, 'decode_num_workers')) },
            },
          };
    const est = estimateServing({ ...common, ...layout });
    if (!est.fits) return fail(`does not fit: ${est.memory.reason ?? 'not enough memory'}`, meta);
    if (harness.benchmarkRequestsPerClient <= harness.requestsPerClient) return { id: row.id, ttftMs: est.ttftMs, tpotMs: est.tpotMs, error: '', ...meta };
    // The same run, measured without the first burst, to weigh the burst as the real benchmark did.
    const steady = estimateServing({ ...common, ...layout, steadyState: true });
    const n = harness.requestsPerClient;
    const big = harness.benchmarkRequestsPerClient;
    return { id: row.id, ttftMs: benchmarkMeans(est.ttftMs, steady.ttftMs, n, big), tpotMs: benchmarkMeans(est.tpotMs, steady.tpotMs, n, big), error: '', ...meta };
  } catch (e) {
    if (e instanceof TokenfleetError) return fail(`unsupported: ${e.message}`, meta);
    throw e;
  }
}

/** Worker count of one side of a disaggregated row; undefined (inferred by the estimate) when the row does not say. */
function workers(row: SiliconRow, field: string): number | undefined {
  const v = Number(row.fields[field]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

function opt(n: number | undefined): { workers?: number } {
  return n === undefined ? {} : { workers: n };
}
