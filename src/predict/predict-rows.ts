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
import { DRIFTING_HARNESS, estimateBenchmark, GAP_TRTLLM_HARNESS, LOCKSTEP_HARNESS, SILICON_HARNESS, type BenchmarkHarness } from '../sim/benchmark-harness.js';
import { rowConcurrency, rowParallel, rowPrecision, rowReplicas, type SiliconRow } from './silicon-row.js';
import { rowDisaggPools } from './row-disagg-pools.js';
import { rowSpeculative } from './row-speculative.js';
import { rowStreamInterval } from './row-stream-interval.js';

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
    const common = {
      model: resolved.spec,
      accelerator,
      engine,
      precision,
      inputTokens: row.isl,
      outputTokens: row.osl,
      concurrency,
      efficiencies: opts.efficiencies?.(row),
    };
    const pools = rowDisaggPools(row, engine);
    const layout =
      row.mode === 'agg'
        ? { parallel: fitLayout(rowParallel(row, '', { scaleUpDomain: accelerator.scaleUp.domainSize.value ?? undefined }), resolved.spec) }
        : {
            disagg: {
              prefill: { parallel: fitLayout(rowParallel(row, 'prefill_'), resolved.spec), ...opt(workers(row, 'prefill_num_workers')), ...minOpt(pools.prefill) },
              decode: { parallel: fitLayout(rowParallel(row, 'decode_'), resolved.spec), ...opt(workers(row, 'decode_num_workers')), ...minOpt(pools.decode) },
            },
          };
    const speculative = rowSpeculative(row, resolved.spec);
    const streamInterval = rowStreamInterval(row, resolved.spec);
    const est = estimateBenchmark({ ...common, ...(speculative && { speculative }), ...(streamInterval > 1 && { streamInterval }), ...layout }, harnessOf(row));
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

function minOpt(n: number | undefined): { minDevices?: number } {
  return n === undefined ? {} : { minDevices: n };
}
