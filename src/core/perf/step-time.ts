/**
 * @module The step-time model: the duration of one engine iteration (a batch
 * of prefill chunks and decode tokens) on one replica, with its breakdown.
 * A roofline per operation (each GEMM compute- or memory-bound), attention
 * (prefill quadratic term, decode KV reads, MLA), MoE (the expert weights
 * actually touched by the routed tokens, EP all-to-all), collectives on the
 * scale-up link, and fixed per-step costs, scaled by calibrated efficiencies.
 * Compiled once per deployment so that one evaluation is O(1) and allocation-free.
 */
import { getEngine } from '../catalogue/engines.js';
import { attentionShapeFor, kvBytesPerTokenPerLayer } from '../catalogue/model-size.js';
import { BYTES_PER_ELEMENT } from '../catalogue/precision.js';
import { expectedTokensPerStep, type Deployment } from './deployment.js';
import type { Efficiencies } from './efficiency.js';
import { gemmPeak, hardwareRates, type HardwareRates } from './hardware-rates.js';

/**
 * The work of one iteration on one attention-DP rank (the scheduler divides a
 * replica's batch over its DP ranks). All counts in tokens or sequences.
 */
export interface BatchShape {
  /** Sequences producing one decode token this step. */
  decodeSeqs: number;
  /** Sum of the context lengths (tokens already in KV) of the decode sequences. */
  decodeContextTokens: number;
  /** Sequences with a prefill chunk this step. */
  prefillSeqs: number;
  /** New tokens in the prefill chunks. */
  prefillTokens: number;
  /** Sum over chunks of n * (p + n / 2): causal attention pairs (n new tokens after p cached). */
  prefillAttentionPairs: number;
  /** Tokens that produce logits: decode tokens plus prefills that complete this step. */
  logitTokens: number;
}

export function emptyBatch(): BatchShape {
  return { decodeSeqs: 0, decodeContextTokens: 0, prefillSeqs: 0, prefillTokens: 0, prefillAttentionPairs: 0, logitTokens: 0 };
}

/** A single batch of `prefill` chunks and `decode` sequences, each with its context. */
export function batchOf(prefill: readonly { tokens: number; cachedTokens?: number; completes?: boolean }[], decodeContexts: readonly number[]): BatchShape {
  const b = emptyBatch();
  for (const c of prefill) {
    const p = c.cachedTokens ?? 0;
    b.prefillSeqs += 1;
    b.prefillTokens += c.tokens;
    b.prefillAttentionPairs += c.tokens * (p + c.tokens / 2);
    if (c.completes !== false) b.logitTokens += 1;
  }
  for (const ctx of decodeContexts) {
    b.decodeSeqs += 1;
    b.decodeContextTokens += ctx;
    b.logitTokens += 1;
  }
  return b;
}

/** Time of one iteration, milliseconds, by component. */
export interface StepTimeBreakdown {
  totalMs: number;
  /** Dense GEMMs: attention projections, dense MLPs, shared experts, linear-attention projections. */
  denseGemmMs: number;
  /** Routed experts. */
  moeMs: number;
  /** Attention kernels (prefill quadratic term, decode KV reads) and linear-attention state updates. */
  attentionMs: number;
  /** Output projection to the vocabulary. */
  lmHeadMs: number;
  /** Collectives and pipeline transfers. */
  commMs: number;
  /** Fixed per-step, per-sequence and per-layer costs. */
  overheadMs: number;
  /** Drafting under speculative decoding (0 without). */
  draftMs: number;
}

export function emptyBreakdown(): StepTimeBreakdown {
  return { totalMs: 0, denseGemmMs: 0, moeMs: 0, attentionMs: 0, lmHeadMs: 0, commMs: 0, overheadMs: 0, draftMs: 0 };
}

/** Smooth maximum of a compute and a memory time (p-norm, p = 3): 1.26x the max where they balance, as real kernels do near the ridge. */
function roof(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  const m = a > b ? a : b;
  const x = a / m;
  const y = b / m;
  return m * Math.cbrt(x * x * x + y * y * y);
}

