import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { getAccelerator, overrideAccelerator } from '../core/catalogue/find-accelerator.js';
import { makeDeployment, type DeploymentInput } from '../core/perf/deployment.js';
import { planMemory } from '../core/perf/memory-plan.js';
import { fitHint } from './fit-hint.js';

const h20 = getAccelerator('h20');
const r1 = resolveModel('deepseek-ai/DeepSeek-R1').spec;
const llama70 = resolveModel('meta-llama/Llama-3.1-70B').spec;
const deploy = (over: Partial<DeploymentInput> = {}) => makeDeployment({ model: r1, accelerator: h20, engine: 'vllm', parallel: { tp: 8 }, ...over });

describe('fitHint', () => {
  it('gives the smallest utilization that fits DeepSeek-R1 on 8 x H20, checked against the memory plan', () => {
    const d = deploy();
    const hint = fitHint({ deployment: d, memoryUtilization: 0.9, sequenceTokens: 2500, concurrency: 64 });
    const m = /--memory-utilization (0\.\d\d) \(KV for (\d+) of the 64 requests at once; (0\.\d\d) holds all\)/.exec(hint);
    expect(m, hint).not.toBeNull();
    const [least, held, all] = [Number(m![1]), Number(m![2]), Number(m![3])];
    const at = (u: number) => planMemory(d, { memoryUtilization: u });
    // The suggestion fits with room for a request; one hundredth less does not.
    expect(at(least).fits && at(least).kvCapacityTokens >= 2500).toBe(true);
    expect(at(least - 0.01).fits && at(least - 0.01).kvCapacityTokens >= 2500).toBe(false);
    expect(held).toBe(Math.floor(at(least).kvCapacityTokens / 2500));
    expect(Math.floor(at(all).kvCapacityTokens / 2500)).toBeGreaterThanOrEqual(64);
    expect(Math.floor(at(all - 0.01).kvCapacityTokens / 2500)).toBeLessThan(64);
    expect(all).toBeLessThanOrEqual(0.98);
  });

  it('says when the smallest utilization already holds every request', () => {
    expect(fitHint({ deployment: deploy(), memoryUtilization: 0.9, sequenceTokens: 2500, concurrency: 1 })).toMatch(/^fits with --memory-utilization 0\.\d\d$/);
  });

  it('proposes more devices or narrower weights, each of which fits, when no utilization up to 0.98 does', () => {
    const d = deploy({ model: llama70, parallel: { tp: 1 }, precision: { weights: 'bf16' } });
    const hint = fitHint({ deployment: d, memoryUtilization: 0.9, sequenceTokens: 1280, concurrency: 16 });
    expect(hint).toBe('fits with --tp 2, --pp 2 or --precision fp8 (not with --memory-utilization up to 0.98)');
    for (const over of [{ parallel: { tp: 2 } }, { parallel: { pp: 2 } }, { parallel: { tp: 1 }, precision: { weights: 'fp8' as const } }]) {
      expect(planMemory(deploy({ model: llama70, precision: { weights: 'bf16' }, ...over })).fits).toBe(true);
    }
    // At full utilization there is no utilization left to rule out.
    expect(fitHint({ deployment: d, memoryUtilization: 1, sequenceTokens: 1280, concurrency: 16 })).toBe('fits with --tp 2, --pp 2 or --precision fp8');
  });

  it('keeps the experts spread over every device when it doubles TP for a MoE model', () => {
    const hint = fitHint({ deployment: deploy({ parallel: { tp: 1 } }), memoryUtilization: 0.9, sequenceTokens: 2500, concurrency: 64 });
    expect(hint).toMatch(/^fits with --tp 16 or --pp 16 /);
  });

  it('says so when no single change fits', () => {
    // 1 GB per chip: less than the runtime reserve alone.
    const tiny = overrideAccelerator(h20, { memoryBytes: 1e9 });
    const hint = fitHint({ deployment: deploy({ accelerator: tiny, parallel: { tp: 1 } }), memoryUtilization: 0.9, sequenceTokens: 2500, concurrency: 1 });
    expect(hint).toBe('no single change fits: not --memory-utilization up to 0.98, --tp or --pp up to 64 devices, nor narrower weights');
  });
});
