import { describe, expect, it } from 'vitest';
import { Welford } from './welford.js';

function expectRelative(actual: number, expected: number, tolerance = 1e-7): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
}

function twoPass(xs: readonly number[]): { mean: number; population: number; sample: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return { mean, population: ss / xs.length, sample: ss / (xs.length - 1) };
}

// Large offset, small spread: where a naive sum of squares loses every digit
// (both methods then carry the rounding of 1e9 + k/10 itself, hence 1e-7 relative).
const xs = Array.from({ length: 1000 }, (_, i) => 1e9 + ((i * 7919) % 101) / 10);

describe('Welford', () => {
  it('matches a two-pass computation', () => {
    const w = new Welford();
    for (const x of xs) w.add(x);
    const exact = twoPass(xs);
    expect(w.count).toBe(xs.length);
    expectRelative(w.mean, exact.mean);
    expectRelative(w.populationVariance, exact.population);
    expectRelative(w.sampleVariance, exact.sample);
    expectRelative(w.sampleStdDev, Math.sqrt(exact.sample));
  });

  it('merging two runs equals one run over all values', () => {
    const a = new Welford();
    const b = new Welford();
    xs.forEach((x, i) => (i < 300 ? a : b).add(x));
    a.merge(b);
    const exact = twoPass(xs);
    expect(a.count).toBe(xs.length);
    expectRelative(a.mean, exact.mean);
    expectRelative(a.sampleVariance, exact.sample);
    const empty = new Welford();
    empty.merge(a);
    expectRelative(empty.sampleVariance, exact.sample);
  });

  it('reports NaN where the statistic is undefined', () => {
    const w = new Welford();
    expect(w.mean).toBeNaN();
    expect(w.populationVariance).toBeNaN();
    w.add(3);
    expect(w.mean).toBe(3);
    expect(w.populationVariance).toBe(0);
    expect(w.sampleVariance).toBeNaN();
  });
});
