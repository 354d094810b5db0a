/**
 * @module Rows in AIConfigurator's silicon-sample CSV format: parsing with
 * clear errors, and normalisation of the format's quirks into a serving
 * estimate's input (squared parallel sizes, per-DP-rank batch sizes, empty or
 * zero fields).
 */
import { parseCsvRecords } from './parse-csv-records.js';
import { InvalidInputError } from '../core/errors.js';
import type { Precision } from '../core/catalogue/precision.js';
import type { ParallelConfig } from '../core/perf/deployment.js';

export interface SiliconRow {
  /** 1-based line number in the file (header is line 1). */
  readonly line: number;
  readonly id: string;
  readonly backend: string;
  readonly modelPath: string;
  readonly system: string;
  readonly precision: string;
  readonly mode: 'agg' | 'disagg';
  readonly isl: number;
  readonly osl: number;
  readonly gemmQuant: string;
  readonly moeQuant: string;
  readonly fields: Readonly<Record<string, string>>;
  /** Measured values when the file has them. */
  readonly measuredTtftMs?: number;
  readonly measuredTpotMs?: number;
}

const REQUIRED = ['id', 'backend', 'model_path', 'system', 'mode', 'isl', 'osl'] as const;

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses the CSV text; a malformed file or row raises InvalidInputError naming the file, line and field. */
export function parseSiliconCsv(text: string, file: string): SiliconRow[] {
  const records = parseCsvRecords(text, file);
  if (records.length === 0) return [];
  const header = Object.keys(records[0]!);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `missing column(s) ${missing.join(', ')}; expected AIConfigurator's silicon-sample columns (id, backend, model_path, system, mode, isl, osl, batch_size, tp_size, ...)`,
      file,
    );
  }
  return records.map((r, i) => {
    const line = i + 2;
    const where = (f: string) => `${file}:${line} (${f})`;
    const mode = r.mode;
    if (mode !== 'agg' && mode !== 'disagg') throw new InvalidInputError(`expected 'agg' or 'disagg', got '${mode}'`, where('mode'));
    const isl = num(r.isl);
    const osl = num(r.osl);
    if (isl === undefined || !Number.isInteger(isl) || isl < 1) throw new InvalidInputError(`expected a positive integer, got '${r.isl}'`, where('isl'));
    if (osl === undefined || !Number.isInteger(osl) || osl < 1) throw new InvalidInputError(`expected a positive integer, got '${r.osl}'`, where('osl'));
    const row: SiliconRow = {
      line,
      id: r.id ?? '',
      backend: r.backend ?? '',
      modelPath: r.model_path ?? '',
      system: r.system ?? '',
      precision: r.precision ?? '',
      mode,
      isl,
      osl,
      gemmQuant: r.gemm_quant_mode ?? '',
      moeQuant: r.moe_quant_mode ?? '',
      fields: r,
      measuredTtftMs: num(r.silicon_ttft_ms),
      measuredTpotMs: num(r.silicon_tpot_ms),
    };
    return row;
  });
}

function quantToPrecision(q: string, fallback: Precision): Precision {
  switch (q.toLowerCase()) {
    case 'fp8':
    case 'fp8_block':
    case 'fp8_static':
    case 'w8a8_fp8':
      return 'fp8';
    case 'nvfp4':
    case 'fp4':
    case 'mxfp4':
    case 'w4afp8':
    case 'w4a16_mxfp4':
      return 'fp4';
    case 'int8':
    case 'int8_wo':
      return 'int8';
    case 'int4_wo':
    case 'w4a16':
      return 'int4';
    case 'bf16':
    case 'float16':
    case 'fp16':
      return 'bf16';
    default:
      return fallback;
  }
}

export interface RowPrecision {
  readonly weights: Precision;
  readonly moeWeights: Precision;
  readonly kv: Precision;
}

/**
 * Precision from the row (not from the model file's name). The KV cache is not recorded: quantised checkpoints
 * run with an fp8 cache on TensorRT-LLM and on vLLM (ModelOpt and compressed-tensors fp8 checkpoints carry the
 * cache's scales; benchmark recipes pass `--kv-cache-dtype fp8`), and SGLang keeps the model dtype. For vLLM it
 * is what the rows show (docs/calibration.md): Llama-3.1-70B fp8 on one H200 at 1k/8k tokens and 32 clients
 * measures a 474 ms TTFT, where a bf16 cache (153k tokens for up to ~265k) would have queued half the clients
 * (11.5 s simulated); with the fp8 cache and a refit, the held-out vLLM bands improved (Hopper TTFT median
 * 18.3% -> 17.2%, Blackwell 13.2% -> 12.5%; TPOT 8.2% -> 7.7%, 9.3% -> 9.1%).
 */
export function rowPrecision(row: SiliconRow, declared: Precision | undefined): RowPrecision {
  const base = quantToPrecision(row.precision, declared ?? 'bf16');
  const weights = row.gemmQuant ? quantToPrecision(row.gemmQuant, base) : base;
  const moeWeights = row.moeQuant ? quantToPrecision(row.moeQuant, weights) : weights;
  const quantised = weights !== 'bf16' || moeWeights !== 'bf16';
  const kv: Precision = (row.backend === 'trtllm' || row.backend === 'vllm') && quantised ? 'fp8' : 'bf16';
  return { weights, moeWeights, kv };
}

