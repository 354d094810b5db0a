import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../catalogue/find-accelerator.js';
import { parameterBreakdown, weightBytes } from '../catalogue/model-size.js';
import { resolveModel } from '../../config/model-registry.js';
import { makeDeployment } from './deployment.js';
import type { Efficiencies } from './efficiency.js';
import { batchOf, compileStepModel, emptyBreakdown } from './step-time.js';

/** Perfect hardware use and no fixed costs: the step time is the pure roofline. */
const IDEAL: Efficiencies = {
  gemmCompute: 1, memory: 1, attentionCompute: 1, comm: 1, commLatencyUs: 0, a2aLatencyUs: 0, moeImbalance: 1,
  stepOverheadMs: 0, prefillOverheadMs: 0, perSequenceUs: 0, perLayerUs: 0, requestOverheadMs: 0,
};

const llama70 = resolveModel('meta-llama/Llama-3.1-70B').spec;
const llama8 = resolveModel('meta-llama/Llama-3.1-8B').spec;
const h200 = getAccelerator('h200-sxm');
const h100 = getAccelerator('h100-sxm');

describe('step-time model: hand-computed roofline cases', () => {
  it('Llama-3.1-70B fp8 decoding at batch 1 on one H200 takes about weight bytes / bandwidth', () => {
    const d = makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8', kv: 'fp8' } });
    const m = compileStepModel(d, IDEAL);
    const ms = m.stepTimeMs(batchOf([], [1024]));
    // 70.6e9 parameters: the linear layers at 1 byte, the LM head in bf16; 4.8e12 B/s.
    const p = parameterBreakdown(llama70);
    const bytes = (p.totalParams - p.embeddingParams - p.lmHeadParams) * 1 + p.lmHeadParams * 2;
    const expected = (bytes / 4.8e12) * 1000;
    expect(ms).toBeGreaterThan(expected * 0.99);
    expect(ms).toBeLessThan(expected * 1.03); // + KV of 1,024 tokens, tiny
    expect(expected).toBeGreaterThan(14.5);
    expect(expected).toBeLessThan(15.5);
  });

  it('decode time grows with the KV read: 64 sequences of 8k context add their KV bytes / bandwidth', () => {
    const d = makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8', kv: 'fp8' } });
    const m = compileStepModel(d, IDEAL);
    const b = emptyBreakdown();
    m.stepTimeMs(batchOf([], new Array<number>(64).fill(8192)), b);
    const kvBytes = 64 * 8192 * 80 * 2 * 8 * 128 * 1;
    expect(b.attentionMs).toBeCloseTo((kvBytes / 4.8e12) * 1000, 1);
  });

  it('a long bf16 prefill of Llama-3.1-8B on an H100 is compute-bound: about 2 x params x tokens / peak', () => {
    const d = makeDeployment({ model: llama8, accelerator: h100, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'bf16', kv: 'bf16' } });
    const m = compileStepModel(d, IDEAL);
    const b = emptyBreakdown();
    m.stepTimeMs(batchOf([{ tokens: 8192 }], []), b);
    const p = parameterBreakdown(llama8);
    const linear = p.totalParams - p.embeddingParams - p.lmHeadParams;
    const expected = ((2 * linear * 8192) / 989e12) * 1000;
    expect(b.denseGemmMs).toBeGreaterThan(expected);
    expect(b.denseGemmMs).toBeLessThan(expected * 1.01);
    // Causal attention: 4 * heads * head_dim * T^2 / 2 per layer.
    const attn = ((4 * 32 * 128 * (8192 * 8192) / 2) * 32) / 989e12 * 1000;
    expect(b.attentionMs).toBeGreaterThan(attn);
    expect(b.attentionMs).toBeLessThan(attn * 1.05);
  });

  it('prefill attention over an fp8 KV cache runs at the fp8 peak, twice the bf16 one, on TensorRT-LLM', () => {
    const at = (kv: 'fp8' | 'bf16') => {
      const d = makeDeployment({ model: llama8, accelerator: h100, engine: 'trtllm', parallel: { tp: 1 }, precision: { weights: 'fp8', kv } });
      const b = emptyBreakdown();
      compileStepModel(d, IDEAL).stepTimeMs(batchOf([{ tokens: 8192 }], []), b);
      // Less the KV written (bytes / bandwidth), which halves too with fp8 but is tiny next to the FLOPs.
      return b.attentionMs;
    };
    const attnFlopsMs = ((4 * 32 * 128 * (8192 * 8192) / 2) * 32) / 989e12 * 1000;
    expect(at('bf16')).toBeGreaterThan(attnFlopsMs);
    expect(at('fp8')).toBeGreaterThan(attnFlopsMs / 2);
    expect(at('fp8')).toBeLessThan(attnFlopsMs / 2 * 1.05);
  });

  it('on vLLM an fp8 KV cache halves the KV bytes read, while prefill attention keeps the bf16 rate (the kernels dequantise)', () => {
    const at = (kv: 'fp8' | 'bf16', prefill: boolean) => {
      const d = makeDeployment({ model: llama8, accelerator: h100, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8', kv } });
      const b = emptyBreakdown();
      compileStepModel(d, IDEAL).stepTimeMs(prefill ? batchOf([{ tokens: 8192 }], []) : batchOf([], new Array<number>(64).fill(8192)), b);
      return b.attentionMs;
    };
    const attnFlopsMs = ((4 * 32 * 128 * (8192 * 8192) / 2) * 32) / 989e12 * 1000;
    expect(at('fp8', true)).toBeGreaterThan(attnFlopsMs);
    expect(at('fp8', true)).toBeLessThan(at('bf16', true));
    expect(at('fp8', true)).toBeGreaterThan(at('bf16', true) * 0.95);
    // Decode attention reads the cache: half the bytes, about half the time.
    expect(at('fp8', false)).toBeLessThan(at('bf16', false) * 0.55);
    expect(at('fp8', false)).toBeGreaterThan(at('bf16', false) * 0.45);
  });

  it('tensor parallelism splits the weights and adds all-reduces', () => {
    const one = compileStepModel(makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8' } }), IDEAL);
    const four = compileStepModel(makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 4 }, precision: { weights: 'fp8' } }), IDEAL);
    const b1 = emptyBreakdown();
    const b4 = emptyBreakdown();
    one.stepTimeMs(batchOf([], [1024]), b1);
    four.stepTimeMs(batchOf([], [1024]), b4);
    expect(b4.denseGemmMs).toBeCloseTo(b1.denseGemmMs / 4, 3);
    expect(b1.commMs).toBe(0);
    expect(b4.commMs).toBeGreaterThan(0);
  });

  it('MoE decode reads only the experts the routed tokens touch', () => {
    const ds = resolveModel('deepseek-ai/DeepSeek-V3').spec;
    const d = makeDeployment({ model: ds, accelerator: h200, engine: 'sglang', parallel: { tp: 8 }, precision: { weights: 'fp8', kv: 'bf16' } });
    const m = compileStepModel(d, IDEAL);
    const small = emptyBreakdown();
    const big = emptyBreakdown();
    m.stepTimeMs(batchOf([], [1000]), small);
    m.stepTimeMs(batchOf([], new Array<number>(256).fill(1000)), big);
    // Batch 1 touches 8 of 256 experts per layer; batch 256 touches nearly all: far more bytes, far less than 256x.
    expect(big.moeMs / small.moeMs).toBeGreaterThan(10);
    expect(big.moeMs / small.moeMs).toBeLessThan(40);
    // Expert weights of one token at batch 1: 58 MoE layers x 8 experts / 8 GPUs (EP8) -> about 8/8 experts each.
    expect(weightBytes(ds, 'fp8')).toBeGreaterThan(6.5e11);
  });

  it('sliding-window layers cap the KV read', () => {
    const gpt = resolveModel('openai/gpt-oss-120b').spec;
    const d = makeDeployment({ model: gpt, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp4', kv: 'bf16' } });
    const m = compileStepModel(d, IDEAL);
    const shortB = emptyBreakdown();
    const longB = emptyBreakdown();
    m.stepTimeMs(batchOf([], [128]), shortB);
    m.stepTimeMs(batchOf([], [128 * 64]), longB);
    // Half the layers are sliding (window 128): 64x the context costs about 32x the KV read, not 64x.
    const ratio = longB.attentionMs / shortB.attentionMs;
    expect(ratio).toBeGreaterThan(25);
    expect(ratio).toBeLessThan(40);
  });

  it('an empty batch takes no time and calibrated overheads add to every step', () => {
    const d = makeDeployment({ model: llama8, accelerator: h100, engine: 'vllm', parallel: { tp: 1 } });
    expect(compileStepModel(d, IDEAL).stepTimeMs(batchOf([], []))).toBe(0);
    const withOverhead = compileStepModel(d, { ...IDEAL, stepOverheadMs: 3 });
    expect(withOverhead.stepTimeMs(batchOf([], [10])) - compileStepModel(d, IDEAL).stepTimeMs(batchOf([], [10]))).toBeCloseTo(3, 6);
  });
});

describe('speculative decoding (a one-layer drafter, k drafted tokens verified in one pass)', () => {
  const base = { model: llama70, accelerator: h200, engine: 'vllm' as const, parallel: { tp: 1 }, precision: { weights: 'fp8' as const, kv: 'fp8' as const } };
  const plain = compileStepModel(makeDeployment(base), IDEAL);

  it('at batch 1 (memory-bound) a step costs about one target pass plus k layer passes, spread over 1 + a + ... + a^k tokens', () => {
    const spec = compileStepModel(makeDeployment({ ...base, speculative: { draftTokens: 1, acceptanceRate: 0.8 } }), IDEAL);
    const batch = batchOf([], [1024]);
    const t1 = plain.stepTimeMs(batch);
    const b = emptyBreakdown();
    const t = spec.stepTimeMs(batch, b);
    // Verifying 2 tokens still streams the weights once; the drafter adds one of 80 layers and the LM head.
    const verify = t1; // within a few percent at batch 1
    const draft = t1 / 80 + (verify * 1.05e9) / 70.6e9; // a layer's share plus roughly the LM head's weights
    expect(t).toBeGreaterThan((verify / 1.8) * 0.98);
    expect(t).toBeLessThan(((verify + draft) / 1.8) * 1.08);
    expect(b.draftMs).toBeGreaterThan(0);
    expect(b.totalMs).toBeCloseTo(t, 9);
    expect(b.denseGemmMs + b.attentionMs + b.moeMs + b.lmHeadMs + b.commMs + b.overheadMs + b.draftMs).toBeCloseTo(t, 6);
  });

  it('pays off less when the batch is compute-bound: k extra query tokens per sequence cost real FLOPs', () => {
    const spec = compileStepModel(makeDeployment({ ...base, speculative: { draftTokens: 3, acceptanceRate: 0.7 } }), IDEAL);
    const small = batchOf([], [1024]);
    const large = batchOf([], new Array<number>(512).fill(1024));
    const gainSmall = plain.stepTimeMs(small) / spec.stepTimeMs(small);
    const gainLarge = plain.stepTimeMs(large) / spec.stepTimeMs(large);
    expect(gainSmall).toBeGreaterThan(1.5);
    expect(gainLarge).toBeLessThan(gainSmall);
  });

  it('does not speed up prefill: a pure prefill step costs the same, a mixed step its chunk plus its decode share over E tokens', () => {
    const spec = compileStepModel(makeDeployment({ ...base, speculative: { draftTokens: 2, acceptanceRate: 0.8 } }), IDEAL);
    const prefill = batchOf([{ tokens: 4096 }], []);
    expect(spec.stepTimeMs(prefill)).toBeCloseTo(plain.stepTimeMs(prefill), 9);
    // A mixed step: the chunk alone, plus what the decodes add (verify and drafts) spread over E = 2.44 tokens.
    const mixed = batchOf([{ tokens: 2048 }], new Array<number>(8).fill(2048));
    const chunk = spec.stepTimeMs(batchOf([{ tokens: 2048 }], []));
    const b = emptyBreakdown();
    const t = spec.stepTimeMs(mixed, b);
    expect(t).toBeGreaterThan(chunk);
    expect(t).toBeLessThan(chunk + (plain.stepTimeMs(mixed) - chunk + b.draftMs * 3) / 2.44);
  });

  it('rejects draft counts and acceptance rates that make no sense, and engines without it', () => {
    expect(() => makeDeployment({ ...base, speculative: { draftTokens: 0, acceptanceRate: 0.5 } })).toThrow(/draft tokens/);
    expect(() => makeDeployment({ ...base, speculative: { draftTokens: 2, acceptanceRate: 1 } })).toThrow(/acceptance rate/);
    expect(() => makeDeployment({ ...base, engine: 'generic', speculative: { draftTokens: 1, acceptanceRate: 0.5 } })).toThrow(/no speculative decoding/);
  });
});
