import { describe, expect, it } from 'vitest';
import { acceptanceForTokensPerStep, parseSpeculative } from './stated-speculative.js';

describe('parseSpeculative: speculative decoding as a published row states it', () => {
  it('reads the draft depth and the accept length or acceptance share, and says when it is not stated', () => {
    const notes: string[] = [];
    // SGLang's "accept len" counts tokens per step: 1 + a + a^2 + a^3 = 2.05 at 3 steps.
    const eagle = parseSpeculative('SGLang (ascend), EAGLE3 spec (3 steps, 4 draft tokens; accept len 2.05)', notes);
    expect(eagle).toMatchObject({ draftTokens: 3 });
    const a = (eagle as { acceptanceRate: number }).acceptanceRate;
    expect(1 + a + a * a + a ** 3).toBeCloseTo(2.05, 2);
    expect(parseSpeculative('CloudMatrix-Infer (MTP 1 token, ~70% acceptance per secondary notes)', [])).toEqual({ draftTokens: 1, acceptanceRate: 0.7 });
    expect(parseSpeculative('MTP steps1/topk1/draft2 (accept len ~1.8-1.9 for draft2)', [])).toEqual({ draftTokens: 1, acceptanceRate: 0.8 });
    // Depth not stated: SGLang's EAGLE3 default, said in the notes.
    const n2: string[] = [];
    expect(parseSpeculative('SGLang (ascend), EAGLE3 (accept 2.11)', n2)).toMatchObject({ draftTokens: 3 });
    expect(n2.join(' ')).toMatch(/draft depth not stated, 3 assumed/);
    // Used without an acceptance, or not at all.
    expect(parseSpeculative('DeepSeek internal (with MTP)', [])).toBe('unstated');
    expect(parseSpeculative('SGLang + DeepEP, no TBO, no MTP', [])).toBeUndefined();
    // An accept length the depth cannot give.
    expect(parseSpeculative('EAGLE3 (2 steps, accept len 3.5)', [])).toBe('unstated');
    expect(acceptanceForTokensPerStep(1, 1.8)).toBeCloseTo(0.8, 9);
  });
});
