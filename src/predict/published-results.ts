/**
 * @module Published serving results (MLPerf logs, TensorRT-LLM tables, SGLang
 * and LMSYS posts, GPUStack, ...) checked against the closed-loop estimate:
 * rules that decide which rows are a closed loop we can simulate, the
 * comparison for those, and a Markdown summary with the reasons for the rest.
 */
import { parseCsvRecords } from './parse-csv-records.js';
import type { EngineId } from '../core/catalogue/accelerator-spec.js';
import { getEngine } from '../core/catalogue/engines.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import type { Precision } from '../core/catalogue/precision.js';
import { InvalidInputError, TokenfleetError } from '../core/errors.js';
import type { ParallelConfig } from '../core/perf/deployment.js';
import { estimateServing, type ServingEstimate, type ServingEstimateInput } from '../sim/estimate-serving.js';
import { ape } from './error-stats.js';
import type { ModelResolver } from './predict-rows.js';
import { parseSpeculative } from './stated-speculative.js';

/** One row of `published-results.csv`, fields as written (the mapping rules read the free text). */
export interface PublishedRow {
  readonly rowId: string;
  readonly hardware: string;
  /** Accelerators of the whole deployment, e.g. "8" or "32 cards (=64 dies)". */
  readonly accelCount: string;
  readonly model: string;
  readonly weightsPrecision: string;
  readonly kvPrecision: string;
  readonly engine: string;
  readonly parallelism: string;
  readonly isl: string;
  readonly osl: string;
  readonly batchOrConcurrency: string;
  readonly scenario: string;
  /** Measured output tokens/s per accelerator ('' when not reported). */
  readonly outputTokensPerSecondPerAccel: string;
  /** Measured mean TTFT, ms ('' when not reported). */
  readonly ttftMeanMs: string;
  /** Measured mean TPOT, ms ('' when not reported). */
  readonly tpotMeanMs: string;
  /** Free-text notes of the row ('' when the file has none). */
  readonly notes: string;
}

const COLUMNS = {
  rowId: 'row_id', hardware: 'hardware', accelCount: 'accel_count', model: 'model', weightsPrecision: 'weights_prec',
  kvPrecision: 'kv_prec', engine: 'engine', parallelism: 'parallelism', isl: 'isl', osl: 'osl',
  batchOrConcurrency: 'batch_or_concurrency', scenario: 'scenario', outputTokensPerSecondPerAccel: 'output_tok_s_per_accel',
  ttftMeanMs: 'ttft_mean_ms', tpotMeanMs: 'tpot_mean_ms', notes: 'notes',
} as const satisfies Record<keyof PublishedRow, string>;

/** Columns a file may lack (read as ''). */
const OPTIONAL_COLUMNS: readonly string[] = [COLUMNS.notes];

/** Parses the CSV text; a malformed file, a missing column or a row without id raises InvalidInputError naming the file. */
export function parsePublishedCsv(text: string, file: string): PublishedRow[] {
  const records = parseCsvRecords(text, file);
  if (records.length === 0) return [];
  const header = Object.keys(records[0]!);
  const missing = Object.values(COLUMNS).filter((c) => !header.includes(c) && !OPTIONAL_COLUMNS.includes(c));
  if (missing.length > 0) throw new InvalidInputError(`missing column(s) ${missing.join(', ')} of the published-results format`, file);
  return records.map((r, i) => {
    const row = Object.fromEntries(Object.entries(COLUMNS).map(([k, c]) => [k, r[c] ?? ''])) as unknown as PublishedRow;
    if (row.rowId === '') throw new InvalidInputError('empty row_id', `${file}:${i + 2}`);
    return row;
  });
}

