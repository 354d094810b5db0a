import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { FakeClock } from '../backends/fake-clock.js';
import { createBackendRouter, type BackendRouter } from '../routing/backend-router.js';
import { createFairAdmission, MAX_RETRY_AFTER_SECONDS, type AdmissionSlot, type FairAdmission, type FairAdmissionOptions, type QueueOutcome } from './fair-admission.js';

/** A backend that is never called: admission only counts and routes. */
function stub(id: string, maxInFlight: number): Backend {
  return {
    id,
    pool: `pool-${id}`,
    model: 'm',
    maxInFlight,
    chat: () => {
      throw new Error('not called');
    },
    health: () => Promise.resolve(true),
    snapshot: () => ({ outstanding: 0, queuedPromptTokens: 0 }),
  };
}

/** Admissions of the running test, closed after it so that no timer of theirs outlives it. */
const open: FairAdmission[] = [];
afterEach(() => {
  for (const a of open.splice(0)) a.close();
});

function setup(caps: readonly number[], opts: Partial<FairAdmissionOptions> = {}) {
  const backends = caps.map((c, i) => stub(`b${i}`, c));
  const router: BackendRouter = createBackendRouter('round-robin', backends, { random: () => 0 });
  const clock = new FakeClock();
  const depths: number[] = [];
  const admission = createFairAdmission({ backends, router, clock, onQueueDepth: (d) => depths.push(d), ...opts });
  open.push(admission);
  return { backends, router, clock, admission, depths };
}

const route = (id: string) => ({ id, promptTokens: 100, outputTokens: 100, tenant: 't' });

/** Lets the reactions to promises settled synchronously so far run (no timer: the fake clock does not move). */
const settled = () => Promise.resolve();

