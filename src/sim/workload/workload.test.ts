import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { WorkloadBuilder, repeatWorkload, scaleRate, sliceWorkload, type Workload } from './workload.js';

function small(withHashes = true): Workload {
  const b = new WorkloadBuilder({ capacity: 1, tenantNames: ['a', 'b'], blockTokens: 512 });
  b.add(0, 600, 10, 0, withHashes ? [0, 1] : undefined);
  b.add(100, 100, 20, 1, withHashes ? [2] : undefined);
  b.add(300, 1100, 30, 0, withHashes ? [0, 1, 3] : undefined);
  return b.build();
}

describe('WorkloadBuilder', () => {
  it('grows past its capacity and trims on build', () => {
    const b = new WorkloadBuilder({ capacity: 1 });
    for (let i = 0; i < 1000; i++) b.add(i * 2, 10 + i, 1 + (i % 7));
    const w = b.build();
    expect(w.count).toBe(1000);
    expect(w.arrivalMs.length).toBe(1000);
    expect(w.arrivalMs[999]).toBe(1998);
    expect(w.promptTokens[500]).toBe(510);
    expect(w.tenantNames).toEqual(['default']);
    expect(w.blockHashes).toBeUndefined();
  });

  it('stores block hashes as offsets and ids', () => {
    const w = small();
    expect(Array.from(w.blockHashes!.offsets)).toEqual([0, 2, 3, 6]);
    expect(Array.from(w.blockHashes!.ids)).toEqual([0, 1, 2, 0, 1, 3]);
    expect(w.blockTokens).toBe(512);
  });

  it('adds tenants by name and refuses arrivals out of order', () => {
    const b = new WorkloadBuilder({ tenantNames: [] });
    expect(b.tenantIndex('x')).toBe(0);
    expect(b.tenantIndex('y')).toBe(1);
    expect(b.tenantIndex('x')).toBe(0);
    b.add(5, 1, 1);
    expect(() => b.add(4, 1, 1)).toThrow(RangeError);
  });
});

describe('repeatWorkload', () => {
  it('tiles copies one span plus one mean gap apart', () => {
    const w = repeatWorkload(small(), 3);
    expect(w.count).toBe(9);
    // span 300 ms over 2 gaps: period 450 ms.
    expect(Array.from(w.arrivalMs)).toEqual([0, 100, 300, 450, 550, 750, 900, 1000, 1200]);
    expect(Array.from(w.promptTokens.subarray(3, 6))).toEqual([600, 100, 1100]);
    expect(Array.from(w.tenant)).toEqual([0, 1, 0, 0, 1, 0, 0, 1, 0]);
  });

  it('offsets hash ids so that copies share no prefix', () => {
    const w = repeatWorkload(small(), 2);
    expect(Array.from(w.blockHashes!.offsets)).toEqual([0, 2, 3, 6, 8, 9, 12]);
    expect(Array.from(w.blockHashes!.ids)).toEqual([0, 1, 2, 0, 1, 3, 4, 5, 6, 4, 5, 7]);
  });

  it('keeps the duration scaling with the number of copies', () => {
    const w = small(false);
    const r = repeatWorkload(w, 10);
    expect(r.count).toBe(30);
    expect(r.arrivalMs[29]! - r.arrivalMs[0]!).toBeCloseTo(9 * 450 + 300);
    expect(() => repeatWorkload(w, 0)).toThrow(InvalidInputError);
  });
});

describe('scaleRate and sliceWorkload', () => {
  it('divides arrival times by the factor', () => {
    const w = scaleRate(small(), 4);
    expect(Array.from(w.arrivalMs)).toEqual([0, 25, 75]);
    expect(w.promptTokens).toEqual(small().promptTokens);
    expect(() => scaleRate(small(), 0)).toThrow(InvalidInputError);
  });

  it('keeps the first requests and their hashes', () => {
    const w = sliceWorkload(small(), 2);
    expect(w.count).toBe(2);
    expect(Array.from(w.blockHashes!.offsets)).toEqual([0, 2, 3]);
    expect(Array.from(w.blockHashes!.ids)).toEqual([0, 1, 2]);
    expect(sliceWorkload(small(), 10).count).toBe(3);
  });
});
