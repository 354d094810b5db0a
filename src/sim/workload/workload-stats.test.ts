import { describe, expect, it } from 'vitest';
import { WorkloadBuilder } from './workload.js';
import { repeatedBlockFraction, summarizeWorkload } from './workload-stats.js';

describe('summarizeWorkload', () => {
  it('computes rate, means and inter-arrival CV', () => {
    const b = new WorkloadBuilder();
    [0, 1000, 2000, 3000].forEach((t, i) => b.add(t, 100 * (i + 1), 10, 0, i === 3 ? [1, 2] : [1]));
    const w = b.build();
    const s = summarizeWorkload(w);
    expect(s).toMatchObject({ count: 4, durationMs: 3000, ratePerSecond: 1, meanPromptTokens: 250, meanOutputTokens: 10, interArrivalCv: 0 });
    // ids 1, 1, 1, 1, 2: three repeats out of five blocks.
    expect(repeatedBlockFraction(w)).toBeCloseTo(0.6);
  });

  it('is all zeros for an empty workload', () => {
    expect(summarizeWorkload(new WorkloadBuilder().build())).toMatchObject({ count: 0, ratePerSecond: 0, meanPromptTokens: 0 });
  });
});
