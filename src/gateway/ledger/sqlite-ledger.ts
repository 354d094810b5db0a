/**
 * @module The ledger in a SQLite file (`<dataDir>/ledger.sqlite`, WAL mode),
 * for one gateway instance: inserts by group commit, durable when `record`'s
 * promise resolves.
 *
 * Durability: the records handed to `record` in one turn of the event loop
 * are inserted in one transaction (group-commit.ts), and each `record`
 * resolves only after that transaction has committed; the gateway awaits it
 * before it answers. In WAL mode a commit writes the transaction to the WAL
 * file with write(2) before returning, so it survives the gateway process being killed
 * (`kill -9`, OOM, a crash) under either `synchronous` setting. With
 * `synchronous: 'normal'` (the default) the WAL is fsynced at checkpoints only,
 * so an operating-system crash or power loss can lose the last commits (those
 * since the last checkpoint, at most ~1000 pages of WAL); `synchronous: 'full'`
 * fsyncs every commit and closes that window too, at a cost in inserts/s.
 *
 * Checkpoints: `checkpoints: 'background'` (what `tokenfleet serve` uses)
 * moves them off the committing thread into a worker (wal-checkpointer.ts),
 * so that a commit never stalls the event loop for a checkpoint; the window
 * above is then the frames since the last background checkpoint (100 ms).
 * `'inline'` (the default, for short-lived commands) leaves them to SQLite.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TokenfleetError } from '../../core/errors.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import { checkLedgerRecord, checkTenantId, resolvePageLimit, resolveTimeRange } from './check-ledger-input.js';
import type { Ledger, LedgerRecord, RequestsPage, RequestsQuery, UsageQuery, UsageReport, UsageTotals } from './ledger.js';
import { decodeLedgerCursor, toRequestsPage } from './ledger-cursor.js';
import { ledgerColumns, ledgerRecordFromRow, ledgerRowValues, TOTALS_COLUMNS, usageReportFromRows, usageTotalsFromRow, type LedgerRow, type TotalsRow, type UsageRow } from './ledger-row.js';
import { MS_PER_DAY, utcMonthRangeMs } from './utc-calendar.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

export const SQLITE_LEDGER_FILE = 'ledger.sqlite';

export interface SqliteLedgerOptions {
  /** Folder of the ledger file; created if missing. */
  readonly dataDir: string;
  /** 'normal' (default): durable against process crashes; 'full': also against power loss. */
  readonly synchronous?: 'normal' | 'full';
  /** Who checkpoints the WAL: SQLite inside commits ('inline', default) or a worker thread ('background'). */
  readonly checkpoints?: 'inline' | 'background';
}

/** SQLite's automatic checkpoint threshold, pages (its default), restored if the background checkpointer fails. */
const AUTOCHECKPOINT_PAGES = 1000;
/** Size the WAL file is truncated to when it restarts, bytes. */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

// WITHOUT ROWID: the table is the request_id B-tree itself, so an insert
// touches two B-trees instead of three (about 1.5x the inserts/s). The index
// orders pages (tenant, time, id) and also carries the summed columns, so
// usage and month spend read the index alone (10x faster month spend on 200k
// rows, for ~5% fewer inserts/s).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_requests (
  request_id    TEXT    NOT NULL PRIMARY KEY,
  tenant_id     TEXT    NOT NULL,
  key_id        TEXT    NOT NULL,
  model         TEXT    NOT NULL,
  pool          TEXT    NOT NULL,
  backend       TEXT    NOT NULL,
  input_tokens  INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd      REAL    NOT NULL,
  latency_ms    REAL    NOT NULL,
  ttft_ms       REAL,
  status        TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ledger_requests_tenant_time
  ON ledger_requests (tenant_id, created_at, request_id, model, input_tokens, output_tokens, cached_tokens, cost_usd);