function intField(r: SiliconRow, name: string): number {
  const v = num(r.fields[name]);
  return v === undefined || v < 1 ? 1 : Math.round(v);
}

function isSquareOf(n: number, root: number): boolean {
  return root > 1 && n === root * root;
}

/**
 * The real parallel layout of one side of a row. Some rows hold the square of
 * the real GPU count in the parallel sizes; the row id (`..._tp4_ep4_...`)
 * gives the real one. Rows whose id carries no layout (`..._cfg201`) are taken
 * as squared when their GPU count is a square s*s larger than one scale-up
 * domain (`scaleUpDomain`, e.g. 8 GPUs of an HGX node) while `moe_ep_size` is s:
 * the encoding of the squared rows the id confirms (`tp_size` 64,
 * `moe_tp_size` 8, `moe_ep_size` 8 for TP8 EP8 on one 8-GPU node), never a
 * single aggregated replica spread over 64 GPUs of 8-GPU nodes. A MoE group larger than the
 * attention's TP without a recorded DP size (`tp_size` 1, `moe_tp_size` 4) is attention DP over the
 * MoE group's GPUs.
 */
export function rowParallel(row: SiliconRow, prefix: '' | 'prefill_' | 'decode_', opts: { scaleUpDomain?: number } = {}): ParallelConfig & { squared: boolean } {
  let tp = intField(row, `${prefix}tp_size`);
  const pp = intField(row, `${prefix}pp_size`);
  let dp = intField(row, `${prefix}attention_dp_size`);
  let moeTp = intField(row, `${prefix}moe_tp_size`);
  let ep = intField(row, `${prefix}moe_ep_size`);
  let squared = false;
  if (prefix === '') {
    const idTp = /_tp(\d+)(?:_|$)/.exec(row.id);
    const idEp = /_ep(\d+)(?:_|$)/.exec(row.id);
    const realGpus = idTp ? Number(idTp[1]) : undefined;
    const root = Math.round(Math.sqrt(tp * dp));
    const squaredWithoutId =
      realGpus === undefined && opts.scaleUpDomain !== undefined && tp * dp > opts.scaleUpDomain && isSquareOf(tp * dp, root) && ep === root;
    if ((realGpus !== undefined && isSquareOf(tp * dp, realGpus)) || squaredWithoutId) {
      squared = true;
      if (tp > 1) tp = Math.round(Math.sqrt(tp));
      if (dp > 1) dp = Math.round(Math.sqrt(dp));
      ep = idEp ? Number(idEp[1]) : squaredWithoutId ? ep : Math.round(Math.sqrt(ep));
      moeTp = Math.max(1, Math.round((tp * dp) / ep));
    }
  }
  // vLLM without expert parallelism flattens its MoE tensor parallelism over every attention-DP rank
  // (`moe_tp = dp x tp`), and some of its rows record that product without the DP size: TP1 with MoE TP4
  // (Qwen3-235B-A22B-FP8 on H200) is attention DP4 over four GPUs, not one GPU.
  if (dp === 1 && moeTp * ep > tp && (moeTp * ep) % tp === 0) dp = (moeTp * ep) / tp;
  if (moeTp * ep !== tp * dp) {
    if ((tp * dp) % ep === 0) moeTp = (tp * dp) / ep;
    else {
      ep = 1;
      moeTp = tp * dp;
    }
  }
  return { tp, pp, dp, ep, moeTp, squared };
}

/**
 * Identical aggregated replicas the benchmark's clients were spread over. Some gap-analysis rows
 * record a total concurrency (`silicon_concurrency`) that is a whole multiple k > 1 of `batch_size`
 * without attention DP (Qwen3-32B TP2 on GB200 at c128 with batch 64, c16 with batch 4): the run
 * served k replicas of the recorded layout behind one router, `batch_size` clients each. Rows with
 * attention DP already count `batch_size` per DP rank (see rowConcurrency); disaggregated rows
 * state their workers. One replica otherwise.
 */
export function rowReplicas(row: SiliconRow): number {
  if (row.mode !== 'agg' || intField(row, 'attention_dp_size') > 1) return 1;
  const src = /silicon_concurrency=(\d+)/.exec(row.fields.silicon_data_source ?? '');
  const b = num(row.fields.batch_size);
  if (!src || b === undefined || !Number.isInteger(b) || b < 1) return 1;
  const c = Number(src[1]);
  return c > b && c % b === 0 ? c / b : 1;
}

/** The closed-loop concurrency of a row: the measured concurrency when recorded, else the id's `_c<N>_`, else batch size times DP ranks. */
export function rowConcurrency(row: SiliconRow): number | undefined {
  const src = /silicon_concurrency=(\d+)/.exec(row.fields.silicon_data_source ?? '');
  if (src) return Number(src[1]);
  const id = /_c(\d+)(?:_|$)/.exec(row.id);
  if (id) return Number(id[1]);
  const b = num(row.fields.batch_size);
  if (b !== undefined && b > 0) return b * intField(row, 'attention_dp_size');
  return undefined;
}
