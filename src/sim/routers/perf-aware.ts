/**
 * @module Performance-aware routing: the candidate predicted to finish the request first.
 */
import type { Router, RouterFactory } from './router.js';

/**
 * Lowest `predictCompletionMs(promptTokens, outputTokens)`; ties go to the lowest replica index.
 * Unlike load counts this weighs a fast accelerator's queue against a slow one's, so a fast
 * replica may be chosen while it holds more requests than a slow one.
 */
export const perfAware: RouterFactory = (): Router => ({
  name: 'perf-aware',
  pick(req, candidates) {
    let best = 0;
    let bestView = candidates[0]!;
    let bestMs = bestView.predictCompletionMs(req.promptTokens, req.outputTokens);
    for (let i = 1; i < candidates.length; i++) {
      const v = candidates[i]!;
      const ms = v.predictCompletionMs(req.promptTokens, req.outputTokens);
      // `!(ms >= bestMs)` would prefer NaN; a NaN prediction never wins.
      if (ms < bestMs || (ms === bestMs && v.index < bestView.index)) {
        best = i;
        bestView = v;
        bestMs = ms;
      }
    }
    return best;
  },
});
