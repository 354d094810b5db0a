import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { InvalidInputError } from '../core/errors.js';
import { DISAGG_DECODE_SEQUENCES_PER_RANK, estimateServing, streamHoldMs, type ServingEstimateInput } from './estimate-serving.js';

/** Llama-3.1-70B in fp8 on H200, 4-GPU prefill and decode workers: the KV cache is never what limits a decode worker here. */
function disagg(concurrency: number, decodeWorkers?: number): ServingEstimateInput {
  return {
    model: resolveModel('meta-llama/Llama-3.1-70B').spec,
    accelerator: getAccelerator('h200-sxm'),
    engine: 'trtllm',
    precision: { weights: 'fp8', kv: 'fp8' },
    disagg: {
      prefill: { parallel: { tp: 4 } },
      decode: { parallel: { tp: 4 }, ...(decodeWorkers !== undefined && { workers: decodeWorkers }) },
    },
    inputTokens: 1024,
    outputTokens: 256,
    concurrency,
    requestsPerClient: 2,
  };
}

describe('estimateServing: worker counts of a disaggregated deployment that does not state them', () => {
  it('sizes the decode pool for DISAGG_DECODE_SEQUENCES_PER_RANK running sequences per worker', () => {
    expect(DISAGG_DECODE_SEQUENCES_PER_RANK).toBe(128);
    expect(estimateServing(disagg(64)).workers.decode).toBe(1);
    expect(estimateServing(disagg(128)).workers.decode).toBe(1);
    expect(estimateServing(disagg(129)).workers.decode).toBe(2);
    expect(estimateServing(disagg(512)).workers.decode).toBe(4);
  });

  it('keeps the worker counts a deployment states', () => {
    const stated = estimateServing(disagg(512, 1));
    expect(stated.workers.decode).toBe(1);
    // Four workers of 128 sequences decode faster than one of 512.
    expect(estimateServing(disagg(512)).tpotMs).toBeLessThan(stated.tpotMs * 0.8);
  });
});

describe('estimateServing: memory utilization', () => {
  const r1OnH20 = (memoryUtilization?: number): ServingEstimateInput => ({
    model: resolveModel('deepseek-ai/DeepSeek-R1').spec,
    accelerator: getAccelerator('h20'),
    engine: 'vllm',
    parallel: { tp: 8 },
    inputTokens: 2000,
    outputTokens: 500,
    concurrency: 8,
    requestsPerClient: 1,
    ...(memoryUtilization !== undefined && { memoryUtilization }),
  });

  it("uses the engine's by default and the given fraction otherwise", () => {
    expect(estimateServing(r1OnH20()).memory.memoryUtilization).toBe(0.9);
    const e = estimateServing(r1OnH20(0.95));
    expect(e.memory.memoryUtilization).toBe(0.95);
    expect(e.memory.usableBytes).toBeCloseTo(0.95 * e.memory.deviceMemoryBytes, 0);
  });

  it('fits DeepSeek-R1 fp8 on 8 x H20 at 0.95 but not at the default 0.9, and its KV cache grows with the fraction', () => {
    expect(estimateServing(r1OnH20()).fits).toBe(false);
    const at95 = estimateServing(r1OnH20(0.95));
    const at97 = estimateServing(r1OnH20(0.97));
    expect(at95.fits).toBe(true);
    expect(at95.memory.kvCapacityTokens).toBeGreaterThan(0);
    expect(at97.memory.kvCapacityTokens).toBeGreaterThan(at95.memory.kvCapacityTokens);
    // Two hundredths of 96 GB more for the KV cache, in tokens of its per-token bytes.
    const extra = (0.02 * at95.memory.deviceMemoryBytes) / at95.memory.kvBytesPerTokenPerDevice;
    expect(Math.abs(at97.memory.kvCapacityTokens - at95.memory.kvCapacityTokens - extra)).toBeLessThanOrEqual(1);
    expect(at97.maxConcurrency).toBeGreaterThan(at95.maxConcurrency);
  });
});