export type ComparedMetric = 'tpot' | 'ttft' | 'throughputPerAccel';
export type PublishedInput = Omit<ServingEstimateInput, 'efficiencies'>;
export type PublishedMapping =
  | {
      readonly kind: 'mapped';
      /** One instance (replica) of the deployment, at its share of the load. */
      readonly input: PublishedInput;
      readonly compare: ComparedMetric[];
      /** Identical instances in the published deployment. */
      readonly instances: number;
      /** Approximations this mapping makes. */
      readonly notes: string[];
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** Why a row is not mapped; a reason may carry a detail in parentheses after the category. */
export const SKIP_REASONS = {
  speculative: 'speculative decoding without a stated acceptance',
  onePhase: 'one phase of a disaggregated deployment',
  poisson: 'open-loop Poisson arrivals: needs the simulator',
  lengths: 'lengths vary with the dataset',
  hardware: 'not in the catalogue',
  model: 'no config.json for this model',
  engine: 'engine not modelled',
  layout: 'parallel layout not stated',
  count: 'parallel layout does not divide the accelerator count',
  load: 'no concurrency, batch or request count',
  metric: 'no mean TTFT, mean TPOT or output tokens/s per accelerator to compare',
} as const;

/** Offline runs queue every request at once; the closed loop stands in at this many clients at most. */
export const MAX_OFFLINE_CONCURRENCY = 2048;

/** Catalogue ids by the leading text of the hardware column; order matters (GB200 before B200, H200 before H20). */
const HARDWARE: readonly (readonly [RegExp, string])[] = [
  [/^GB300/i, 'gb300'], [/^GB200/i, 'gb200'], [/^B200/i, 'b200-sxm'], [/^H200/i, 'h200-sxm'], [/^H100/i, 'h100-sxm'],
  [/^H20\b/i, 'h20'], [/^H800/i, 'h800-sxm'], [/^A100/i, 'a100-80g'], [/^MI300X/i, 'mi300x'], [/^MI325X/i, 'mi325x'],
  [/^Ascend 910B/i, 'ascend-910b'], [/^Ascend 910C/i, 'ascend-910c'],
];

const ENGINES: readonly (readonly [RegExp, EngineId])[] = [
  [/tensorrt|trt-?llm/i, 'trtllm'], [/sglang/i, 'sglang'], [/vllm/i, 'vllm'], [/mindie/i, 'mindie'],
];

/** Precision words in the order a table writes them; the first one in the text names the weights. */
const PRECISION_WORD = /MXFP4|NVFP4|W4A8|W8A8|INT8|INT4|FP4|FP8|BF16|FP16/i;
const PRECISION_OF: Readonly<Record<string, Precision>> = { W4A8: 'int4', INT4: 'int4', W8A8: 'int8', INT8: 'int8', FP8: 'fp8', BF16: 'bf16', FP16: 'bf16' };
function firstPrecision(text: string): Precision | undefined {
  const w = PRECISION_WORD.exec(text)?.[0].toUpperCase();
  return w === undefined ? undefined : w.endsWith('FP4') ? 'fp4' : PRECISION_OF[w];
}

/** A positive number, or undefined for '', 'n/a', ranges and prose. */
function numeric(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}
const count = (s: string): number => Number(s.replace(/,/g, ''));

/** Model families that the published tables use and whose config.json we do not ship. */
const NO_CONFIG = /^llama-2-|^llama-7b/i;

/** The model name to resolve, or undefined when we ship no config for it. */
function cleanModelName(raw: string, notes: string[]): string[] | undefined {
  let name = (raw.split(' (')[0] ?? raw).trim();
  if (NO_CONFIG.test(name)) return undefined;
  if (/^DeepSeek-V3\/R1$/i.test(name)) name = 'DeepSeek-V3';
  if (/^DeepSeek-R1-\d{4}$/i.test(name)) name = 'DeepSeek-R1';
  if (/^Llama-3\.3-70B/i.test(name)) {
    name = 'Llama-3.1-70B';
    notes.push('Llama-3.3-70B estimated with the Llama-3.1-70B config (same architecture, new weights)');
  }
  const base = name.replace(/-(Instruct|Chat)(-\d+)?$/i, '');
  // Mistral publishes Mixtral under a version suffix (Mixtral-8x7B-v0.1) that tables drop.
  const versioned = /^Mixtral-/i.test(base) && !/-v\d/i.test(base) ? [`${base}-v0.1`] : [];
  return [...new Set([name, base, ...versioned])];
}

/** The part of the layout text for this scenario, when the text gives one layout per scenario ("Offline TP2xPP2; Server TP4"). */
function layoutFor(text: string, scenario: string): string {
  const parts = text.split(';');
  const word = /^(offline|server|interactive)/i.exec(scenario.trim())?.[1];
  return (word && parts.find((p) => new RegExp(`\\b${word}\\b`, 'i').test(p))) || text;
}

/**
 * Parallel layout of one instance. TPn alone is tensor parallelism; with attention DP (TRT-LLM "TP8 + attention-DP",
 * SGLang "--tp 8 --dp 8") TPn counts the instance's devices and the DP ranks split them (DP without a number: one
 * rank per device). DEPn is n attention-DP ranks with EP n.
 */
export function parseParallelism(text: string): Partial<ParallelConfig> | undefined {
  if (/not (checked|stated)|config not read/i.test(text)) return undefined;
  const num = (re: RegExp) => { const m = re.exec(text); return m ? Number(m[1]) : undefined; };
  const dep = num(/\bDEP(\d+)/i);
  if (dep !== undefined) return { tp: 1, dp: dep, ep: dep };
  const tp = num(/\bTP(\d+)/i);
  const pp = num(/PP(\d+)/i);
  const ep = num(/\bEP(\d+)/i);
  const dpN = num(/(?:attention|attn)[- ]?DP\s*(\d+)/i) ?? num(/\bDP(\d+)/i);
  const dpOn = dpN !== undefined || /(?:attention|attn)[- ]?DP|DP[- ]attention/i.test(text);
  if (tp === undefined && dpN === undefined) return undefined;
  const devices = tp ?? dpN!;
  const dp = dpOn ? (dpN ?? devices) : 1;
  if (devices % dp !== 0) return undefined;
  return { tp: devices / dp, dp, ...(pp !== undefined ? { pp } : {}), ...(ep !== undefined ? { ep } : {}) };
}

/**
 * Clients of one instance's closed loop, from the load text ('concurrency N' and request counts are of the whole
 * deployment, 'batch N' of one instance), and requests per client: 1 when the run is one burst of all its requests
 * (the closed loop then is that burst), else 2 (enough for a saturated loop, and cheap).
 */
function parseLoad(text: string, scenario: string, instances: number, devices: number, notes: string[]): { clients: number; requestsPerClient: number } | undefined {
  const loop = (clients: number) => ({ clients, requestsPerClient: 2 });
  let m = /concurrency\s+(\d[\d,]*)/i.exec(text);
  if (m) return loop(Math.ceil(count(m[1]!) / instances));
  m = /(\d[\d,]*)\s*(?:requests\s+)?per\s+(?:GPU|NPU|card|rank)\b/i.exec(text) ?? /\bbatch\s+(\d[\d,]*)\s*\/\s*(?:GPU|rank)\b/i.exec(text);
  if (m) return loop(count(m[1]!) * devices);
  m = /\bbatch\s+(\d[\d,]*)/i.exec(text);
  if (m) return loop(count(m[1]!));
  m = /(\d[\d,]*)\s+(?:requests|prompts)\b/i.exec(text);
  if (m && (/offline|queued|infinite|\binf\b|all at once/i.test(text) || /offline/i.test(scenario))) {
    const requests = Math.ceil(count(m[1]!) / instances);
    if (requests <= MAX_OFFLINE_CONCURRENCY) {
      notes.push('all requests sent at once: a closed loop with one request per client');
      return { clients: requests, requestsPerClient: 1 };
    }
    notes.push(`more than ${MAX_OFFLINE_CONCURRENCY} requests queued at once (offline): approximated by a saturated closed loop of ${MAX_OFFLINE_CONCURRENCY} clients`);
    return loop(MAX_OFFLINE_CONCURRENCY);
  }
  return undefined;
}

function tryGet<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof TokenfleetError) return undefined;
    throw e;
  }
}

