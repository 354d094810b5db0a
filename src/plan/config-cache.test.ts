import { describe, expect, it } from 'vitest';
import { getAccelerator, overrideAccelerator } from '../core/catalogue/find-accelerator.js';
import { resolveModel } from '../config/model-registry.js';
import { cacheKey, calibrationVersion, memoryCache } from './config-cache.js';
import type { ConfigCapacity, WorkloadClass } from './plan-input.js';

const chat: WorkloadClass = { id: 'chat', model: 'meta-llama/Llama-3.1-8B', inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 1000, tpotMs: 50 } };
const llama8 = resolveModel(chat.model).spec;
const h200 = getAccelerator('h200-sxm');

describe('calibrationVersion', () => {
  it('is a stable 8-digit hex hash', () => {
    const v = calibrationVersion(h200, llama8);
    expect(v).toMatch(/^[0-9a-f]{8}$/);
    expect(calibrationVersion(h200, llama8)).toBe(v);
  });

  it('changes with the accelerator entry and with the model', () => {
    const v = calibrationVersion(h200, llama8);
    expect(calibrationVersion(overrideAccelerator(h200, { memoryBytes: 144e9 }), llama8)).not.toBe(v);
    expect(calibrationVersion(getAccelerator('h20'), llama8)).not.toBe(v);
    expect(calibrationVersion(h200, resolveModel('meta-llama/Llama-3.1-70B').spec)).not.toBe(v);
  });
});

describe('cacheKey', () => {
  it('differs when any workload field, the accelerator, the engine or the version differs', () => {
    const base = cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa');
    const variants = [
      cacheKey({ ...chat, id: 'other' }, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey({ ...chat, model: 'meta-llama/Llama-3.1-70B' }, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey({ ...chat, inputTokens: 1001 }, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey({ ...chat, outputTokens: 201 }, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey({ ...chat, slo: { ttftMs: 999, tpotMs: 50 } }, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey({ ...chat, slo: { ttftMs: 1000, tpotMs: 49 } }, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey(chat, 'h20', 'vllm', 'aaaaaaaa'),
      cacheKey(chat, 'h200-sxm', 'sglang', 'aaaaaaaa'),
      cacheKey(chat, 'h200-sxm', 'vllm', 'bbbbbbbb'),
      cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa', 0.95),
      cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa', 0.9),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(cacheKey({ ...chat }, 'h200-sxm', 'vllm', 'aaaaaaaa')).toBe(base);
  });

  it("includes the workload's speculative decoding only when it is set, so keys without it are the ones written before it existed", () => {
    // The key of `chat` on h200-sxm/vllm as written before speculative decoding (and memory utilization) were keyed.
    expect(cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa')).toBe('["chat","meta-llama/Llama-3.1-8B",1000,200,0,1000,50,"h200-sxm","vllm","aaaaaaaa"]');
    expect(cacheKey({ ...chat, speculative: undefined }, 'h200-sxm', 'vllm', 'aaaaaaaa')).toBe(cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa'));
    expect(cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa', 0.95)).toBe(cacheKey({ ...chat, speculative: undefined }, 'h200-sxm', 'vllm', 'aaaaaaaa', 0.95));
    const spec = (draftTokens: number, acceptanceRate: number, memoryUtilization?: number) =>
      cacheKey({ ...chat, speculative: { draftTokens, acceptanceRate } }, 'h200-sxm', 'vllm', 'aaaaaaaa', memoryUtilization);
    const keys = [
      cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa'),
      cacheKey(chat, 'h200-sxm', 'vllm', 'aaaaaaaa', 0.8),
      spec(1, 0.8),
      spec(2, 0.8),
      spec(1, 0.7),
      spec(1, 0.8, 0.95),
      spec(1, 0.8, 0.8),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // The same config written in another order is the same key.
    expect(cacheKey({ ...chat, speculative: { acceptanceRate: 0.8, draftTokens: 1 } as const }, 'h200-sxm', 'vllm', 'aaaaaaaa')).toBe(spec(1, 0.8));
  });
});

describe('memoryCache', () => {
  it('returns the object it was given, and undefined for a missing key', () => {
    const cache = memoryCache();
    const value: ConfigCapacity = {
      workload: 'chat', accelerator: 'h200-sxm', engine: 'vllm', tokensPerSecondPerAccelerator: 1, layout: 'tp1 fp8',
      acceleratorsPerReplica: 1, concurrencyPerReplica: 1, ttftMs: 1, tpotMs: 1, confidence: 'fitted',
    };
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', value);
    expect(cache.get('k')).toBe(value);
    expect(JSON.parse(JSON.stringify(value))).toEqual(value);
  });
});