describe('estimateServing: the calibration of the deployment mode', () => {
  it('a disaggregated deployment takes the fit of disaggregated rows, an aggregated one the aggregated fit', () => {
    const d = estimateServing(disagg(64));
    expect(d.calibration).toMatchObject({ family: 'hopper', engine: 'trtllm', mode: 'disagg', source: 'fitted' });
    const { disagg: _omit, ...rest } = disagg(64);
    const a = estimateServing({ ...rest, parallel: { tp: 4 } });
    expect(a.calibration).toMatchObject({ family: 'hopper', engine: 'trtllm', mode: 'agg', source: 'fitted' });
    expect(a.calibration.efficiencies).not.toEqual(d.calibration.efficiencies);
  });
});

describe('estimateServing: a least pool size for inferred workers', () => {
  it('adds workers up to minDevices on each side when the counts are inferred, and ignores it when they are stated', () => {
    const base = disagg(64);
    const inferred = estimateServing(base);
    expect(inferred.workers).toEqual({ prefill: 2, decode: 1 });
    const pooled = estimateServing({ ...base, disagg: { prefill: { ...base.disagg!.prefill, minDevices: 16 }, decode: { ...base.disagg!.decode, minDevices: 16 } } });
    // 4-GPU workers: 16 devices are 4 workers on each side.
    expect(pooled.workers).toEqual({ prefill: 4, decode: 4 });
    expect(pooled.accelerators).toBe(32);
    // A pool smaller than what the load needs changes nothing.
    expect(estimateServing({ ...base, disagg: { prefill: { ...base.disagg!.prefill, minDevices: 4 }, decode: { ...base.disagg!.decode, minDevices: 4 } } }).workers).toEqual(inferred.workers);
    // 16 sequences per decode worker instead of 64: faster decode.
    expect(pooled.tpotMs).toBeLessThan(inferred.tpotMs);
    const stated = estimateServing({ ...base, disagg: { prefill: { ...base.disagg!.prefill, minDevices: 8 }, decode: { parallel: { tp: 4 }, workers: 1, minDevices: 16 } } });
    expect(stated.workers.decode).toBe(1);
    // The load still adds workers above the pool: 1,024 clients need 8 decode workers of 128 sequences.
    expect(estimateServing({ ...disagg(1024), disagg: { prefill: { parallel: { tp: 4 } }, decode: { parallel: { tp: 4 }, minDevices: 16 } } }).workers.decode).toBe(8);
  });
});

describe('estimateServing: a stream interval holds the first token back', () => {
  const base: ServingEstimateInput = {
    model: resolveModel('deepseek-ai/DeepSeek-V3').spec,
    accelerator: getAccelerator('b200-sxm'),
    engine: 'trtllm',
    parallel: { tp: 8 },
    precision: { weights: 'fp8' },
    inputTokens: 1024,
    outputTokens: 256,
    concurrency: 8,
    requestsPerClient: 2,
  };

  it('counts interval - 1 decode iterations, fewer when the request ends sooner, and nothing for an interval of 1', () => {
    expect(streamHoldMs(1, 5, 1000)).toBe(0);
    expect(streamHoldMs(10, 5, 1000)).toBe(45);
    expect(streamHoldMs(10, 5, 5)).toBe(20);
    expect(streamHoldMs(10, 5, 1)).toBe(0);
    // Speculative decoding: an iteration yields 1.85 tokens of 5 ms each.
    expect(streamHoldMs(10, 5, 1000, 1.85)).toBeCloseTo(9 * 1.85 * 5, 9);
  });

  it('moves time from TPOT to TTFT and leaves end-to-end latency and throughput as they were', () => {
    const every = estimateServing(base);
    const tenth = estimateServing({ ...base, streamInterval: 10 });
    expect(tenth.ttftMs - every.ttftMs).toBeCloseTo(9 * every.tpotMs, 6);
    expect(tenth.tpotMs).toBeCloseTo(every.tpotMs - (9 * every.tpotMs) / 255, 6);
    expect(tenth.e2eMs).toBe(every.e2eMs);
    expect(tenth.outputTokensPerSecond).toBe(every.outputTokensPerSecond);
    expect(tenth.confidence.assumptions.some((a) => a.startsWith('tokens streamed every 10 iterations'))).toBe(true);
  });

  it('rejects an interval that is not a whole number of iterations, 1 or more', () => {
    for (const streamInterval of [0, -1, 2.5, Number.NaN]) {
      expect(() => estimateServing({ ...base, streamInterval })).toThrow(InvalidInputError);
    }
  });
});
