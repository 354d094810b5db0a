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
import { rowConcurrency, rowParallel, rowPrecision, type SiliconRow } from './silicon-row.js';

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
  readonly requestsPerClient: number;
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
 */
export const SILICON_HARNESS: BenchmarkHarness = { lengthRange: [0.8, 1], requestsPerClient: 3 };

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
 * which SILICON_HARNESS's spread approximates better (see docs/calibration.md).
 */
export const LOCKSTEP_HARNESS: BenchmarkHarness = { lengthRange: [1, 1], requestsPerClient: 3 };

/** The harness to simulate for a row, from its recorded source and its engine's batching. */
export function harnessOf(row: SiliconRow): BenchmarkHarness {
  const fixedLengths = (row.fields.silicon_data_source ?? '').includes('gap-analysis');
  return fixedLengths && getEngine(row.backend).batching === 'prefill-first' ? LOCKSTEP_HARNESS : SILICON_HARNESS;
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
    const concurrency = rowConcurrency(row);
    if (concurrency === undefined) return fail('unsupported: no concurrency (batch_size, silicon_concurrency or _c<N>_ in the id)', meta);
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
    const est =
      row.mode === 'agg'
        ? estimateServing({ ...common, parallel: fitLayout(rowParallel(row, '', { scaleUpDomain: accelerator.scaleUp.domainSize.value ?? undefined }), resolved.spec) })
        : estimateServing({
            ...common,
            disagg: {
              prefill: { parallel: fitLayout(rowParallel(row, 'prefill_'), resolved.spec), ...opt(workers(row, 'prefill_num_workers')) },
              decode: { parallel: fitLayout(rowParallel(row, 'decode_'), resolved.spec), ...opt(workers(row, 'decode_num_workers')) },
            },
          });
    if (!est.fits) return fail(`does not fit: ${est.memory.reason ?? 'not enough memory'}`, meta);
    return { id: row.id, ttftMs: est.ttftMs, tpotMs: est.tpotMs, error: '', ...meta };
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
