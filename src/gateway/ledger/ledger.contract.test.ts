/**
 * @module The contract every Ledger passes, run against SQLite and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import type { Ledger, LedgerRecord } from './ledger.js';
import { openPgLedger } from './pg-ledger.js';
import { TEST_PG_URL, testPgReachable, testSchemas } from './pg-test-database.js';
import { openSqliteLedger } from './sqlite-ledger.js';

/** A fresh, empty store; `open` may be called again to get a second instance on the same store. */
interface Store {
  open(): Promise<Ledger>;
  destroy(): Promise<void>;
}

interface Harness {
  readonly name: string;
  readonly skip: boolean;
  newStore(): Store;
  afterAll(): Promise<void>;
}

const sqliteHarness: Harness = {
  name: 'sqlite',
  skip: false,
  newStore() {
    const dataDir = mkdtempSync(join(tmpdir(), 'tokenfleet-ledger-'));
    return {
      open: async () => openSqliteLedger({ dataDir }),
      destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
  afterAll: async () => {},
};

const schemas = testSchemas();
const pgHarness: Harness = {
  name: 'postgres',
  skip: !(await testPgReachable()),
  newStore() {
    const schema = schemas.next();
    return { open: () => openPgLedger({ connectionString: TEST_PG_URL, schema }), destroy: async () => {} };
  },
  afterAll: () => schemas.dropAll(),
};

const DAY1 = Date.UTC(2026, 0, 14, 10, 0, 0);
const DAY1_LAST_MS = Date.UTC(2026, 0, 14, 23, 59, 59, 999);
const DAY2 = Date.UTC(2026, 0, 15, 0, 0, 0);

function rec(over: Partial<LedgerRecord> & Pick<LedgerRecord, 'requestId'>): LedgerRecord {
  return {
    tenantId: 'acme',
    keyId: 'key_1',
    model: 'llama-3.1-8b',
    pool: 'h100-pool',
    backend: 'vllm-0',
    inputTokens: 100,
    outputTokens: 50,
    cachedTokens: 20,
    costUsd: 0.25,
    latencyMs: 812.5,
    ttftMs: 95.25,
    status: 'ok',
    createdAtMs: DAY1,
    ...over,
  };
}

async function allRecords(ledger: Ledger, tenantId: string): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.requests({ tenantId, cursor, limit: 1000 });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

describe.each([sqliteHarness, pgHarness])('Ledger contract: $name', (harness) => {
  let store: Store;
  let ledger: Ledger;
  const opened: Ledger[] = [];
  const open = async (): Promise<Ledger> => {
    const l = await store.open();
    opened.push(l);
    return l;
  };

  beforeEach(async (ctx) => {
    if (harness.skip) ctx.skip();
    store = harness.newStore();
    ledger = await open();
  });
  afterEach(async () => {
    for (const l of opened.splice(0)) await l.close();
    await store?.destroy();
  });
  afterAll(() => harness.afterAll());

  it('stores records as given and sums usage in total and per model and UTC day', async () => {
    const records = [
      rec({ requestId: 'r1', model: 'a', createdAtMs: DAY1 }),
      rec({ requestId: 'r2', model: 'a', createdAtMs: DAY1_LAST_MS, inputTokens: 300, outputTokens: 7, cachedTokens: 0, costUsd: 0.5 }),
      rec({ requestId: 'r3', model: 'b', createdAtMs: DAY1, inputTokens: 10, outputTokens: 1, cachedTokens: 10, costUsd: 0.125, ttftMs: undefined, status: 'upstream-error' }),
      rec({ requestId: 'r4', model: 'a', createdAtMs: DAY2, inputTokens: 1, outputTokens: 2, cachedTokens: 0, costUsd: 1 }),
    ];
    for (const r of records) await ledger.record(r);

    const report = await ledger.usage({ tenantId: 'acme' });
    expect(report.totals).toEqual({ requests: 4, inputTokens: 411, outputTokens: 60, cachedTokens: 30, costUsd: 1.875 });
    expect(report.byModelDay).toEqual([
      { model: 'a', day: '2026-01-14', requests: 2, inputTokens: 400, outputTokens: 57, cachedTokens: 20, costUsd: 0.75 },
      { model: 'b', day: '2026-01-14', requests: 1, inputTokens: 10, outputTokens: 1, cachedTokens: 10, costUsd: 0.125 },
      { model: 'a', day: '2026-01-15', requests: 1, inputTokens: 1, outputTokens: 2, cachedTokens: 0, costUsd: 1 },
    ]);

    const { records: listed } = await ledger.requests({ tenantId: 'acme' });
    expect(listed).toEqual([records[3], records[1], records[2], records[0]]);
    expect(listed[2]).not.toHaveProperty('ttftMs');
  });

  it('gives an empty report and page for a tenant with no records', async () => {
    expect(await ledger.usage({ tenantId: 'nobody' })).toEqual({
      totals: { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 },
      byModelDay: [],
    });
    expect(await ledger.requests({ tenantId: 'nobody' })).toEqual({ records: [] });
    expect(await ledger.monthSpendUsd('nobody', DAY1)).toBe(0);
  });

  it('counts a requestId once, however often it is recorded', async () => {
    const first = rec({ requestId: 'dup' });
    await ledger.record(first);
    await ledger.record(first);
    await ledger.record({ ...first, outputTokens: 999, costUsd: 9 });
    await Promise.all([ledger.record(first), ledger.record(first)]);

    const report = await ledger.usage({ tenantId: 'acme' });
    expect(report.totals).toEqual({ requests: 1, inputTokens: 100, outputTokens: 50, cachedTokens: 20, costUsd: 0.25 });
    expect((await ledger.requests({ tenantId: 'acme' })).records).toEqual([first]);
  });

  it('keeps tenants apart in usage, listings and spend', async () => {
    await ledger.record(rec({ requestId: 'a1', tenantId: 'A', costUsd: 1 }));
    await ledger.record(rec({ requestId: 'b1', tenantId: 'B', costUsd: 2 }));
    await ledger.record(rec({ requestId: 'b2', tenantId: 'B', costUsd: 4 }));

    expect((await ledger.usage({ tenantId: 'A' })).totals.requests).toBe(1);
    expect((await ledger.requests({ tenantId: 'A' })).records.map((r) => r.requestId)).toEqual(['a1']);
    expect(await ledger.monthSpendUsd('A', DAY1)).toBe(1);
    expect((await allRecords(ledger, 'B')).every((r) => r.tenantId === 'B')).toBe(true);
    expect(await ledger.monthSpendUsd('B', DAY1)).toBe(6);
  });

  it('pages through records newest first with stable cursors, no duplicates and no gaps', async () => {
    // 25 records, several sharing a millisecond so the requestId tie-break matters.
    const records = Array.from({ length: 25 }, (_, i) => rec({ requestId: `p${String(i).padStart(2, '0')}`, createdAtMs: DAY1 + Math.floor(i / 3) }));
    for (const r of [...records].reverse()) await ledger.record(r);
    await ledger.record(rec({ requestId: 'other-tenant', tenantId: 'other', createdAtMs: DAY1 + 5 }));
    const expected = [...records].sort((x, y) => y.createdAtMs - x.createdAtMs || (y.requestId < x.requestId ? -1 : 1)).map((r) => r.requestId);

    const page1 = await ledger.requests({ tenantId: 'acme', limit: 10 });
    const page2 = await ledger.requests({ tenantId: 'acme', limit: 10, cursor: page1.nextCursor });
    const page3 = await ledger.requests({ tenantId: 'acme', limit: 10, cursor: page2.nextCursor });
    expect([page1.records.length, page2.records.length, page3.records.length]).toEqual([10, 10, 5]);
    expect(page3.nextCursor).toBeUndefined();
    expect([...page1.records, ...page2.records, ...page3.records].map((r) => r.requestId)).toEqual(expected);

    // A record arriving later (newer than everything) shifts no page after the first.
    await ledger.record(rec({ requestId: 'late', createdAtMs: DAY2 }));
    expect(await ledger.requests({ tenantId: 'acme', limit: 10, cursor: page1.nextCursor })).toEqual(page2);
    expect(await ledger.requests({ tenantId: 'acme', limit: 10, cursor: page2.nextCursor })).toEqual(page3);

    // Exactly `limit` remaining records: the page before them says more follow, the last one says none.
    const exact = await ledger.requests({ tenantId: 'acme', limit: 13 });
    const rest = await ledger.requests({ tenantId: 'acme', limit: 13, cursor: exact.nextCursor });
    expect(rest.records).toHaveLength(13);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('sums month spend over the current UTC month only', async () => {
    await ledger.record(rec({ requestId: 'jan-last', createdAtMs: Date.UTC(2026, 0, 31, 23, 59, 59, 999), costUsd: 1 }));
    await ledger.record(rec({ requestId: 'feb-first', createdAtMs: Date.UTC(2026, 1, 1), costUsd: 2 }));
    await ledger.record(rec({ requestId: 'feb-last', createdAtMs: Date.UTC(2026, 1, 28, 23, 59, 59, 999), costUsd: 4 }));
    await ledger.record(rec({ requestId: 'mar-first', createdAtMs: Date.UTC(2026, 2, 1), costUsd: 8 }));

    expect(await ledger.monthSpendUsd('acme', Date.UTC(2026, 1, 14, 12))).toBe(6);
    expect(await ledger.monthSpendUsd('acme', Date.UTC(2026, 0, 1))).toBe(1);
    expect(await ledger.monthSpendUsd('acme', Date.UTC(2026, 3, 1))).toBe(0);
  });

  it('sums every record of every tenant in totals, zero when empty, each request id once', async () => {
    expect(await ledger.totals()).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 });
    await ledger.record(rec({ requestId: 'a1', tenantId: 'acme', inputTokens: 100, outputTokens: 50, cachedTokens: 20, costUsd: 0.25 }));
    await ledger.record(rec({ requestId: 'a1', tenantId: 'acme', inputTokens: 100, outputTokens: 50, cachedTokens: 20, costUsd: 0.25 }));
    await ledger.record(rec({ requestId: 'b1', tenantId: 'beta', inputTokens: 7, outputTokens: 0, cachedTokens: 0, costUsd: 0, status: 'rejected', createdAtMs: DAY2 }));
    await ledger.record(rec({ requestId: 'b2', tenantId: 'beta', inputTokens: 3000, outputTokens: 1000, cachedTokens: 0, costUsd: 1.5, createdAtMs: Date.UTC(2025, 5, 1) }));
    expect(await ledger.totals()).toEqual({ requests: 3, inputTokens: 3107, outputTokens: 1050, cachedTokens: 20, costUsd: 1.75 });
  });

  it('filters usage by [from, to)', async () => {
    await ledger.record(rec({ requestId: 'd1', createdAtMs: DAY1, costUsd: 1 }));
    await ledger.record(rec({ requestId: 'd1-last', createdAtMs: DAY1_LAST_MS, costUsd: 2 }));
    await ledger.record(rec({ requestId: 'd2', createdAtMs: DAY2, costUsd: 4 }));

    const costBetween = async (fromMs?: number, toMs?: number): Promise<number> => (await ledger.usage({ tenantId: 'acme', fromMs, toMs })).totals.costUsd;
    expect(await costBetween(DAY1, DAY2)).toBe(3);
    expect(await costBetween(DAY1 + 1, DAY2 + 1)).toBe(6);
    expect(await costBetween(DAY2)).toBe(4);
    expect(await costBetween(undefined, DAY1_LAST_MS)).toBe(1);
    expect(await costBetween(DAY1, DAY1)).toBe(0);
    expect((await ledger.usage({ tenantId: 'acme', fromMs: DAY2 })).byModelDay.map((g) => g.day)).toEqual(['2026-01-15']);
  });

  it('rejects bad cursors, limits, ranges and records with InvalidInputError, and stays usable', async () => {
    await ledger.record(rec({ requestId: 'x' }));
    for (const cursor of ['', 'not a cursor', 'bm90IGpzb24', Buffer.from('[1,2]').toString('base64url')]) {
      await expect(ledger.requests({ tenantId: 'acme', cursor })).rejects.toBeInstanceOf(InvalidInputError);
    }
    for (const limit of [0, -1, 1.5, 1001]) {
      await expect(ledger.requests({ tenantId: 'acme', limit })).rejects.toBeInstanceOf(InvalidInputError);
    }
    await expect(ledger.usage({ tenantId: 'acme', fromMs: DAY2, toMs: DAY1 })).rejects.toBeInstanceOf(InvalidInputError);
    const bad: LedgerRecord[] = [
      rec({ requestId: '' }),
      rec({ requestId: 'neg', inputTokens: -1 }),
      rec({ requestId: 'frac', outputTokens: 1.5 }),
      rec({ requestId: 'nan', costUsd: Number.NaN }),
      rec({ requestId: 'status', status: 'weird' as LedgerRecord['status'] }),
      rec({ requestId: 'time', createdAtMs: 1.5 }),
    ];
    for (const r of bad) await expect(async () => ledger.record(r)).rejects.toBeInstanceOf(InvalidInputError);
    expect((await ledger.requests({ tenantId: 'acme' })).records.map((r) => r.requestId)).toEqual(['x']);
  });

  it('shows the same records to a second instance on the same store, and after reopening', async () => {
    const other = await open();
    await ledger.record(rec({ requestId: 'from-first' }));
    await other.record(rec({ requestId: 'from-second', createdAtMs: DAY2 }));
    await other.record(rec({ requestId: 'from-first' }));
    expect((await other.usage({ tenantId: 'acme' })).totals.requests).toBe(2);

    await ledger.close();
    const reopened = await open();
    expect((await reopened.requests({ tenantId: 'acme' })).records.map((r) => r.requestId)).toEqual(['from-second', 'from-first']);
  });
});
