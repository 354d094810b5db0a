import { describe, expect, it } from 'vitest';
import { VtcQueue } from './vtc-queue.js';

interface Req {
  readonly tenant: string;
  readonly seq: number;
  readonly input: number;
  readonly output: number;
}

/**
 * Keeps every tenant backlogged (refilling to `depth` queued requests), serves
 * `n` requests charging each one's tokens on dispatch, and returns the weighted
 * service (input x 1 + output x 2) per tenant.
 */
function serve(q: VtcQueue<Req>, tenants: { id: string; weight: number; input: number; output: number; depth: number }[], n: number) {
  const service = new Map<string, number>(tenants.map((t) => [t.id, 0]));
  const seq = new Map<string, number>(tenants.map((t) => [t.id, 0]));
  const order: string[] = [];
  const refill = () => {
    for (const t of tenants) {
      while (q.queuedFor(t.id) < t.depth) {
        const s = seq.get(t.id)!;
        seq.set(t.id, s + 1);
        q.enqueue(t.id, t.weight, { tenant: t.id, seq: s, input: t.input, output: t.output }, t.input + t.output);
      }
    }
  };
  for (let i = 0; i < n; i++) {
    refill();
    const r = q.dequeue()!;
    q.charge(r.tenant, r.input, r.output);
    service.set(r.tenant, service.get(r.tenant)! + r.input + 2 * r.output);
    order.push(`${r.tenant}${r.seq}`);
  }
  return { service, order };
}

