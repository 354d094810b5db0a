import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { createRng, hashSeedAndName } from './rng.js';

function draws(seed: number, name: string, n = 8): number[] {
  const s = createRng(seed).stream(name);
  return Array.from({ length: n }, () => s.next());
}

function meanAndVariance(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('createRng', () => {
  it('gives the same draws for the same seed and name', () => {
    expect(draws(42, 'arrivals')).toEqual(draws(42, 'arrivals'));
  });

  it('pins the first draws of seed 1, stream arrivals', () => {
    expect(draws(1, 'arrivals', 3)).toEqual([0.5045176197309047, 0.6699348806869239, 0.9194020887371153]);
  });

  it('gives different draws for another seed or another name', () => {
    expect(draws(42, 'arrivals')).not.toEqual(draws(43, 'arrivals'));
    expect(draws(42, 'arrivals')).not.toEqual(draws(42, 'lengths'));
    expect(hashSeedAndName(2 ** 40, 'a')).not.toBe(hashSeedAndName(0, 'a'));
  });

  it('keeps a stream independent of the other streams used', () => {
    const alone = createRng(7).stream('arrivals');
    const a = [alone.next(), alone.next(), alone.next()];
    const busy = createRng(7);
    const other = busy.stream('routing');
    for (let i = 0; i < 100; i++) other.next();
    const s = busy.stream('arrivals');
    expect([s.next(), s.next(), s.next()]).toEqual(a);
  });

  it('returns the same stream object for the same name', () => {
    const rng = createRng(1);
    expect(rng.stream('x')).toBe(rng.stream('x'));
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => createRng(1.5)).toThrow(InvalidInputError);
    expect(() => createRng(Number.NaN)).toThrow(/integer seed/);
  });

  it('draws uniforms in [0, 1) with mean 1/2', () => {
    const xs = draws(3, 'u', 50_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(meanAndVariance(xs).mean).toBeCloseTo(0.5, 2);
    expect(meanAndVariance(xs).variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws integers in [lo, hi], ends included', () => {
    const s = createRng(5).stream('int');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(s.int(-2, 2));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    expect(() => s.int(3, 2)).toThrow(RangeError);
  });

  it('draws normal, exponential, gamma and Weibull variates with the right moments', () => {
    const s = createRng(11).stream('moments');
    const n = 40_000;
    const normal = meanAndVariance(Array.from({ length: n }, () => s.normal()));
    expect(normal.mean).toBeCloseTo(0, 1);
    expect(normal.variance).toBeCloseTo(1, 1);
    const expo = meanAndVariance(Array.from({ length: n }, () => s.exponential(3)));
    expect(expo.mean / 3).toBeCloseTo(1, 1);
    expect(Math.sqrt(expo.variance) / expo.mean).toBeCloseTo(1, 1);
    for (const shape of [0.3, 1, 4.5]) {
      const g = meanAndVariance(Array.from({ length: n }, () => s.gamma(shape, 2)));
      expect(g.mean / (shape * 2)).toBeCloseTo(1, 1);
      expect(g.variance / (shape * 4)).toBeGreaterThan(0.9);
      expect(g.variance / (shape * 4)).toBeLessThan(1.1);
    }
    // Weibull(k = 2, λ = 1): mean Γ(1.5) = √π / 2.
    const w = meanAndVariance(Array.from({ length: n }, () => s.weibull(2, 1)));
    expect(w.mean).toBeCloseTo(Math.sqrt(Math.PI) / 2, 2);
    expect(() => s.gamma(0, 1)).toThrow(RangeError);
    expect(() => s.weibull(1, -1)).toThrow(RangeError);
  });
});
