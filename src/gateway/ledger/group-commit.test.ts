import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

describe('createGroupCommit', () => {
  it('writes what arrives in one turn of the loop in one commit, and resolves each caller after it', async () => {
    const commits: number[][] = [];
    const group = createGroupCommit<number>((items) => {
      commits.push([...items]);
    });
    const settled: number[] = [];
    const first = [1, 2, 3].map((n) => group.add(n).then(() => settled.push(n)));
    expect(commits).toEqual([]); // nothing is written before the turn ends
    await Promise.all(first);
    expect(commits).toEqual([[1, 2, 3]]);
    expect(settled).toEqual([1, 2, 3]);
    await group.add(4);
    expect(commits).toEqual([[1, 2, 3], [4]]);
  });

  it("writes a turn's first record at once, and the records handed in later in that turn together at its end", async () => {
    const commits: number[][] = [];
    const group = createGroupCommit<number>((items) => {
      commits.push([...items]);
    });
    const turnEnd = () => new Promise<void>((resolve) => setImmediate(resolve));
    const first = group.add(1);
    await Promise.resolve();
    // Written in a microtask: before anything else the turn does, not at its end.
    expect(commits).toEqual([[1]]);
    await first;
    const later = [group.add(2), group.add(3)];
    await Promise.resolve();
    expect(commits).toEqual([[1]]); // the turn already wrote once: these wait for its end
    await Promise.all(later);
    expect(commits).toEqual([[1], [2, 3]]);
    // A new turn writes its first record at once again.
    await turnEnd();
    const next = group.add(4);
    await Promise.resolve();
    expect(commits).toEqual([[1], [2, 3], [4]]);
    await next;
  });

  it('retries a failed batch one item at a time, so that only the bad one fails', async () => {
    const commits: number[][] = [];
    const group = createGroupCommit<number>((items) => {
      commits.push([...items]);
      if (items.includes(2)) throw new Error('bad item');
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => group.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(commits).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('waits for asynchronous commits: flush resolves once everything queued is written', async () => {
    const written: number[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const group = createGroupCommit<number>(async (items) => {
      await gate;
      written.push(...items);
    });
    const pending = [group.add(1), group.add(2)];
    const flushed = group.flush();
    expect(written).toEqual([]);
    open();
    await flushed;
    expect(written).toEqual([1, 2]);
    await Promise.all(pending);
  });
});