/** GEMM tokens at which compute efficiency reaches half its asymptote (tile quantisation at small M). */
const GEMM_HALF_EFFICIENCY_TOKENS = 24;

export interface StepModel {
  readonly deployment: Deployment;
  readonly efficiencies: Efficiencies;
  readonly rates: HardwareRates;
  /** Iteration time in milliseconds; fills `out` with the breakdown when given. */
  stepTimeMs(batch: BatchShape, out?: StepTimeBreakdown): number;
}

/**
 * Share of the dense weight-streaming rate that grouped (routed-expert) GEMMs reach while memory-bound:
 * timed on an H200 (data/kernels/h200-sxm-torch-moe.csv, torch._grouped_mm in bf16 over 32 or 64 experts at
 * 16-128 tokens each, the expert shapes of DeepSeek-V3, Qwen3-235B-A22B and gpt-oss-120b): 2.8-3.2 TB/s of
 * expert weights against 3.9 TB/s for dense GEMVs, i.e. 0.72-0.80. Many small matrices, one launch.
 */
export const GROUPED_GEMM_STREAM_SHARE = 0.75;

/**
 * One MoE layer's routed-expert GEMMs on one device, milliseconds: `slots` token-expert pairs spread over
 * `touchedExperts` experts (each with `paramsPerExpert` parameters of `bytesPerParam`), compute-bound at
 * `peakFlops` (achieved, before the small-M penalty of the tokens each expert gets) or memory-bound reading
 * the touched experts' weights at GROUPED_GEMM_STREAM_SHARE of `bandwidth` (the dense rate achieved, bytes/s).
 */
export function routedExpertsMs(slots: number, touchedExperts: number, paramsPerExpert: number, bytesPerParam: number, peakFlops: number, bandwidth: number): number {
  if (slots <= 0 || paramsPerExpert <= 0) return 0;
  const perExpertTokens = slots / Math.max(touchedExperts, 1);
  const effScale = perExpertTokens / (perExpertTokens + GEMM_HALF_EFFICIENCY_TOKENS);
  const compute = (2 * slots * paramsPerExpert) / (peakFlops * effScale);
  const memory = (touchedExperts * paramsPerExpert * bytesPerParam) / (bandwidth * GROUPED_GEMM_STREAM_SHARE);
  return roof(compute, memory) * 1000;
}

