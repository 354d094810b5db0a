import { describe, expect, it } from 'vitest';
import { leastKv } from './least-kv.js';
import { request, seededContext, view } from './test-views.js';

describe('least-kv', () => {
  const pick = (...vs: Parameters<typeof view>[1][]) => leastKv().pick(request(0), vs.map((load, i) => view(i, load)), seededContext(0));

  it('picks the lowest KV use even with more outstanding requests', () => {
    expect(pick({ kvUsedFraction: 0.6 }, { kvUsedFraction: 0.2, outstanding: 9 }, { kvUsedFraction: 0.4 })).toBe(1);
  });

  it('breaks ties by outstanding, then by lowest index', () => {
    expect(pick({ kvUsedFraction: 0.5, outstanding: 3 }, { kvUsedFraction: 0.5, outstanding: 1 })).toBe(1);
    expect(pick({ kvUsedFraction: 0.9 }, { kvUsedFraction: 0.5 }, { kvUsedFraction: 0.5 })).toBe(1);
  });
});
