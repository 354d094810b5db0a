/**
 * @module Efficiency factors of the step-time model: what fraction of the
 * hardware's peak an engine reaches for each kind of work, and its fixed costs.
 * Fitted per (accelerator family, engine) by `npm run calibrate`; documented
 * priors elsewhere (see docs/calibration.md).
 */
import type { AcceleratorFamily, EngineId } from '../catalogue/accelerator-spec.js';

export interface Efficiencies {
  /** Fraction of dense peak reached by large GEMMs (compute-bound regime). */
  readonly gemmCompute: number;
  /** Fraction of memory bandwidth reached streaming weights and KV cache. */
  readonly memory: number;
  /** Fraction of the attention peak reached by attention kernels (flash attention): the bf16 peak, or the fp8 peak with an fp8 KV cache. */
  readonly attentionCompute: number;
  /** Fraction of the scale-up link bandwidth reached by collectives. */
  readonly comm: number;
  /** Fixed latency of one all-reduce (tensor parallelism), microseconds. */
  readonly commLatencyUs: number;
  /** Fixed latency of one expert-parallel all-to-all (dispatch or combine) of an MoE layer, microseconds. */
  readonly a2aLatencyUs: number;
  /**
   * Multiplier (>= 1) on routed-expert compute: load imbalance across experts and EP ranks, and the grouped
   * kernels' shortfall against dense GEMMs at the same peak (many small GEMMs; under MoE tensor parallelism each
   * expert's matrices split TP ways). The fits put it between 1 and 8.
   */
  readonly moeImbalance: number;
  /** Fixed cost of every iteration (scheduling, launch, sampling), milliseconds. */
  readonly stepOverheadMs: number;
  /** Extra fixed cost of an iteration that contains prefill work, milliseconds. */
  readonly prefillOverheadMs: number;
  /** Cost per running sequence per iteration (sampling, bookkeeping), microseconds. */
  readonly perSequenceUs: number;
  /** Fixed kernel cost per decoder layer per iteration (norms, rope, small kernels), microseconds. */
  readonly perLayerUs: number;
  /** Latency every request pays outside the engine's iterations (HTTP, tokenisation, routing, first-token streaming), milliseconds; added to TTFT. */
  readonly requestOverheadMs: number;
}

/** How sure a calibrated prediction is: typical relative errors from validation. */
export interface ErrorBand {
  /** Median absolute relative error of TTFT, e.g. 0.15 for 15%. */
  readonly ttftMedian: number;
  /** 90th percentile absolute relative error of TTFT. */
  readonly ttftP90: number;
  readonly tpotMedian: number;
  readonly tpotP90: number;
}

export type CalibrationSource =
  /** Fitted on measurements of this family with this engine. */
  | 'fitted'
  /** Fitted on this engine but another family; transferred. */
  | 'transferred'
  /** A documented prior, no measurements. */
  | 'prior';

/** How a deployment serves: one pool of replicas (`agg`), or prefill and decode workers apart (`disagg`). */
export type DeploymentMode = 'agg' | 'disagg';

export interface Calibration {
  /** The accelerator the fit used, when fitted on one accelerator's measurements. */
  readonly accelerator?: string;
  readonly family: AcceleratorFamily;
  readonly engine: EngineId;
  /**
   * The deployments the fit used: aggregated or disaggregated measurements only (disaggregated serving runs
   * another software stack around the engine, e.g. Dynamo's runtime images, and the rows rarely state their
   * workers). Absent: both.
   */
  readonly mode?: DeploymentMode;
  readonly efficiencies: Efficiencies;
  readonly errorBand: ErrorBand;
  readonly source: CalibrationSource;
  /** Rows the fit used (0 for priors). */
  readonly fittedRows: number;
  readonly note: string;
}

export const EFFICIENCY_KEYS = [
  'gemmCompute', 'memory', 'attentionCompute', 'comm', 'commLatencyUs', 'a2aLatencyUs', 'moeImbalance',
  'stepOverheadMs', 'prefillOverheadMs', 'perSequenceUs', 'perLayerUs', 'requestOverheadMs',
] as const satisfies readonly (keyof Efficiencies)[];

/**
 * Bounds the fit respects, so calibrated values stay physical. The ceilings of the three rates are set
 * from kernels timed on a real H200 (data/kernels/h200-sxm-torch.csv, `bench/device/kernels.py`): cuBLAS
 * reached 0.65-0.70 of the dense bf16 peak and 0.57-0.64 of the fp8 peak at large M, a device copy 0.88
 * and the largest weight-streaming GEMVs 0.90 of HBM bandwidth, flash attention (torch SDPA, causal,
 * 16k tokens) 0.63 of the bf16 peak. The best hand-tuned kernels do a little better than a framework's
 * defaults, so each ceiling sits some way above what was measured; no engine can beat them all at once.
 */
export const EFFICIENCY_BOUNDS: Readonly<Record<keyof Efficiencies, readonly [number, number]>> = {
  gemmCompute: [0.2, 0.8],
  memory: [0.3, 0.9],
  attentionCompute: [0.1, 0.75],
  comm: [0.2, 0.95],
  commLatencyUs: [2, 200],
  a2aLatencyUs: [2, 500],
  moeImbalance: [1, 10],
  stepOverheadMs: [0.05, 30],
  prefillOverheadMs: [0, 100],
  perSequenceUs: [0, 200],
  perLayerUs: [0, 200],
  requestOverheadMs: [0, 500],
};

/**
 * The prior for mature CUDA engines on Nvidia data-centre GPUs: typical
 * fractions of peak reported for vLLM/SGLang/TensorRT-LLM kernels
 * (cuBLAS/CUTLASS GEMMs 60-75% of dense peak, flash attention 40-60%,
 * weight streaming 75-85% of HBM bandwidth, NCCL 70-80% of NVLink). An
 * expert-parallel all-to-all (dispatch or combine) is taken as twice an
 * all-reduce's fixed latency (an ASSUMPTION; the fits on Hopper put it at
 * 15-67 us against 15-50 us for the all-reduce).
 */
export const CUDA_PRIOR: Efficiencies = {
  gemmCompute: 0.65,
  memory: 0.8,
  attentionCompute: 0.45,
  comm: 0.7,
  commLatencyUs: 15,
  a2aLatencyUs: 30,
  moeImbalance: 1.3,
  stepOverheadMs: 2,
  prefillOverheadMs: 1,
  perSequenceUs: 10,
  perLayerUs: 8,
  requestOverheadMs: 30,
};

/**
 * The prior for young software stacks (CANN/MindIE, MUSA, MACA, Neuware,
 * XPU, DTK, the in-house chip): kernels reach a smaller fraction of peak,
 * which PRODUCT.md and vendor disclosures describe qualitatively; the numbers
 * are an ASSUMPTION with a wide error band until measurements arrive.
 */
export const DOMESTIC_PRIOR: Efficiencies = {
  gemmCompute: 0.45,
  memory: 0.65,
  attentionCompute: 0.3,
  comm: 0.55,
  commLatencyUs: 30,
  a2aLatencyUs: 60,
  moeImbalance: 1.5,
  stepOverheadMs: 4,
  prefillOverheadMs: 2,
  perSequenceUs: 20,
  perLayerUs: 15,
  requestOverheadMs: 60,
};
