/**
 * @module The ledger in PostgreSQL, shared by several gateway instances:
 * awaited inserts through a connection pool, durable when `record` resolves.
 *
 * Durability: the records handed to `record` in one turn of the event loop
 * go to the server as one autocommitted multi-row INSERT (group-commit.ts),
 * and every pooled connection starts with `synchronous_commit = on` (whatever
 * the server's default, unless the connection string sets `options` itself),
 * so each promise resolves only after the commit that holds its record is
 * flushed to the server's WAL; a gateway crash after that loses nothing,
 * and a retry with the same requestId is ignored by `ON CONFLICT DO NOTHING`.
 */
import pg from 'pg';
import { InvalidInputError } from '../../core/errors.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import { checkLedgerRecord, checkTenantId, resolvePageLimit, resolveTimeRange } from './check-ledger-input.js';
import type { Ledger, LedgerRecord, RequestsPage, RequestsQuery, UsageQuery, UsageReport, UsageTotals } from './ledger.js';
import { decodeLedgerCursor, toRequestsPage } from './ledger-cursor.js';
import { ledgerColumns, ledgerRecordFromRow, ledgerRowValues, usageReportFromRows, usageTotalsFromRow, type LedgerRow, type TotalsRow, type UsageRow } from './ledger-row.js';
import { MS_PER_DAY, utcMonthRangeMs } from './utc-calendar.js';

export interface PgLedgerOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db. */
  readonly connectionString: string;
  /** Schema of the ledger table, created if missing; default 'public'. Lower-case letters, digits, '_'. */
  readonly schema?: string;
  /** Pool size, connections; default 10. */
  readonly maxConnections?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, say).
   * The pool drops that connection and the next query opens a new one, so
   * this is for logging; without it such errors are ignored rather than
   * crashing the process.
   */
  readonly onError?: (err: Error) => void;
}

