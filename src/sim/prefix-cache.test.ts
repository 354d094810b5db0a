import { describe, expect, it } from 'vitest';
import { PrefixCache } from './prefix-cache.js';

describe('PrefixCache', () => {
  it('counts only the leading run of cached blocks', () => {
    const c = new PrefixCache(Infinity);
    expect(c.lookupAndInsert([1, 2, 3])).toBe(0);
    expect(c.lookupAndInsert([1, 2, 9, 3])).toBe(2);
    expect(c.lookupAndInsert([7, 1, 2])).toBe(0);
    expect(c.hits).toBe(2);
    expect(c.lookups).toBe(10);
  });
  it('evicts the least recently used blocks beyond its capacity', () => {
    const c = new PrefixCache(3);
    c.lookupAndInsert([1, 2, 3]);
    c.lookupAndInsert([1]); // 1 is now the most recent
    c.lookupAndInsert([4]); // evicts 2
    expect(c.size).toBe(3);
    expect(c.lookupAndInsert([1])).toBe(1);
    expect(c.lookupAndInsert([2])).toBe(0);
  });
});
