import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { DISAGG_DECODE_SEQUENCES_PER_RANK, estimateServing, type ServingEstimateInput } from './estimate-serving.js';

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
