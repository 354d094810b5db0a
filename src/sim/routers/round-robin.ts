/**
 * @module Round-robin routing: cycles over candidate positions, ignoring load.
 */
import type { Router, RouterFactory } from './router.js';

/**
 * Each instance keeps one counter; the pick is `counter mod candidates.length`, so the
 * cycle stays valid when the candidate list changes size between calls (different pools
 * for different requests). It then spreads evenly only over calls with the same list.
 */
export const roundRobin: RouterFactory = (): Router => {
  let counter = 0;
  return {
    name: 'round-robin',
    pick(_req, candidates) {
      // A double counts exactly up to 2^53 calls, far beyond any run.
      return counter++ % candidates.length;
    },
  };
};
