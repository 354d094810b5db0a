/**
 * @module Memory of one device of a deployment: weights, activation reserve,
 * and what is left for the KV cache, in tokens and blocks.
 */
import { defaultTokenBudget, getEngine } from '../catalogue/engines.js';
import { attentionShapeFor, kvBytesPerTokenPerLayer } from '../catalogue/model-size.js';
import { BYTES_PER_ELEMENT } from '../catalogue/precision.js';
import type { Deployment } from './deployment.js';
import { UnsupportedError } from './hardware-rates.js';

export interface MemoryPlan {
  /** Device memory, bytes. */
  readonly deviceMemoryBytes: number;
  /** Fraction of memory the engine may use (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static, TensorRT-LLM free_gpu_memory_fraction), 0..1. */
  readonly memoryUtilization: number;
  /** What memoryUtilization is a fraction of: the device, or the memory free after weights and activations (TensorRT-LLM). */
  readonly memoryUtilizationOf: 'device' | 'free';
  /** Memory the engine may use (device memory x utilisation), bytes. */
  readonly usableBytes: number;
  /** Weights held by the most loaded device, bytes. */
  readonly weightBytesPerDevice: number;
  /** Activation, workspace and runtime reserve, bytes. */
  readonly activationBytesPerDevice: number;
  /** Left for the KV cache (negative when the weights alone do not fit), bytes. */
  readonly kvCacheBytesPerDevice: number;
  /** KV bytes one token adds on one device (all attention layers of its stage). */
  readonly kvBytesPerTokenPerDevice: number;
  /** Fixed per-sequence state (linear-attention layers), bytes per device. */
  readonly stateBytesPerSequencePerDevice: number;
  /** Tokens the replica's KV cache holds (summed over attention-DP ranks), for full-attention contexts. */
  readonly kvCapacityTokens: number;
  /** Same, in engine blocks. */
  readonly kvCapacityBlocks: number;
  readonly kvBlockTokens: number;
  /** Whether the model fits with room for at least one block of KV. */
  readonly fits: boolean;
  /** Bytes needed per device for weights, reserve and one block of KV (for the error message). */
  readonly neededBytesPerDevice: number;
  /** Why it does not fit, when it does not. */
  readonly reason?: string;
}

/** Fixed runtime reserve per device: CUDA/CANN context, graphs, communicator buffers (ASSUMPTION, typical of vLLM profiles). */
const RUNTIME_RESERVE_BYTES = 1.5e9;

