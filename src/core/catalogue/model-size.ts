/**
 * @module Parameter counts, weight bytes and KV-cache bytes of a ModelSpec.
 *
 * Counted: the linear projections of attention (incl. MLA's low-rank matrices), linear mixers,
 * MLPs, routed and shared experts, routers, the embedding and the LM head. Not counted (each well
 * under 0.1% of a model): norms, biases, rotary tables, MTP/nextn layers (the parser leaves them
 * out and says so in parseNotes), DSA indexers and DeepSeek-V4 compressors.
 */
import { InvalidInputError } from '../errors.js';
import type { AttentionShape, LinearMixerSpec, ModelSpec } from './model-spec.js';
import { BYTES_PER_ELEMENT, type Precision } from './precision.js';

/** Parameter counts (elements, not bytes) of a model, by component. */
export interface ParameterBreakdown {
  /** Input embedding, vocab x hidden. */
  readonly embeddingParams: number;
  /** LM head, vocab x hidden; computed even when tied to the embedding (it is still a GEMM). */
  readonly lmHeadParams: number;
  /**
   * Projections of one attention (full or sliding) layer: q, k, v, o, incl. MLA's low-rank
   * matrices. When full and sliding layers differ in shape this is their mean, so
   * numAttentionLayers * attentionParamsPerLayer is exact.
   */
  readonly attentionParamsPerLayer: number;
  /** One linear-mixer layer (Gated DeltaNet, Mamba-2, KDA, lightning attention). */
  readonly linearMixerParamsPerLayer: number;
  readonly numAttentionLayers: number;
  readonly numLinearLayers: number;
  /** One dense MLP. */
  readonly denseMlpParamsPerLayer: number;
  readonly numDenseMlpLayers: number;
  /** One routed expert. */
  readonly routedExpertParams: number;
  /** Always-active expert weights of one MoE layer: shared experts, plus latent-MoE down/up projections. */
  readonly sharedExpertParamsPerLayer: number;
  /** Router (gate) of one MoE layer. */
  readonly routerParamsPerLayer: number;
  readonly numMoeLayers: number;
  /** Stored parameters: the embedding once (also when tied), the LM head when untied, all layers. */
  readonly totalParams: number;
  /**
   * Parameters one token multiplies by: every non-routed layer weight, topK routed experts per MoE
   * layer, and the LM head once (the same matrix when tied). The embedding is a row lookup, not a
   * GEMM, so it is left out, as in OpenAI's gpt-oss "active parameters" (5.1B for gpt-oss-120b).
   */
  readonly activeParams: number;
}

const DEFAULT_SHAPE = (spec: ModelSpec): AttentionShape => ({
  numAttentionHeads: spec.numAttentionHeads,
  numKeyValueHeads: spec.numKeyValueHeads,
  headDim: spec.headDim,
  valueHeadDim: spec.headDim,
  sharedKeyValue: false,
  outputGate: false,
  qLoraRank: 0,
  oLoraRank: 0,
  oGroups: 1,
});

/** The attention geometry of `kind` layers: the per-kind override when the spec has one, else the top-level fields. */
export function attentionShapeFor(spec: ModelSpec, kind: 'full' | 'sliding'): AttentionShape {
  return spec.attentionShapes?.[kind] ?? DEFAULT_SHAPE(spec);
}

function attentionParams(spec: ModelSpec, kind: 'full' | 'sliding'): number {
  const h = spec.hiddenSize;
  const mla = spec.mla;
  if (mla) {
    const heads = spec.numAttentionHeads;
    const qkHead = mla.qkNopeHeadDim + mla.qkRopeHeadDim;
    const q = mla.qLoraRank > 0 ? h * mla.qLoraRank + mla.qLoraRank * heads * qkHead : h * heads * qkHead;
    const kvA = h * (mla.kvLoraRank + mla.qkRopeHeadDim);
    const kvB = mla.kvLoraRank * heads * (mla.qkNopeHeadDim + mla.vHeadDim);
    const o = heads * mla.vHeadDim * h;
    return q + kvA + kvB + o;
  }
  const s = attentionShapeFor(spec, kind);
  const qOut = s.numAttentionHeads * s.headDim;
  const q = (s.qLoraRank > 0 ? h * s.qLoraRank + s.qLoraRank * qOut : h * qOut) + (s.outputGate ? h * qOut : 0);
  const k = h * s.numKeyValueHeads * s.headDim;
  const v = s.sharedKeyValue ? 0 : h * s.numKeyValueHeads * s.valueHeadDim;
  const oIn = s.numAttentionHeads * s.valueHeadDim;
  const o = s.oLoraRank > 0 ? oIn * s.oLoraRank + s.oGroups * s.oLoraRank * h : oIn * h;
  return q + k + v + o;
}

