/**
 * @module The opaque page cursor of `Ledger.requests`: the key (createdAtMs,
 * requestId) of the last record of a page, as base64url JSON, and the cut of a page.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { LedgerRecord, RequestsPage } from './ledger.js';

/** Keyset position: pages continue strictly after (below) this key. */
export interface LedgerCursor {
  /** Unix epoch milliseconds. */
  readonly createdAtMs: number;
  readonly requestId: string;
}

export function encodeLedgerCursor(c: LedgerCursor): string {
  return Buffer.from(JSON.stringify([c.createdAtMs, c.requestId]), 'utf8').toString('base64url');
}

/** Throws InvalidInputError (where: 'cursor') on anything `encodeLedgerCursor` did not produce. */
export function decodeLedgerCursor(cursor: string): LedgerCursor {
  const bad = (): InvalidInputError =>
    new InvalidInputError('malformed cursor; pass the nextCursor of the previous page unchanged, or omit it for the first page', 'cursor');
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [createdAtMs, requestId] = parsed as unknown[];
  if (typeof createdAtMs !== 'number' || !Number.isSafeInteger(createdAtMs) || typeof requestId !== 'string') throw bad();
  return { createdAtMs, requestId };
}

/** Cuts the `limit + 1` records a store selected to a page, with a cursor when the extra one exists. */
export function toRequestsPage(records: LedgerRecord[], limit: number): RequestsPage {
  if (records.length <= limit) return { records };
  const page = records.slice(0, limit);
  const last = page[page.length - 1]!;
  return { records: page, nextCursor: encodeLedgerCursor({ createdAtMs: last.createdAtMs, requestId: last.requestId }) };
}
