import { describe, expect, it } from 'vitest';
import { powerOfTwo } from './power-of-two.js';
import type { RouterContext } from './router.js';
import { request, seededContext, view } from './test-views.js';

/** A context that replays the given draws. */
function scripted(...draws: number[]): RouterContext {
  let i = 0;
  return { random: () => draws[i++]! };
}

describe('power-of-two', () => {
  const router = powerOfTwo();
  const candidates = [0, 5, 2, 9].map((outstanding, i) => view(i, { outstanding }));

  it('never picks the worse of its two samples', () => {
    // Draws 0.5 and 0.0 sample positions 2 and 0; the draw for the second sample skips the first.
    expect(router.pick(request(0), candidates, scripted(0.5, 0))).toBe(0);
    expect(router.pick(request(0), candidates, scripted(0.5, 0.99))).toBe(2);
    // Position 3 is worse than every other, so it never wins a pair; with two candidates both are sampled.
    const ctx = seededContext(5);
    for (let k = 0; k < 500; k++) {
      expect(router.pick(request(k), candidates, ctx)).not.toBe(3);
      expect(router.pick(request(k), candidates.slice(1, 3), ctx)).toBe(1);
    }
  });

  it('draws two distinct candidates', () => {
    // Both draws land on position 1 (0.4 * 3 and 0.6 * 2 round down to 1); the second skips to 2.
    const three = [view(0, { outstanding: 1 }), view(1, { outstanding: 4 }), view(2, { outstanding: 0 })];
    expect(router.pick(request(0), three, scripted(0.4, 0.6))).toBe(2);
  });

  it('returns the only candidate without drawing', () => {
    expect(router.pick(request(0), [view(0)], scripted())).toBe(0);
  });
});
