/**
 * @module The step-time model against kernels timed on a real GPU
 * (`bench/device/kernels.py`, data in data/kernels/): the model's dense-GEMM,
 * attention and whole-step terms for the models whose layer shapes were timed,
 * next to the sum of the measured kernels of the same work. This checks the
 * physics (FLOPs, bytes, the roofline and the efficiencies) apart from any
 * engine's scheduler, which the silicon measurements cannot do.
 */
import { quantile } from './error-stats.js';
import { parseCsvRecords } from './parse-csv-records.js';
import { InvalidInputError } from '../core/errors.js';
import type { AcceleratorSpec } from '../core/catalogue/accelerator-spec.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { CUDA_PRIOR, type Efficiencies } from '../core/perf/efficiency.js';
import { makeDeployment } from '../core/perf/deployment.js';
import { hardwareRates } from '../core/perf/hardware-rates.js';
import { batchOf, compileStepModel, emptyBreakdown, routedExpertsMs } from '../core/perf/step-time.js';

export type KernelKind = 'gemm' | 'moe_gemm' | 'attn_prefill' | 'attn_decode' | 'step_decode' | 'step_prefill';

/** One timed kernel (or whole forward pass) from the device run. */
export interface KernelTiming {
  readonly kind: KernelKind;
  readonly dtype: 'bf16' | 'fp8';
  /** For GEMMs `model:layer` (e.g. `llama-3.1-8b-tp1:gate_up`); otherwise the shape's name. */
  readonly model: string;
  /** Tokens (GEMM rows, prefill length, tokens per expert) or sequences (decode batch). */
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Decode batch, or the number of experts of a grouped GEMM. */
  readonly batch: number;
  readonly contextTokens: number;
  readonly timeUs: number;
}

const KINDS: readonly string[] = ['gemm', 'moe_gemm', 'attn_prefill', 'attn_decode', 'step_decode', 'step_prefill'];

/** Parses the device run's CSV; rows that record an error or another kind (`device`, `copy`) are skipped. */
export function parseKernelTimings(text: string, file: string): KernelTiming[] {
  const out: KernelTiming[] = [];
  parseCsvRecords(text, file).forEach((r, i) => {
    if (!KINDS.includes(r.kind ?? '') || (r.time_us ?? '') === '') return;
    const line = i + 2;
    const num = (field: string, required: boolean): number => {
      const raw = r[field] ?? '';
      if (raw === '' && !required) return 0;
      const v = Number(raw);
      if (!Number.isFinite(v) || v < 0) throw new InvalidInputError(`expected a non-negative number, got '${raw}'`, `${file}:${line}: ${field}`);
      return v;
    };
    const dtype = r.dtype;
    if (dtype !== 'bf16' && dtype !== 'fp8') throw new InvalidInputError(`expected bf16 or fp8, got '${dtype}'`, `${file}:${line}: dtype`);
    out.push({
      kind: r.kind as KernelKind,
      dtype,
      model: r.model ?? '',
      m: num('m', true),
      n: num('n', false),
      k: num('k', false),
      batch: num('batch', false),
      contextTokens: num('context', false),
      timeUs: num('time_us', true),
    });
  });
  return out;
}

/** A model whose layer shapes were timed: the GEMM rows' prefix, its spec and its tensor parallelism. */
export interface TimedShape {
  /** Prefix of the GEMM rows' `model` field, e.g. `llama-3.1-8b-tp1`. */
  readonly gemmPrefix: string;
  readonly model: ModelSpec;
  readonly tp: number;
}

export interface KernelComparison {
  /** What was compared, e.g. `dense GEMMs bf16 llama-3.1-8b-tp1 M=1024`. */
  readonly what: string;
  readonly kind: 'dense-gemm' | 'moe-gemm' | 'attention-prefill' | 'attention-decode' | 'step-decode' | 'step-prefill';
  readonly measuredMs: number;
  readonly predictedMs: number;
}

/** The rates the H200's kernels reached (`npm run bench:kernels` fits them): GEMM, HBM streaming, flash attention. */
export const H200_KERNEL_RATES: Efficiencies = { ...CUDA_PRIOR, gemmCompute: 0.65, memory: 0.82, attentionCompute: 0.58 };

