import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { gammaWorkload, poissonWorkload } from './synthetic.js';
import { summarizeWorkload } from './workload-stats.js';

const lengths = { kind: 'uniform', promptMin: 100, promptMax: 2000, outputMin: 10, outputMax: 500 } as const;

describe('poissonWorkload', () => {
  it('arrives at the asked rate (within 5% over 20k requests), with CV near 1', () => {
    const w = poissonWorkload({ ratePerSecond: 12, count: 20_000, lengths, seed: 1 });
    const s = summarizeWorkload(w);
    expect(s.count).toBe(20_000);
    expect(Math.abs(s.ratePerSecond / 12 - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.interArrivalCv - 1)).toBeLessThan(0.05);
    expect(s.meanPromptTokens).toBeGreaterThan(1000);
    expect(s.meanPromptTokens).toBeLessThan(1100);
  });

  it('is deterministic per seed', () => {
    const a = poissonWorkload({ ratePerSecond: 5, count: 1000, lengths, seed: 9 });
    const b = poissonWorkload({ ratePerSecond: 5, count: 1000, lengths, seed: 9 });
    const c = poissonWorkload({ ratePerSecond: 5, count: 1000, lengths, seed: 10 });
    expect(a.arrivalMs).toEqual(b.arrivalMs);
    expect(a.promptTokens).toEqual(b.promptTokens);
    expect(a.outputTokens).toEqual(b.outputTokens);
    expect(a.arrivalMs).not.toEqual(c.arrivalMs);
    expect(a.promptTokens).not.toEqual(c.promptTokens);
  });

  it('pins the draws of seed 1 (a change here changes every seeded result)', () => {
    const w = poissonWorkload({ ratePerSecond: 10, count: 3, lengths: { kind: 'uniform', promptMin: 1, promptMax: 1000, outputMin: 1, outputMax: 100 }, seed: 1 });
    expect(Array.from(w.arrivalMs)).toEqual([1.1537250937009607, 187.9087585136716, 293.63052447209134]);
    expect(Array.from(w.promptTokens)).toEqual([82, 960, 92]);
    expect(Array.from(w.outputTokens)).toEqual([50, 10, 38]);
  });

  it('draws arrivals independently of lengths', () => {
    const a = poissonWorkload({ ratePerSecond: 5, count: 100, lengths, seed: 3 });
    const b = poissonWorkload({ ratePerSecond: 5, count: 100, lengths: { kind: 'fixed', prompt: 1, output: 1 }, seed: 3 });
    expect(a.arrivalMs).toEqual(b.arrivalMs);
  });

  it('stops at the duration, whichever of count and duration comes first', () => {
    const w = poissonWorkload({ ratePerSecond: 50, durationSeconds: 20, lengths, seed: 2 });
    expect(w.arrivalMs[w.count - 1]!).toBeLessThan(20_000);
    expect(Math.abs(w.count / 1000 - 1)).toBeLessThan(0.15);
    expect(poissonWorkload({ ratePerSecond: 50, durationSeconds: 20, count: 10, lengths, seed: 2 }).count).toBe(10);
  });

  it('refuses options that make no workload', () => {
    expect(() => poissonWorkload({ ratePerSecond: 0, count: 1, lengths, seed: 1 })).toThrow(InvalidInputError);
    expect(() => poissonWorkload({ ratePerSecond: 1, lengths, seed: 1 })).toThrow(/count or a duration/);
    expect(() => poissonWorkload({ ratePerSecond: 1, durationSeconds: -1, lengths, seed: 1 })).toThrow(/duration/);
  });
});

describe('gammaWorkload', () => {
  it.each([0.5, 2, 4])('reaches CV %s within 10% and the rate within 5%', (cv) => {
    const w = gammaWorkload({ ratePerSecond: 8, cv, count: 20_000, lengths, seed: 4 });
    const s = summarizeWorkload(w);
    expect(Math.abs(s.interArrivalCv / cv - 1)).toBeLessThan(0.1);
    expect(Math.abs(s.ratePerSecond / 8 - 1)).toBeLessThan(0.05 * Math.max(1, cv));
  });

  it('tags every request with the tenant', () => {
    const w = gammaWorkload({ ratePerSecond: 1, cv: 1, count: 3, lengths, seed: 4, tenant: 'batch' });
    expect(w.tenantNames).toEqual(['batch']);
    expect(() => gammaWorkload({ ratePerSecond: 1, cv: 0, count: 3, lengths, seed: 4 })).toThrow(/coefficient of variation/);
  });
});
