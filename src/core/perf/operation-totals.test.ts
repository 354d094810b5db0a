import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../catalogue/find-accelerator.js';
import { parameterBreakdown } from '../catalogue/model-size.js';
import { resolveModel } from '../../config/model-registry.js';
import { makeDeployment } from './deployment.js';
import { operationTotals } from './operation-totals.js';
import { batchOf } from './step-time.js';

const llama8 = resolveModel('meta-llama/Llama-3.1-8B').spec;
const h200 = getAccelerator('h200-sxm');
const p8 = parameterBreakdown(llama8);
const linear8 = p8.totalParams - p8.embeddingParams - p8.lmHeadParams;

describe('operationTotals: hand-computed cases', () => {
  const d = makeDeployment({ model: llama8, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'bf16', kv: 'bf16' } });

  it('Llama-3.1-8B bf16 decode of one 1,024-token sequence: 2 FLOPs and 2 bytes per weight, plus the KV read', () => {
    // KV per token: 32 layers x 8 KV heads x (128 + 128) x 2 bytes = 131,072 bytes.
    // Attention per (query, key) pair and layer: 2 x 32 heads x (128 + 128) = 16,384 FLOPs.
    const t = operationTotals(d, batchOf([], [1024]));
    expect(t.flops).toBe(2 * linear8 + 32 * 1024 * 16_384 + 2 * p8.lmHeadParams);
    expect(t.bytes).toBe(2 * linear8 + 1024 * 131_072 + 2 * p8.lmHeadParams);
    // About 1 FLOP per byte: weight streaming at batch 1 is deep in the memory-bound region.
    expect(t.flops / t.bytes).toBeGreaterThan(0.95);
    expect(t.flops / t.bytes).toBeLessThan(1.05);
  });

  it('a batch of 64 multiplies the GEMM FLOPs and KV bytes but reads the weights once', () => {
    const one = operationTotals(d, batchOf([], [1024]));
    const many = operationTotals(d, batchOf([], new Array<number>(64).fill(1024)));
    // Only the weights' FLOPs scale with tokens; every term here does, so exactly 64x.
    expect(many.flops).toBe(64 * one.flops);
    expect(many.bytes).toBe(2 * linear8 + 64 * 1024 * 131_072 + 2 * p8.lmHeadParams);
  });

  it('a prefill of 8,192 tokens: causal pairs T^2/2 per layer and the new KV written', () => {
    const t = operationTotals(d, batchOf([{ tokens: 8192 }], []));
    const pairs = (8192 * 8192) / 2;
    expect(t.flops).toBe(2 * 8192 * linear8 + 32 * pairs * 16_384 + 2 * 1 * p8.lmHeadParams);
    expect(t.bytes).toBe(2 * linear8 + 8192 * 131_072 + 2 * p8.lmHeadParams);
    // Far right of the H200's bf16 ridge (about 206 FLOP/byte).
    expect(t.flops / t.bytes).toBeGreaterThan(5000);
  });

  it('tensor parallelism divides both the work and the traffic of each device', () => {
    const tp2 = makeDeployment({ model: llama8, accelerator: h200, engine: 'vllm', parallel: { tp: 2 }, precision: { weights: 'bf16', kv: 'bf16' } });
    const a = operationTotals(d, batchOf([], [1024]));
    const b = operationTotals(tp2, batchOf([], [1024]));
    expect(b.flops).toBeCloseTo(a.flops / 2, -3);
    expect(b.bytes).toBeCloseTo(a.bytes / 2, -3);
  });

  it('MoE at batch 1 reads only the experts one token touches: DeepSeek-V3 fp8, EP8 -> one expert per device per layer', () => {
    const ds = resolveModel('deepseek-ai/DeepSeek-V3').spec;
    const dd = makeDeployment({ model: ds, accelerator: h200, engine: 'sglang', parallel: { tp: 8 }, precision: { weights: 'fp8', kv: 'bf16' } });
    const p = parameterBreakdown(ds);
    const withExperts = operationTotals(dd, batchOf([], [1]));
    const dense = operationTotals({ ...dd, model: { ...ds, moe: undefined } }, batchOf([], [1]));
    // 8 of 256 experts over 8 devices: 1 expert's weights (1 byte each) per MoE layer, 2 x 8 / 8 expert-FLOPs per weight.
    expect(withExperts.bytes - dense.bytes).toBeCloseTo(p.numMoeLayers * 1 * p.routedExpertParams, -3);
    expect(withExperts.flops - dense.flops).toBeCloseTo(p.numMoeLayers * 2 * 1 * p.routedExpertParams, -3);
  });

  it('an empty batch is no work', () => {
    expect(operationTotals(d, batchOf([], []))).toEqual({ flops: 0, bytes: 0 });
  });
});
