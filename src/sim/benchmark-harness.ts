/**
 * @module The benchmark a closed-loop estimate stands for: how the clients draw
 * their requests' lengths, how many each sends, and how much of the means the
 * clients' simultaneous first burst weighs. The shared measurements were taken
 * with a few such harnesses (recognised per row by `predict`, see
 * src/predict/predict-rows.ts); `tokenfleet estimate` simulates the standard
 * one of its engine (`standardHarness`), so that its figures are those the
 * validation scores.
 */
import { getEngine } from '../core/catalogue/engines.js';
import type { EngineId } from '../core/catalogue/accelerator-spec.js';
import { estimateServing, type ServingEstimate, type ServingEstimateInput } from './estimate-serving.js';

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
 * The harness of an ordinary benchmark on `engine` (vLLM's or SGLang's benchmark tool, InferenceMAX: random
 * lengths in [0.8 L, L], ten requests per client), as the validation simulates it for such rows:
 * DRIFTING_HARNESS for an aggregated deployment on a mixed-batching engine, SILICON_HARNESS otherwise.
 */
export function standardHarness(engine: EngineId, disaggregated: boolean): BenchmarkHarness {
  return !disaggregated && getEngine(engine).batching !== 'prefill-first' ? DRIFTING_HARNESS : SILICON_HARNESS;
}

/** Whether the harness weighs the first burst less than its simulation does (a second, steady-state run is then needed). */
function reweighs(h: BenchmarkHarness): boolean {
  return h.benchmarkRequestsPerClient > h.requestsPerClient;
}

/**
 * The serving estimate of `input` measured as `harness` measures it: the simulation runs the harness's
 * lengths and requests per client, and when the real benchmark sent more requests per client than are
 * simulated, a second run without the first burst reweighs the means (benchmarkMeans): TTFT, TPOT, end to
 * end, queueing and the rates. The error band is the calibration's, around the reweighed figures.
 */
export function estimateBenchmark(input: Omit<ServingEstimateInput, 'lengthRange' | 'requestsPerClient' | 'steadyState'>, harness: BenchmarkHarness): ServingEstimate {
  const common = { ...input, lengthRange: harness.lengthRange, requestsPerClient: harness.requestsPerClient };
  const all = estimateServing(common);
  if (!all.fits || !reweighs(harness)) return all;
  const steady = estimateServing({ ...common, steadyState: true });
  const n = harness.requestsPerClient;
  const big = harness.benchmarkRequestsPerClient;
  const mean = (a: number, s: number): number => benchmarkMeans(a, s, n, big);
  const ttftMs = mean(all.ttftMs, steady.ttftMs);
  const tpotMs = mean(all.tpotMs, steady.tpotMs);
  const outputTokensPerSecond = mean(all.outputTokensPerSecond, steady.outputTokensPerSecond);
  const band = all.calibration.errorBand;
  return {
    ...all,
    ttftMs,
    tpotMs,
    e2eMs: mean(all.e2eMs, steady.e2eMs),
    queueMs: mean(all.queueMs, steady.queueMs),
    outputTokensPerSecond,
    outputTokensPerSecondPerAccelerator: outputTokensPerSecond / all.accelerators,
    requestsPerSecond: mean(all.requestsPerSecond, steady.requestsPerSecond),
    confidence: {
      ...all.confidence,
      ttftMsRange: [ttftMs * (1 - Math.min(band.ttftMedian, 0.9)), ttftMs * (1 + band.ttftMedian)],
      tpotMsRange: [tpotMs * (1 - Math.min(band.tpotMedian, 0.9)), tpotMs * (1 + band.tpotMedian)],
    },
  };
}
