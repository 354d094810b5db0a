import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../catalogue/find-accelerator.js';
import { resolveModel } from '../../config/model-registry.js';
import { InvalidInputError } from '../errors.js';
import { expectedTokensPerStep, makeDeployment } from './deployment.js';
import { planMemory } from './memory-plan.js';

const llama70 = resolveModel('meta-llama/Llama-3.1-70B').spec;
const ds = resolveModel('deepseek-ai/DeepSeek-V3').spec;
const h200 = getAccelerator('h200-sxm');
const h20 = getAccelerator('h20');

describe('deployment validation', () => {
  it('rejects a TP that does not divide the attention heads, naming the option', () => {
    expect(() => makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 3 } })).toThrow(InvalidInputError);
    expect(() => makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 3 } })).toThrow(/--tp.*does not divide the 64 attention heads/);
  });
  it('rejects non-positive sizes and an EP that does not divide the experts', () => {
    expect(() => makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 0 } })).toThrow(/--tp/);
    expect(() => makeDeployment({ model: ds, accelerator: h200, engine: 'sglang', parallel: { tp: 8, ep: 3 } })).toThrow(/--ep/);
  });
  it('defaults EP to tp x dp for MoE models and the KV precision to fp8 for 8-bit weights', () => {
    const d = makeDeployment({ model: ds, accelerator: h200, engine: 'sglang', parallel: { tp: 1, dp: 8 }, precision: { weights: 'fp8' } });
    expect(d.parallel).toMatchObject({ tp: 1, dp: 8, ep: 8, moeTp: 1 });
    expect(d.devices).toBe(8);
    expect(d.precision.kv).toBe('fp8');
  });
});

describe('memory plan', () => {
  it('Llama-3.1-70B in bf16 does not fit one H200 and says how much it needs', () => {
    const plan = planMemory(makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'bf16' } }));
    expect(plan.fits).toBe(false);
    expect(plan.neededBytesPerDevice).toBeGreaterThan(141e9);
    expect(plan.reason).toMatch(/needs .* GB per device/);
  });
  it('Llama-3.1-70B in fp8 fits one H200 with a KV cache of about (usable - weights - reserve) / KV per token', () => {
    const plan = planMemory(makeDeployment({ model: llama70, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8', kv: 'fp8' } }));
    expect(plan.fits).toBe(true);
    expect(plan.kvBytesPerTokenPerDevice).toBe(80 * 2 * 8 * 128);
    const expected = (141e9 * 0.9 - plan.weightBytesPerDevice - plan.activationBytesPerDevice) / (80 * 2 * 8 * 128);
    expect(plan.kvCapacityTokens).toBe(Math.floor(expected));
    expect(plan.weightBytesPerDevice).toBeGreaterThan(70e9);
    expect(plan.weightBytesPerDevice).toBeLessThan(74e9);
  });
  it('TP shards weights and KV heads', () => {
    const one = planMemory(makeDeployment({ model: llama70, accelerator: h20, engine: 'vllm', parallel: { tp: 2 }, precision: { weights: 'fp8' } }));
    const four = planMemory(makeDeployment({ model: llama70, accelerator: h20, engine: 'vllm', parallel: { tp: 4 }, precision: { weights: 'fp8' } }));
    expect(four.weightBytesPerDevice).toBeLessThan(one.weightBytesPerDevice / 1.9);
    expect(four.kvBytesPerTokenPerDevice).toBe(one.kvBytesPerTokenPerDevice / 2);
  });
  it('DeepSeek-V3 in fp8 does not fit 8 H20 but fits 16 as attention DP with EP16', () => {
    const eight = planMemory(makeDeployment({ model: ds, accelerator: h20, engine: 'sglang', parallel: { tp: 8 }, precision: { weights: 'fp8' } }));
    expect(eight.fits).toBe(false);
    const sixteen = planMemory(makeDeployment({ model: ds, accelerator: h20, engine: 'sglang', parallel: { tp: 1, dp: 16 }, precision: { weights: 'fp8' } }));
    expect(sixteen.fits).toBe(true);
  });
});

describe('speculative decoding in the deployment and its memory', () => {
  it('a one-layer drafter adds about one mean layer of weights and one layer of KV per token', () => {
    const base = { model: ds, accelerator: h200, engine: 'sglang' as const, parallel: { tp: 8 }, precision: { weights: 'fp8' as const } };
    const plain = planMemory(makeDeployment(base));
    const mtp = planMemory(makeDeployment({ ...base, speculative: { draftTokens: 1, acceptanceRate: 0.8 } }));
    const layers = ds.numLayers; // 61
    const addedWeights = mtp.weightBytesPerDevice - plain.weightBytesPerDevice;
    // DeepSeek-V3's 61 layers hold ~670 GB in fp8 over 8 GPUs: one mean layer is ~1.4 GB per GPU.
    expect(addedWeights).toBeGreaterThan(1.0e9);
    expect(addedWeights).toBeLessThan(1.8e9);
    expect(mtp.kvBytesPerTokenPerDevice / plain.kvBytesPerTokenPerDevice).toBeCloseTo((layers + 1) / layers, 6);
    expect(mtp.kvCapacityTokens).toBeLessThan(plain.kvCapacityTokens);
  });

  it('expected tokens per step: 1 + a + ... + a^k', () => {
    expect(expectedTokensPerStep({ draftTokens: 1, acceptanceRate: 0.8 })).toBeCloseTo(1.8, 9);
    expect(expectedTokensPerStep({ draftTokens: 3, acceptanceRate: 0.5 })).toBeCloseTo(1.875, 9);
    expect(expectedTokensPerStep({ draftTokens: 2, acceptanceRate: 0 })).toBe(1);
  });
});

describe('what the memory utilization is a fraction of', () => {
  const h100 = getAccelerator('h100-sxm');
  const at = (engine: 'vllm' | 'trtllm') => planMemory(makeDeployment({ model: llama70, accelerator: h100, engine, parallel: { tp: 1 }, precision: { weights: 'fp8', kv: 'fp8' } }));

  it("vLLM's is of the device: Llama-3.1-70B fp8 (72.7 GB of weights) does not fit one H100 at 0.9", () => {
    const m = at('vllm');
    expect(m.memoryUtilizationOf).toBe('device');
    expect(m.fits).toBe(false);
    expect(m.usableBytes).toBeCloseTo(0.9 * 80e9, -6);
  });

  it("TensorRT-LLM's free_gpu_memory_fraction is of what the weights leave: the same model fits, with 0.9 of the rest for KV", () => {
    const m = at('trtllm');
    expect(m.memoryUtilizationOf).toBe('free');
    expect(m.fits).toBe(true);
    const free = 80e9 - m.weightBytesPerDevice - m.activationBytesPerDevice;
    expect(m.kvCacheBytesPerDevice).toBeCloseTo(0.9 * free, -3);
    expect(m.usableBytes).toBeCloseTo(m.weightBytesPerDevice + m.activationBytesPerDevice + 0.9 * free, -3);
    expect(m.kvCapacityTokens).toBe(Math.floor(m.kvCacheBytesPerDevice / m.kvBytesPerTokenPerDevice));
  });
});