/**
 * The models of data/kernels/h200-sxm-torch.csv: the shapes whose dense layers were timed, and the model of
 * the attention and whole-step rows (Llama-3.1-8B), looked up by `model` (a Hugging Face name).
 */
export function h200TimedModels(model: (name: string) => ModelSpec): { shapes: TimedShape[]; stepModel: ModelSpec } {
  const llama8 = model('meta-llama/Llama-3.1-8B');
  return {
    shapes: [
      { gemmPrefix: 'llama-3.1-8b-tp1', model: llama8, tp: 1 },
      { gemmPrefix: 'llama-3.1-70b-tp4', model: model('meta-llama/Llama-3.1-70B'), tp: 4 },
    ],
    stepModel: llama8,
  };
}

/** The dense layers a transformer block runs, as the device run names them. */
const DENSE_LAYERS = ['qkv', 'o', 'gate_up', 'down'] as const;

/**
 * Compares the step model with the measured kernels: for every timed shape and M, the sum of the four
 * dense GEMMs times the layer count against the model's dense-GEMM term; attention of the GQA 32/8x128
 * shape (Llama-3.1-8B's) against the model's attention term for one layer; whole forward passes against
 * the model's step time without the engine's fixed costs (the device run has no scheduler or sampler).
 */
export function compareWithKernels(
  timings: readonly KernelTiming[],
  accelerator: AcceleratorSpec,
  efficiencies: Efficiencies,
  shapes: readonly TimedShape[],
  /** The model of the attention and whole-step rows (Llama-3.1-8B's shape). */
  stepModel: ModelSpec,
): KernelComparison[] {
  const out: KernelComparison[] = [];
  const kernelOnly: Efficiencies = { ...efficiencies, stepOverheadMs: 0, prefillOverheadMs: 0, perSequenceUs: 0, perLayerUs: 0, requestOverheadMs: 0 };
  const bd = emptyBreakdown();
  for (const shape of shapes) {
    for (const dtype of ['bf16', 'fp8'] as const) {
      const rows = timings.filter((t) => t.kind === 'gemm' && t.dtype === dtype && t.model.startsWith(`${shape.gemmPrefix}:`));
      const ms = [...new Set(rows.map((r) => r.m))].sort((a, b) => a - b);
      const sm = compileStepModel(
        makeDeployment({ model: shape.model, accelerator, engine: 'generic', parallel: { tp: shape.tp }, precision: { weights: dtype, kv: 'bf16' } }),
        kernelOnly,
      );
      for (const m of ms) {
        const layers = DENSE_LAYERS.map((l) => rows.find((r) => r.m === m && r.model === `${shape.gemmPrefix}:${l}`));
        if (layers.some((l) => l === undefined)) continue;
        const measuredMs = (shape.model.numLayers * layers.reduce((s, l) => s + (l as KernelTiming).timeUs, 0)) / 1000;
        sm.stepTimeMs({ ...batchOf([], []), decodeSeqs: m }, bd);
        out.push({ what: `dense GEMMs ${dtype} ${shape.gemmPrefix} M=${m}`, kind: 'dense-gemm', measuredMs, predictedMs: bd.denseGemmMs });
      }
    }
  }
  const sm = compileStepModel(
    makeDeployment({ model: stepModel, accelerator, engine: 'generic', parallel: { tp: 1 }, precision: { weights: 'bf16', kv: 'bf16' } }),
    kernelOnly,
  );
  const layers = stepModel.numLayers;
  for (const t of timings) {
    if (t.kind === 'attn_prefill') {
      sm.stepTimeMs(batchOf([{ tokens: t.m, completes: false }], []), bd);
      out.push({ what: `attention prefill S=${t.m}`, kind: 'attention-prefill', measuredMs: t.timeUs / 1000, predictedMs: bd.attentionMs / layers });
    } else if (t.kind === 'attn_decode') {
      sm.stepTimeMs(batchOf([], new Array<number>(t.batch).fill(t.contextTokens)), bd);
      out.push({ what: `attention decode B=${t.batch} ctx=${t.contextTokens}`, kind: 'attention-decode', measuredMs: t.timeUs / 1000, predictedMs: bd.attentionMs / layers });
    } else if (t.kind === 'step_decode') {
      const predictedMs = sm.stepTimeMs(batchOf([], new Array<number>(t.batch).fill(t.contextTokens)), bd);
      out.push({ what: `decode step B=${t.batch} ctx=${t.contextTokens}`, kind: 'step-decode', measuredMs: t.timeUs / 1000, predictedMs });
    } else if (t.kind === 'step_prefill') {
      const predictedMs = sm.stepTimeMs(batchOf([{ tokens: t.m, completes: true }], []), bd);
      out.push({ what: `prefill step S=${t.m}`, kind: 'step-prefill', measuredMs: t.timeUs / 1000, predictedMs });
    }
  }
  return out;
}