/** Precomputes per-device constants of `d` so that each step evaluates in O(1). */
export function compileStepModel(d: Deployment, eff: Efficiencies): StepModel {
  const m = d.model;
  const p = d.params;
  const { tp, dp, pp, ep, moeTp } = d.parallel;
  const rates = hardwareRates(d.accelerator);
  const bw = rates.memoryBandwidth * eff.memory;
  const wb = BYTES_PER_ELEMENT[d.precision.weights];
  const moeWb = BYTES_PER_ELEMENT[d.precision.moeWeights];
  const fp4Fallback = getEngine(d.engine).fp4WithoutFp4Units;
  const peakDense = gemmPeak(d.accelerator, rates, d.precision.weights, fp4Fallback) * eff.gemmCompute;
  const peakMoe = gemmPeak(d.accelerator, rates, d.precision.moeWeights, fp4Fallback) * eff.gemmCompute;
  // Attention runs at the KV cache's precision where the chip and the engine have that rate: with an fp8 KV
  // cache TensorRT-LLM runs the attention kernels in fp8 (FP8 context FMHA, fp8 XQA/MLA), at twice the bf16
  // rate on Hopper and Blackwell; the other engines dequantise the cache and compute in bf16 (fp8Attention).
  const fp8Attention = d.precision.kv === 'fp8' && getEngine(d.engine).fp8Attention;
  const peakAttn = (fp8Attention ? gemmPeak(d.accelerator, rates, 'fp8') : rates.bf16Flops) * eff.attentionCompute;
  const peakLm = rates.bf16Flops * eff.gemmCompute;

  const nAttn = p.numAttentionLayers;
  const nLinear = p.numLinearLayers;
  const nSliding = m.layerAttention.filter((k) => k === 'sliding').length;
  const nFull = nAttn - nSliding;
  const window = m.slidingWindowTokens ?? Number.POSITIVE_INFINITY;

  // Dense GEMM parameters per device, summed over all layers (pipeline stages run one after the other).
  const denseParams =
    (nAttn * p.attentionParamsPerLayer +
      nLinear * p.linearMixerParamsPerLayer +
      p.numDenseMlpLayers * p.denseMlpParamsPerLayer +
      p.numMoeLayers * (p.sharedExpertParamsPerLayer + p.routerParamsPerLayer)) /
    tp;
  const lmParams = p.lmHeadParams / tp;

  // Attention geometry per device: KV bytes per context token summed over the full and the sliding layers
  // (compressed layers count 1/ratio), and FLOPs per (query, key) pair.
  const kvShare = (kind: 'full' | 'sliding') => {
    if (m.mla) return 1; // the latent KV is replicated on every TP rank
    const kvHeads = attentionShapeFor(m, kind).numKeyValueHeads;
    return Math.max(1, kvHeads / tp) / kvHeads;
  };
  let fullKvBytesPerToken = 0;
  let slidingKvBytesPerToken = 0;
  m.layerAttention.forEach((kind, i) => {
    if (kind === 'full') fullKvBytesPerToken += (kvBytesPerTokenPerLayer(m, d.precision.kv, 'full') * kvShare('full')) / (m.kvCompressionRatios?.[i] ?? 1);
    else if (kind === 'sliding') slidingKvBytesPerToken += kvBytesPerTokenPerLayer(m, d.precision.kv, 'sliding') * kvShare('sliding');
  });
  const pairFlops = (kind: 'full' | 'sliding') => {
    if (m.mla) return 2 * (m.numAttentionHeads / tp) * (m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim + m.mla.vHeadDim);
    const s = attentionShapeFor(m, kind);
    return 2 * (s.numAttentionHeads / tp) * (s.headDim + s.valueHeadDim);
  };
  // Decode uses MLA's absorbed form: every head attends over the latent (kv_lora_rank + rope) and projects back.
  const decodeFlopsFull = m.mla ? 2 * (m.numAttentionHeads / tp) * (2 * m.mla.kvLoraRank + m.mla.qkRopeHeadDim) : pairFlops('full');
  const decodeFlopsSliding = pairFlops('sliding');
  const prefillFlopsFull = pairFlops('full');
  const prefillFlopsSliding = pairFlops('sliding');
  const kvWriteBytesPerToken = fullKvBytesPerToken + slidingKvBytesPerToken;
  const stateElementBytes = BYTES_PER_ELEMENT[m.linearStatePrecision ?? 'bf16'];
  const stateBytesPerSeqLayer = (m.linearStateElementsPerLayer * stateElementBytes) / tp;

  // MoE per device.
  const moe = m.moe;
  const expertParamsPerDevice = moe ? p.routedExpertParams / moeTp : 0;
  const localExperts = moe ? moe.numExperts / ep : 0;
  const routeProb = moe ? moe.topK / moe.numExperts : 0;
  const logNoRoute = moe ? Math.log1p(-Math.min(routeProb, 0.999999)) : 0;

  // Communication.
  const group = tp * dp;
  const linkFor = (n: number) => (n <= rates.scaleUpDomain ? rates.scaleUpBandwidth : rates.scaleOutBandwidth) * eff.comm;
  const tpLink = linkFor(tp);
  const groupLink = linkFor(group);
  const actBytes = 2; // bf16 activations on the wire
  const commLatencyMs = eff.commLatencyUs / 1000;
  const a2aLatencyMs = eff.a2aLatencyUs / 1000;
  const layers = m.numLayers;
  const ppLink = (pp > 1 ? (d.devices <= rates.scaleUpDomain ? rates.scaleUpBandwidth : rates.scaleOutBandwidth) : 1) * eff.comm;

  const gemmMs = (tokens: number, paramsPerDevice: number, bytesPerParam: number, peak: number): number => {
    if (tokens <= 0 || paramsPerDevice <= 0) return 0;
    const effScale = tokens / (tokens + GEMM_HALF_EFFICIENCY_TOKENS);
    const compute = (2 * tokens * paramsPerDevice) / (peak * effScale);
    const memory = (paramsPerDevice * bytesPerParam) / bw;
    return roof(compute, memory) * 1000;
  };
  const allReduceMs = (bytes: number, n: number, link: number): number =>
    n <= 1 ? 0 : ((2 * (n - 1)) / n) * (bytes / link) * 1000 + commLatencyMs;

  const scratch = emptyBreakdown();

  /**
   * One iteration in which every decode sequence runs `q` query tokens (1, or 1 + k drafted tokens to verify
   * under speculative decoding): GEMMs, MoE, LM head and collectives see q tokens per sequence, decode
   * attention computes q queries over each context but reads its KV once.
   */
  const evaluate = (b: BatchShape, q: number, out: StepTimeBreakdown): number => {
    const tokens = b.decodeSeqs * q + b.prefillTokens;
    const seqs = b.decodeSeqs + b.prefillSeqs;
    if (tokens === 0) {
      out.totalMs = out.denseGemmMs = out.moeMs = out.attentionMs = out.lmHeadMs = out.commMs = out.overheadMs = out.draftMs = 0;
      return 0;
    }
    // Dense GEMMs over all tokens of the rank.
    const denseGemm = gemmMs(tokens, denseParams, wb, peakDense);

    // Attention: decode reads the KV of every context token; prefill pays the quadratic term.
    let attention = 0;
    if (nAttn > 0) {
      const ctxFull = b.decodeContextTokens;
      const ctxSliding = Math.min(ctxFull, b.decodeSeqs * window);
      const decodeBytes = ctxFull * fullKvBytesPerToken + ctxSliding * slidingKvBytesPerToken;
      const decodeFlops = q * (nFull * ctxFull * decodeFlopsFull + nSliding * ctxSliding * decodeFlopsSliding);
      const decodeMs = b.decodeSeqs > 0 ? roof(decodeFlops / peakAttn, decodeBytes / bw) * 1000 : 0;
      const pairsSliding = Math.min(b.prefillAttentionPairs, b.prefillTokens * window);
      const prefillFlops = nFull * b.prefillAttentionPairs * prefillFlopsFull + nSliding * pairsSliding * prefillFlopsSliding;
      // Prefill also writes the new tokens' KV.
      const prefillMs = b.prefillTokens > 0 ? (prefillFlops / peakAttn) * 1000 + ((b.prefillTokens * kvWriteBytesPerToken) / bw) * 1000 : 0;
      attention += decodeMs + prefillMs;
    }
    if (nLinear > 0) {
      const stateMs = ((nLinear * b.decodeSeqs * stateBytesPerSeqLayer * 2) / bw) * 1000;
      const prefillMs = ((nLinear * b.prefillTokens * m.linearStateElementsPerLayer * 4) / tp / peakAttn) * 1000; // ~4 FLOPs per state element per token
      attention += stateMs + prefillMs;
    }

    // Routed experts: tokens from every DP rank meet in the MoE group.
    let moeMs = 0;
    if (moe && p.numMoeLayers > 0) {
      const groupTokens = tokens * dp;
      const slots = ((groupTokens * moe.topK) / ep) * eff.moeImbalance;
      const touched = localExperts * -Math.expm1(groupTokens * logNoRoute);
      moeMs = p.numMoeLayers * routedExpertsMs(slots, touched, expertParamsPerDevice, moeWb, peakMoe, bw);
    }

    const lmHead = gemmMs(b.logitTokens + b.decodeSeqs * (q - 1), lmParams, 2, peakLm);

    // Collectives.
    const hiddenBytes = tokens * m.hiddenSize * actBytes;
    let comm = 0;
    if (dp === 1) {
      comm += 2 * layers * allReduceMs(hiddenBytes, tp, tpLink);
    } else {
      comm += layers * allReduceMs(hiddenBytes, tp, tpLink);
      if (moe && group > 1) {
        const a2aBytes = 2 * (tokens / tp) * moe.topK * m.hiddenSize * actBytes * ((group - 1) / group);
        comm += p.numMoeLayers * ((a2aBytes / groupLink) * 1000 + 2 * a2aLatencyMs);
      }
      comm += p.numDenseMlpLayers * allReduceMs(hiddenBytes, tp, tpLink);
    }
    if (pp > 1) comm += (pp - 1) * ((hiddenBytes / ppLink) * 1000 + commLatencyMs);

    const overhead =
      eff.stepOverheadMs +
      (b.prefillTokens > 0 ? eff.prefillOverheadMs : 0) +
      (eff.perSequenceUs * seqs) / 1000 +
      (eff.perLayerUs * layers) / 1000;

    const total = denseGemm + attention + moeMs + lmHead + comm + overhead;
    out.totalMs = total;
    out.denseGemmMs = denseGemm;
    out.attentionMs = attention;
    out.moeMs = moeMs;
    out.lmHeadMs = lmHead;
    out.commMs = comm;
    out.overheadMs = overhead;
    out.draftMs = 0;
    return total;
  };

  const spec = d.speculative;
  if (!spec) {
    return { deployment: d, efficiencies: eff, rates, stepTimeMs: (b, out = scratch) => evaluate(b, 1, out) };
  }

  // Speculative decoding. The scheduler keeps counting one token per decode sequence and step; a step then
  // stands for 1 / E of a real one (E tokens per verify step on average), so KV growth, context lengths and
  // token counts stay exact on average while time per token falls by E. A real step is: k drafter passes, one
  // after the other, each one decoder layer (the mean layer of the target: DeepSeek's MTP module is one
  // full layer) and the LM head at the decode batch, then one verify pass of the target with 1 + k query
  // tokens per sequence. Prefill chunks in the same step are not sped up.
  const k = spec.draftTokens;
  const perStep = expectedTokensPerStep(spec);
  const decodePart = emptyBatch();
  const tmp = emptyBreakdown();
  const draftPassMs = (b: BatchShape): number => {
    decodePart.decodeSeqs = b.decodeSeqs;
    decodePart.decodeContextTokens = b.decodeContextTokens;
    decodePart.logitTokens = b.decodeSeqs;
    evaluate(decodePart, 1, tmp);
    const layerMs = (tmp.denseGemmMs + tmp.attentionMs + tmp.moeMs + tmp.commMs) / layers + eff.perLayerUs / 1000;
    return k * (layerMs + tmp.lmHeadMs);
  };
  const scaleBreakdown = (out: StepTimeBreakdown, f: number) => {
    out.totalMs *= f;
    out.denseGemmMs *= f;
    out.attentionMs *= f;
    out.moeMs *= f;
    out.lmHeadMs *= f;
    out.commMs *= f;
    out.overheadMs *= f;
    out.draftMs *= f;
  };
  return {
    deployment: d,
    efficiencies: eff,
    rates,
    stepTimeMs(b: BatchShape, out: StepTimeBreakdown = scratch): number {
      if (b.decodeSeqs === 0) return evaluate(b, 1, out);
      const draft = draftPassMs(b);
      const full = evaluate(b, 1 + k, out) + draft;
      out.draftMs = draft;
      out.totalMs = full;
      if (b.prefillTokens === 0) {
        scaleBreakdown(out, 1 / perStep);
        return out.totalMs;
      }
      // Mixed step: the prefill chunk costs what it costs alone; what the decode sequences add to it (their
      // marginal cost, small next to a compute-bound chunk that streams the weights anyway) counts 1 / E.
      decodePart.decodeSeqs = 0;
      decodePart.decodeContextTokens = 0;
      decodePart.prefillSeqs = b.prefillSeqs;
      decodePart.prefillTokens = b.prefillTokens;
      decodePart.prefillAttentionPairs = b.prefillAttentionPairs;
      decodePart.logitTokens = b.logitTokens - b.decodeSeqs;
      const prefillOnly = evaluate(decodePart, 1, tmp);
      decodePart.prefillSeqs = decodePart.prefillTokens = decodePart.prefillAttentionPairs = 0;
      const total = prefillOnly + (full - prefillOnly) / perStep;
      scaleBreakdown(out, total / full);
      return total;
    },
  };
}
