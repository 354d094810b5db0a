import { describe, expect, it } from 'vitest';
import { AbortSwitch, type AbortLike } from './abort-switch.js';

describe('AbortSwitch', () => {
  it('runs its listeners once, at the first abort, and none added after it', () => {
    const a = new AbortSwitch();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    a.addEventListener('abort', () => calls.push('first'));
    a.addEventListener('abort', removed);
    a.addEventListener('abort', () => calls.push('second'), { once: true });
    a.removeEventListener('abort', removed);
    expect(a.aborted).toBe(false);
    a.abort();
    a.abort();
    a.addEventListener('abort', () => calls.push('late'));
    expect(a.aborted).toBe(true);
    expect(calls).toEqual(['first', 'second']);
  });

  it('is interchangeable with an AbortSignal where an AbortLike is read', () => {
    const seen = (s: AbortLike) => s.aborted;
    const ac = new AbortController();
    ac.abort();
    expect(seen(ac.signal)).toBe(true);
    expect(seen(new AbortSwitch())).toBe(false);
  });
});
