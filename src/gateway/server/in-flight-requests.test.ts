import { describe, expect, it, vi } from 'vitest';
import { InFlightRequests } from './in-flight-requests.js';

describe('InFlightRequests', () => {
  it('counts registered requests; unregistering twice counts once', () => {
    const f = new InFlightRequests();
    const a = f.add(() => {});
    const b = f.add(() => {});
    expect(f.size).toBe(2);
    a();
    a();
    expect(f.size).toBe(1);
    b();
    expect(f.size).toBe(0);
  });

  it('idle() resolves at once when empty, and only after the last request ends otherwise', async () => {
    const f = new InFlightRequests();
    await f.idle();
    const a = f.add(() => {});
    const b = f.add(() => {});
    let idle = false;
    const waiting = f.idle().then(() => (idle = true));
    a();
    await Promise.resolve();
    expect(idle).toBe(false);
    b();
    await waiting;
    expect(idle).toBe(true);
  });

  it('abortAll() reaches every request in progress once, including one registered in a reused slot, and none that ended', () => {
    const f = new InFlightRequests();
    const ended = vi.fn();
    const first = vi.fn();
    const reused = vi.fn();
    const endFirstLater = f.add(first);
    f.add(ended)();
    f.add(reused); // takes the slot the ended request freed
    expect(f.size).toBe(2);
    f.abortAll();
    expect(first).toHaveBeenCalledTimes(1);
    expect(first).toHaveBeenCalledWith('shutdown');
    expect(reused).toHaveBeenCalledTimes(1);
    expect(ended).not.toHaveBeenCalled();
    endFirstLater();
    expect(f.size).toBe(1);
  });

  it('abortAll() survives requests that unregister while being aborted', async () => {
    const f = new InFlightRequests();
    const calls: number[] = [];
    const ends: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      ends.push(
        f.add(() => {
          calls.push(i);
          ends[i]!();
        }),
      );
    }
    f.abortAll();
    expect(calls).toEqual([0, 1, 2, 3, 4]);
    expect(f.size).toBe(0);
    await f.idle();
  });
});
