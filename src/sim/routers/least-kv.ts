/**
 * @module Least-KV routing: the candidate with the emptiest KV cache.
 */
import type { Router, RouterFactory } from './router.js';

/** Lowest `kvUsedFraction`; ties go to fewer outstanding requests, then to the lowest replica index. */
export const leastKv: RouterFactory = (): Router => ({
  name: 'least-kv',
  pick(_req, candidates) {
    let best = 0;
    let bestView = candidates[0]!;
    for (let i = 1; i < candidates.length; i++) {
      const v = candidates[i]!;
      const d = v.kvUsedFraction - bestView.kvUsedFraction || v.outstanding - bestView.outstanding || v.index - bestView.index;
      if (d < 0) {
        best = i;
        bestView = v;
      }
    }
    return best;
  },
});
