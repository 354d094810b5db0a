/**
 * @module A deployment: one model replica on a group of accelerators with a
 * parallel layout, precisions and an engine; validated once, then compiled
 * into the per-device constants the step-time and memory models use.
 */
import type { AcceleratorSpec, EngineId } from '../catalogue/accelerator-spec.js';
import type { ModelSpec } from '../catalogue/model-spec.js';
import { BYTES_PER_ELEMENT, type Precision } from '../catalogue/precision.js';
import { parameterBreakdown, type ParameterBreakdown } from '../catalogue/model-size.js';
import { getEngine } from '../catalogue/engines.js';
import { InvalidInputError } from '../errors.js';

export interface ParallelConfig {
  /** Tensor parallelism of attention (and of dense layers) within one attention-DP rank. */
  readonly tp: number;
  /** Pipeline stages. */
  readonly pp: number;
  /** Attention data-parallel ranks (DeepSeek-style DP attention); 1 when off. */
  readonly dp: number;
  /** Expert parallelism of the MoE layers. */
  readonly ep: number;
  /** Tensor parallelism inside each expert; moeTp * ep = tp * dp. */
  readonly moeTp: number;
}

export interface PrecisionConfig {
  /** Weights and GEMM activations of the linear layers. */
  readonly weights: Precision;
  /** Routed-expert weights (may differ, e.g. fp4 experts with fp8 attention). */
  readonly moeWeights: Precision;
  /** KV cache. */
  readonly kv: Precision;
}

/**
 * Speculative decoding with a one-layer drafter (DeepSeek's multi-token prediction module, EAGLE-style heads):
 * each decode step drafts `draftTokens` tokens one after the other, then the target model verifies them all in
 * one pass and keeps the accepted prefix plus one token of its own.
 */
export interface SpeculativeConfig {
  /** Tokens drafted per step (k), 1..8. */
  readonly draftTokens: number;
  /**
   * Probability that a drafted token is accepted given that the ones before it were (0 <= a < 1). A step then
   * yields (1 - a^(k+1)) / (1 - a) tokens on average: 1.8 at k = 1, a = 0.8 (DeepSeek-V3 reports 85-90%
   * acceptance of its MTP token).
   */
  readonly acceptanceRate: number;
}

/** Mean tokens one speculative step yields per sequence: 1 + a + a^2 + ... + a^k. */
export function expectedTokensPerStep(s: SpeculativeConfig): number {
  return (1 - s.acceptanceRate ** (s.draftTokens + 1)) / (1 - s.acceptanceRate);
}

export interface DeploymentInput {
  readonly model: ModelSpec;
  readonly accelerator: AcceleratorSpec;
  readonly engine: EngineId;
  readonly parallel: Partial<ParallelConfig>;
  readonly precision?: Partial<PrecisionConfig>;
  /** Speculative decoding; absent: one token per decode step. */
  readonly speculative?: SpeculativeConfig;
}

export interface Deployment {
  readonly model: ModelSpec;
  readonly accelerator: AcceleratorSpec;
  readonly engine: EngineId;
  readonly parallel: ParallelConfig;
  readonly precision: PrecisionConfig;
  readonly params: ParameterBreakdown;
  /** Accelerators in one replica: tp * dp * pp. */
  readonly devices: number;
  readonly speculative?: SpeculativeConfig;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`expected a positive integer, got ${v}`, name);
  return v;
}

/** An 8-bit KV cache with 8-bit-or-narrower weights, in the 8-bit format the chip has (fp8, else int8); bf16 otherwise. */
function defaultKvPrecision(acc: AcceleratorSpec, weights: Precision): Precision {
  if (BYTES_PER_ELEMENT[weights] > 1) return 'bf16';
  if (acc.precisions.includes('fp8')) return 'fp8';
  if (acc.precisions.includes('int8')) return 'int8';
  return 'bf16';
}

/** Fills defaults and checks that the layout makes sense for this model. */
export function makeDeployment(input: DeploymentInput): Deployment {
  const { model } = input;
  const tp = positiveInt(input.parallel.tp ?? 1, '--tp');
  const pp = positiveInt(input.parallel.pp ?? 1, '--pp');
  const dp = positiveInt(input.parallel.dp ?? 1, '--dp');
  const moeGroup = tp * dp;
  let ep = positiveInt(input.parallel.ep ?? (model.moe ? moeGroup : 1), '--ep');
  if (!model.moe) ep = 1;
  const moeTp = positiveInt(input.parallel.moeTp ?? Math.max(1, Math.floor(moeGroup / ep)), '--moe-tp');
  if (model.numAttentionHeads % tp !== 0) {
    throw new InvalidInputError(
      `tensor parallelism ${tp} does not divide the ${model.numAttentionHeads} attention heads of ${model.id}`,
      '--tp',
    );
  }
  if (pp > model.numLayers) {
    throw new InvalidInputError(`${pp} pipeline stages for ${model.numLayers} layers`, '--pp');
  }
  if (model.moe) {
    if (ep * moeTp !== moeGroup) {
      throw new InvalidInputError(
        `expert parallelism ${ep} x expert TP ${moeTp} must equal tp x dp = ${moeGroup}`,
        '--ep',
      );
    }
    if (model.moe.numExperts % ep !== 0) {
      throw new InvalidInputError(`expert parallelism ${ep} does not divide the ${model.moe.numExperts} experts of ${model.id}`, '--ep');
    }
  } else if (dp > 1) {
    // Attention DP without MoE is plain data parallelism: allowed, each rank a full copy sharded by tp.
  }
  const weights = input.precision?.weights ?? model.declaredWeightPrecision ?? 'bf16';
  const precision: PrecisionConfig = {
    weights,
    moeWeights: input.precision?.moeWeights ?? weights,
    kv: input.precision?.kv ?? defaultKvPrecision(input.accelerator, weights),
  };
  for (const [k, p] of Object.entries(precision)) {
    const native = input.accelerator.precisions;
    const ok = native.includes(p) || (p === 'fp16' && native.includes('bf16')) || (p === 'bf16' && native.includes('fp16'));
    // A precision the chip lacks natively still runs (weight-only dequantisation), at the rate of the next wider one;
    // the step-time model handles that, so only truly unusable combinations are rejected here.
    if (!ok && p === 'fp32') throw new InvalidInputError(`fp32 serving is not supported`, `precision.${k}`);
  }
  const speculative = input.speculative;
  if (speculative) {
    const k = speculative.draftTokens;
    if (!Number.isInteger(k) || k < 1 || k > 8) throw new InvalidInputError(`expected a whole number of draft tokens from 1 to 8, got ${k}`, '--speculative-tokens');
    const a = speculative.acceptanceRate;
    if (!(a >= 0 && a < 1)) throw new InvalidInputError(`expected an acceptance rate of at least 0 and below 1, got ${a}`, '--acceptance-rate');
    if (!getEngine(input.engine).features.speculativeDecoding) {
      throw new InvalidInputError(`the ${input.engine} engine has no speculative decoding`, '--speculative-tokens');
    }
  }
  return {
    model,
    accelerator: input.accelerator,
    engine: input.engine,
    parallel: { tp, pp, dp, ep, moeTp },
    precision,
    params: parameterBreakdown(model),
    devices: tp * dp * pp,
    ...(speculative ? { speculative: { draftTokens: speculative.draftTokens, acceptanceRate: speculative.acceptanceRate } } : {}),
  };
}
