import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { resolveModel } from '../../config/model-registry.js';
import { CUDA_PRIOR } from '../../core/perf/efficiency.js';
import { batchOf } from '../../core/perf/step-time.js';
import { poissonWorkload } from '../workload/synthetic.js';
import { readTrace } from '../workload/read-trace.js';
import { WorkloadBuilder } from '../workload/workload.js';
import { buildCluster } from './build-cluster.js';
import type { ClusterConfig, PoolConfig } from './cluster-config.js';
import { simulateCluster } from './simulate-cluster.js';

const llama8 = resolveModel('meta-llama/Llama-3.1-8B').spec;
const h20 = getAccelerator('h20');
const h200 = getAccelerator('h200-sxm');

const pool = (over: Partial<PoolConfig> = {}): PoolConfig => ({
  name: 'h20', role: 'mixed', model: llama8, accelerator: h20, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8' }, replicas: 2, ...over,
});
const cluster = (over: Partial<ClusterConfig> = {}): ClusterConfig => ({ pools: [pool()], router: 'least-outstanding', prefixCache: false, seed: 7, ...over });
const load = (rate: number, count: number, prompt = 1000, output = 200, seed = 3) =>
  poissonWorkload({ ratePerSecond: rate, count, lengths: { kind: 'fixed', prompt, output }, seed });