`;

/** Opens (creating if needed) the ledger file under `dataDir`. */
export function openSqliteLedger(options: SqliteLedgerOptions): Ledger {
  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, SQLITE_LEDGER_FILE);
  const db = new Database(path);
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new TokenfleetError(`cannot put the ledger ${path} in WAL mode (got '${String(mode)}'); put the data directory on a local filesystem`);
    }
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // A second process (an admin command) may read or write the file meanwhile.
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    let checkpointer: WalCheckpointer | undefined;
    if (options.checkpoints === 'background') {
      db.pragma('wal_autocheckpoint = 0');
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      checkpointer = startWalCheckpointer({
        path,
        onError: () => {
          if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        },
      });
    }
    return new SqliteLedger(db, checkpointer);
  } catch (err) {
    db.close();
    throw err;
  }
}

const USAGE_COLUMNS = `model, created_at / ${MS_PER_DAY} AS day_index, count(*) AS requests,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cached_tokens) AS cached_tokens, sum(cost_usd) AS cost_usd`;

class SqliteLedger implements Ledger {
  private readonly insert: Database.Statement<unknown[]>;
  private readonly usageQuery: Database.Statement<[string, number, number], UsageRow>;
  private readonly firstPage: Database.Statement<[string, number], LedgerRow>;
  private readonly nextPage: Database.Statement<[string, number, string, number], LedgerRow>;
  private readonly spend: Database.Statement<[string, number, number], { cost_usd: number }>;
  private readonly totalsQuery: Database.Statement<[], TotalsRow>;
  private readonly commits: GroupCommit<LedgerRecord>;

  constructor(
    private readonly db: Database.Database,
    private readonly checkpointer: WalCheckpointer | undefined,
  ) {
    this.insert = db.prepare(
      `INSERT INTO ledger_requests (${ledgerColumns.join(', ')}) VALUES (${ledgerColumns.map(() => '?').join(', ')})
       ON CONFLICT (request_id) DO NOTHING`,
    );
    this.usageQuery = db.prepare(
      `SELECT ${USAGE_COLUMNS} FROM ledger_requests
       WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY model, day_index`,
    );
    const page = `SELECT ${ledgerColumns.join(', ')} FROM ledger_requests WHERE tenant_id = ?`;
    const order = 'ORDER BY created_at DESC, request_id DESC LIMIT ?';
    this.firstPage = db.prepare(`${page} ${order}`);
    this.nextPage = db.prepare(`${page} AND (created_at, request_id) < (?, ?) ${order}`);
    this.spend = db.prepare(
      'SELECT coalesce(sum(cost_usd), 0.0) AS cost_usd FROM ledger_requests WHERE tenant_id = ? AND created_at >= ? AND created_at < ?',
    );
    this.totalsQuery = db.prepare(`SELECT ${TOTALS_COLUMNS} FROM ledger_requests`);
    // A record whose id is already stored, earlier in the same batch included, is skipped by ON CONFLICT.
    const insertAll = db.transaction((records: readonly LedgerRecord[]) => {
      for (const r of records) this.insert.run(ledgerRowValues(r));
    });
    this.commits = createGroupCommit<LedgerRecord>((records) => insertAll(records));
  }

  record(r: LedgerRecord): Promise<void> {
    checkLedgerRecord(r);
    return this.commits.add(r);
  }

  async usage(q: UsageQuery): Promise<UsageReport> {
    checkTenantId(q.tenantId);
    const { fromMs, toMs } = resolveTimeRange(q);
    return usageReportFromRows(this.usageQuery.all(q.tenantId, fromMs, toMs));
  }

  async requests(q: RequestsQuery): Promise<RequestsPage> {
    checkTenantId(q.tenantId);
    const limit = resolvePageLimit(q.limit);
    // One row more than asked tells whether another page follows.
    const rows =
      q.cursor === undefined
        ? this.firstPage.all(q.tenantId, limit + 1)
        : (() => {
            const after = decodeLedgerCursor(q.cursor);
            return this.nextPage.all(q.tenantId, after.createdAtMs, after.requestId, limit + 1);
          })();
    return toRequestsPage(rows.map(ledgerRecordFromRow), limit);
  }

  async monthSpendUsd(tenantId: string, nowMs: number): Promise<number> {
    checkTenantId(tenantId);
    const { fromMs, toMs } = utcMonthRangeMs(nowMs);
    return this.spend.get(tenantId, fromMs, toMs)?.cost_usd ?? 0;
  }

  async totals(): Promise<UsageTotals> {
    return usageTotalsFromRow(this.totalsQuery.get());
  }

  async close(): Promise<void> {
    await this.commits.flush();
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}
