/**
 * @module Speculative decoding as a published result states it in free text: the draft depth and how well
 * drafts are accepted (an accept length in tokens per step, or an acceptance share), turned into the
 * performance model's SpeculativeConfig.
 */
import { expectedTokensPerStep, type SpeculativeConfig } from '../core/perf/deployment.js';

/** The per-token acceptance a at which 1 + a + ... + a^k = tokensPerStep (bisection; tokensPerStep in [1, k + 1)). */
export function acceptanceForTokensPerStep(draftTokens: number, tokensPerStep: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (expectedTokensPerStep({ draftTokens, acceptanceRate: mid }) < tokensPerStep) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Draft depth assumed when a row gives an EAGLE accept length but not its steps: SGLang's EAGLE3 examples run 3 steps. */
const EAGLE_DEFAULT_STEPS = 3;

/**
 * Speculative decoding as a row states it, from its free text: the draft depth ("steps 2", "NEXTN steps 2",
 * "MTP 1 token") and either the accept length (tokens per step, "accept len 2.05") or the acceptance share
 * ("70% acceptance"). Undefined when the row does not use it; 'unstated' when it does without saying how well
 * drafts are accepted.
 */
export function parseSpeculative(text: string, notes: string[]): SpeculativeConfig | 'unstated' | undefined {
  if (!/(?<!no )\bMTP\b|EAGLE|NEXTN|speculative/i.test(text)) return undefined;
  const stepsMatch = /\bsteps\s*(\d+)|(\d+)\s*steps\b|\bMTP\s+(\d+)\s+tokens?\b/i.exec(text);
  let k = stepsMatch ? Number(stepsMatch[1] ?? stepsMatch[2] ?? stepsMatch[3]) : undefined;
  const len = /accept(?:ance)?(?:\s+len(?:gth)?)?\s*~?\s*(\d+(?:\.\d+)?)(?!\s*%)/i.exec(text);
  const share = /(\d+(?:\.\d+)?)\s*%\s*acceptance/i.exec(text);
  const tokensPerStep = len ? Number(len[1]) : undefined;
  if (tokensPerStep === undefined && share === null) return 'unstated';
  if (k === undefined) {
    k = /EAGLE/i.test(text) ? EAGLE_DEFAULT_STEPS : 1;
    notes.push(`speculative decoding: draft depth not stated, ${k} assumed (${/EAGLE/i.test(text) ? "SGLang's EAGLE3 examples" : 'one MTP token'})`);
  }
  if (!(k >= 1 && k <= 8)) return 'unstated';
  let a: number;
  if (tokensPerStep !== undefined) {
    if (!(tokensPerStep >= 1 && tokensPerStep < k + 1)) return 'unstated';
    a = acceptanceForTokensPerStep(k, tokensPerStep);
  } else {
    a = Number(share![1]) / 100;
    if (!(a >= 0 && a < 1)) return 'unstated';
  }
  const rounded = Math.round(a * 1000) / 1000;
  notes.push(`speculative decoding: ${k} drafted token${k > 1 ? 's' : ''} per step, acceptance ${rounded} (${expectedTokensPerStep({ draftTokens: k, acceptanceRate: rounded }).toFixed(2)} tokens per step) from the row`);
  return { draftTokens: k, acceptanceRate: rounded };
}
