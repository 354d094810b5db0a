/**
 * @module The tenant store in a SQLite file (`<dataDir>/tenants.sqlite`, WAL
 * mode, beside the ledger's `ledger.sqlite`), for one gateway instance; an
 * admin command may write the same file from another process meanwhile.
 *
 * Its own file rather than tables in the ledger's: the two have nothing to
 * join, and key writes never wait on the ledger's stream of inserts. Writes
 * are rare, so every commit is fsynced (`synchronous = FULL`): a revocation
 * survives even a power loss once `revokeKey` resolves.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TokenfleetError } from '../../core/errors.js';
import type { Tenant, TenantKey } from '../auth/tenant.js';
import { cachedTenantStore, type TenantStoreOptions } from './cached-tenant-store.js';
import type { TenantStore } from './tenant-store.js';
import {
  keyColumns,
  keyFromRow,
  keyRowValues,
  tenantColumns,
  tenantFromRow,
  tenantRowValues,
  type AuthSnapshotRows,
  type KeyRow,
  type TenantRow,
  type TenantTables,
} from './tenant-table.js';

export const SQLITE_TENANT_FILE = 'tenants.sqlite';

export interface SqliteTenantStoreOptions extends TenantStoreOptions {
  /** Folder of the file, the gateway's data directory (as for the ledger); created if missing. */
  readonly dataDir: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tenants (
  id                   TEXT    NOT NULL PRIMARY KEY,
  name                 TEXT    NOT NULL,
  budget_usd_per_month REAL,
  rpm                  INTEGER,
  tpm                  INTEGER,
  weight               REAL    NOT NULL,
  models               TEXT,
  created_at           INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS tenant_keys (
  key_id     TEXT    NOT NULL PRIMARY KEY,
  tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
  hash       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS tenant_keys_tenant ON tenant_keys (tenant_id, created_at, key_id);
`;

/** Opens (creating if needed) the tenants file under `dataDir`. */
export function openSqliteTenantStore(options: SqliteTenantStoreOptions): TenantStore {
  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, SQLITE_TENANT_FILE);
  const db = new Database(path);
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new TokenfleetError(`cannot put the tenant store ${path} in WAL mode (got '${String(mode)}'); put the data directory on a local filesystem`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // A second process (an admin command) may read or write the file meanwhile.
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return cachedTenantStore(new SqliteTenantTables(db), options);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The row as SQLite returns it: models as JSON text. */
type SqliteTenantRow = Omit<TenantRow, 'models'> & { models: string | null };

function tenantFromSqlite(r: SqliteTenantRow): Tenant {
  return tenantFromRow({ ...r, models: r.models === null ? null : (JSON.parse(r.models) as string[]) });
}

function tenantToSqlite(t: Tenant): unknown[] {
  const values: unknown[] = tenantRowValues(t);
  const models = t.models;
  values[tenantColumns.indexOf('models')] = models === undefined ? null : JSON.stringify(models);
  return values;
}

const TENANTS = `SELECT ${tenantColumns.join(', ')} FROM tenants`;
const KEYS = `SELECT ${keyColumns.join(', ')} FROM tenant_keys`;

class SqliteTenantTables implements TenantTables {
  private readonly insertTenantStmt: Database.Statement<unknown[]>;
  private readonly allTenants: Database.Statement<[], SqliteTenantRow>;
  private readonly oneTenant: Database.Statement<[string], SqliteTenantRow>;
  private readonly updateTenantStmt: Database.Statement<unknown[]>;
  private readonly insertKeyStmt: Database.Statement<unknown[]>;
  private readonly revokeKeyStmt: Database.Statement<[number, string]>;
  private readonly keysOf: Database.Statement<[string], KeyRow>;
  private readonly activeKeys: Database.Statement<[], KeyRow>;

  constructor(private readonly db: Database.Database) {
    const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    this.insertTenantStmt = db.prepare(`INSERT INTO tenants (${tenantColumns.join(', ')}) VALUES (${placeholders(tenantColumns.length)})`);
    this.allTenants = db.prepare(`${TENANTS} ORDER BY created_at, id`);
    this.oneTenant = db.prepare(`${TENANTS} WHERE id = ?`);
    // Every column but `id` (the first), which comes last, for the WHERE.
    this.updateTenantStmt = db.prepare(`UPDATE tenants SET ${tenantColumns.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
    this.insertKeyStmt = db.prepare(
      `INSERT INTO tenant_keys (${keyColumns.join(', ')}) VALUES (${placeholders(keyColumns.length)}) ON CONFLICT (key_id) DO NOTHING`,
    );
    this.revokeKeyStmt = db.prepare('UPDATE tenant_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL');
    this.keysOf = db.prepare(`${KEYS} WHERE tenant_id = ? ORDER BY created_at, key_id`);
    this.activeKeys = db.prepare(`${KEYS} WHERE revoked_at IS NULL`);
  }

  async insertTenant(t: Tenant): Promise<void> {
    this.insertTenantStmt.run(tenantToSqlite(t));
  }

  async selectTenants(): Promise<Tenant[]> {
    return this.allTenants.all().map(tenantFromSqlite);
  }

  async selectTenant(id: string): Promise<Tenant | undefined> {
    const row = this.oneTenant.get(id);
    return row === undefined ? undefined : tenantFromSqlite(row);
  }

  async updateTenant(id: string, change: (current: Tenant) => Tenant): Promise<Tenant | undefined> {
    // IMMEDIATE: takes the write lock before reading, so another process cannot write in between.
    return this.db
      .transaction(() => {
        const row = this.oneTenant.get(id);
        if (row === undefined) return undefined;
        const next = change(tenantFromSqlite(row));
        const [, ...rest] = tenantToSqlite(next);
        this.updateTenantStmt.run([...rest, id]);
        return next;
      })
      .immediate();
  }

  async insertKey(k: TenantKey): Promise<boolean> {
    return this.insertKeyStmt.run(keyRowValues(k)).changes === 1;
  }

  async revokeKey(keyId: string, nowMs: number): Promise<boolean> {
    return this.revokeKeyStmt.run(nowMs, keyId).changes === 1;
  }

  async selectKeys(tenantId: string): Promise<TenantKey[]> {
    return this.keysOf.all(tenantId).map(keyFromRow);
  }

  async selectAuthSnapshot(): Promise<AuthSnapshotRows> {
    return this.db.transaction(() => {
      const activeKeys = this.activeKeys.all().map(keyFromRow);
      return { activeKeys, tenants: this.allTenants.all().map(tenantFromSqlite) };
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
