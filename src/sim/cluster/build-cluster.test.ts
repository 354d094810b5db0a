import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../config/model-registry.js';
import { InvalidInputError } from '../../core/errors.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { batchOf } from '../../core/perf/step-time.js';
import { buildCluster } from './build-cluster.js';
import type { ClusterConfig, PoolConfig } from './cluster-config.js';

const h20 = getAccelerator('h20');
const r1 = resolveModel('deepseek-ai/DeepSeek-R1').spec;
const llama8 = resolveModel('meta-llama/Llama-3.1-8B').spec;

const pool = (over: Partial<PoolConfig> = {}): PoolConfig => ({
  name: 'h20', role: 'mixed', model: llama8, accelerator: h20, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8' }, replicas: 2, ...over,
});
const cluster = (...pools: PoolConfig[]): ClusterConfig => ({ pools, router: 'least-outstanding', prefixCache: false, seed: 1 });

describe('buildCluster: memory utilization', () => {
  it("sizes each pool's KV cache with its own fraction of device memory, the engine's by default", () => {
    const built = buildCluster(cluster(pool(), pool({ name: 'h20-95', memoryUtilization: 0.95 })), undefined);
    const [dflt, high] = built.pools;
    expect(dflt!.memory.memoryUtilization).toBe(0.9);
    expect(high!.memory.memoryUtilization).toBe(0.95);
    // Five hundredths of 96 GB more KV, in tokens; every replica's scheduler gets it.
    const extra = (0.05 * high!.memory.deviceMemoryBytes) / high!.memory.kvBytesPerTokenPerDevice;
    expect(Math.abs(high!.memory.kvCapacityTokens - dflt!.memory.kvCapacityTokens - extra)).toBeLessThanOrEqual(1);
    for (const r of high!.replicas) expect(r.sched.config.kvCapacityTokens).toBe(high!.memory.kvCapacityTokens);
  });

  it('builds DeepSeek-R1 fp8 on 8 x H20 at 0.95, which does not fit at the default 0.9', () => {
    const r1Pool = pool({ name: 'r1', model: r1, parallel: { tp: 8 }, precision: {}, replicas: 1 });
    expect(() => buildCluster(cluster(r1Pool), undefined)).toThrow(/does not fit/);
    const built = buildCluster(cluster({ ...r1Pool, memoryUtilization: 0.95 }), undefined);
    expect(built.pools[0]!.memory.kvCapacityTokens).toBeGreaterThan(0);
  });

  it('refuses a fraction outside (0, 1], naming the pool', () => {
    for (const bad of [0, 1.5, -0.5, Number.NaN]) {
      expect(() => buildCluster(cluster(pool({ memoryUtilization: bad })), undefined), String(bad)).toThrow(InvalidInputError);
      expect(() => buildCluster(cluster(pool({ memoryUtilization: bad })), undefined)).toThrow(/pools\[0\] \(h20\)\.memoryUtilization/);
    }
  });
});

describe('buildCluster: speculative decoding', () => {
  it("gives a pool's replicas a step model that decodes faster per token, and its memory the drafter's layer", () => {
    const built = buildCluster(cluster(pool(), pool({ name: 'h20-mtp', speculative: { draftTokens: 2, acceptanceRate: 0.8 } })), undefined);
    const [plain, spec] = built.pools;
    expect(spec!.deployment.speculative).toEqual({ draftTokens: 2, acceptanceRate: 0.8 });
    const batch = batchOf([], new Array<number>(8).fill(2048));
    expect(spec!.stepModel.stepTimeMs(batch)).toBeLessThan(plain!.stepModel.stepTimeMs(batch) / 1.5);
    expect(spec!.memory.weightBytesPerDevice).toBeGreaterThan(plain!.memory.weightBytesPerDevice);
  });

  it('refuses it on an engine without speculative decoding, naming the pool', () => {
    expect(() => buildCluster(cluster(pool({ engine: 'generic', speculative: { draftTokens: 1, acceptanceRate: 0.5 } })), undefined)).toThrow(/pools\[0\] \(h20\).*no speculative decoding/);
  });
});
