/**
 * @module The store of tenants and their API keys: the interface the admin API
 * and the request path use, the public view of a key, and the store's errors.
 * Implementations: `openSqliteTenantStore` (one instance) and
 * `openPgTenantStore` (several instances sharing one database).
 */
import { randomBytes } from 'node:crypto';
import { TokenfleetError } from '../../core/errors.js';
import type { Tenant, TenantKey } from '../auth/tenant.js';

/** A key as the admin API shows it: everything but the hash. */
export type PublicTenantKey = Omit<TenantKey, 'hash'>;

/** A key just created: `key` is its only appearance, the store keeps its hash alone. */
export interface CreatedKey {
  readonly keyId: string;
  /** The full key, `tf-<keyId>-<secret>`; show it once, never log it (see redactKey). */
  readonly key: string;
}

/** Who made a request, as `authenticate` found out. */
export interface Authenticated {
  readonly tenant: Tenant;
  readonly keyId: string;
}

export interface TenantStore {
  /**
   * Creates a tenant from an administrator's body (see validateTenantInput);
   * throws InvalidInputError, with the field in `where`, on a bad body.
   */
  createTenant(input: unknown): Promise<Tenant>;
  /** Every tenant, oldest first. */
  listTenants(): Promise<Tenant[]>;
  getTenant(id: string): Promise<Tenant | undefined>;
  /**
   * Changes the fields named in `patch`; `null` clears an optional limit
   * (budget, rpm, tpm, models) and resets `weight` to 1. The result is
   * validated as a whole (InvalidInputError); `id` and `createdAtMs` never
   * change. Throws NoSuchTenantError when there is no such tenant.
   */
  updateTenant(id: string, patch: unknown): Promise<Tenant>;
  /** A new key for the tenant (NoSuchTenantError when there is none). Only the hash is stored. */
  createKey(tenantId: string): Promise<CreatedKey>;
  /** Revokes a key; true when it was active, false when unknown or already revoked. */
  revokeKey(keyId: string): Promise<boolean>;
  /** The tenant's keys, revoked ones included, oldest first; no hash. NoSuchTenantError when there is no such tenant. */
  listKeys(tenantId: string): Promise<PublicTenantKey[]>;
  /**
   * The tenant and key of an `Authorization: Bearer tf-<keyId>-<secret>`
   * header, or undefined when the header is missing or malformed, the key id
   * unknown, the secret wrong or the key revoked. Served from memory: see
   * cached-tenant-store.ts for how fresh that is. `nowMs` is the request's
   * arrival, Unix epoch milliseconds; it only ages the cache.
   */
  authenticate(authorizationHeader: string | undefined, nowMs: number): Promise<Authenticated | undefined>;
  /** Releases the file or the connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** A tenant id that matches no tenant. */
export class NoSuchTenantError extends TokenfleetError {
  override readonly exitCode = 2;
  constructor(readonly tenantId: string) {
    super(`unknown tenant '${tenantId}'; list the tenants to find its id`);
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `ten_` and 16 lower-case base32 characters (80 random bits). */
export function newTenantId(): string {
  const bytes = randomBytes(10);
  let out = 'ten_';
  // 80 bits = 16 groups of 5 bits, read most significant first.
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** The public view of a stored key (a new object, so no hash can leak through it). */
export function publicKey(k: TenantKey): PublicTenantKey {
  const { keyId, tenantId, createdAtMs, revokedAtMs } = k;
  return revokedAtMs === undefined ? { keyId, tenantId, createdAtMs } : { keyId, tenantId, createdAtMs, revokedAtMs };
}
