/**
 * @module Two `tokenfleet serve` instances sharing PostgreSQL (ledger and
 * tenants, a fresh database per run) and Redis (limits): a tenant with
 * rpm = N created through one instance's admin API is seen by the other
 * (within its tenant cache's refresh), and 3N requests blasted at both at
 * once let at most N through; the rest are 429 with Retry-After.
 * Skipped, loudly, when PostgreSQL or Redis is not reachable. Needs `npm run build` first.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PG_URL, testPgReachable } from '../src/gateway/ledger/pg-test-database.js';
import { mockModelsYaml, startMockUpstream, type MockUpstream } from './mock-openai-upstream.js';
import { admin, startServe, type ServeProcess } from './spawn-serve.js';

const ADMIN = 'two-instances-admin';
const REDIS_URL = 'redis://127.0.0.1:6379';
/** The tenant's requests per minute. */
const RPM = 20;
/** The key prefix `tokenfleet serve` gives its Redis limiter (see serve.ts). */
const LIMITS_PREFIX = 'tokenfleet:limits:';

async function redisReachable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch (err) {
    console.warn(`Redis at ${REDIS_URL} unreachable, skipping the two-instance test: ${String(err)}`);
    return false;
  } finally {
    r.disconnect();
  }
}

const database = `tf_two_instances_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const dbUrl = (() => {
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${database}`;
  return u.toString();
})();
let reachable = false;
let dir: string | undefined;
let mock: MockUpstream | undefined;
let tenantId: string | undefined;
const procs: ServeProcess[] = [];

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  reachable = (await testPgReachable()) && (await redisReachable());
  if (!reachable) return;
  await pgAdmin((c) => c.query(`CREATE DATABASE "${database}"`));
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await mock?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  if (!reachable) return;
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  if (tenantId !== undefined) {
    // Only this run's keys: every limiter key of the tenant carries its id in a hash tag.
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${LIMITS_PREFIX}{${tenantId}}:*`);
    if (keys.length > 0) await r.del(...keys);
    r.disconnect();
  }
});

describe('two gateway instances sharing PostgreSQL and Redis', () => {
  it(`let at most rpm = ${RPM} of ${3 * RPM} concurrent requests through, across both`, { timeout: 120_000 }, async (ctx) => {
    if (!reachable) ctx.skip();
    mock = await startMockUpstream(0, { tokens: 4 });
    dir = mkdtempSync(join(tmpdir(), 'tf-two-'));
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `ledger: { kind: postgres, url: ${JSON.stringify(dbUrl)} }
limits: { kind: redis, url: ${REDIS_URL} }
router: least-outstanding
${mockModelsYaml(mock.port)}`,
    );
    // Both start together on the fresh database (their migrations take an advisory lock).
    const [a, b] = await Promise.all([startServe(config, ADMIN, join(dir, 'a')), startServe(config, ADMIN, join(dir, 'b'))]);
    procs.push(a!, b!);

    const tenant = await admin<{ id: string }>(a!.url, ADMIN, 'POST', '/admin/tenants', { name: 'shared', rpm: RPM });
    tenantId = tenant.id;
    const { key } = await admin<{ key: string }>(a!.url, ADMIN, 'POST', `/admin/tenants/${tenant.id}/keys`);
    const auth = { authorization: `Bearer ${key}` };
    // The other instance sees the new key once its tenant cache refreshes (every 5 s); /v1/models uses no quota.
    let seenByB = false;
    for (let i = 0; i < 200 && !seenByB; i++) {
      seenByB = (await fetch(`${b!.url}/v1/models`, { headers: auth })).status === 200;
      if (!seenByB) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seenByB, 'instance B never accepted the key created on A').toBe(true);
    expect((await fetch(`${a!.url}/v1/models`, { headers: auth })).status).toBe(200);

    const body = JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
    const answers = await Promise.all(
      Array.from({ length: 3 * RPM }, async (_, i) => {
        const res = await fetch(`${(i % 2 === 0 ? a : b)!.url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
        await res.text();
        return { status: res.status, retryAfter: res.headers.get('retry-after') };
      }),
    );
    const ok = answers.filter((x) => x.status === 200);
    const refused = answers.filter((x) => x.status !== 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length).toBeLessThanOrEqual(RPM);
    expect(refused.map((x) => x.status)).toEqual(refused.map(() => 429));
    for (const x of refused) expect(Number(x.retryAfter)).toBeGreaterThanOrEqual(1);

    // The ledger both instances share has every request: the successes and the refusals.
    const page = await admin<{ data: { status: string }[] }>(b!.url, ADMIN, 'GET', `/admin/requests?tenant=${tenant.id}&limit=1000`);
    expect(page.data.filter((r) => r.status === 'ok')).toHaveLength(ok.length);
    expect(page.data.filter((r) => r.status === 'rejected')).toHaveLength(refused.length);

    a!.child.kill('SIGTERM');
    b!.child.kill('SIGTERM');
    expect(await a!.exited).toBe(0);
    expect(await b!.exited).toBe(0);
  });
});
