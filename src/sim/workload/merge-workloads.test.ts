import { describe, expect, it } from 'vitest';
import { mergeWorkloads } from './merge-workloads.js';
import { WorkloadBuilder, type Workload } from './workload.js';

function part(tenant: string, arrivals: number[], prompt: number, hashes?: number[][]): Workload {
  const b = new WorkloadBuilder({ tenantNames: [tenant] });
  arrivals.forEach((t, i) => b.add(t, prompt, 1, 0, hashes?.[i]));
  return b.build();
}

describe('mergeWorkloads', () => {
  it('merges in time order, ties in the order of the parts', () => {
    const w = mergeWorkloads([part('a', [0, 5, 10], 1), part('b', [1, 5, 20], 2), part('c', [], 3), part('a', [2], 4)]);
    expect(Array.from(w.arrivalMs)).toEqual([0, 1, 2, 5, 5, 10, 20]);
    expect(Array.from(w.promptTokens)).toEqual([1, 2, 4, 1, 2, 1, 2]);
    expect(w.tenantNames).toEqual(['a', 'b', 'c']);
    expect(Array.from(w.tenant)).toEqual([0, 1, 0, 0, 1, 0, 1]);
  });

  it('carries block hashes along', () => {
    const w = mergeWorkloads([part('a', [0, 10], 1, [[1, 2], [3]]), part('b', [5], 2)]);
    expect(Array.from(w.blockHashes!.offsets)).toEqual([0, 2, 2, 3]);
    expect(Array.from(w.blockHashes!.ids)).toEqual([1, 2, 3]);
  });

  it('merges nothing into an empty workload', () => {
    expect(mergeWorkloads([]).count).toBe(0);
  });
});