describe('fair admission', () => {
  it('admits at once below capacity, routes each slot to a backend with room, and queues nothing', () => {
    const { admission } = setup([1, 2]);
    const slots = [0, 1, 2].map(() => admission.tryAcquire('a', 1, 10)!);
    expect(slots.every((s) => s !== undefined)).toBe(true);
    // Three slots admitted but not yet routed fill the three places: a fourth must wait.
    expect(admission.tryAcquire('a', 1, 10)).toBeUndefined();
    const picked = slots.map((s, i) => s.pick(route(`r${i}`))!.id);
    expect(picked.sort()).toEqual(['b0', 'b1', 'b1']);
    expect([admission.inFlightOn('b0'), admission.inFlightOn('b1'), admission.inFlight, admission.capacity()]).toEqual([1, 2, 3, 3]);
    expect(admission.queueDepth).toBe(0);
    slots[0]!.release();
    slots[0]!.release(); // idempotent
    expect(admission.inFlight).toBe(2);
    expect(admission.tryAcquire('a', 1, 10)).toBeDefined();
  });

  it('queues at saturation and dispatches the next waiting request when a slot is freed', async () => {
    const { admission, depths } = setup([1]);
    const held = admission.tryAcquire('a', 1, 10)!;
    held.pick(route('r0'));
    let outcome: QueueOutcome | undefined;
    void admission.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5 }).then((o) => (outcome = o));
    expect(admission.queueDepth).toBe(1);
    expect(admission.queuedByTenant()).toEqual(new Map([['b', 1]]));
    await settled();
    expect(outcome).toBeUndefined();
    held.release();
    await settled();
    expect(outcome).toMatchObject({ ok: true, waitedMs: 0 });
    expect(admission.queueDepth).toBe(0);
    expect(admission.inFlight).toBe(1);
    expect(depths).toEqual([1, 0]);
  });

  it('lets no newcomer overtake waiting requests, and dispatches them when room opens without a release', async () => {
    const { admission, router } = setup([1, 1]);
    router.setHealthy('b0', false);
    admission.tryAcquire('a', 1, 10)!.pick(route('r0'));
    const waiting = admission.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5 });
    router.setHealthy('b0', true);
    expect(admission.tryAcquire('c', 1, 10)).toBeUndefined();
    // The next arrival queues behind and wakes the queue: the earlier one leaves first.
    void admission.wait({ tenantId: 'c', weight: 1, inputTokens: 10, maxOutputTokens: 5 });
    expect(((await waiting) as { slot: AdmissionSlot }).slot.tenantId).toBe('b');
    expect(admission.queuedByTenant()).toEqual(new Map([['c', 1]]));
  });

  it('serves two backlogged tenants of weights 1 and 3 in proportion 1:3', async () => {
    const { admission } = setup([2]);
    const held: AdmissionSlot[] = [admission.tryAcquire('seed', 1, 100)!, admission.tryAcquire('seed', 1, 100)!];
    for (const s of held) s.pick(route('seed'));
    const dispatched: string[] = [];
    for (let i = 0; i < 60; i++) {
      for (const [tenantId, weight] of [['light', 1], ['heavy', 3]] as const) {
        void admission.wait({ tenantId, weight, inputTokens: 100, maxOutputTokens: 100 }).then((o) => {
          if (!o.ok) return;
          dispatched.push(tenantId);
          o.slot.pick(route(`${tenantId}${i}`));
          held.push(o.slot);
        });
      }
    }
    // Each request runs to its end in turn: it produces its output, then frees its slot.
    while (dispatched.length < 60) {
      const s = held.shift()!;
      for (let t = 0; t < 100; t++) s.chargeOutput(1);
      s.release();
      await settled();
    }
    const heavy = dispatched.filter((t) => t === 'heavy').length;
    const light = dispatched.length - heavy;
    expect(heavy / light).toBeGreaterThan(3 * 0.85);
    expect(heavy / light).toBeLessThan(3 * 1.15);
  });

  it('does not leave a newcomer behind a heavy tenant backlog', async () => {
    const { admission } = setup([1]);
    let current = admission.tryAcquire('heavy', 1, 1000)!;
    current.pick(route('h'));
    const order: string[] = [];
    const next: AdmissionSlot[] = [];
    const enqueue = (tenantId: string) =>
      void admission.wait({ tenantId, weight: 1, inputTokens: 1000, maxOutputTokens: 500 }).then((o) => {
        if (o.ok) {
          order.push(tenantId);
          next.push(o.slot);
        }
      });
    for (let i = 0; i < 50; i++) enqueue('heavy');
    // Serve a while with only the heavy tenant waiting: its counter runs far ahead.
    const serveOne = async () => {
      for (let t = 0; t < 500; t++) current.chargeOutput(1);
      current.release();
      await settled();
      current = next.shift()!;
      current.pick(route('x'));
    };
    for (let i = 0; i < 10; i++) await serveOne();
    enqueue('newcomer');
    await serveOne();
    await serveOne();
    expect(order.slice(10)).toContain('newcomer');
    expect(admission.queuedByTenant().get('heavy')).toBeGreaterThan(35);
  });

  it('charges output as it is produced: a tenant with a long generation under way yields the next dispatch', async () => {
    const { admission } = setup([1]);
    const running = admission.tryAcquire('a', 1, 10)!;
    running.pick(route('a0'));
    const first: string[] = [];
    for (const tenantId of ['a', 'b']) {
      void admission.wait({ tenantId, weight: 1, inputTokens: 10, maxOutputTokens: 10 }).then((o) => {
        if (o.ok) first.push(tenantId);
      });
    }
    // Equal counters would favour 'a' (ties go to the smaller id); its 1,000 output tokens so far do not.
    for (let t = 0; t < 1000; t++) running.chargeOutput(1);
    running.release();
    await settled();
    expect(first).toEqual(['b']);
  });

  it('refuses a request that waited maxWaitMs (on the fake clock) with queue_timeout', async () => {
    const { admission, clock } = setup([1], { maxWaitMs: 1500 });
    const held = admission.tryAcquire('a', 1, 10)!;
    held.pick(route('r0'));
    const outcome = await admission.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5 });
    expect(outcome).toEqual({ ok: false, reason: 'queue_timeout', waitedMs: 1500 });
    expect(clock.now()).toBe(1500);
    expect(admission.queueDepth).toBe(0);
    held.release();
    expect(admission.inFlight).toBe(0);
  });

  it('suggests a Retry-After from the queue depth over the recent rate of freed slots', async () => {
    const { admission, clock } = setup([4], { maxWaitMs: 600_000 });
    const held = [0, 1, 2, 3].map(() => admission.tryAcquire('a', 1, 10)!);
    held.forEach((s, i) => s.pick(route(`h${i}`)));
    const waiters = Array.from({ length: 8 }, () => admission.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5 }));
    expect(admission.retryAfterSeconds()).toBe(1); // nothing freed yet: no rate to go by
    for (const s of held) s.release(); // 4 freed in the first second, each taken by a waiter
    expect(admission.queueDepth).toBe(4);
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 1000));
    const first = (await waiters[0]!) as Extract<QueueOutcome, { ok: true }>;
    first.slot.release(); // the first second is folded in: 0.5 x 0 + 0.5 x 4 = 2 slots/s
    expect(admission.queueDepth).toBe(3);
    expect(admission.retryAfterSeconds()).toBe(2); // ceil(3 / 2)
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 20_000)); // nothing freed for 20 s
    expect(admission.retryAfterSeconds()).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it('refuses a request beyond maxQueued with queue_full, at once', async () => {
    const { admission } = setup([1], { maxQueued: 2 });
    admission.tryAcquire('a', 1, 10)!.pick(route('r0'));
    void admission.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5 });
    void admission.wait({ tenantId: 'c', weight: 1, inputTokens: 10, maxOutputTokens: 5 });
    expect(await admission.wait({ tenantId: 'd', weight: 1, inputTokens: 10, maxOutputTokens: 5 })).toEqual({ ok: false, reason: 'queue_full', waitedMs: 0 });
    expect(admission.queueDepth).toBe(2);

    const none = setup([1], { maxQueued: 0 }).admission;
    none.tryAcquire('a', 1, 10)!.pick(route('r0'));
    expect(await none.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5 })).toMatchObject({ ok: false, reason: 'queue_full' });
  });

  it('takes a request whose client went away out of the queue', async () => {
    const { admission } = setup([1]);
    const held = admission.tryAcquire('a', 1, 10)!;
    held.pick(route('r0'));
    const gone = new AbortController();
    const cancelled = admission.wait({ tenantId: 'b', weight: 1, inputTokens: 10, maxOutputTokens: 5, signal: gone.signal });
    let next: QueueOutcome | undefined;
    void admission.wait({ tenantId: 'c', weight: 1, inputTokens: 10, maxOutputTokens: 5 }).then((o) => (next = o));
    gone.abort();
    expect(await cancelled).toMatchObject({ ok: false, reason: 'cancelled' });
    expect(admission.queuedByTenant()).toEqual(new Map([['c', 1]]));
    held.release();
    await settled();
    expect(next).toMatchObject({ ok: true });
    expect((next as { slot: AdmissionSlot }).slot.tenantId).toBe('c');
    const aborted = new AbortController();
    aborted.abort();
    expect(await admission.wait({ tenantId: 'd', weight: 1, inputTokens: 1, maxOutputTokens: 1, signal: aborted.signal })).toMatchObject({ reason: 'cancelled' });
  });

  it('close() refuses every waiting and later request, clears their timers, and lets held slots end', async () => {
    const { admission, clock } = setup([1]);
    const held = admission.tryAcquire('a', 1, 10)!;
    held.pick(route('r0'));
    const waits = ['b', 'c', 'b'].map((tenantId) => admission.wait({ tenantId, weight: 1, inputTokens: 10, maxOutputTokens: 5 }));
    expect(clock.pending).toBe(3);
    admission.close();
    expect((await Promise.all(waits)).map((o) => o.ok || o.reason)).toEqual(['closed', 'closed', 'closed']);
    expect(clock.pending).toBe(0);
    expect(admission.queueDepth).toBe(0);
    held.release();
    expect(admission.tryAcquire('a', 1, 10)).toBeUndefined();
    expect(await admission.wait({ tenantId: 'a', weight: 1, inputTokens: 10, maxOutputTokens: 5 })).toMatchObject({ ok: false, reason: 'closed' });
  });

  it('admits at once when no backend is eligible, so that routing answers "no backend" without a wait', () => {
    const { admission, router } = setup([1, 1]);
    router.setHealthy('b0', false);
    const closedCircuits = setup([1], { allows: () => false }).admission;
    router.setHealthy('b1', false);
    const s = admission.tryAcquire('a', 1, 10)!;
    expect(s.pick(route('r0'))).toBeUndefined();
    expect(admission.capacity()).toBe(0);
    expect(closedCircuits.tryAcquire('a', 1, 10)).toBeDefined();
  });

  it('moves a retried slot to a backend not tried, over capacity when every other one is full', () => {
    const { admission } = setup([1, 1]);
    const a = admission.tryAcquire('a', 1, 10)!;
    const b = admission.tryAcquire('a', 1, 10)!;
    const first = a.pick(route('r0'))!;
    b.pick(route('r1'));
    const other = first.id === 'b0' ? 'b1' : 'b0';
    expect(a.pick(route('r0'), new Set([first.id]))!.id).toBe(other);
    expect(a.backend?.id).toBe(other);
    expect([admission.inFlightOn(first.id), admission.inFlightOn(other)]).toEqual([0, 2]);
    expect(a.pick(route('r0'), new Set(['b0', 'b1']))).toBeUndefined();
    a.release();
    b.release();
    expect([admission.inFlightOn('b0'), admission.inFlightOn('b1'), admission.inFlight]).toEqual([0, 0, 0]);
  });

  it('refuses bad bounds and capacities', () => {
    expect(() => setup([0])).toThrow(/maxInFlight must be a positive integer/);
    expect(() => setup([1], { maxQueued: -1 })).toThrow(/maxQueued/);
    expect(() => setup([1], { maxWaitMs: 0 })).toThrow(/maxWaitMs/);
  });
});
