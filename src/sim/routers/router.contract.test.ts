import { describe, expect, it } from 'vitest';
import { ROUTER_NAMES, ROUTERS, type RouterName } from './index.js';
import type { RouteRequest } from './router.js';
import { request, seededContext, view, views, type TestView } from './test-views.js';

/** A varied load, so that every tie-break and comparison is exercised. */
function loaded(n: number, seed: number): TestView[] {
  const ctx = seededContext(seed);
  return Array.from({ length: n }, (_, i) =>
    view(10 + 3 * i, {
      pool: i % 2,
      outstanding: Math.floor(ctx.random() * 5),
      pendingPrefillTokens: Math.floor(ctx.random() * 3) * 256,
      kvUsedFraction: Math.floor(ctx.random() * 4) / 4,
      msPerRequest: 50 + Math.floor(ctx.random() * 3) * 50,
    }),
  );
}

/** Shared prefixes for some requests, none for others, so prefix-affinity takes both paths. */
function mixedRequest(id: number): RouteRequest {
  return request(id, id % 3 === 0 ? undefined : [id % 5, 7, 11, 13, 17]);
}

describe.each(ROUTER_NAMES)('router %s', (name: RouterName) => {
  it('has its registry name', () => {
    expect(ROUTERS[name]().name).toBe(name);
  });

  it('returns a valid position for 1..8 candidates', () => {
    const router = ROUTERS[name]();
    const ctx = seededContext(1);
    for (let n = 1; n <= 8; n++) {
      for (let k = 0; k < 20; k++) {
        const pos = router.pick(mixedRequest(k), loaded(n, 100 * n + k), ctx);
        expect(Number.isInteger(pos)).toBe(true);
        expect(pos).toBeGreaterThanOrEqual(0);
        expect(pos).toBeLessThan(n);
      }
    }
  });

  it('is deterministic for the same calls and random stream', () => {
    const run = () => {
      const router = ROUTERS[name]();
      const ctx = seededContext(42);
      const picks: number[] = [];
      for (let k = 0; k < 200; k++) picks.push(router.pick(mixedRequest(k), loaded(1 + (k % 6), k), ctx));
      return picks;
    };
    expect(run()).toEqual(run());
  });

  it('never picks a replica outside candidates, even when others are idle', () => {
    // The cluster is replicas 0..7; candidates are a busy subset of varying size, and the idle
    // ones (0, 1) are never among them.
    const cluster = views(8);
    for (const v of cluster) v.outstanding = v.index < 2 ? 0 : 10;
    const router = ROUTERS[name]();
    const ctx = seededContext(3);
    for (let k = 0; k < 300; k++) {
      const candidates = cluster.slice(2, 3 + (k % 6));
      const chosen = candidates[router.pick(mixedRequest(k), candidates, ctx)];
      expect(chosen).toBeDefined();
      expect(chosen!.index).toBeGreaterThanOrEqual(2);
      chosen!.outstanding++;
    }
  });

  it('spreads 1000 requests over 4 idle replicas so that none gets more than half', () => {
    const candidates = views(4);
    const router = ROUTERS[name]();
    const ctx = seededContext(7);
    // Identical requests, except that prefix-affinity gets distinct prefixes: one shared prefix
    // must go to one replica until it overloads, by design.
    const same = request(0);
    for (let k = 0; k < 1000; k++) {
      const req = name === 'prefix-affinity' ? request(k, [k, k + 1, k + 2]) : same;
      candidates[router.pick(req, candidates, ctx)]!.outstanding++;
    }
    for (const v of candidates) expect(v.outstanding).toBeLessThanOrEqual(500);
    expect(candidates.reduce((s, v) => s + v.outstanding, 0)).toBe(1000);
  });
});
