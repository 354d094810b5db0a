/**
 * @module Power-of-two-choices routing (Mitzenmacher 2001): sample two candidates, keep the less loaded.
 */
import type { Router, RouterFactory } from './router.js';

/**
 * Draws two distinct positions with two calls to `ctx.random()` (one candidate: it, with no
 * draw) and keeps the one with fewer outstanding requests; ties go to fewer pending prefill
 * tokens, then to the first sample.
 */
export const powerOfTwo: RouterFactory = (): Router => ({
  name: 'power-of-two',
  pick(_req, candidates, ctx) {
    const n = candidates.length;
    if (n === 1) return 0;
    // min() guards against a product that rounds up to n.
    const a = Math.min(n - 1, Math.floor(ctx.random() * n));
    let b = Math.min(n - 2, Math.floor(ctx.random() * (n - 1)));
    if (b >= a) b++;
    const va = candidates[a]!;
    const vb = candidates[b]!;
    const d = vb.outstanding - va.outstanding || vb.pendingPrefillTokens - va.pendingPrefillTokens;
    return d < 0 ? b : a;
  },
});