/** Weights of one linear-mixer layer (projections, conv taps, per-head decay/gate vectors). */
function linearMixerParams(m: LinearMixerSpec, h: number): number {
  switch (m.kind) {
    case 'gated-deltanet': {
      const keyDim = m.numKeyHeads * m.keyHeadDim;
      const valueDim = m.numValueHeads * m.valueHeadDim;
      const inProj = h * (2 * keyDim + 2 * valueDim) + h * 2 * m.numValueHeads; // qkvz + beta/alpha
      const conv = (2 * keyDim + valueDim) * m.convKernel;
      return inProj + conv + 2 * m.numValueHeads + m.valueHeadDim + valueDim * h;
    }
    case 'mamba2': {
      const inner = m.numHeads * m.headDim;
      const convDim = inner + 2 * m.numGroups * m.stateSize;
      const inProj = h * (2 * inner + 2 * m.numGroups * m.stateSize + m.numHeads);
      return inProj + convDim * (m.convKernel + 1) + 3 * m.numHeads + inner + inner * h;
    }
    case 'kimi-delta': {
      // q, k, v, o; a per-channel forget gate (full rank or through a head_dim bottleneck);
      // a low-rank output gate; per-head beta.
      const inner = m.numHeads * m.headDim;
      const lowRank = h * m.headDim + m.headDim * inner;
      const forget = m.fullRankGate ? h * inner : lowRank;
      return 4 * h * inner + 3 * inner * m.convKernel + forget + lowRank + h * m.numHeads + 2 * m.numHeads;
    }
    case 'lightning': {
      const inner = m.numHeads * m.headDim;
      return 5 * h * inner; // q, k, v, o and the output gate
    }
  }
}

/** Parameter counts of `spec` by component. */
export function parameterBreakdown(spec: ModelSpec): ParameterBreakdown {
  const h = spec.hiddenSize;
  const kinds = spec.layerAttention;
  const nFull = kinds.filter((k) => k === 'full').length;
  const nSliding = kinds.filter((k) => k === 'sliding').length;
  const numAttentionLayers = nFull + nSliding;
  const numLinearLayers = kinds.length - numAttentionLayers;
  const attentionTotal = nFull * attentionParams(spec, 'full') + nSliding * attentionParams(spec, 'sliding');
  const attentionParamsPerLayer = numAttentionLayers > 0 ? attentionTotal / numAttentionLayers : 0;
  const linearMixerParamsPerLayer = spec.linearMixer && numLinearLayers > 0 ? linearMixerParams(spec.linearMixer, h) : 0;

  const mlpMatrices = spec.gatedMlp ? 3 : 2;
  const moe = spec.moe;
  const numMoeLayers = moe?.moeLayerCount ?? 0;
  const numDenseMlpLayers = (spec.ffnLayerCount ?? spec.numLayers) - numMoeLayers;
  const denseMlpParamsPerLayer = mlpMatrices * h * spec.intermediateSize;
  let routedExpertParams = 0;
  let sharedExpertParamsPerLayer = 0;
  let routerParamsPerLayer = 0;
  if (moe) {
    const width = moe.latentSize ?? h;
    routedExpertParams = mlpMatrices * width * moe.expertIntermediateSize;
    sharedExpertParamsPerLayer =
      moe.numSharedExperts * mlpMatrices * h * moe.sharedExpertIntermediateSize + (moe.latentSize !== undefined ? 2 * h * moe.latentSize : 0);
    routerParamsPerLayer = h * moe.numExperts;
  }

  const embeddingParams = spec.vocabSize * h;
  const lmHeadParams = spec.vocabSize * h;
  const layerCommon =
    attentionTotal +
    numLinearLayers * linearMixerParamsPerLayer +
    numDenseMlpLayers * denseMlpParamsPerLayer +
    numMoeLayers * (sharedExpertParamsPerLayer + routerParamsPerLayer);
  const routedTotal = moe ? numMoeLayers * moe.numExperts * routedExpertParams : 0;
  const routedActive = moe ? numMoeLayers * moe.topK * routedExpertParams : 0;
  return {
    embeddingParams,
    lmHeadParams,
    attentionParamsPerLayer,
    linearMixerParamsPerLayer,
    numAttentionLayers,
    numLinearLayers,
    denseMlpParamsPerLayer,
    numDenseMlpLayers,
    routedExpertParams,
    sharedExpertParamsPerLayer,
    routerParamsPerLayer,
    numMoeLayers,
    totalParams: embeddingParams + (spec.tieWordEmbeddings ? 0 : lmHeadParams) + layerCommon + routedTotal,
    activeParams: lmHeadParams + layerCommon + routedActive,
  };
}

