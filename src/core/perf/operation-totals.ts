/**
 * @module The work of one engine iteration on one device, as the roofline
 * counts it: floating-point operations and bytes moved to and from device
 * memory, summed over the operations the step-time model prices (dense
 * GEMMs, attention, routed experts, LM head, linear-attention state). The
 * same geometry as step-time.ts (weights and KV sharded over TP, experts over
 * EP, only the experts the routed tokens touch read), without efficiencies,
 * collectives or fixed costs: those are time, not work. Activations are not
 * counted as traffic (they mostly stay on chip). For the dashboard's roofline:
 * arithmetic intensity = flops / bytes.
 */
import { attentionShapeFor, kvBytesPerTokenPerLayer } from '../catalogue/model-size.js';
import { BYTES_PER_ELEMENT } from '../catalogue/precision.js';
import type { Deployment } from './deployment.js';
import type { BatchShape } from './step-time.js';

/** Work of one step on one device. */
export interface OperationTotals {
  /** Floating-point operations (a multiply-add counts 2), FLOP. */
  readonly flops: number;
  /** Bytes read or written in device memory: weights, KV cache, recurrent state, bytes. */
  readonly bytes: number;
}

/** Per device of `d`: FLOPs and bytes of the batch `b` (one attention-DP rank's share, as step-time takes it). */
export function operationTotals(d: Deployment, b: BatchShape): OperationTotals {
  const m = d.model;
  const p = d.params;
  const { tp, dp, ep, moeTp } = d.parallel;
  const tokens = b.decodeSeqs + b.prefillTokens;
  if (tokens === 0) return { flops: 0, bytes: 0 };
  const wb = BYTES_PER_ELEMENT[d.precision.weights];
  const moeWb = BYTES_PER_ELEMENT[d.precision.moeWeights];
  let flops = 0;
  let bytes = 0;

  // Dense GEMMs: every weight read once per step, 2 FLOPs per weight per token.
  const denseParams =
    (p.numAttentionLayers * p.attentionParamsPerLayer +
      p.numLinearLayers * p.linearMixerParamsPerLayer +
      p.numDenseMlpLayers * p.denseMlpParamsPerLayer +
      p.numMoeLayers * (p.sharedExpertParamsPerLayer + p.routerParamsPerLayer)) /
    tp;
  flops += 2 * tokens * denseParams;
  bytes += denseParams * wb;

  // Attention: decode reads each context token's KV once; prefill pays the causal pairs and writes the new KV.
  const nAttn = p.numAttentionLayers;
  if (nAttn > 0) {
    const nSliding = m.layerAttention.filter((k) => k === 'sliding').length;
    const nFull = nAttn - nSliding;
    const window = m.slidingWindowTokens ?? Number.POSITIVE_INFINITY;
    const kvShare = (kind: 'full' | 'sliding') => {
      if (m.mla) return 1;
      const kvHeads = attentionShapeFor(m, kind).numKeyValueHeads;
      return Math.max(1, kvHeads / tp) / kvHeads;
    };
    let fullKv = 0;
    let slidingKv = 0;
    m.layerAttention.forEach((kind, i) => {
      if (kind === 'full') fullKv += (kvBytesPerTokenPerLayer(m, d.precision.kv, 'full') * kvShare('full')) / (m.kvCompressionRatios?.[i] ?? 1);
      else if (kind === 'sliding') slidingKv += kvBytesPerTokenPerLayer(m, d.precision.kv, 'sliding') * kvShare('sliding');
    });
    const pairFlops = (kind: 'full' | 'sliding') => {
      if (m.mla) return 2 * (m.numAttentionHeads / tp) * (m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim + m.mla.vHeadDim);
      const s = attentionShapeFor(m, kind);
      return 2 * (s.numAttentionHeads / tp) * (s.headDim + s.valueHeadDim);
    };
    const decodeFull = m.mla ? 2 * (m.numAttentionHeads / tp) * (2 * m.mla.kvLoraRank + m.mla.qkRopeHeadDim) : pairFlops('full');
    // Guarded: 0 sequences x an infinite window is NaN.
    if (b.decodeSeqs > 0) {
      const ctxFull = b.decodeContextTokens;
      const ctxSliding = Math.min(ctxFull, b.decodeSeqs * window);
      flops += nFull * ctxFull * decodeFull + nSliding * ctxSliding * pairFlops('sliding');
      bytes += ctxFull * fullKv + ctxSliding * slidingKv;
    }
    if (b.prefillTokens > 0) {
      const pairsSliding = Math.min(b.prefillAttentionPairs, b.prefillTokens * window);
      flops += nFull * b.prefillAttentionPairs * pairFlops('full') + nSliding * pairsSliding * pairFlops('sliding');
      bytes += b.prefillTokens * (fullKv + slidingKv);
    }
  }

  // Linear-attention layers: the recurrent state is read and written per decode sequence; prefill updates it per token.
  if (p.numLinearLayers > 0) {
    const stateBytes = (m.linearStateElementsPerLayer * BYTES_PER_ELEMENT[m.linearStatePrecision ?? 'bf16']) / tp;
    bytes += p.numLinearLayers * b.decodeSeqs * stateBytes * 2;
    flops += (p.numLinearLayers * b.prefillTokens * m.linearStateElementsPerLayer * 4) / tp;
  }

  // Routed experts: the group's tokens meet in the MoE layers; only the experts they touch are read.
  const moe = m.moe;
  if (moe && p.numMoeLayers > 0) {
    const expertParams = p.routedExpertParams / moeTp;
    const groupTokens = tokens * dp;
    const slots = (groupTokens * moe.topK) / ep;
    const routeProb = Math.min(moe.topK / moe.numExperts, 0.999999);
    const touched = (moe.numExperts / ep) * -Math.expm1(groupTokens * Math.log1p(-routeProb));
    flops += p.numMoeLayers * 2 * slots * expertParams;
    bytes += p.numMoeLayers * touched * expertParams * moeWb;
  }

  // LM head, bf16, for the tokens that produce logits.
  const lmParams = p.lmHeadParams / tp;
  if (b.logitTokens > 0) {
    flops += 2 * b.logitTokens * lmParams;
    bytes += lmParams * 2;
  }
  return { flops, bytes };
}