describe('simulateCluster', () => {
  it('at low load, TTFT is one prefill step and TPOT one decode step', () => {
    const b = new WorkloadBuilder();
    b.add(0, 1000, 50, 0);
    const r = simulateCluster(cluster({ pools: [pool({ replicas: 1 })] }), b.build());
    const built = buildCluster(cluster({ pools: [pool({ replicas: 1 })] }), undefined);
    const model = built.pools[0]!.stepModel;
    const prefill = model.stepTimeMs(batchOf([{ tokens: 1000 }], []));
    expect(r.summary.ttftMs.mean).toBeCloseTo(prefill, 6);
    const decodeFirst = model.stepTimeMs(batchOf([], [1001]));
    expect(r.summary.tpotMs.mean!).toBeGreaterThanOrEqual(decodeFirst);
    expect(r.summary.tpotMs.mean!).toBeLessThan(decodeFirst * 1.02);
  });

  it('conserves requests and tokens, and never overfills the KV cache', () => {
    const w = load(20, 3000);
    const r = simulateCluster(cluster({ timelineIntervalMs: 1000 }), w);
    expect(r.summary.completed).toBe(3000);
    expect(r.summary.tokens.output).toBe(3000 * 200);
    expect(r.summary.tokens.input).toBe(3000 * 1000);
    const kvMax = r.timelineCsv!.trim().split('\n').slice(1).map((l) => Number(l.split(',')[5]));
    expect(Math.max(...kvMax)).toBeLessThanOrEqual(1);
  });

  it('hands out the latency sketches of every completed request, the ones the summary quotes', () => {
    const r = simulateCluster(cluster({ pools: [pool(), pool({ name: 'h200', accelerator: h200, replicas: 1 })] }), load(20, 1000, 1000, 1));
    expect(r.latencySketches.ttftMs.count).toBe(r.summary.completed);
    expect(r.latencySketches.ttftMs.quantile(0.9)).toBe(r.summary.ttftMs.p90);
    expect(r.latencySketches.ttftMs.mean).toBeCloseTo(r.summary.ttftMs.mean!, 9);
    // Single-token outputs have no TPOT.
    expect(r.latencySketches.tpotMs.count).toBe(0);
  });

  it("obeys Little's law within 2%: requests in flight = throughput x mean latency", () => {
    const w = load(15, 4000);
    const r = simulateCluster(cluster({ timelineIntervalMs: 500 }), w);
    const rows = r.timelineCsv!.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    // Time-weighted requests in flight: running + waiting per replica, summed over the pool's 2 replicas, averaged over time.
    const inFlight = rows.reduce((s, c) => s + (c[3]! + c[4]!) * 2, 0) / rows.length;
    const lambda = r.summary.completed / (rows.length * 0.5);
    const predicted = lambda * (r.summary.e2eMs.mean! / 1000);
    expect(Math.abs(inFlight - predicted) / predicted).toBeLessThan(0.02);
  });

  it('is deterministic for a seed, and the seed matters for power-of-two routing', () => {
    // Four replicas, so that power-of-two samples two of them (with two it always compares both).
    const w = load(60, 2000);
    const four = [pool({ replicas: 4 })];
    const a = simulateCluster(cluster({ pools: four, router: 'power-of-two' }), w).summary;
    const b = simulateCluster(cluster({ pools: four, router: 'power-of-two' }), w).summary;
    expect(a).toEqual(b);
    const c = simulateCluster(cluster({ pools: four, router: 'power-of-two', seed: 8 }), w).summary;
    expect(c.ttftMs.mean).not.toBe(a.ttftMs.mean);
  });

  it('queues under overload: TTFT grows with the arrival rate', () => {
    const low = simulateCluster(cluster(), load(5, 1500)).summary.ttftMs.mean!;
    const high = simulateCluster(cluster(), load(60, 1500)).summary.ttftMs.mean!;
    expect(high).toBeGreaterThan(low * 3);
  });

  it('serves a disaggregated cluster: every request completes, TTFT includes the KV transfer', () => {
    const cfg = cluster({
      pools: [pool({ name: 'prefill', role: 'prefill', accelerator: h200, replicas: 1 }), pool({ name: 'decode', role: 'decode', replicas: 2 })],
    });
    const r = simulateCluster(cfg, load(10, 1000));
    expect(r.summary.completed).toBe(1000);
    expect(r.summary.tokens.output).toBe(200_000);
    expect(r.summary.ttftMs.p50!).toBeGreaterThan(0);
  });

  it('mixes accelerator types: a perf-aware router sends more work to the faster pool', () => {
    const cfg = cluster({ router: 'perf-aware', pools: [pool({ name: 'h20', replicas: 1 }), pool({ name: 'h200', accelerator: h200, replicas: 1 })] });
    const r = simulateCluster(cfg, load(25, 3000));
    const [slow, fast] = r.summary.pools;
    expect(fast!.completed).toBeGreaterThan(slow!.completed);
  });

  it('with an unbounded prefix cache on one replica, the Mooncake hit rate equals the share of repeated blocks', () => {
    const text = readFileSync(new URL('../../../../shared/data/traces/mooncake/synthetic_trace.jsonl', import.meta.url), 'utf8');
    const { workload } = readTrace(text, 'mooncake', 'mooncake', { skipInvalid: true, maxContextTokens: 131072 });
    const seen = new Set<number>();
    let repeated = 0;
    for (const id of workload.blockHashes!.ids) {
      if (seen.has(id)) repeated++;
      else seen.add(id);
    }
    const share = repeated / workload.blockHashes!.ids.length;
    const r = simulateCluster(cluster({ pools: [pool({ replicas: 1, accelerator: h200 })], prefixCache: true, prefixCacheBlocks: Infinity }), workload);
    expect(r.prefixCache.hitBlocks / r.prefixCache.lookedUpBlocks).toBeCloseTo(share, 2);
    expect(r.summary.prefixHitRate!).toBeGreaterThan(0.3);
  });

  it('rejects a pool whose model does not fit, naming the pool and the numbers', () => {
    const big = resolveModel('meta-llama/Llama-3.1-70B').spec;
    expect(() => simulateCluster(cluster({ pools: [pool({ name: 'tiny', model: big, precision: { weights: 'bf16' } })] }), load(1, 10))).toThrow(/pools\[0\] \(tiny\).*needs .* GB/);
  });

  it('matches the golden summary of a seeded run (fixed efficiencies, so that a recalibration does not move it)', () => {
    const pinned = cluster({ router: 'power-of-two', slo: { ttftMs: 300, tpotMs: 30 }, pools: [pool({ efficiencies: CUDA_PRIOR })] });
    const r = simulateCluster(pinned, load(25, 2000, 800, 150, 11));
    const s = r.summary;
    const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
    expect({
      completed: s.completed,
      ttftMean: round(s.ttftMs.mean),
      ttftP99: round(s.ttftMs.p99),
      tpotMean: round(s.tpotMs.mean),
      slo: round(s.sloAttainment),
      steps: r.steps,
    }).toMatchSnapshot();
  });
});
