import { describe, expect, it } from 'vitest';
import { leastOutstanding } from './least-outstanding.js';
import { request, seededContext, view } from './test-views.js';

describe('least-outstanding', () => {
  const pick = (...vs: Parameters<typeof view>[1][]) =>
    leastOutstanding().pick(request(0), vs.map((load, i) => view(i, load)), seededContext(0));

  it('picks the fewest outstanding requests', () => {
    expect(pick({ outstanding: 3 }, { outstanding: 1 }, { outstanding: 2 })).toBe(1);
  });

  it('breaks ties by pending prefill tokens, then by lowest index', () => {
    expect(pick({ outstanding: 1, pendingPrefillTokens: 900 }, { outstanding: 1, pendingPrefillTokens: 100 })).toBe(1);
    expect(pick({ outstanding: 2 }, { outstanding: 1 }, { outstanding: 1 })).toBe(1);
  });
});
