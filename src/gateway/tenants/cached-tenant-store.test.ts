import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import type { Tenant, TenantKey } from '../auth/tenant.js';
import { cachedTenantStore } from './cached-tenant-store.js';
import type { AuthSnapshotRows, TenantTables } from './tenant-table.js';

/** Tables in memory that count snapshot reads and can hold one until released. */
class MemoryTables implements TenantTables {
  readonly tenants = new Map<string, Tenant>();
  readonly keys = new Map<string, TenantKey>();
  snapshotReads = 0;
  /** When set, the next snapshot read takes its rows, then waits for this. */
  gate: Promise<void> | undefined;

  async insertTenant(t: Tenant) {
    this.tenants.set(t.id, t);
  }
  async selectTenants() {
    return [...this.tenants.values()];
  }
  async selectTenant(id: string) {
    return this.tenants.get(id);
  }
  async updateTenant(id: string, change: (current: Tenant) => Tenant) {
    const t = this.tenants.get(id);
    if (t === undefined) return undefined;
    const next = change(t);
    this.tenants.set(id, next);
    return next;
  }
  async insertKey(k: TenantKey) {
    if (this.keys.has(k.keyId)) return false;
    this.keys.set(k.keyId, k);
    return true;
  }
  async revokeKey(keyId: string, nowMs: number) {
    const k = this.keys.get(keyId);
    if (k === undefined || k.revokedAtMs !== undefined) return false;
    this.keys.set(keyId, { ...k, revokedAtMs: nowMs });
    return true;
  }
  async selectKeys(tenantId: string) {
    return [...this.keys.values()].filter((k) => k.tenantId === tenantId);
  }
  async selectAuthSnapshot(): Promise<AuthSnapshotRows> {
    this.snapshotReads++;
    const rows = { activeKeys: [...this.keys.values()].filter((k) => k.revokedAtMs === undefined), tenants: [...this.tenants.values()] };
    const gate = this.gate;
    this.gate = undefined;
    if (gate !== undefined) await gate;
    return rows;
  }
  async close() {}
}

function setup(refreshIntervalMs?: number) {
  const tables = new MemoryTables();
  const store = cachedTenantStore(tables, { nowMs: () => 1000.7, refreshIntervalMs });
  return { tables, store };
}

describe('cachedTenantStore', () => {
  it('reads the tables once for many concurrent requests, then once per refresh interval', async () => {
    const { tables, store } = setup(5000);
    const t = await store.createTenant({ name: 'Acme' });
    expect(t.createdAtMs).toBe(1000);
    const { key } = await store.createKey(t.id);
    const header = `Bearer ${key}`;
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.authenticate(header, i)));
    expect(tables.snapshotReads).toBe(1);
    await store.authenticate(header, 4999);
    expect(tables.snapshotReads).toBe(1);
    await store.authenticate(header, 5000);
    expect(tables.snapshotReads).toBe(2);
    // A clock that jumps back by more than the interval also refreshes.
    await store.authenticate(header, -1);
    expect(tables.snapshotReads).toBe(3);
  });

  it('reads nothing for a malformed header', async () => {
    const { tables, store } = setup();
    expect(await store.authenticate('Bearer nope', 0)).toBeUndefined();
    expect(tables.snapshotReads).toBe(0);
  });

  it('does not keep a read that a revocation in this process overtook', async () => {
    const { tables, store } = setup();
    const t = await store.createTenant({ name: 'Acme' });
    const { key, keyId } = await store.createKey(t.id);
    let release = () => {};
    tables.gate = new Promise((r) => (release = r));
    // This read takes its rows (key active) and stalls...
    const during = store.authenticate(`Bearer ${key}`, 0);
    // ...while the key is revoked; the stale rows must not be kept.
    expect(await store.revokeKey(keyId)).toBe(true);
    release();
    expect(await during).toBeUndefined();
    expect(await store.authenticate(`Bearer ${key}`, 1)).toBeUndefined();
    expect(tables.snapshotReads).toBe(2);
  });

  it('rejects when the tables cannot be read, rather than answer from an old copy', async () => {
    const { tables, store } = setup();
    const t = await store.createTenant({ name: 'Acme' });
    const { key } = await store.createKey(t.id);
    expect(await store.authenticate(`Bearer ${key}`, 0)).toBeDefined();
    tables.selectAuthSnapshot = () => Promise.reject(new Error('database down'));
    await expect(store.authenticate(`Bearer ${key}`, 10_000)).rejects.toThrow('database down');
  });

  it('rejects a negative refresh interval', () => {
    expect(() => setup(-1)).toThrow(InvalidInputError);
  });
});
