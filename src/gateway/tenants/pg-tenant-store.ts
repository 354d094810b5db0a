/**
 * @module The tenant store in PostgreSQL, shared by several gateway
 * instances: tables `tenants` and `tenant_keys` in the configured schema
 * (created if missing), read and written through a connection pool.
 *
 * Each instance keeps its own in-memory copy for `authenticate` and sees
 * other instances' writes within `refreshIntervalMs` (default 5 s); see
 * cached-tenant-store.ts. Writes are single autocommitted statements, or one
 * transaction for an update, durable when their promise resolves (with the
 * server's default `synchronous_commit = on`).
 */
import pg from 'pg';
import { InvalidInputError } from '../../core/errors.js';
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

export interface PgTenantStoreOptions extends TenantStoreOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db. */
  readonly connectionString: string;
  /** Schema of the tables, created if missing; default 'public'. Lower-case letters, digits, '_'. */
  readonly schema?: string;
  /** Pool size, connections; default 4 (admin writes and one refresh per interval). */
  readonly maxConnections?: number;
  /** Called when an idle pooled connection fails; for logging (the pool replaces it). */
  readonly onError?: (err: Error) => void;
}

/** Connects, creates the schema and tables if missing, and returns the store. */
export async function openPgTenantStore(options: PgTenantStoreOptions): Promise<TenantStore> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidInputError(`expected a schema name of lower-case letters, digits and '_', got '${schema}'`, 'tenants.schema');
  }
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4 });
  pool.on('error', options.onError ?? (() => {}));
  try {
    await migrate(pool, schema);
    return cachedTenantStore(new PgTenantTables(pool, schema), options);
  } catch (err) {
    await pool.end();
    throw err;
  }
}

async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    // Several instances starting together would otherwise race on CREATE ... IF NOT EXISTS.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tokenfleet-tenants:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS "${schema}".tenants (
        id                   text NOT NULL PRIMARY KEY,
        name                 text NOT NULL,
        budget_usd_per_month double precision,
        rpm                  bigint,
        tpm                  bigint,
        weight               double precision NOT NULL,
        models               text[],
        created_at           bigint NOT NULL
      )`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS "${schema}".tenant_keys (
        key_id     text NOT NULL PRIMARY KEY,
        tenant_id  text NOT NULL REFERENCES "${schema}".tenants (id),
        hash       text NOT NULL,
        created_at bigint NOT NULL,
        revoked_at bigint
      )`);
    await client.query(`CREATE INDEX IF NOT EXISTS tenant_keys_tenant ON "${schema}".tenant_keys (tenant_id, created_at, key_id)`);
  });
}

// bigint arrives from pg as a string; float8 is exact up to 2^53 and arrives as a number.
const asFloat = (c: string) => (['rpm', 'tpm', 'created_at', 'revoked_at'].includes(c) ? `${c}::float8 AS ${c}` : c);
const TENANT_SELECT = tenantColumns.map(asFloat).join(', ');
const KEY_SELECT = keyColumns.map(asFloat).join(', ');
const params = (from: number, n: number) => Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');

function tenantToPg(t: Tenant): unknown[] {
  const values: unknown[] = tenantRowValues(t);
  // A fresh mutable array: pg encodes arrays as text[] literals.
  values[tenantColumns.indexOf('models')] = t.models === undefined ? null : [...t.models];
  return values;
}

class PgTenantTables implements TenantTables {
  private readonly tenants: string;
  private readonly keys: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.tenants = `"${schema}".tenants`;
    this.keys = `"${schema}".tenant_keys`;
  }

  /** Named statements are prepared once per connection; the name includes the schema since the text does. */
  private query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>({ name: `tenants-${name}-${this.schema}`, text, values });
  }

  async insertTenant(t: Tenant): Promise<void> {
    await this.query('insert-tenant', `INSERT INTO ${this.tenants} (${tenantColumns.join(', ')}) VALUES (${params(1, tenantColumns.length)})`, tenantToPg(t));
  }

  async selectTenants(): Promise<Tenant[]> {
    const { rows } = await this.query<TenantRow>('all-tenants', `SELECT ${TENANT_SELECT} FROM ${this.tenants} ORDER BY created_at, id`, []);
    return rows.map(tenantFromRow);
  }

  async selectTenant(id: string): Promise<Tenant | undefined> {
    const { rows } = await this.query<TenantRow>('one-tenant', `SELECT ${TENANT_SELECT} FROM ${this.tenants} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : tenantFromRow(rows[0]);
  }

  updateTenant(id: string, change: (current: Tenant) => Tenant): Promise<Tenant | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<TenantRow>(`SELECT ${TENANT_SELECT} FROM ${this.tenants} WHERE id = $1 FOR UPDATE`, [id]);
      if (rows[0] === undefined) return undefined;
      const next = change(tenantFromRow(rows[0]));
      const [, ...rest] = tenantToPg(next);
      const sets = tenantColumns
        .slice(1)
        .map((c, i) => `${c} = $${i + 2}`)
        .join(', ');
      await client.query(`UPDATE ${this.tenants} SET ${sets} WHERE id = $1`, [id, ...rest]);
      return next;
    });
  }

  async insertKey(k: TenantKey): Promise<boolean> {
    const { rowCount } = await this.query(
      'insert-key',
      `INSERT INTO ${this.keys} (${keyColumns.join(', ')}) VALUES (${params(1, keyColumns.length)}) ON CONFLICT (key_id) DO NOTHING`,
      keyRowValues(k),
    );
    return rowCount === 1;
  }

  async revokeKey(keyId: string, nowMs: number): Promise<boolean> {
    const { rowCount } = await this.query('revoke-key', `UPDATE ${this.keys} SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL`, [keyId, nowMs]);
    return rowCount === 1;
  }

  async selectKeys(tenantId: string): Promise<TenantKey[]> {
    const { rows } = await this.query<KeyRow>('keys-of', `SELECT ${KEY_SELECT} FROM ${this.keys} WHERE tenant_id = $1 ORDER BY created_at, key_id`, [tenantId]);
    return rows.map(keyFromRow);
  }

  async selectAuthSnapshot(): Promise<AuthSnapshotRows> {
    // Keys first: tenants are never deleted, so the later read holds every key's tenant.
    const keys = await this.query<KeyRow>('active-keys', `SELECT ${KEY_SELECT} FROM ${this.keys} WHERE revoked_at IS NULL`, []);
    const tenants = await this.selectTenants();
    return { activeKeys: keys.rows.map(keyFromRow), tenants };
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