/** Connects, creates the schema, table and index if missing, and returns the ledger. */
export async function openPgLedger(options: PgLedgerOptions): Promise<Ledger> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidInputError(`expected a schema name of lower-case letters, digits and '_', got '${schema}'`, 'ledger.schema');
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    // A startup parameter, so it holds from the first statement; an `options`
    // in the connection string replaces it (an operator's deliberate choice).
    options: '-c synchronous_commit=on',
  });
  pool.on('error', options.onError ?? (() => {}));
  try {
    await migrate(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PgLedger(pool, schema);
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Several instances starting together would otherwise race on CREATE ... IF NOT EXISTS.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tokenfleet-ledger:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS "${schema}".ledger_requests (
        request_id    text COLLATE "C" NOT NULL PRIMARY KEY,
        tenant_id     text NOT NULL,
        key_id        text NOT NULL,
        model         text NOT NULL,
        pool          text NOT NULL,
        backend       text NOT NULL,
        input_tokens  integer NOT NULL,
        output_tokens integer NOT NULL,
        cached_tokens integer NOT NULL,
        cost_usd      double precision NOT NULL,
        latency_ms    double precision NOT NULL,
        ttft_ms       double precision,
        status        text NOT NULL,
        created_at    bigint NOT NULL
      )`);
    // Orders pages; the INCLUDE columns let usage and month spend scan the index alone.
    await client.query(
      `CREATE INDEX IF NOT EXISTS ledger_requests_tenant_time ON "${schema}".ledger_requests (tenant_id, created_at, request_id)
       INCLUDE (model, input_tokens, output_tokens, cached_tokens, cost_usd)`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The SQL array type of each of `ledgerColumns`, for the multi-row insert. */
const COLUMN_ARRAY_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'int4', 'int4', 'int4', 'float8', 'float8', 'float8', 'text', 'int8'] as const satisfies { readonly length: (typeof ledgerColumns)['length'] };

class PgLedger implements Ledger {
  private readonly table: string;
  private readonly selectColumns: string;
  private readonly commits: GroupCommit<LedgerRecord>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.table = `"${schema}".ledger_requests`;
    // bigint arrives as a string from pg; float8 is exact up to 2^53 and arrives as a number.
    this.selectColumns = ledgerColumns.map((c) => (c === 'created_at' ? 'created_at::float8 AS created_at' : c)).join(', ');
    this.commits = createGroupCommit<LedgerRecord>((records) => this.insertAll(records));
  }

  /** Named statements are prepared once per connection; the name includes the schema since the text does. */
  private query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>({ name: `ledger-${name}-${this.schema}`, text, values });
  }

  record(r: LedgerRecord): Promise<void> {
    checkLedgerRecord(r);
    return this.commits.add(r);
  }

  /** One INSERT of a batch (one array per column, whatever the batch size: one prepared statement); the first of two records with one id wins, as in sequence. */
  private async insertAll(records: readonly LedgerRecord[]): Promise<void> {
    const columns: unknown[][] = ledgerColumns.map(() => []);
    const seen = new Set<string>();
    for (const r of records) {
      if (seen.has(r.requestId)) continue;
      seen.add(r.requestId);
      ledgerRowValues(r).forEach((v, i) => columns[i]!.push(v));
    }
    await this.query(
      'insert-many',
      `INSERT INTO ${this.table} (${ledgerColumns.join(', ')})
       SELECT * FROM unnest(${COLUMN_ARRAY_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       ON CONFLICT (request_id) DO NOTHING`,
      columns,
    );
  }

  async usage(q: UsageQuery): Promise<UsageReport> {
    checkTenantId(q.tenantId);
    const { fromMs, toMs } = resolveTimeRange(q);
    const { rows } = await this.query<UsageRow>(
      'usage',
      `SELECT model, (created_at / ${MS_PER_DAY})::float8 AS day_index, count(*)::float8 AS requests,
         sum(input_tokens)::float8 AS input_tokens, sum(output_tokens)::float8 AS output_tokens,
         sum(cached_tokens)::float8 AS cached_tokens, sum(cost_usd) AS cost_usd
       FROM ${this.table} WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
       GROUP BY model, day_index`,
      [q.tenantId, fromMs, toMs],
    );
    return usageReportFromRows(rows);
  }

  async requests(q: RequestsQuery): Promise<RequestsPage> {
    checkTenantId(q.tenantId);
    const limit = resolvePageLimit(q.limit);
    const select = `SELECT ${this.selectColumns} FROM ${this.table} WHERE tenant_id = $1`;
    const order = 'ORDER BY created_at DESC, request_id DESC';
    // One row more than asked tells whether another page follows.
    const { rows } =
      q.cursor === undefined
        ? await this.query<LedgerRow>('first-page', `${select} ${order} LIMIT $2`, [q.tenantId, limit + 1])
        : await (() => {
            const after = decodeLedgerCursor(q.cursor);
            return this.query<LedgerRow>('next-page', `${select} AND (created_at, request_id) < ($2, $3) ${order} LIMIT $4`, [
              q.tenantId,
              after.createdAtMs,
              after.requestId,
              limit + 1,
            ]);
          })();
    return toRequestsPage(rows.map(ledgerRecordFromRow), limit);
  }

  async monthSpendUsd(tenantId: string, nowMs: number): Promise<number> {
    checkTenantId(tenantId);
    const { fromMs, toMs } = utcMonthRangeMs(nowMs);
    const { rows } = await this.query<{ cost_usd: number }>(
      'month-spend',
      `SELECT coalesce(sum(cost_usd), 0) AS cost_usd FROM ${this.table} WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`,
      [tenantId, fromMs, toMs],
    );
    return rows[0]?.cost_usd ?? 0;
  }

  async totals(): Promise<UsageTotals> {
    // count is bigint and the sums numeric in PostgreSQL: cast to float8 so that they arrive as numbers.
    const { rows } = await this.query<TotalsRow>(
      'totals',
      `SELECT count(*)::float8 AS requests, coalesce(sum(input_tokens), 0)::float8 AS input_tokens,
         coalesce(sum(output_tokens), 0)::float8 AS output_tokens, coalesce(sum(cached_tokens), 0)::float8 AS cached_tokens,
         coalesce(sum(cost_usd), 0) AS cost_usd
       FROM ${this.table}`,
      [],
    );
    return usageTotalsFromRow(rows[0]);
  }

  async close(): Promise<void> {
    await this.commits.flush();
    if (!this.pool.ended) await this.pool.end();
  }
}
