/**
 * The contract every Limiter passes: run on the in-memory limiter and on the
 * Redis limiter (two clients, as two gateway instances would have). Time is
 * injected; nothing sleeps. The Redis suite is skipped, with a warning, when no
 * server answers on 127.0.0.1:6379.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../auth/tenant.js';
import type { Limiter, Rejection, Reservation, UsageEstimate } from './limiter.js';
import { MemoryLimiter } from './memory-limiter.js';
import { RedisLimiter } from './redis-limiter.js';

interface Harness {
  /** Two limiters sharing state: the same object in memory, two clients for Redis. */
  a: Limiter;
  b: Limiter;
  close(): Promise<void>;
}

interface HarnessOptions {
  spendUsd: Map<string, number>;
  reservationTtlMs: number;
}

type MakeHarness = (o: HarnessOptions) => Promise<Harness>;

const makeMemory: MakeHarness = async ({ spendUsd, reservationTtlMs }) => {
  const limiter = new MemoryLimiter({ spendSource: async (id) => spendUsd.get(id) ?? 0, reservationTtlMs });
  return { a: limiter, b: limiter, close: async () => {} };
};

const makeRedis: MakeHarness = async ({ spendUsd, reservationTtlMs }) => {
  const keyPrefix = `tf-test:limits:${randomUUID()}:`;
  const clients = [new Redis({ host: '127.0.0.1', port: 6379 }), new Redis({ host: '127.0.0.1', port: 6379 })] as const;
  const spendSource = async (id: string): Promise<number> => spendUsd.get(id) ?? 0;
  const [a, b] = clients.map((redis) => new RedisLimiter({ redis, keyPrefix, spendSource, reservationTtlMs }));
  return {
    a: a!,
    b: b!,
    close: async () => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await clients[0].scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      if (keys.length > 0) await clients[0].del(...keys);
      expect(await clients[0].keys(`${keyPrefix}*`)).toEqual([]);
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
};

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const haveRedis = await redisAnswers();
if (!haveRedis) console.warn('limiter contract: no Redis on 127.0.0.1:6379, skipping the Redis limiter');

/** Mid-month, so that "retry next month" is far away. */
const T0 = Date.UTC(2025, 5, 10, 12, 0, 0);
const TTL_MS = 10 * 60_000;
const small: UsageEstimate = { inputTokens: 10, maxOutputTokens: 10, costUsd: 0.001 };

let tenantCounter = 0;
function tenant(limits: Partial<Tenant>): Tenant {
  return { id: `t${++tenantCounter}`, name: 'test', weight: 1, createdAtMs: 0, ...limits };
}

function expectOk(r: Reservation | Rejection): Reservation {
  if (!r.ok) throw new Error(`expected a reservation, got ${r.reason}: ${r.message}`);
  return r;
}

function expectRejected(r: Reservation | Rejection, reason: Rejection['reason']): Rejection {
  if (r.ok) throw new Error(`expected a ${reason} rejection, got reservation ${r.id}`);
  expect(r.reason).toBe(reason);
  expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(Number.isInteger(r.retryAfterSeconds)).toBe(true);
  expect(r.message.length).toBeGreaterThan(0);
  return r;
}

/** 50 reservations of `t` that have left the window by T0 (so that the window's next entries wrap around a buffer). */
async function expired(h: Harness, t: Tenant): Promise<void> {
  for (let i = 0; i < 50; i++) expectOk(await h.a.reserve(t, small, T0 - 120_000 + i * 100));
}

describe.each([
  { name: 'MemoryLimiter', make: makeMemory, skip: false },
  { name: 'RedisLimiter', make: makeRedis, skip: !haveRedis },
])('$name contract', ({ make, skip }) => {
  const spendUsd = new Map<string, number>();
  let h: Harness;

  beforeAll(async () => {
    if (!skip) h = await make({ spendUsd, reservationTtlMs: TTL_MS });
  });
  afterAll(async () => {
    if (!skip) await h.close();
  });

  it.skipIf(skip)('rejects the 6th request of a minute at RPM 5, and accepts again once the window has passed', async () => {
    const t = tenant({ rpm: 5 });
    for (let i = 0; i < 5; i++) expectOk(await h.a.reserve(t, small, T0 + i * 1000));
    const r = expectRejected(await h.a.reserve(t, small, T0 + 10_000), 'rpm');
    expect(r.retryAfterSeconds).toBe(50); // the first reservation leaves the window at T0 + 60 s
    expectRejected(await h.b.reserve(t, small, T0 + 59_999), 'rpm');
    expectOk(await h.b.reserve(t, small, T0 + 60_000));
    const again = expectRejected(await h.a.reserve(t, small, T0 + 60_000), 'rpm');
    expect(again.retryAfterSeconds).toBe(1); // the second one leaves at T0 + 61 s
    expectOk(await h.a.reserve(t, small, T0 + 61_000));
  });

  it.skipIf(skip)('reserves input + max output tokens against TPM and frees the difference on settle', async () => {
    const t = tenant({ tpm: 1000 });
    const first = expectOk(await h.a.reserve(t, { inputTokens: 300, maxOutputTokens: 500, costUsd: 0 }, T0));
    expect(first.tokens).toBe(800);
    const second: UsageEstimate = { inputTokens: 100, maxOutputTokens: 200, costUsd: 0 };
    const r = expectRejected(await h.b.reserve(t, second, T0 + 5_000), 'tpm');
    expect(r.retryAfterSeconds).toBe(55);
    await h.a.settle(first, { inputTokens: 300, outputTokens: 100, costUsd: 0 }, T0 + 6_000);
    expectOk(await h.b.reserve(t, second, T0 + 7_000)); // 400 + 300 <= 1000
    expectRejected(await h.b.reserve(t, { inputTokens: 301, maxOutputTokens: 0, costUsd: 0 }, T0 + 8_000), 'tpm'); // 700 + 301
    expectOk(await h.a.reserve(t, { inputTokens: 300, maxOutputTokens: 0, costUsd: 0 }, T0 + 8_000)); // exactly 1000
  });

  it.skipIf(skip)('keeps RPM exact over a window of hundreds of reservations as it slides', async () => {
    const t = tenant({ rpm: 300 });
    await expired(h, t);
    for (let i = 0; i < 300; i++) expectOk(await (i % 2 === 0 ? h.a : h.b).reserve(t, small, T0 + i * 100));
    expect(expectRejected(await h.a.reserve(t, small, T0 + 59_999), 'rpm').retryAfterSeconds).toBe(1);
    // The first reservation leaves the window at T0 + 60 s, then one every 100 ms.
    expectOk(await h.a.reserve(t, small, T0 + 60_000));
    expectRejected(await h.b.reserve(t, small, T0 + 60_050), 'rpm');
    expectOk(await h.b.reserve(t, small, T0 + 60_100));
    expectRejected(await h.a.reserve(t, small, T0 + 60_100), 'rpm');
    // By T0 + 62.95 s the first 30 have left: 28 slots free, not one more.
    for (let i = 0; i < 28; i++) expectOk(await h.a.reserve(t, small, T0 + 62_950));
    expectRejected(await h.b.reserve(t, small, T0 + 62_950), 'rpm');
  });

  it.skipIf(skip)('keeps TPM exact over hundreds of reservations settled in any order', async () => {
    const t = tenant({ tpm: 6000 });
    const tokens = (n: number): UsageEstimate => ({ inputTokens: n, maxOutputTokens: 0, costUsd: 0 });
    const held: Reservation[] = [];
    await expired(h, t);
    for (let i = 0; i < 300; i++) held.push(expectOk(await (i % 2 === 0 ? h.a : h.b).reserve(t, small, T0 + i * 100))); // 20 tokens each
    expectRejected(await h.a.reserve(t, tokens(1), T0 + 30_000), 'tpm');
    // The newest 100 settle first, then the oldest 100, at 5 tokens each: the window holds 100 x 20 + 200 x 5.
    for (const r of [...held.slice(200).reverse(), ...held.slice(0, 100)]) await h.b.settle(r, { inputTokens: 5, outputTokens: 0, costUsd: 0 }, T0 + 31_000);
    expectOk(await h.a.reserve(t, tokens(3000), T0 + 31_000));
    // Full again; the oldest entry (5 tokens, at T0) is the first to leave.
    expect(expectRejected(await h.b.reserve(t, tokens(1), T0 + 31_000), 'tpm').retryAfterSeconds).toBe(29);
    expectOk(await h.b.reserve(t, tokens(5), T0 + 60_000));
    expectRejected(await h.a.reserve(t, tokens(1), T0 + 60_000), 'tpm');
  });

  it.skipIf(skip)('ignores a second settle of the same reservation', async () => {
    const t = tenant({ tpm: 100 });
    const r = expectOk(await h.a.reserve(t, { inputTokens: 50, maxOutputTokens: 50, costUsd: 0 }, T0));
    await h.a.settle(r, { inputTokens: 50, outputTokens: 0, costUsd: 0 }, T0 + 1);
    await h.b.settle(r, { inputTokens: 0, outputTokens: 0, costUsd: 0 }, T0 + 2);
    expectRejected(await h.a.reserve(t, { inputTokens: 51, maxOutputTokens: 0, costUsd: 0 }, T0 + 3), 'tpm');
    expectOk(await h.a.reserve(t, { inputTokens: 50, maxOutputTokens: 0, costUsd: 0 }, T0 + 3));
  });

  it.skipIf(skip)('rejects a request larger than the TPM limit itself, whatever the window holds', async () => {
    const t = tenant({ tpm: 100 });
    const r = expectRejected(await h.a.reserve(t, { inputTokens: 50, maxOutputTokens: 51, costUsd: 0 }, T0), 'tpm');
    expect(r.message).toMatch(/max_tokens/);
  });

  it.skipIf(skip)('checks the month spend plus requests in flight plus the estimate against the budget', async () => {
    const t = tenant({ budgetUsdPerMonth: 10 });
    spendUsd.set(t.id, 9.5);
    const tooMuch = expectRejected(await h.a.reserve(t, { ...small, costUsd: 1 }, T0), 'budget');
    expect(tooMuch.retryAfterSeconds).toBe((Date.UTC(2025, 6, 1) - T0) / 1000); // the start of July
    const first = expectOk(await h.a.reserve(t, { ...small, costUsd: 0.4 }, T0));
    const held = expectRejected(await h.b.reserve(t, { ...small, costUsd: 0.4 }, T0), 'budget');
    expect(held.retryAfterSeconds).toBe(1);
    spendUsd.set(t.id, 9.9); // the ledger records the actual cost, then the gateway settles
    await h.a.settle(first, { inputTokens: 10, outputTokens: 10, costUsd: 0.4 }, T0 + 1000);
    expectOk(await h.b.reserve(t, { ...small, costUsd: 0.1 }, T0 + 2000)); // 9.9 + 0.1 = 10 exactly
    expectRejected(await h.b.reserve(t, { ...small, costUsd: 0.000001 }, T0 + 2000), 'budget');
  });

  it.skipIf(skip)('stops holding budget for a reservation never settled after the reservation TTL', async () => {
    const t = tenant({ budgetUsdPerMonth: 1 });
    expectOk(await h.a.reserve(t, { ...small, costUsd: 1 }, T0));
    expectRejected(await h.b.reserve(t, { ...small, costUsd: 0.5 }, T0 + TTL_MS - 1), 'budget');
    expectOk(await h.b.reserve(t, { ...small, costUsd: 0.5 }, T0 + TTL_MS));
  });

  it.skipIf(skip)('ignores a settle that comes after the reservation TTL (nothing is freed twice)', async () => {
    const t = tenant({ budgetUsdPerMonth: 1 });
    const late = expectOk(await h.a.reserve(t, { ...small, costUsd: 1 }, T0));
    await h.b.settle(late, { inputTokens: 0, outputTokens: 0, costUsd: 1 }, T0 + TTL_MS);
    expectOk(await h.a.reserve(t, { ...small, costUsd: 1 }, T0 + TTL_MS));
    expectRejected(await h.a.reserve(t, { ...small, costUsd: 0.000001 }, T0 + TTL_MS), 'budget');
  });

  it.skipIf(skip)('keeps tenants independent', async () => {
    const x = tenant({ rpm: 1, tpm: 100, budgetUsdPerMonth: 1 });
    const y = tenant({ rpm: 1, tpm: 100, budgetUsdPerMonth: 1 });
    const big: UsageEstimate = { inputTokens: 50, maxOutputTokens: 50, costUsd: 1 };
    expectOk(await h.a.reserve(x, big, T0));
    expectRejected(await h.a.reserve(x, big, T0), 'rpm');
    expectOk(await h.b.reserve(y, big, T0));
    expectRejected(await h.b.reserve(y, big, T0), 'rpm');
  });

  it.skipIf(skip)('does not check limits the tenant does not have', async () => {
    const t = tenant({});
    for (let i = 0; i < 100; i++) expectOk(await h.a.reserve(t, { inputTokens: 1e6, maxOutputTokens: 1e6, costUsd: 1e6 }, T0));
  });

  it.skipIf(skip)('accepts exactly 50 of 200 concurrent reservations at RPM 50, across both instances', async () => {
    const t = tenant({ rpm: 50 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? h.a : h.b).reserve(t, small, T0)));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(results.filter((r) => !r.ok && r.reason === 'rpm')).toHaveLength(150);
    expect(new Set(results.flatMap((r) => (r.ok ? [r.id] : []))).size).toBe(50);
  });

  it.skipIf(skip)('never books more than the budget under concurrency', async () => {
    const t = tenant({ budgetUsdPerMonth: 5 });
    spendUsd.set(t.id, 1);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? h.a : h.b).reserve(t, { ...small, costUsd: 0.1 }, T0)));
    expect(results.filter((r) => r.ok)).toHaveLength(40);
  });

  it.skipIf(skip)('never lets more than rpm requests or tpm tokens into any 60 s span (seeded random arrivals)', async () => {
    const t = tenant({ rpm: 20, tpm: 2000 });
    let seed = 12345;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const accepted: { atMs: number; tokens: number }[] = [];
    let now = T0;
    for (let i = 0; i < 600; i++) {
      now += Math.floor(next() * 6000);
      const e: UsageEstimate = { inputTokens: Math.floor(next() * 100), maxOutputTokens: Math.floor(next() * 100), costUsd: 0 };
      const r = await (i % 2 === 0 ? h.a : h.b).reserve(t, e, now);
      if (!r.ok) continue;
      const used = Math.floor(next() * (e.maxOutputTokens + 1));
      await h.a.settle(r, { inputTokens: e.inputTokens, outputTokens: used, costUsd: 0 }, now);
      accepted.push({ atMs: now, tokens: e.inputTokens + used });
    }
    expect(accepted.length).toBeGreaterThan(100);
    for (const end of accepted) {
      const span = accepted.filter((x) => x.atMs > end.atMs - 60_000 && x.atMs <= end.atMs);
      expect(span.length).toBeLessThanOrEqual(20);
      expect(span.reduce((s, x) => s + x.tokens, 0)).toBeLessThanOrEqual(2000);
    }
  });

  it.skipIf(skip)('frees a whole window of many reservations at once', async () => {
    const t = tenant({ rpm: 1200, tpm: 12_000 });
    const e: UsageEstimate = { inputTokens: 5, maxOutputTokens: 5, costUsd: 0 };
    const results = await Promise.all(Array.from({ length: 1200 }, (_, i) => (i % 2 === 0 ? h.a : h.b).reserve(t, e, T0 + (i % 7))));
    expect(results.every((r) => r.ok)).toBe(true);
    expectRejected(await h.a.reserve(t, e, T0 + 10), 'rpm');
    expectOk(await h.a.reserve(t, { inputTokens: 12_000, maxOutputTokens: 0, costUsd: 0 }, T0 + 60_006));
  });
});
