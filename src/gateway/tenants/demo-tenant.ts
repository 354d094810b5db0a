/**
 * @module Admin bootstrap: make sure a tenant of a given name exists (the demo
 * and first start-up create one), and hand out a key for it when asked.
 */
import type { Tenant } from '../auth/tenant.js';
import type { CreatedKey, TenantStore } from './tenant-store.js';

export interface EnsureDemoTenantOptions {
  /** Create a new key for the tenant, found or created; default false. */
  readonly createKey?: boolean;
  /** Other fields of a tenant created now (limits, weight, models); ignored when it exists. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface EnsuredTenant {
  readonly tenant: Tenant;
  /** Whether this call created the tenant. */
  readonly created: boolean;
  /** The new key, present only when `createKey` was asked for; shown once. */
  readonly key?: CreatedKey;
}

/**
 * The oldest tenant named `name` (trimmed), created when there is none. Run it
 * again and it returns the same tenant; each call with `createKey` adds a key,
 * since a stored key cannot be shown again. Meant for one process at start-up:
 * two running at once on an empty store may each create a tenant.
 */
export async function ensureDemoTenant(store: TenantStore, name: string, options: EnsureDemoTenantOptions = {}): Promise<EnsuredTenant> {
  const wanted = name.trim();
  const existing = (await store.listTenants()).find((t) => t.name === wanted);
  // createTenant validates the name (and any fields) and throws InvalidInputError.
  const tenant = existing ?? (await store.createTenant({ ...options.fields, name }));
  const created = existing === undefined;
  if (options.createKey !== true) return { tenant, created };
  return { tenant, created, key: await store.createKey(tenant.id) };
}
