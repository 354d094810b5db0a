import { describe, expect, it } from 'vitest';
import { affinityHash, prefixAffinity } from './prefix-affinity.js';
import { request, seededContext, views } from './test-views.js';

describe('prefix-affinity', () => {
  const ctx = seededContext(0);

  it('sends requests with the same leading four blocks to the same replica', () => {
    const router = prefixAffinity();
    const candidates = views(8);
    const homes = new Set<number>();
    // With all load h on the home of 8 replicas it overloads once h > h / 4 + 4, i.e. at 6.
    for (let k = 0; k < 6; k++) {
      // Same first four blocks, different tails and lengths.
      const pos = router.pick(request(k, [11, 22, 33, 44, 1000 + k, k]), candidates, ctx);
      homes.add(pos);
      candidates[pos]!.outstanding++;
    }
    expect(homes.size).toBe(1);
  });

  it('gives different prefixes different homes', () => {
    const router = prefixAffinity();
    const candidates = views(8);
    const homes = new Set<number>();
    for (let k = 0; k < 64; k++) homes.add(router.pick(request(k, [k * 4096, 7]), candidates, ctx));
    expect(homes.size).toBe(8);
    expect(affinityHash([1, 2, 3, 4, 5])).toBe(affinityHash([1, 2, 3, 4, 6]));
    expect(affinityHash([1, 2])).not.toBe(affinityHash([2, 1]));
  });

  it('falls back to least-outstanding when the home is overloaded', () => {
    const router = prefixAffinity();
    const candidates = views(4);
    const req = request(0, [5, 6, 7, 8]);
    const home = router.pick(req, candidates, ctx);
    const other = (home + 1) % 4;
    for (const v of candidates) v.outstanding = 3;
    candidates[other]!.outstanding = 1;
    // Others hold 3 + 3 + 1; home h is overloaded iff h > 2 * (7 + h) / 4 + 4, i.e. h > 15.
    candidates[home]!.outstanding = 15;
    expect(router.pick(req, candidates, ctx)).toBe(home);
    candidates[home]!.outstanding = 16;
    expect(router.pick(req, candidates, ctx)).toBe(other);
  });

  it('uses least-outstanding for requests without block hashes', () => {
    const candidates = views(3);
    candidates[0]!.outstanding = 2;
    candidates[2]!.outstanding = 1;
    expect(prefixAffinity().pick(request(0), candidates, ctx)).toBe(1);
    expect(prefixAffinity().pick(request(0, []), candidates, ctx)).toBe(1);
  });
});
