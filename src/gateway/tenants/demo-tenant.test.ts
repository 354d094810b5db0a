import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { ensureDemoTenant } from './demo-tenant.js';
import { openSqliteTenantStore } from './sqlite-tenant-store.js';
import type { TenantStore } from './tenant-store.js';

let dataDir: string;
let store: TenantStore;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tokenfleet-demo-tenant-'));
  store = openSqliteTenantStore({ dataDir, nowMs: () => 1_767_225_600_000 });
});
afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ensureDemoTenant', () => {
  it('creates the tenant once and returns it on later calls, without a key unless asked', async () => {
    const first = await ensureDemoTenant(store, 'demo', { fields: { rpm: 60 } });
    expect(first).toEqual({ tenant: { id: first.tenant.id, name: 'demo', rpm: 60, weight: 1, createdAtMs: 1_767_225_600_000 }, created: true });
    const again = await ensureDemoTenant(store, ' demo ', { fields: { rpm: 1 } });
    expect(again).toEqual({ tenant: first.tenant, created: false });
    expect(await store.listTenants()).toEqual([first.tenant]);
    expect(await store.listKeys(first.tenant.id)).toEqual([]);
  });

  it('creates a working key only when asked, one per call', async () => {
    const a = await ensureDemoTenant(store, 'demo', { createKey: true });
    const b = await ensureDemoTenant(store, 'demo', { createKey: true });
    expect(b.tenant).toEqual(a.tenant);
    expect(a.key).toBeDefined();
    expect(b.key?.keyId).not.toBe(a.key?.keyId);
    for (const { key } of [a, b]) expect((await store.authenticate(`Bearer ${key?.key}`, 0))?.tenant).toEqual(a.tenant);
    expect(await store.listKeys(a.tenant.id)).toHaveLength(2);
  });

  it('leaves other tenants alone and validates the name', async () => {
    const other = await store.createTenant({ name: 'acme' });
    const demo = await ensureDemoTenant(store, 'demo');
    expect(demo.tenant.id).not.toBe(other.id);
    await expect(ensureDemoTenant(store, '  ')).rejects.toBeInstanceOf(InvalidInputError);
  });
});
