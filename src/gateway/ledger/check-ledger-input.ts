/**
 * @module Validation of what enters a ledger (records, time ranges, page
 * sizes), shared by both stores so they reject exactly the same inputs.
 */
import { InvalidInputError } from '../../core/errors.js';
import { ledgerStatuses, type LedgerRecord, type LedgerStatus } from './ledger.js';

const DEFAULT_PAGE_LIMIT = 100;
const MAX_PAGE_LIMIT = 1000;

/** Throws InvalidInputError naming the first bad field of `r`. */
export function checkLedgerRecord(r: LedgerRecord): void {
  const where = (field: string): string => `ledger record ${JSON.stringify(r.requestId)}.${field}`;
  for (const field of ['requestId', 'tenantId', 'keyId', 'model'] as const) {
    if (typeof r[field] !== 'string' || r[field].length === 0) throw new InvalidInputError('expected a non-empty string', where(field));
  }
  for (const field of ['pool', 'backend'] as const) {
    if (typeof r[field] !== 'string') throw new InvalidInputError("expected a string ('' when none)", where(field));
  }
  for (const field of ['inputTokens', 'outputTokens', 'cachedTokens'] as const) {
    const v = r[field];
    if (!Number.isSafeInteger(v) || v < 0 || v > 2_147_483_647) throw new InvalidInputError(`expected a token count (an integer >= 0), got ${v}`, where(field));
  }
  for (const field of ['costUsd', 'latencyMs'] as const) {
    const v = r[field];
    if (!Number.isFinite(v) || v < 0) throw new InvalidInputError(`expected a finite number >= 0, got ${v}`, where(field));
  }
  if (r.ttftMs !== undefined && (!Number.isFinite(r.ttftMs) || r.ttftMs < 0)) {
    throw new InvalidInputError(`expected a finite number >= 0 or nothing, got ${r.ttftMs}`, where('ttftMs'));
  }
  if (!isLedgerStatus(r.status)) throw new InvalidInputError(`expected one of ${ledgerStatuses.join(', ')}, got ${String(r.status)}`, where('status'));
  if (!Number.isSafeInteger(r.createdAtMs) || r.createdAtMs < 0) {
    throw new InvalidInputError(`expected Unix epoch milliseconds (an integer >= 0), got ${r.createdAtMs}`, where('createdAtMs'));
  }
}

export function isLedgerStatus(s: unknown): s is LedgerStatus {
  return (ledgerStatuses as readonly unknown[]).includes(s);
}

/**
 * The [fromMs, toMs) range of a usage query, with defaults filled in. Bounds
 * are rounded up to whole milliseconds, which selects the same integer
 * `createdAtMs` values, and clamped to the safe-integer range both stores hold.
 */
export function resolveTimeRange(q: { fromMs?: number; toMs?: number }): { fromMs: number; toMs: number } {
  const bound = (v: number | undefined, fallback: number, name: 'from' | 'to'): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new InvalidInputError(`expected Unix epoch milliseconds, got ${String(v)}`, name);
    return Math.min(Number.MAX_SAFE_INTEGER, Math.max(-Number.MAX_SAFE_INTEGER, Math.ceil(v)));
  };
  const fromMs = bound(q.fromMs, 0, 'from');
  const toMs = bound(q.toMs, Number.MAX_SAFE_INTEGER, 'to');
  if (toMs < fromMs) throw new InvalidInputError(`the range is empty: to (${toMs}) is before from (${fromMs})`, 'to');
  return { fromMs, toMs };
}

/** Page size of a requests query: default 100, at most 1000. */
export function resolvePageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidInputError(`expected an integer from 1 to ${MAX_PAGE_LIMIT}, got ${limit}`, 'limit');
  }
  return limit;
}

/** Tenant ids are opaque, but an empty one is a caller bug that would match nothing. */
export function checkTenantId(tenantId: string): void {
  if (typeof tenantId !== 'string' || tenantId.length === 0) throw new InvalidInputError('expected a non-empty tenant id', 'tenant');
}
