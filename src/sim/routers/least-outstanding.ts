/**
 * @module Least-outstanding routing: the candidate with the fewest queued or running requests.
 */
import type { ReplicaView, Router, RouterFactory } from './router.js';

/**
 * Position of the candidate with the fewest outstanding requests; ties go to the lowest
 * `pendingPrefillTokens` (less prompt work ahead), then to the lowest replica index, so the
 * choice does not depend on the order of `candidates`. Also the fallback of other policies.
 */
export function leastOutstandingPosition(candidates: readonly ReplicaView[]): number {
  let best = 0;
  let bestView = candidates[0]!;
  for (let i = 1; i < candidates.length; i++) {
    const v = candidates[i]!;
    const d = v.outstanding - bestView.outstanding || v.pendingPrefillTokens - bestView.pendingPrefillTokens || v.index - bestView.index;
    if (d < 0) {
      best = i;
      bestView = v;
    }
  }
  return best;
}

export const leastOutstanding: RouterFactory = (): Router => ({
  name: 'least-outstanding',
  pick: (_req, candidates) => leastOutstandingPosition(candidates),
});