/**
 * Compares the model's routed-expert term with grouped GEMMs timed in bf16: for every expert shape, number
 * of experts E and tokens per expert t with both the gate/up and the down projection timed, their sum
 * against `routedExpertsMs` for E x t token-expert pairs over E experts.
 */
export function compareMoeWithKernels(timings: readonly KernelTiming[], accelerator: AcceleratorSpec, efficiencies: Efficiencies): KernelComparison[] {
  const rates = hardwareRates(accelerator);
  const out: KernelComparison[] = [];
  const moe = timings.filter((t) => t.kind === 'moe_gemm' && t.dtype === 'bf16');
  for (const up of moe.filter((t) => t.model.endsWith(':gate_up'))) {
    const name = up.model.slice(0, -':gate_up'.length);
    const down = moe.find((t) => t.model === `${name}:down` && t.m === up.m && t.batch === up.batch);
    if (!down) continue;
    const paramsPerExpert = up.n * up.k + down.n * down.k;
    const predictedMs = routedExpertsMs(up.batch * up.m, up.batch, paramsPerExpert, 2, rates.bf16Flops * efficiencies.gemmCompute, rates.memoryBandwidth * efficiencies.memory);
    out.push({ what: `routed experts ${name} E=${up.batch} t=${up.m}`, kind: 'moe-gemm', measuredMs: (up.timeUs + down.timeUs) / 1000, predictedMs });
  }
  return out;
}

/** Per kind of work: rows, median and p90 absolute relative error, and the geometric-mean bias (predicted / measured). */
export interface KernelSummary {
  readonly kind: KernelComparison['kind'];
  readonly rows: number;
  readonly medianError: number;
  readonly p90Error: number;
  readonly bias: number;
}

export function summariseKernelComparisons(cs: readonly KernelComparison[]): KernelSummary[] {
  const kinds = [...new Set(cs.map((c) => c.kind))];
  return kinds.map((kind) => {
    const sel = cs.filter((c) => c.kind === kind);
    const errs = sel.map((c) => Math.abs(c.predictedMs / c.measuredMs - 1));
    const bias = Math.exp(sel.reduce((a, c) => a + Math.log(c.predictedMs / c.measuredMs), 0) / sel.length);
    return { kind, rows: sel.length, medianError: quantile(errs, 0.5), p90Error: quantile(errs, 0.9), bias };
  });
}

/** The validation report's section on the kernel timings. */
export function kernelCheckMarkdown(summaries: readonly KernelSummary[], eff: Efficiencies, source: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    '## The step model against kernels timed on an H200',
    '',
    `${source}: the model's terms (without any engine's fixed costs) against the sum of the measured kernels of the same work,`,
    `with the rates the kernels reached: GEMM ${eff.gemmCompute}, memory ${eff.memory}, attention ${eff.attentionCompute} of the catalogue's peaks`,
    '(`npm run bench:kernels` fits them and also shows each Hopper calibration; docs/calibration.md says what was timed).',
    '',
    '| work | rows | median error | p90 error | bias (pred/meas) |',
    '|---|---:|---:|---:|---:|',
    ...summaries.map((s) => `| ${s.kind} | ${s.rows} | ${pct(s.medianError)} | ${pct(s.p90Error)} | ${s.bias.toFixed(2)} |`),
    '',
  ].join('\n');
}