export function planMemory(d: Deployment, opts: { memoryUtilization?: number; maxBatchedTokens?: number; maxRunningSequences?: number } = {}): MemoryPlan {
  const m = d.model;
  const p = d.params;
  const { tp, pp, ep, moeTp, dp } = d.parallel;
  const engine = getEngine(d.engine);
  const memory = d.accelerator.memoryBytes.value;
  if (memory === null) throw new UnsupportedError(`the memory of ${d.accelerator.id} is unknown; set it with an accelerator override`);
  const util = opts.memoryUtilization ?? engine.memoryUtilization;
  const ofFree = engine.memoryUtilizationOf === 'free';
  const stageFraction = Math.ceil(m.numLayers / pp) / m.numLayers;

  const wb = BYTES_PER_ELEMENT[d.precision.weights];
  const moeWb = BYTES_PER_ELEMENT[d.precision.moeWeights];
  const denseParams =
    p.numAttentionLayers * p.attentionParamsPerLayer +
    p.numLinearLayers * p.linearMixerParamsPerLayer +
    p.numDenseMlpLayers * p.denseMlpParamsPerLayer +
    p.numMoeLayers * (p.sharedExpertParamsPerLayer + p.routerParamsPerLayer);
  const expertParams = m.moe ? p.numMoeLayers * m.moe.numExperts * p.routedExpertParams : 0;
  const layerStackBytes = (denseParams / tp) * wb + (expertParams / (ep * moeTp)) * moeWb;
  // A speculative drafter (DeepSeek's MTP module, an EAGLE head) is one more layer like the target's mean layer,
  // sharing the embedding and the LM head; it sits with the last stage.
  const draftLayers = d.speculative ? 1 : 0;
  const weightBytes =
    layerStackBytes * stageFraction +
    (layerStackBytes / m.numLayers) * draftLayers +
    // Embedding on the first stage, LM head on the last: both bf16, vocab-parallel over tp.
    ((p.embeddingParams + (pp === 1 ? p.lmHeadParams : 0)) / tp) * 2;

  const maxTokens = opts.maxBatchedTokens ?? defaultTokenBudget(engine, memory);
  const maxSeqs = opts.maxRunningSequences ?? engine.maxRunningSequences;
  const interPerDevice = Math.max(m.intermediateSize, m.moe ? m.moe.expertIntermediateSize * m.moe.topK : 0) / tp;
  const activation =
    RUNTIME_RESERVE_BYTES + maxTokens * (8 * m.hiddenSize + 3 * interPerDevice) * 2 + Math.min(maxSeqs, 256) * m.vocabSize * 4;

  // KV per token per device: KV heads shard over TP (replicated when fewer than tp), MLA latents are replicated.
  let kvPerTokenAllLayers = 0;
  m.layerAttention.forEach((kind, i) => {
    if (kind === 'linear') return;
    const share = m.mla ? 1 : Math.max(1, attentionShapeFor(m, kind).numKeyValueHeads / tp) / attentionShapeFor(m, kind).numKeyValueHeads;
    kvPerTokenAllLayers += (kvBytesPerTokenPerLayer(m, d.precision.kv, kind) * share) / (kind === 'full' ? (m.kvCompressionRatios?.[i] ?? 1) : 1);
  });
  const attentionLayers = m.layerAttention.filter((k) => k !== 'linear').length;
  const kvPerToken = kvPerTokenAllLayers * stageFraction + (attentionLayers > 0 ? (kvPerTokenAllLayers / attentionLayers) * draftLayers : 0);
  const statePerSeq = (p.numLinearLayers * stageFraction * m.linearStateElementsPerLayer * BYTES_PER_ELEMENT[m.linearStatePrecision ?? 'bf16']) / tp;
  // vLLM and SGLang take a fraction of the device for everything; TensorRT-LLM gives the KV cache a fraction of
  // what the weights and activations leave free.
  const free = memory - weightBytes - activation;
  const kvCache = ofFree ? util * Math.max(0, free) : memory * util - weightBytes - activation;
  const usable = ofFree ? weightBytes + activation + Math.max(0, kvCache) : memory * util;
  const blockTokens = engine.kvBlockTokens;
  const capacityPerDevice = kvPerToken > 0 ? Math.max(0, Math.floor(kvCache / kvPerToken)) : Number.MAX_SAFE_INTEGER;
  const capacityTokens = capacityPerDevice * dp;
  const needed = weightBytes + activation + kvPerToken * blockTokens + statePerSeq;
  const fits = needed <= usable;
  const gb = (x: number) => `${(x / 1e9).toFixed(1)} GB`;
  const base = {
    deviceMemoryBytes: memory,
    memoryUtilization: util,
    memoryUtilizationOf: engine.memoryUtilizationOf,
    usableBytes: usable,
    weightBytesPerDevice: weightBytes,
    activationBytesPerDevice: activation,
    kvCacheBytesPerDevice: kvCache,
    kvBytesPerTokenPerDevice: kvPerToken,
    stateBytesPerSequencePerDevice: statePerSeq,
    kvCapacityTokens: fits ? capacityTokens : 0,
    kvCapacityBlocks: fits ? Math.floor(capacityTokens / blockTokens) : 0,
    kvBlockTokens: blockTokens,
    fits,
    neededBytesPerDevice: needed,
  };
  if (fits) return base;
  return {
    ...base,
    reason: ofFree
      ? `needs ${gb(needed)} per device (weights ${gb(weightBytes)}, reserve ${gb(activation)}, one KV block ${gb(kvPerToken * blockTokens + statePerSeq)}) but ${d.accelerator.id} has ${gb(memory)}, of which ${gb(Math.max(0, free))} left free after weights and reserve, ${util} of that for KV`
      : `needs ${gb(needed)} per device (weights ${gb(weightBytes)}, reserve ${gb(activation)}) but ${d.accelerator.id} offers ${gb(usable)} usable (${gb(memory)} x ${util})`,
  };
}

/** KV bytes one sequence of `contextTokens` needs on one device, with sliding windows capped. */
export function sequenceKvBytesPerDevice(d: Deployment, plan: MemoryPlan, contextTokens: number): number {
  const m = d.model;
  const sliding = m.layerAttention.filter((k) => k === 'sliding').length;
  const attn = d.params.numAttentionLayers;
  if (attn === 0 || sliding === 0 || m.slidingWindowTokens === undefined) {
    return plan.kvBytesPerTokenPerDevice * contextTokens + plan.stateBytesPerSequencePerDevice;
  }
  const perLayerToken = plan.kvBytesPerTokenPerDevice / attn;
  return perLayerToken * ((attn - sliding) * contextTokens + sliding * Math.min(contextTokens, m.slidingWindowTokens)) + plan.stateBytesPerSequencePerDevice;
}
