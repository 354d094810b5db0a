/**
 * @module The tenant store over a backend's tables, with the in-memory copy
 * that `authenticate` reads on every request.
 *
 * Freshness: `authenticate` answers from a map of active key id -> (hash,
 * tenant), built from one read of the tables. Every write through this store
 * (a new or changed tenant, a new or revoked key) drops the map, so this
 * process sees its own writes on the next request: a key revoked here is
 * refused at once. Writes made elsewhere (another gateway instance sharing
 * the PostgreSQL database, or an admin command writing the SQLite file) are
 * picked up when the map is older than `refreshIntervalMs` (default 5 s):
 * that is how long a key revoked on another instance may still be accepted
 * here, and a key created there refused here. The map is rebuilt once per
 * interval per instance, whatever the request rate; a full read is meant
 * for up to tens of thousands of keys (PostgreSQL LISTEN/NOTIFY would be the
 * next step if revocations must cross instances faster).
 *
 * When the read fails (the database is down) `authenticate` rejects with
 * that error rather than serve a copy that may hold revoked keys.
 */
import { InvalidInputError } from '../../core/errors.js';
import { generateApiKey, parseApiKey, verifyApiKey } from '../auth/api-key.js';
import { validateTenantInput, type Tenant, type TenantKey } from '../auth/tenant.js';
import { applyTenantPatch, tenantFromInput, type TenantTables } from './tenant-table.js';
import {
  newTenantId,
  NoSuchTenantError,
  publicKey,
  type Authenticated,
  type CreatedKey,
  type PublicTenantKey,
  type TenantStore,
} from './tenant-store.js';

export interface TenantStoreOptions {
  /** Wall clock, Unix epoch milliseconds: stamps creation and revocation times. */
  readonly nowMs: () => number;
  /**
   * How long `authenticate` trusts its in-memory copy, milliseconds on the
   * scale of its `nowMs` argument; default 5000. Bounds how late writes
   * from other processes are seen.
   */
  readonly refreshIntervalMs?: number;
}

export const DEFAULT_REFRESH_INTERVAL_MS = 5000;

/** Tries before giving up on drawing an unused key id (48 random bits: a clash is already rare). */
const KEY_ID_ATTEMPTS = 5;

interface AuthEntry {
  readonly hash: string;
  readonly auth: Authenticated;
}

type AuthMap = ReadonlyMap<string, AuthEntry>;

export function cachedTenantStore(tables: TenantTables, options: TenantStoreOptions): TenantStore {
  const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
  if (!(refreshIntervalMs >= 0)) {
    throw new InvalidInputError(`expected a refresh interval of 0 ms or more, got ${refreshIntervalMs}`, 'refreshIntervalMs');
  }
  return new CachedTenantStore(tables, options.nowMs, refreshIntervalMs);
}

class CachedTenantStore implements TenantStore {
  private authMap: AuthMap | undefined;
  /** `nowMs` of the `authenticate` call that built `authMap`. */
  private loadedAtMs = 0;
  /** Bumped by every write; a read that overlapped one is discarded. */
  private generation = 0;
  private loading: Promise<AuthMap> | undefined;

  constructor(
    private readonly tables: TenantTables,
    private readonly clock: () => number,
    private readonly refreshIntervalMs: number,
  ) {}

  /** Integer milliseconds, as the tables store them. */
  private now(): number {
    return Math.floor(this.clock());
  }

  private invalidate(): void {
    this.generation++;
    this.authMap = undefined;
  }

  async createTenant(input: unknown): Promise<Tenant> {
    const tenant = tenantFromInput(newTenantId(), validateTenantInput(input), this.now());
    await this.tables.insertTenant(tenant);
    return tenant;
  }

  listTenants(): Promise<Tenant[]> {
    return this.tables.selectTenants();
  }

  getTenant(id: string): Promise<Tenant | undefined> {
    return this.tables.selectTenant(id);
  }

  async updateTenant(id: string, patch: unknown): Promise<Tenant> {
    const updated = await this.tables.updateTenant(id, (current) => applyTenantPatch(current, patch));
    if (updated === undefined) throw new NoSuchTenantError(id);
    this.invalidate();
    return updated;
  }

  async createKey(tenantId: string): Promise<CreatedKey> {
    if ((await this.tables.selectTenant(tenantId)) === undefined) throw new NoSuchTenantError(tenantId);
    for (let attempt = 0; attempt < KEY_ID_ATTEMPTS; attempt++) {
      const { key, keyId, hash } = generateApiKey();
      const stored: TenantKey = { keyId, tenantId, hash, createdAtMs: this.now() };
      if (await this.tables.insertKey(stored)) {
        this.invalidate();
        return { keyId, key };
      }
    }
    throw new Error(`no unused key id after ${KEY_ID_ATTEMPTS} random draws; the random source is broken`);
  }

  async revokeKey(keyId: string): Promise<boolean> {
    const revoked = await this.tables.revokeKey(keyId, this.now());
    if (revoked) this.invalidate();
    return revoked;
  }

  async listKeys(tenantId: string): Promise<PublicTenantKey[]> {
    const keys = await this.tables.selectKeys(tenantId);
    if (keys.length === 0 && (await this.tables.selectTenant(tenantId)) === undefined) throw new NoSuchTenantError(tenantId);
    return keys.map(publicKey);
  }

  async authenticate(authorizationHeader: string | undefined, nowMs: number): Promise<Authenticated | undefined> {
    const parsed = parseApiKey(authorizationHeader);
    if (parsed === undefined) return undefined;
    // Either way: requests may hand in arrival times a little out of order.
    const fresh = Math.abs(nowMs - this.loadedAtMs) < this.refreshIntervalMs;
    const map = fresh && this.authMap !== undefined ? this.authMap : await this.reload(nowMs);
    const entry = map.get(parsed.keyId);
    // Revoked keys are not in the map at all.
    if (entry === undefined || !verifyApiKey(parsed.key, entry.hash)) return undefined;
    return entry.auth;
  }

  /** One read at a time, shared by every caller that finds the map stale. */
  private reload(nowMs: number): Promise<AuthMap> {
    this.loading ??= this.load(nowMs).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(nowMs: number): Promise<AuthMap> {
    for (;;) {
      const generation = this.generation;
      const { activeKeys, tenants } = await this.tables.selectAuthSnapshot();
      // A write in this process finished during the read, which may predate it: read again.
      if (generation !== this.generation) continue;
      const tenantsById = new Map(tenants.map((t) => [t.id, t]));
      const map = new Map<string, AuthEntry>();
      for (const k of activeKeys) {
        const tenant = tenantsById.get(k.tenantId);
        if (tenant !== undefined) map.set(k.keyId, { hash: k.hash, auth: { tenant, keyId: k.keyId } });
      }
      this.authMap = map;
      this.loadedAtMs = nowMs;
      return map;
    }
  }

  close(): Promise<void> {
    this.invalidate();
    return this.tables.close();
  }
}
