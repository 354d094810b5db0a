import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger, LedgerRecord } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { monthSpendCache } from './month-spend-cache.js';

const JUNE = Date.UTC(2026, 5, 10);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function ledger(): Ledger {
  const dir = mkdtempSync(join(tmpdir(), 'tf-spend-'));
  dirs.push(dir);
  return openSqliteLedger({ dataDir: dir });
}

let n = 0;
function rec(tenantId: string, costUsd: number, createdAtMs: number): LedgerRecord {
  return {
    requestId: `r-${++n}`,
    tenantId,
    keyId: 'k',
    model: 'm',
    pool: 'p',
    backend: 'b',
    inputTokens: 1,
    outputTokens: 1,
    cachedTokens: 0,
    costUsd,
    latencyMs: 1,
    status: 'ok',
    createdAtMs,
  };
}

describe('monthSpendCache', () => {
  it("counts this process's records at once, without re-reading the ledger", async () => {
    const inner = ledger();
    await inner.record(rec('t1', 2, JUNE));
    let reads = 0;
    const counting = new Proxy(inner, { get: (t, p) => (p === 'monthSpendUsd' ? (...a: [string, number]) => (reads++, t.monthSpendUsd(...a)) : Reflect.get(t, p, t)) });
    let now = JUNE + 1000;
    const c = monthSpendCache(counting, { nowMs: () => now });
    expect(await c.spendSource('t1')).toBe(2);
    await c.ledger.record(rec('t1', 0.5, now));
    await c.ledger.record(rec('t2', 7, now)); // another tenant, not loaded yet
    now += 1000;
    expect(await c.spendSource('t1')).toBe(2.5);
    expect(reads).toBe(1);
    expect(await c.spendSource('t2')).toBe(7);
    // Every other method is the ledger's own.
    expect((await c.ledger.usage({ tenantId: 't1' })).totals.requests).toBe(2);
  });

  it("sees other writers' records after the refresh interval, and starts each month afresh", async () => {
    const inner = ledger();
    let now = JUNE;
    const c = monthSpendCache(inner, { nowMs: () => now, refreshIntervalMs: 5000 });
    expect(await c.spendSource('t1')).toBe(0);
    await inner.record(rec('t1', 3, now)); // written by another instance
    now += 4000;
    expect(await c.spendSource('t1')).toBe(0);
    now += 1000;
    expect(await c.spendSource('t1')).toBe(3);
    now = Date.UTC(2026, 6, 1, 0, 0, 1);
    expect(await c.spendSource('t1')).toBe(0);
  });
});
