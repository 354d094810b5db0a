/**
 * @module The storage side of a tenant store: the few row operations that the
 * SQLite and PostgreSQL tables implement, the row shape they share, and the
 * merge of an update patch into a tenant.
 */
import { InvalidInputError } from '../../core/errors.js';
import { validateTenantInput, type Tenant, type TenantInput, type TenantKey } from '../auth/tenant.js';

/** What `authenticate` needs, read in one go: the active keys and every tenant. */
export interface AuthSnapshotRows {
  readonly activeKeys: readonly TenantKey[];
  readonly tenants: readonly Tenant[];
}

/** Row operations of one backend. Each call is atomic on its own. */
export interface TenantTables {
  insertTenant(t: Tenant): Promise<void>;
  selectTenants(): Promise<Tenant[]>;
  selectTenant(id: string): Promise<Tenant | undefined>;
  /**
   * Reads the tenant, computes its new value with `change` and writes it, with
   * no other write to it in between; undefined when there is no such tenant.
   * `change` may throw, and then nothing is written.
   */
  updateTenant(id: string, change: (current: Tenant) => Tenant): Promise<Tenant | undefined>;
  /** Inserts a key; false when its key id is taken (the caller draws another). */
  insertKey(k: TenantKey): Promise<boolean>;
  /** Sets `revokedAtMs` of an active key; false when unknown or already revoked. */
  revokeKey(keyId: string, nowMs: number): Promise<boolean>;
  /** A tenant's keys, oldest first. */
  selectKeys(tenantId: string): Promise<TenantKey[]>;
  /**
   * Every active key and every tenant. Keys are read before tenants: tenants
   * are never deleted, so each key's tenant is in the result.
   */
  selectAuthSnapshot(): Promise<AuthSnapshotRows>;
  close(): Promise<void>;
}

/** Columns of the tenants table, in the order of `tenantRowValues`. */
export const tenantColumns = ['id', 'name', 'budget_usd_per_month', 'rpm', 'tpm', 'weight', 'models', 'created_at'] as const;

/** A tenants row as read back (models already decoded by the backend). */
export interface TenantRow {
  id: string;
  name: string;
  budget_usd_per_month: number | null;
  rpm: number | null;
  tpm: number | null;
  weight: number;
  models: string[] | null;
  created_at: number;
}

export function tenantFromRow(r: TenantRow): Tenant {
  return {
    id: r.id,
    name: r.name,
    ...(r.budget_usd_per_month === null ? {} : { budgetUsdPerMonth: r.budget_usd_per_month }),
    ...(r.rpm === null ? {} : { rpm: r.rpm }),
    ...(r.tpm === null ? {} : { tpm: r.tpm }),
    weight: r.weight,
    ...(r.models === null ? {} : { models: r.models }),
    createdAtMs: r.created_at,
  };
}

/** Values in `tenantColumns` order; `models` is passed through for the backend to encode. */
export function tenantRowValues(t: Tenant): [string, string, number | null, number | null, number | null, number, readonly string[] | null, number] {
  return [t.id, t.name, t.budgetUsdPerMonth ?? null, t.rpm ?? null, t.tpm ?? null, t.weight, t.models ?? null, t.createdAtMs];
}

/** Columns of the keys table, in the order of `keyRowValues`. */
export const keyColumns = ['key_id', 'tenant_id', 'hash', 'created_at', 'revoked_at'] as const;

export interface KeyRow {
  key_id: string;
  tenant_id: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export function keyFromRow(r: KeyRow): TenantKey {
  return {
    keyId: r.key_id,
    tenantId: r.tenant_id,
    hash: r.hash,
    createdAtMs: r.created_at,
    ...(r.revoked_at === null ? {} : { revokedAtMs: r.revoked_at }),
  };
}

export function keyRowValues(k: TenantKey): [string, string, string, number, number | null] {
  return [k.keyId, k.tenantId, k.hash, k.createdAtMs, k.revokedAtMs ?? null];
}

/** The validated tenant `patch` turns `current` into (see TenantStore.updateTenant). */
export function applyTenantPatch(current: Tenant, patch: unknown): Tenant {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new InvalidInputError('expected an object of tenant fields to change', '(top level)');
  }
  const { id, createdAtMs, ...fields } = current;
  const merged: Record<string, unknown> = { ...fields };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  return tenantFromInput(id, validateTenantInput(merged), createdAtMs);
}

/** A tenant from validated input, with absent limits left out rather than set to undefined. */
export function tenantFromInput(id: string, input: TenantInput, createdAtMs: number): Tenant {
  return {
    id,
    name: input.name,
    ...(input.budgetUsdPerMonth === undefined ? {} : { budgetUsdPerMonth: input.budgetUsdPerMonth }),
    ...(input.rpm === undefined ? {} : { rpm: input.rpm }),
    ...(input.tpm === undefined ? {} : { tpm: input.tpm }),
    weight: input.weight,
    ...(input.models === undefined ? {} : { models: input.models }),
    createdAtMs,
  };
}
