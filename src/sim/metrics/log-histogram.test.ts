import { describe, expect, it } from 'vitest';
import { LogHistogram } from './log-histogram.js';
import { createRng } from '../workload/rng.js';

/** mulberry32: a small seeded PRNG so the samples are the same on every run. */
/** A seeded uniform [0, 1) generator: the project's named streams. */
function rng(seed: number): () => number {
  const stream = createRng(seed).stream('test');
  return () => stream.next();
}

function lognormal(random: () => number, mu: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

const QS = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999];

function expectQuantilesWithin(h: LogHistogram, samples: Float64Array, tolerance: number): void {
  const sorted = Float64Array.from(samples).sort();
  for (const q of QS) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
    expect(Math.abs(h.quantile(q) - exact) / exact, `q=${q}`).toBeLessThanOrEqual(tolerance);
  }
  expect(h.quantile(0)).toBe(sorted[0]);
  expect(h.quantile(1)).toBe(sorted[sorted.length - 1]);
}

function sample(n: number, draw: () => number): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = draw();
  return xs;
}

describe('LogHistogram', () => {
  it('gives quantiles of 100k uniform samples within 1% relative error', () => {
    const random = rng(1);
    const xs = sample(100_000, () => 1 + 999 * random());
    const h = new LogHistogram();
    for (const x of xs) h.add(x);
    expectQuantilesWithin(h, xs, 0.01);
    expect(h.count).toBe(100_000);
    expect(h.mean).toBeCloseTo(xs.reduce((s, x) => s + x, 0) / xs.length, 9);
  });

  it('gives quantiles of 100k lognormal samples within 1% relative error', () => {
    const random = rng(2);
    const xs = sample(100_000, () => lognormal(random, Math.log(200), 1.5));
    const h = new LogHistogram();
    for (const x of xs) h.add(x);
    expectQuantilesWithin(h, xs, 0.01);
    expect(h.min).toBe(Math.min(...xs));
    expect(h.max).toBe(Math.max(...xs));
  });

  it('merging two sketches equals one sketch of all the values', () => {
    const random = rng(3);
    const whole = new LogHistogram();
    const low = new LogHistogram();
    const high = new LogHistogram();
    for (let i = 0; i < 50_000; i++) {
      const x = i % 2 === 0 ? 0.01 + random() : 1e5 * (1 + random()); // disjoint ranges force the store to grow
      whole.add(x);
      (x < 10 ? low : high).add(x);
    }
    low.add(0);
    whole.add(0);
    low.merge(high);
    expect(low.count).toBe(whole.count);
    expect(low.sum).toBeCloseTo(whole.sum, 3);
    expect(low.min).toBe(whole.min);
    expect(low.max).toBe(whole.max);
    for (const q of QS) expect(low.quantile(q)).toBe(whole.quantile(q));
    const empty = new LogHistogram();
    empty.merge(whole);
    for (const q of QS) expect(empty.quantile(q)).toBe(whole.quantile(q));
  });

  it('keeps zeros in their own bucket', () => {
    const h = new LogHistogram();
    for (let i = 0; i < 60; i++) h.add(0);
    for (let i = 0; i < 40; i++) h.add(100);
    expect(h.quantile(0.5)).toBe(0);
    expect(h.quantile(0.6)).toBe(0); // rank 59.4: the 60th value, still a zero
    expect(Math.abs(h.quantile(0.61) - 100) / 100).toBeLessThanOrEqual(0.005);
    expect(h.mean).toBe(40);
  });

  it('clamps values outside [minValue, maxValue] but answers within [min, max]', () => {
    const h = new LogHistogram();
    h.add(1e-6);
    h.add(1e12);
    expect(h.quantile(0.25)).toBeGreaterThanOrEqual(1e-6);
    expect(h.quantile(0.75)).toBeLessThanOrEqual(1e12);
  });

  it('rejects negative values, NaN, bad quantiles and mismatched merges', () => {
    const h = new LogHistogram();
    expect(() => h.add(-1)).toThrow(RangeError);
    expect(() => h.add(Number.NaN)).toThrow(RangeError);
    expect(() => h.quantile(1.5)).toThrow(RangeError);
    expect(() => h.merge(new LogHistogram({ relativeAccuracy: 0.01 }))).toThrow(RangeError);
    expect(h.count).toBe(0);
    expect(h.quantile(0.5)).toBeNaN();
    expect(h.mean).toBeNaN();
  });
  it('lists its non-empty buckets in order, zeros first, each value inside its bucket and the edges at the exact min and max', () => {
    const h = new LogHistogram();
    const values = [0, 0, 3.02, 3.03, 50, 1000];
    for (const v of values) h.add(v);
    const b = h.buckets();
    expect(b[0]).toEqual({ low: 0, high: 0, count: 2 });
    expect(b.reduce((s, x) => s + x.count, 0)).toBe(values.length);
    // 3.02 and 3.03 fall in one bucket (about 1% wide): (1.01005^110, 1.01005^111] = (3.004, 3.035].
    expect(b.map((x) => x.count)).toEqual([2, 2, 1, 1]);
    for (let i = 1; i < b.length; i++) {
      expect(b[i]!.low).toBeLessThanOrEqual(b[i]!.high);
      expect(b[i]!.low).toBeGreaterThanOrEqual(b[i - 1]!.high);
    }
    expect(b[1]!.low).toBeLessThanOrEqual(3.02);
    expect(b[1]!.high).toBeGreaterThanOrEqual(3.03);
    expect(b[1]!.high / b[1]!.low).toBeLessThan(1.011);
    expect(b[3]!.high).toBe(1000);
    expect(new LogHistogram().buckets()).toEqual([]);
  });
});