/** Decides whether a published row is a closed loop we can estimate, and builds the estimate's input; the first failing rule names the reason. */
export function mapPublishedRow(row: PublishedRow, resolve: ModelResolver): PublishedMapping {
  const skip = (reason: string, detail?: string): PublishedMapping => ({ kind: 'skipped', reason: detail ? `${reason} (${detail})` : reason });
  const notes: string[] = [];
  // Workload shape first: a row that is not a closed loop stays unmappable whatever the catalogue holds.
  const serving = [row.engine, row.scenario, row.batchOrConcurrency, row.parallelism].join(' | ');
  const speculative = parseSpeculative(`${serving} | ${row.notes}`, notes);
  if (speculative === 'unstated') return skip(SKIP_REASONS.speculative);
  if (/\b(prefill|decode)\b/i.test(row.scenario) || /^\s*(prefill|decode)\b|prefill-only|decode-only/i.test(row.parallelism)) {
    return skip(SKIP_REASONS.onePhase);
  }
  if (/poisson|\bQPS\b/i.test(row.batchOrConcurrency)) return skip(SKIP_REASONS.poisson);
  if (!/^\d+$/.test(row.isl.trim()) || !/^\d+$/.test(row.osl.trim())) return skip(SKIP_REASONS.lengths);

  const hwId = HARDWARE.find(([re]) => re.test(row.hardware.trim()))?.[1];
  const accelerator = hwId === undefined ? undefined : tryGet(() => getAccelerator(hwId));
  if (!accelerator) return skip(SKIP_REASONS.hardware, row.hardware);
  const names = cleanModelName(row.model, notes);
  if (!names) return skip(SKIP_REASONS.model, row.model);
  let resolved: ReturnType<ModelResolver> | undefined;
  let lastError = '';
  for (const n of names) {
    try {
      resolved ??= resolve(n);
    } catch (e) {
      if (!(e instanceof TokenfleetError)) throw e;
      lastError = e.message;
    }
  }
  if (!resolved) return skip(SKIP_REASONS.model, lastError || row.model);
  const engine = ENGINES.find(([re]) => re.test(row.engine))?.[1];
  if (!engine) return skip(SKIP_REASONS.engine, row.engine);

  const parallel = parseParallelism(layoutFor(row.parallelism, row.scenario));
  if (!parallel) return skip(SKIP_REASONS.layout, row.parallelism);
  const accel = /^\s*(\d+)/.exec(row.accelCount);
  const devices = (parallel.tp ?? 1) * (parallel.dp ?? 1) * (parallel.pp ?? 1);
  if (!accel || Number(accel[1]) % devices !== 0) return skip(SKIP_REASONS.count, `${row.accelCount || '?'} for ${devices} per instance`);
  const instances = Number(accel[1]) / devices;
  const load = parseLoad(row.batchOrConcurrency, row.scenario, instances, devices, notes);
  if (load === undefined) return skip(SKIP_REASONS.load, row.batchOrConcurrency || 'empty');

  const compare: ComparedMetric[] = [];
  if (numeric(row.tpotMeanMs) !== undefined) compare.push('tpot');
  if (numeric(row.ttftMeanMs) !== undefined) compare.push('ttft');
  if (numeric(row.outputTokensPerSecondPerAccel) !== undefined) compare.push('throughputPerAccel');
  if (compare.length === 0) return skip(SKIP_REASONS.metric);

  const weights = firstPrecision(row.weightsPrecision) ?? resolved.spec.declaredWeightPrecision ?? 'bf16';
  const kvStated = /FP8 KV/i.test(row.weightsPrecision) ? 'fp8' : /when|auto|assumed/i.test(row.kvPrecision) ? undefined : firstPrecision(row.kvPrecision);
  // As in silicon rows: TensorRT-LLM runs quantised checkpoints with an fp8 KV cache, the others keep bf16 unless told.
  const kv: Precision = kvStated ?? (engine === 'trtllm' && weights !== 'bf16' ? 'fp8' : 'bf16');
  const budget = /max[-_]num[-_](?:batched[-_])?tokens\s+(\d+)/i.exec(`${row.engine} ${row.batchOrConcurrency}`);
  const input: PublishedInput = {
    model: resolved.spec,
    accelerator,
    engine,
    precision: { weights, moeWeights: weights, kv },
    parallel,
    inputTokens: Number(row.isl),
    outputTokens: Number(row.osl),
    concurrency: load.clients,
    requestsPerClient: load.requestsPerClient,
    ...(budget ? { maxBatchedTokens: Number(budget[1]) } : {}),
    ...(speculative ? { speculative } : {}),
  };
  return { kind: 'mapped', input, compare, instances, notes };
}

