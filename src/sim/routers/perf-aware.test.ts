import { describe, expect, it } from 'vitest';
import { perfAware } from './perf-aware.js';
import { request, seededContext, view } from './test-views.js';

describe('perf-aware', () => {
  it('picks the fastest predicted completion even when it has more outstanding requests', () => {
    // Slow: 400 ms per request ahead, 1 outstanding -> 800 ms. Fast: 100 ms, 4 outstanding -> 500 ms.
    const candidates = [view(0, { msPerRequest: 400, outstanding: 1 }), view(1, { msPerRequest: 100, outstanding: 4 })];
    expect(perfAware().pick(request(0), candidates, seededContext(0))).toBe(1);
  });

  it('passes the request lengths to the prediction and breaks ties by lowest index', () => {
    const seen: number[] = [];
    const candidates = [5, 3, 4].map((index) => ({
      ...view(index),
      predictCompletionMs: (p: number, o: number) => (seen.push(p, o), 10),
    }));
    expect(perfAware().pick({ ...request(0), promptTokens: 70, outputTokens: 9 }, candidates, seededContext(0))).toBe(1);
    expect(seen).toEqual([70, 9, 70, 9, 70, 9]);
  });
});
