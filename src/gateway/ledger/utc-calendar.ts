/**
 * @module UTC days and months of the ledger. Both stores group by the integer
 * day index floor(createdAtMs / MS_PER_DAY), so they agree to the millisecond.
 */

export const MS_PER_DAY = 86_400_000;

/** 'YYYY-MM-DD' of a day index (days since 1970-01-01, UTC). */
export function utcDayString(dayIndex: number): string {
  return new Date(dayIndex * MS_PER_DAY).toISOString().slice(0, 10);
}

/** [start, end) of the UTC calendar month that contains `nowMs`, Unix epoch milliseconds. */
export function utcMonthRangeMs(nowMs: number): { fromMs: number; toMs: number } {
  if (!Number.isFinite(nowMs)) throw new RangeError(`expected Unix epoch milliseconds, got ${nowMs}`);
  const d = new Date(nowMs);
  return {
    fromMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    toMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}