export interface PublishedComparison {
  readonly metric: ComparedMetric;
  /** ms for tpot and ttft; output tokens/s per accelerator for throughputPerAccel. */
  readonly measured: number;
  readonly predicted: number;
  /** |predicted - measured| / measured, percent. */
  readonly apePercent: number;
}

export interface PublishedCheck {
  readonly rowId: string;
  readonly hardware: string;
  readonly model: string;
  readonly scenario: string;
  readonly status: 'compared' | 'skipped' | 'failed';
  /** Why skipped or failed. */
  readonly reason?: string;
  readonly comparisons: readonly PublishedComparison[];
  /** What was estimated, for compared and failed rows. */
  readonly setup?: {
    readonly acceleratorId: string;
    readonly inputTokens: number;
    readonly outputTokens: number;
    /** Clients of one instance. */
    readonly concurrency: number;
    /** Clients of the steady-state run the throughput comes from (fewer when the engine holds fewer sequences). */
    readonly throughputConcurrency: number;
    readonly instances: number;
    readonly notes: readonly string[];
  };
}

export type EstimateFn = (
  input: ServingEstimateInput,
) => Pick<ServingEstimate, 'fits' | 'ttftMs' | 'tpotMs' | 'outputTokensPerSecondPerAccelerator' | 'maxConcurrency'> & {
  readonly memory: { readonly reason?: string };
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Maps, estimates and compares every row; a row's failure becomes its status, never an exception.
 * TTFT and TPOT come from the mapped closed loop. Throughput comes from a steady-state loop with no more clients
 * than the engine holds at once (KV capacity, running-sequence cap): the estimate's throughput is Little's law over
 * a short run, which overstates a run whose extra clients only queue and then drain (up to 2x for a single burst).
 */
export function checkPublishedResults(rows: readonly PublishedRow[], resolve: ModelResolver, estimate: EstimateFn = estimateServing): PublishedCheck[] {
  return rows.map((row): PublishedCheck => {
    const base = { rowId: row.rowId, hardware: row.hardware, model: row.model, scenario: row.scenario, comparisons: [] };
    let mapping: PublishedMapping;
    try {
      mapping = mapPublishedRow(row, resolve);
    } catch (e) {
      return { ...base, status: 'failed', reason: `mapping failed: ${message(e)}` };
    }
    if (mapping.kind === 'skipped') return { ...base, status: 'skipped', reason: mapping.reason };
    const { input } = mapping;
    let setup = {
      acceleratorId: input.accelerator.id, inputTokens: input.inputTokens, outputTokens: input.outputTokens,
      concurrency: input.concurrency, throughputConcurrency: input.concurrency, instances: mapping.instances, notes: mapping.notes,
    };
    try {
      const est = estimate(input);
      if (!est.fits) return { ...base, setup, status: 'failed', reason: `does not fit: ${est.memory.reason ?? 'not enough memory'}` };
      const held = Math.min(est.maxConcurrency || Infinity, getEngine(input.engine).maxRunningSequences * (input.parallel?.dp ?? 1));
      let steady = est;
      if (mapping.compare.includes('throughputPerAccel') && held < input.concurrency) {
        steady = estimate({ ...input, concurrency: held, requestsPerClient: 2 });
        setup = { ...setup, throughputConcurrency: held };
      }
      const comparisons = mapping.compare.map((metric): PublishedComparison => {
        const [measured, predicted] =
          metric === 'tpot' ? [numeric(row.tpotMeanMs)!, est.tpotMs]
          : metric === 'ttft' ? [numeric(row.ttftMeanMs)!, est.ttftMs]
          : [numeric(row.outputTokensPerSecondPerAccel)!, steady.outputTokensPerSecondPerAccelerator];
        return { metric, measured, predicted, apePercent: ape(predicted, measured) * 100 };
      });
      return { ...base, setup, status: 'compared', comparisons };
    } catch (e) {
      return { ...base, setup, status: 'failed', reason: `estimate failed: ${message(e)}` };
    }
  });
}