export interface WeightBytesOptions {
  /** Routed-expert weights, when they differ from `precision` (fp4 experts beside fp8 attention). Default: `precision`. */
  readonly expertPrecision?: Precision;
  /**
   * Embedding and LM head. Default: bf16 when `precision` is 8-bit or narrower (engines keep
   * them unquantised: quantisation recipes exclude lm_head and the vocab-parallel embedding),
   * else `precision`.
   */
  readonly embeddingPrecision?: Precision;
}

/** Bytes of all stored weights of `spec` with its linear layers at `precision` (block scales included for 4-bit formats). */
export function weightBytes(spec: ModelSpec, precision: Precision, opts: WeightBytesOptions = {}): number {
  const p = parameterBreakdown(spec);
  const bytes = BYTES_PER_ELEMENT[precision];
  const embeddingBytes = BYTES_PER_ELEMENT[opts.embeddingPrecision ?? (bytes <= 1 ? 'bf16' : precision)];
  const expertBytes = BYTES_PER_ELEMENT[opts.expertPrecision ?? precision];
  const embeddings = p.embeddingParams + (spec.tieWordEmbeddings ? 0 : p.lmHeadParams);
  const routed = spec.moe ? p.numMoeLayers * spec.moe.numExperts * p.routedExpertParams : 0;
  const rest = p.totalParams - embeddings - routed;
  return embeddings * embeddingBytes + routed * expertBytes + rest * bytes;
}

/**
 * KV bytes one token adds to one attention layer of `kind` (default full), before any
 * compression: MLA caches the latent plus the rope key, (kv_lora_rank + qk_rope_head_dim)
 * elements; other layers cache K and V per KV head (one tensor when keys double as values).
 */
export function kvBytesPerTokenPerLayer(spec: ModelSpec, kvPrecision: Precision, kind: 'full' | 'sliding' = 'full'): number {
  const b = BYTES_PER_ELEMENT[kvPrecision];
  if (spec.mla) return (spec.mla.kvLoraRank + spec.mla.qkRopeHeadDim) * b;
  const s = attentionShapeFor(spec, kind);
  return s.numKeyValueHeads * (s.headDim + (s.sharedKeyValue ? 0 : s.valueHeadDim)) * b;
}

/**
 * KV bytes one more token of context costs over all full and sliding layers, ignoring window
 * caps (the uncapped per-token cost); compressed layers (kvCompressionRatios) count 1/ratio.
 */
export function kvBytesPerToken(spec: ModelSpec, kvPrecision: Precision): number {
  let total = 0;
  spec.layerAttention.forEach((kind, i) => {
    if (kind === 'linear') return;
    total += kvBytesPerTokenPerLayer(spec, kvPrecision, kind) / (spec.kvCompressionRatios?.[i] ?? 1);
  });
  return total;
}

/**
 * Cache bytes of one sequence holding `contextTokens` tokens: full layers grow linearly (one
 * entry per ratio tokens when compressed), sliding layers stop at the window, and linear layers
 * hold their constant recurrent state at linearStatePrecision (bf16 when the config is silent),
 * whatever `kvPrecision` is.
 */
export function kvBytesForSequence(spec: ModelSpec, contextTokens: number, kvPrecision: Precision): number {
  if (!Number.isFinite(contextTokens) || contextTokens < 0) {
    throw new InvalidInputError(`expected a non-negative number of tokens, got ${contextTokens}`, 'contextTokens');
  }
  const stateBytes = spec.linearStateElementsPerLayer * BYTES_PER_ELEMENT[spec.linearStatePrecision ?? 'bf16'];
  const window = spec.slidingWindowTokens ?? Number.POSITIVE_INFINITY;
  let total = 0;
  spec.layerAttention.forEach((kind, i) => {
    if (kind === 'linear') {
      total += stateBytes;
    } else if (kind === 'sliding') {
      total += kvBytesPerTokenPerLayer(spec, kvPrecision, 'sliding') * Math.min(contextTokens, window);
    } else {
      const ratio = spec.kvCompressionRatios?.[i] ?? 1;
      total += kvBytesPerTokenPerLayer(spec, kvPrecision, 'full') * Math.ceil(contextTokens / ratio);
    }
  });
  return total;
}
