/**
 * @module The table row of a ledger record and the grouped usage row, and
 * their mapping to the ledger's types; the same columns in SQLite and PostgreSQL.
 */
import type { LedgerRecord, LedgerStatus, ModelDayUsage, UsageReport, UsageTotals } from './ledger.js';
import { utcDayString } from './utc-calendar.js';

/** Column order of inserts; `ledgerRowValues` yields the values in this order. */
export const ledgerColumns = [
  'request_id',
  'tenant_id',
  'key_id',
  'model',
  'pool',
  'backend',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cost_usd',
  'latency_ms',
  'ttft_ms',
  'status',
  'created_at',
] as const;

/** A row as selected (numbers already numbers: PostgreSQL selects cast bigints to float8). */
export interface LedgerRow {
  request_id: string;
  tenant_id: string;
  key_id: string;
  model: string;
  pool: string;
  backend: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  status: string;
  created_at: number;
}

export function ledgerRowValues(r: LedgerRecord): (string | number | null)[] {
  return [
    r.requestId,
    r.tenantId,
    r.keyId,
    r.model,
    r.pool,
    r.backend,
    r.inputTokens,
    r.outputTokens,
    r.cachedTokens,
    r.costUsd,
    r.latencyMs,
    r.ttftMs ?? null,
    r.status,
    r.createdAtMs,
  ];
}

export function ledgerRecordFromRow(row: LedgerRow): LedgerRecord {
  return {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    keyId: row.key_id,
    model: row.model,
    pool: row.pool,
    backend: row.backend,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedTokens: row.cached_tokens,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    ...(row.ttft_ms === null ? {} : { ttftMs: row.ttft_ms }),
    // Only `record` writes the table and it checks the status, so the cast
    // holds; a status added by a newer version still shows as it was written.
    status: row.status as LedgerStatus,
    createdAtMs: row.created_at,
  };
}

/** One group of the usage query: a model on a day index (days since the epoch, UTC). */
export interface UsageRow {
  model: string;
  day_index: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
}

/** Orders the groups by day then model (by UTF-16 code unit, whatever the database collation) and sums the totals. */
export function usageReportFromRows(rows: readonly UsageRow[]): UsageReport {
  const sorted = [...rows].sort((a, b) => a.day_index - b.day_index || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  const byModelDay: ModelDayUsage[] = sorted.map((g) => ({
    model: g.model,
    day: utcDayString(g.day_index),
    requests: g.requests,
    inputTokens: g.input_tokens,
    outputTokens: g.output_tokens,
    cachedTokens: g.cached_tokens,
    costUsd: g.cost_usd,
  }));
  const totals = { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };
  for (const g of byModelDay) {
    totals.requests += g.requests;
    totals.inputTokens += g.inputTokens;
    totals.outputTokens += g.outputTokens;
    totals.cachedTokens += g.cachedTokens;
    totals.costUsd += g.costUsd;
  }
  return { totals, byModelDay };
}

/** The select list of the all-records totals; every sum is 0, not null, on an empty table. */
export const TOTALS_COLUMNS =
  'count(*) AS requests, coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens, ' +
  'coalesce(sum(cached_tokens), 0) AS cached_tokens, coalesce(sum(cost_usd), 0) AS cost_usd';

/** The row of the totals query (PostgreSQL selects cast to float8, so numbers are numbers). */
export interface TotalsRow {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
}

export function usageTotalsFromRow(row: TotalsRow | undefined): UsageTotals {
  if (row === undefined) return { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };
  return { requests: Number(row.requests), inputTokens: Number(row.input_tokens), outputTokens: Number(row.output_tokens), cachedTokens: Number(row.cached_tokens), costUsd: Number(row.cost_usd) };
}
