import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../sim/metrics/log-histogram.js';
import type { Workload } from '../sim/workload/workload.js';
import { chartTimelineIntervalMs, clusterTimeline, sketchHistogram } from './simulation-chart-data.js';

function sketch(values: readonly number[]): LogHistogram {
  const h = new LogHistogram();
  for (const v of values) h.add(v);
  return h;
}

describe('simulation chart data', () => {
  it('bins a latency sketch on log-spaced bins from the smallest positive value to the largest, counting each once', () => {
    // Edges 1, 10, 100, 1000 ms; 30 and 300 sit well inside their bins (a sketch bucket is about 1% wide).
    const bins = sketchHistogram(sketch([1, 30, 300, 1000]), 3);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 2]);
    // The sketch's edge buckets are clamped to the exact min and max.
    expect(bins[0]!.lowMs).toBe(1);
    expect(bins[1]!.lowMs).toBeCloseTo(10, 10);
    expect(bins[2]!.highMs).toBe(1000);
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.lowMs).toBe(bins[i - 1]!.highMs);
    expect(sketchHistogram(new LogHistogram())).toEqual([]);
    expect(sketchHistogram(sketch([5, 5]))).toEqual([{ lowMs: 5, highMs: 5, count: 2 }]);
    expect(sketchHistogram(sketch([0, 0]))).toEqual([{ lowMs: 0, highMs: 0, count: 2 }]);
    expect(sketchHistogram(sketch([0, 2, 8]), 2).map((b) => b.count)).toEqual([2, 1]);
  });

  it('keeps the shape of a large sample within a bin of the exact histogram, in 30 bins', () => {
    const values = Array.from({ length: 5000 }, (_, i) => 20 * Math.exp((i % 500) / 100));
    const bins = sketchHistogram(sketch(values));
    expect(bins).toHaveLength(30);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(values.length);
    // Log-uniform values: every bin holds about 1/30 of them (a 1% bucket can move a few across an edge).
    for (const b of bins) expect(Math.abs(b.count - values.length / 30)).toBeLessThan(values.length / 30 / 4);
  });

  it('sizes the timeline interval for about 120 points in whole seconds', () => {
    const at = (arrivalMs: number[]) => ({ count: arrivalMs.length, arrivalMs: Float64Array.from(arrivalMs) }) as unknown as Workload;
    expect(chartTimelineIntervalMs(at([0, 10_000]))).toBe(1000);
    expect(chartTimelineIntervalMs(at([5_000, 3_605_000]))).toBe(30_000);
    expect(chartTimelineIntervalMs(at([]))).toBe(1000);
  });

  it('sums pools into one timeline: per-replica means times replicas, KV occupancy averaged over replicas', () => {
    const csv =
      'interval_start_s,pool,replicas_busy_fraction,running_mean,waiting_mean,kv_occupancy_mean,kv_occupancy_max,input_tokens_per_s,output_tokens_per_s\n' +
      '0,a,1,4,1,0.5,0.6,100,40\n0,b,1,2,0,0.2,0.3,50,10\n10,a,1,1,0,0.1,0.1,0,5\n';
    expect(clusterTimeline(csv, new Map([['a', 2], ['b', 1]]))).toEqual([
      { tS: 0, runningRequests: 10, queuedRequests: 2, kvOccupancy: (0.5 * 2 + 0.2) / 3, outputTokensPerSecond: 50 },
      { tS: 10, runningRequests: 2, queuedRequests: 0, kvOccupancy: 0.1, outputTokensPerSecond: 5 },
    ]);
  });
});
