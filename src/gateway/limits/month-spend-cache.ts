/**
 * @module The limiter's spend source without a ledger scan per request: a
 * tenant's spend this UTC month, read from the ledger once and then kept up
 * to date by the records this process writes (through the wrapped ledger).
 *
 * Without it, every reservation of a tenant with a budget sums the month's
 * records (`monthSpendUsd`), a cost that grows with the month's traffic:
 * in bench/gateway.bench.ts it was the largest cost per request once the
 * ledger held ~100k records.
 *
 * Freshness: records written by this process count at once (a single
 * instance is exact). Records written by other instances sharing the ledger
 * count once the tenant's entry is re-read, at most `refreshIntervalMs`
 * (default 5 s, the tenant cache's interval) later; a new UTC month starts
 * from a fresh read.
 */
import type { Ledger, LedgerRecord } from '../ledger/ledger.js';
import { utcMonthRangeMs } from '../ledger/utc-calendar.js';
import type { SpendSource } from './limiter.js';

export const DEFAULT_SPEND_REFRESH_MS = 5000;

export interface MonthSpendCacheOptions {
  /** Wall clock, Unix epoch milliseconds. */
  readonly nowMs: () => number;
  /** How long a tenant's spend read from the ledger is trusted, ms (default 5000). */
  readonly refreshIntervalMs?: number;
}

interface Entry {
  /** Start of the month the entry counts, Unix epoch ms. */
  readonly monthStartMs: number;
  readonly loadedAtMs: number;
  /** Spend read from the ledger plus what this process recorded since, USD. */
  spendUsd: number;
}

export interface MonthSpendCache {
  /** The spend source for the limiter. */
  readonly spendSource: SpendSource;
  /** The ledger to record through, so that this process's records count at once. */
  readonly ledger: Ledger;
}

export function monthSpendCache(inner: Ledger, options: MonthSpendCacheOptions): MonthSpendCache {
  const refreshMs = options.refreshIntervalMs ?? DEFAULT_SPEND_REFRESH_MS;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry>>();

  const load = (tenantId: string, nowMs: number): Promise<Entry> => {
    let p = loading.get(tenantId);
    if (p === undefined) {
      const monthStartMs = utcMonthRangeMs(nowMs).fromMs;
      p = Promise.resolve(inner.monthSpendUsd(tenantId, nowMs))
        .then((spendUsd) => {
          const e: Entry = { monthStartMs, loadedAtMs: nowMs, spendUsd };
          entries.set(tenantId, e);
          return e;
        })
        .finally(() => loading.delete(tenantId));
      loading.set(tenantId, p);
    }
    return p;
  };

  const spendSource: SpendSource = async (tenantId) => {
    const nowMs = options.nowMs();
    const e = entries.get(tenantId);
    const fresh = e !== undefined && e.monthStartMs === utcMonthRangeMs(nowMs).fromMs && Math.abs(nowMs - e.loadedAtMs) < refreshMs;
    return fresh ? e.spendUsd : (await load(tenantId, nowMs)).spendUsd;
  };

  const record = async (r: LedgerRecord): Promise<void> => {
    // Added to the entry that was current before the write, and only if no re-read replaced it
    // meanwhile (a re-read may already include the record: skipped, the next one has it).
    const before = entries.get(r.tenantId);
    await inner.record(r);
    if (before !== undefined && entries.get(r.tenantId) === before && r.costUsd > 0 && r.createdAtMs >= before.monthStartMs) before.spendUsd += r.costUsd;
  };

  // Every other method is the inner ledger's own (the ledger may gain methods: delegate them all).
  const ledger = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'record') return record;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { spendSource, ledger };
}
