import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { checkLengthDistribution, drawLengths, empiricalFromWorkload, type LengthPair } from './length-distribution.js';
import { createRng } from './rng.js';
import { WorkloadBuilder } from './workload.js';

describe('length distributions', () => {
  const stream = createRng(1).stream('lengths');
  const out: LengthPair = { prompt: 0, output: 0 };

  it('draws fixed, uniform and empirical lengths', () => {
    drawLengths({ kind: 'fixed', prompt: 7, output: 3 }, stream, out);
    expect(out).toEqual({ prompt: 7, output: 3 });
    for (let i = 0; i < 500; i++) {
      drawLengths({ kind: 'uniform', promptMin: 10, promptMax: 12, outputMin: 1, outputMax: 1 }, stream, out);
      expect(out.prompt).toBeGreaterThanOrEqual(10);
      expect(out.prompt).toBeLessThanOrEqual(12);
      expect(out.output).toBe(1);
      drawLengths({ kind: 'empirical', pairs: Int32Array.of(5, 50, 6, 60) }, stream, out);
      expect(out.output).toBe(out.prompt * 10);
    }
  });

  it('builds an empirical distribution from a workload', () => {
    const b = new WorkloadBuilder();
    b.add(0, 3, 4);
    b.add(1, 5, 6);
    const d = empiricalFromWorkload(b.build());
    expect(d.kind === 'empirical' && Array.from(d.pairs)).toEqual([3, 4, 5, 6]);
  });

  it('rejects lengths that are not positive integers', () => {
    expect(() => checkLengthDistribution({ kind: 'fixed', prompt: 0, output: 1 })).toThrow(InvalidInputError);
    expect(() => checkLengthDistribution({ kind: 'uniform', promptMin: 5, promptMax: 4, outputMin: 1, outputMax: 1 })).toThrow(/promptMax >= promptMin/);
    expect(() => checkLengthDistribution({ kind: 'empirical', pairs: Int32Array.of(1, 2, 3) })).toThrow(/even number/);
    expect(() => checkLengthDistribution({ kind: 'empirical', pairs: Int32Array.of(1, 0) })).toThrow(/pairs\[1\]/);
  });
});