describe('VtcQueue', () => {
  it('gives two equal-weight tenants equal service when one floods with large requests', () => {
    const q = new VtcQueue<Req>();
    const { service } = serve(
      q,
      [
        { id: 'flood', weight: 1, input: 2000, output: 800, depth: 200 },
        { id: 'small', weight: 1, input: 150, output: 60, depth: 2 },
      ],
      2000,
    );
    const a = service.get('flood')!;
    const b = service.get('small')!;
    expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(0.1);
  });

  it('serves weights 2:1 in proportion 2:1', () => {
    const q = new VtcQueue<Req>();
    const { service } = serve(
      q,
      [
        { id: 'gold', weight: 2, input: 500, output: 200, depth: 5 },
        { id: 'bronze', weight: 1, input: 300, output: 300, depth: 5 },
      ],
      3000,
    );
    const ratio = service.get('gold')! / service.get('bronze')!;
    expect(ratio).toBeGreaterThan(2 * 0.9);
    expect(ratio).toBeLessThan(2 * 1.1);
  });

  it('charges with configurable token weights, divided by the tenant weight', () => {
    const q = new VtcQueue<string>({ inputTokenWeight: 0.5, outputTokenWeight: 4 });
    q.charge('t', 100, 10, 2);
    expect(q.counter('t')).toBeCloseTo((100 * 0.5 + 10 * 4) / 2, 12);
  });

  it('lifts a tenant returning from idle to the smallest backlogged counter: no burst', () => {
    const q = new VtcQueue<Req>();
    // Both busy for a while, then `b` goes idle while `a` keeps being served.
    serve(
      q,
      [
        { id: 'a', weight: 1, input: 100, output: 100, depth: 3 },
        { id: 'b', weight: 1, input: 100, output: 100, depth: 3 },
      ],
      100,
    );
    while (q.queuedFor('b') > 0) {
      const r = q.dequeue()!;
      q.charge(r.tenant, r.input, r.output);
    }
    for (let i = 0; i < 500; i++) {
      q.enqueue('a', 1, { tenant: 'a', seq: 1000 + i, input: 100, output: 100 }, 200);
      const r = q.dequeue()!;
      expect(r.tenant).toBe('a');
      q.charge('a', r.input, r.output);
    }
    q.enqueue('a', 1, { tenant: 'a', seq: 5000, input: 100, output: 100 }, 200);
    const aCounter = q.counter('a');
    expect(q.counter('b')).toBeLessThan(aCounter);
    // `b` returns with a long backlog: its counter starts at a's, so service alternates instead of b catching up.
    for (let i = 0; i < 50; i++) q.enqueue('b', 1, { tenant: 'b', seq: 2000 + i, input: 100, output: 100 }, 200);
    expect(q.counter('b')).toBe(aCounter);
    const { order } = serve(
      q,
      [
        { id: 'a', weight: 1, input: 100, output: 100, depth: 1 },
        { id: 'b', weight: 1, input: 100, output: 100, depth: 1 },
      ],
      40,
    );
    let run = 0;
    let longest = 0;
    for (const o of order) {
      run = o.startsWith('b') ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThanOrEqual(1);
  });

  it('lifts a tenant arriving at an empty queue to the counter of the tenant that left last', () => {
    const q = new VtcQueue<string>();
    q.enqueue('a', 1, 'a1', 10);
    expect(q.dequeue()).toBe('a1');
    q.charge('a', 1000, 0);
    q.enqueue('b', 1, 'b1', 10);
    expect(q.counter('b')).toBe(1000);
  });

  it('keeps FIFO order within a tenant', () => {
    const q = new VtcQueue<number>();
    for (let i = 0; i < 200; i++) q.enqueue('t', 1, i, 1);
    const out: number[] = [];
    for (let x = q.dequeue(); x !== undefined; x = q.dequeue()) {
      out.push(x);
      q.charge('t', 1, 1);
    }
    expect(out).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(q.size).toBe(0);
    expect(q.queuedTokens).toBe(0);
  });

  it('breaks ties by tenant id and is deterministic', () => {
    const run = () => {
      const q = new VtcQueue<Req>();
      for (const id of ['c', 'a', 'b']) q.enqueue(id, 1, { tenant: id, seq: 0, input: 10, output: 5 }, 15);
      const first = q.dequeueEntry()!.tenantId;
      q.charge(first, 10, 5);
      const rest = serve(
        q,
        [
          { id: 'a', weight: 1, input: 37, output: 11, depth: 2 },
          { id: 'b', weight: 3, input: 5, output: 90, depth: 1 },
          { id: 'c', weight: 1.5, input: 400, output: 2, depth: 4 },
        ],
        500,
      ).order;
      return [first, ...rest];
    };
    const a = run();
    expect(a[0]).toBe('a');
    expect(run()).toEqual(a);
  });

  it('removes a queued request and drops an emptied tenant from the backlog', () => {
    const q = new VtcQueue<string>();
    q.enqueue('a', 1, 'a1', 5);
    q.enqueue('b', 1, 'b1', 7);
    q.enqueue('b', 1, 'b2', 7);
    const backlog = new Map<string, number>();
    q.forEachBacklogged((id, n) => backlog.set(id, n));
    expect(backlog).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(q.remove('b', 'b2')).toBe(true);
    expect(q.remove('a', 'a1')).toBe(true);
    expect(q.remove('a', 'a1')).toBe(false);
    expect(q.backloggedTenants).toBe(1);
    expect(q.queuedTokens).toBe(7);
    expect(q.dequeue()).toBe('b1');
    expect(q.dequeue()).toBeUndefined();
  });

  it('rejects non-positive weights', () => {
    const q = new VtcQueue<string>();
    expect(() => q.enqueue('a', 0, 'x', 1)).toThrow(/weight/);
  });

  it('always serves the smallest counter among backlogged tenants (heap order under charges, many tenants)', () => {
    const q = new VtcQueue<number>();
    const ids = Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    ids.forEach((id, i) => {
      q.enqueue(id, 1 + (i % 4), i, 1);
      q.enqueue(id, 1 + (i % 4), i, 1);
    });
    for (let k = 0; k < 3000; k++) {
      const e = q.dequeueEntry()!;
      const c = q.counter(e.tenantId);
      let min = Infinity;
      let argmin = '';
      for (const id of ids) {
        if (id === e.tenantId || q.queuedFor(id) === 0) continue;
        if (q.counter(id) < min) [min, argmin] = [q.counter(id), id];
      }
      expect(c < min || (c === min && e.tenantId < argmin)).toBe(true);
      q.charge(e.tenantId, (k * 7919) % 1000, k % 13);
      q.enqueue(e.tenantId, 1 + (Number(e.tenantId.slice(1)) % 4), k, 1);
    }
  });
});
