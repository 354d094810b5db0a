/**
 * @module The contract every TenantStore passes, run against SQLite and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { TEST_PG_URL, testPgReachable, testSchemas } from '../ledger/pg-test-database.js';
import { openPgTenantStore } from './pg-tenant-store.js';
import { openSqliteTenantStore } from './sqlite-tenant-store.js';
import { NoSuchTenantError, type TenantStore } from './tenant-store.js';

const T0 = Date.UTC(2026, 0, 14, 10, 0, 0);
const REFRESH_MS = 5000;

/** The wall clock the stores stamp times with; tests move it by hand. */
const clock = { ms: T0 };
const storeOptions = { nowMs: () => clock.ms, refreshIntervalMs: REFRESH_MS };

/** A fresh, empty backing store; `open` may be called again for a second instance on it. */
interface Backing {
  open(): Promise<TenantStore>;
  destroy(): Promise<void>;
}

interface Harness {
  readonly name: string;
  readonly skip: boolean;
  newBacking(): Backing;
  afterAll(): Promise<void>;
}

const sqliteHarness: Harness = {
  name: 'sqlite',
  skip: false,
  newBacking() {
    const dataDir = mkdtempSync(join(tmpdir(), 'tokenfleet-tenants-'));
    return {
      open: async () => openSqliteTenantStore({ dataDir, ...storeOptions }),
      destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
  afterAll: async () => {},
};

const schemas = testSchemas();
const pgHarness: Harness = {
  name: 'postgres',
  skip: !(await testPgReachable()),
  newBacking() {
    const schema = schemas.next();
    return { open: () => openPgTenantStore({ connectionString: TEST_PG_URL, schema, ...storeOptions }), destroy: async () => {} };
  },
  afterAll: () => schemas.dropAll(),
};

function whereOf(e: unknown): string | undefined {
  expect(e).toBeInstanceOf(InvalidInputError);
  return (e as InvalidInputError).where;
}

const bearer = (key: string) => `Bearer ${key}`;

describe.each([sqliteHarness, pgHarness])('TenantStore contract: $name', (harness) => {
  let backing: Backing;
  let store: TenantStore;
  const opened: TenantStore[] = [];
  const open = async (): Promise<TenantStore> => {
    const s = await backing.open();
    opened.push(s);
    return s;
  };

  beforeEach(async (ctx) => {
    if (harness.skip) ctx.skip();
    clock.ms = T0;
    backing = harness.newBacking();
    store = await open();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await backing?.destroy();
  });
  afterAll(() => harness.afterAll());

  it('creates, lists, gets and updates tenants', async () => {
    const acme = await store.createTenant({ name: '  Acme ', rpm: 600, budgetUsdPerMonth: 250.5, models: ['m1', 'm2', 'm1'] });
    expect(acme).toEqual({ id: acme.id, name: 'Acme', rpm: 600, budgetUsdPerMonth: 250.5, weight: 1, models: ['m1', 'm2'], createdAtMs: T0 });
    expect(acme.id).toMatch(/^ten_[a-z2-7]{16}$/);
    clock.ms = T0 + 1000;
    const globex = await store.createTenant({ name: 'Globex', tpm: 3_000_000_000, weight: 2.5 });
    expect(globex).toEqual({ id: globex.id, name: 'Globex', tpm: 3_000_000_000, weight: 2.5, createdAtMs: T0 + 1000 });
    expect(globex.id).not.toBe(acme.id);

    expect(await store.listTenants()).toEqual([acme, globex]);
    const got = await store.getTenant(acme.id);
    expect(got).toEqual(acme);
    expect(got).not.toHaveProperty('tpm');
    expect(await store.getTenant('ten_nosuchtenant000')).toBeUndefined();

    const updated = await store.updateTenant(acme.id, { rpm: 1200, budgetUsdPerMonth: null, models: ['m3'] });
    expect(updated).toEqual({ id: acme.id, name: 'Acme', rpm: 1200, weight: 1, models: ['m3'], createdAtMs: T0 });
    expect(await store.getTenant(acme.id)).toEqual(updated);
    expect(await store.updateTenant(acme.id, { weight: null, models: null })).toEqual({ id: acme.id, name: 'Acme', rpm: 1200, weight: 1, createdAtMs: T0 });
    await expect(store.updateTenant('ten_nosuchtenant000', { rpm: 1 })).rejects.toBeInstanceOf(NoSuchTenantError);

    // Another instance on the same store reads the same tenants.
    const other = await open();
    expect(await other.listTenants()).toEqual(await store.listTenants());
  });

  it('surfaces validation errors as InvalidInputError naming the field, and writes nothing', async () => {
    expect(whereOf(await store.createTenant({ name: '' }).catch((e: unknown) => e))).toBe('name');
    expect(whereOf(await store.createTenant({ name: 'a', models: ['x', ' '] }).catch((e: unknown) => e))).toBe('models[1]');
    expect(whereOf(await store.createTenant({ name: 'a', rpmLimit: 5 }).catch((e: unknown) => e))).toBe('(top level)');
    expect(whereOf(await store.createTenant('acme').catch((e: unknown) => e))).toBe('(top level)');
    expect(await store.listTenants()).toEqual([]);

    const t = await store.createTenant({ name: 'Acme', rpm: 10 });
    expect(whereOf(await store.updateTenant(t.id, { rpm: -1 }).catch((e: unknown) => e))).toBe('rpm');
    expect(whereOf(await store.updateTenant(t.id, { name: null }).catch((e: unknown) => e))).toBe('name');
    expect(whereOf(await store.updateTenant(t.id, { id: 'ten_other' }).catch((e: unknown) => e))).toBe('(top level)');
    expect(whereOf(await store.updateTenant(t.id, { createdAtMs: 0 }).catch((e: unknown) => e))).toBe('(top level)');
    expect(whereOf(await store.updateTenant(t.id, [1]).catch((e: unknown) => e))).toBe('(top level)');
    expect(await store.getTenant(t.id)).toEqual(t);
  });

  it('authenticates a new key given as Bearer <key>', async () => {
    const t = await store.createTenant({ name: 'Acme' });
    clock.ms = T0 + 7;
    const { keyId, key } = await store.createKey(t.id);
    expect(key.startsWith(`tf-${keyId}-`)).toBe(true);
    expect(await store.authenticate(bearer(key), T0 + 10)).toEqual({ tenant: t, keyId });
    expect(await store.authenticate(`  bearer   ${key} `, T0 + 10)).toEqual({ tenant: t, keyId });
    expect(await store.listKeys(t.id)).toEqual([{ keyId, tenantId: t.id, createdAtMs: T0 + 7 }]);
  });

  it('refuses a wrong secret, an unknown key id and malformed headers', async () => {
    const t = await store.createTenant({ name: 'Acme' });
    const { keyId, key } = await store.createKey(t.id);
    const secret = key.slice(`tf-${keyId}-`.length);
    const wrongSecret = `tf-${keyId}-${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await store.authenticate(bearer(wrongSecret), T0)).toBeUndefined();
    const unknownId = keyId === '000000000000' ? '000000000001' : '000000000000';
    expect(await store.authenticate(bearer(`tf-${unknownId}-${secret}`), T0)).toBeUndefined();
    for (const header of [undefined, '', 'Bearer', key, `Basic ${key}`, `Bearer ${key} extra`, `Bearer tf-${keyId}`, `Bearer ${key}x`]) {
      expect(await store.authenticate(header, T0), String(header)).toBeUndefined();
    }
    expect(await store.authenticate(bearer(key), T0)).toEqual({ tenant: t, keyId });
  });

  it('refuses a revoked key at once in the same process', async () => {
    const t = await store.createTenant({ name: 'Acme' });
    const kept = await store.createKey(t.id);
    const revoked = await store.createKey(t.id);
    expect(await store.authenticate(bearer(revoked.key), T0)).toBeDefined();

    clock.ms = T0 + 50;
    expect(await store.revokeKey(revoked.keyId)).toBe(true);
    expect(await store.authenticate(bearer(revoked.key), T0)).toBeUndefined();
    expect(await store.authenticate(bearer(kept.key), T0)).toEqual({ tenant: t, keyId: kept.keyId });
    expect(await store.revokeKey(revoked.keyId)).toBe(false);
    expect(await store.revokeKey('000000000000')).toBe(false);
    expect(await store.listKeys(t.id)).toEqual(
      expect.arrayContaining([
        { keyId: kept.keyId, tenantId: t.id, createdAtMs: T0 },
        { keyId: revoked.keyId, tenantId: t.id, createdAtMs: T0, revokedAtMs: T0 + 50 },
      ]),
    );

    // Also after a restart.
    const reopened = await open();
    expect(await reopened.authenticate(bearer(revoked.key), T0)).toBeUndefined();
    expect(await reopened.authenticate(bearer(kept.key), T0)).toBeDefined();
  });

  it("never authenticates one tenant's key as another tenant", async () => {
    const a = await store.createTenant({ name: 'A', rpm: 1 });
    const b = await store.createTenant({ name: 'B', rpm: 2 });
    const ka = await store.createKey(a.id);
    const kb = await store.createKey(b.id);
    expect((await store.authenticate(bearer(ka.key), T0))?.tenant.id).toBe(a.id);
    expect((await store.authenticate(bearer(kb.key), T0))?.tenant.id).toBe(b.id);
    // A's key id with B's secret, and the other way round.
    const secretOf = (k: { keyId: string; key: string }) => k.key.slice(`tf-${k.keyId}-`.length);
    expect(await store.authenticate(bearer(`tf-${ka.keyId}-${secretOf(kb)}`), T0)).toBeUndefined();
    expect(await store.authenticate(bearer(`tf-${kb.keyId}-${secretOf(ka)}`), T0)).toBeUndefined();
    expect((await store.listKeys(a.id)).map((k) => k.keyId)).toEqual([ka.keyId]);
    expect((await store.listKeys(b.id)).map((k) => k.keyId)).toEqual([kb.keyId]);
  });

  it('lists keys without their hash or secret', async () => {
    const t = await store.createTenant({ name: 'Acme' });
    const created = [await store.createKey(t.id), await store.createKey(t.id)];
    const listed = await store.listKeys(t.id);
    expect(listed).toHaveLength(2);
    for (const k of listed) expect(Object.keys(k).sort()).toEqual(['createdAtMs', 'keyId', 'tenantId']);
    const json = JSON.stringify(listed);
    for (const { keyId, key } of created) {
      expect(json).toContain(keyId);
      expect(json).not.toContain(key.slice(`tf-${keyId}-`.length));
    }
    expect(json).not.toMatch(/[0-9a-f]{64}/);
  });

  it('refuses keys for, and key lists of, an unknown tenant', async () => {
    await expect(store.createKey('ten_nosuchtenant000')).rejects.toBeInstanceOf(NoSuchTenantError);
    await expect(store.listKeys('ten_nosuchtenant000')).rejects.toBeInstanceOf(NoSuchTenantError);
    const t = await store.createTenant({ name: 'Acme' });
    expect(await store.listKeys(t.id)).toEqual([]);
  });

  it('hands authenticate the updated tenant at once', async () => {
    const t = await store.createTenant({ name: 'Acme', rpm: 10 });
    const { key } = await store.createKey(t.id);
    expect((await store.authenticate(bearer(key), T0))?.tenant.rpm).toBe(10);
    await store.updateTenant(t.id, { rpm: 20 });
    expect((await store.authenticate(bearer(key), T0))?.tenant.rpm).toBe(20);
  });

  it("sees another instance's writes once its copy is older than the refresh interval", async () => {
    const other = await open();
    const t = await store.createTenant({ name: 'Acme' });
    const k1 = await store.createKey(t.id);
    expect(await other.authenticate(bearer(k1.key), T0)).toBeDefined();

    expect(await store.revokeKey(k1.keyId)).toBe(true);
    const k2 = await store.createKey(t.id);
    // Within the interval `other` answers from its copy (the documented staleness)...
    expect(await other.authenticate(bearer(k1.key), T0 + REFRESH_MS - 1)).toBeDefined();
    expect(await other.authenticate(bearer(k2.key), T0 + REFRESH_MS - 1)).toBeUndefined();
    // ...and after it, from the tables.
    expect(await other.authenticate(bearer(k1.key), T0 + REFRESH_MS)).toBeUndefined();
    expect(await other.authenticate(bearer(k2.key), T0 + REFRESH_MS)).toEqual({ tenant: t, keyId: k2.keyId });
  });

  it('loses no field when two instances update one tenant at once', async () => {
    const other = await open();
    const t = await store.createTenant({ name: 'Acme' });
    await Promise.all([store.updateTenant(t.id, { rpm: 5 }), other.updateTenant(t.id, { tpm: 7 }), store.updateTenant(t.id, { weight: 3 })]);
    expect(await store.getTenant(t.id)).toEqual({ ...t, rpm: 5, tpm: 7, weight: 3 });
  });

  it('answers many concurrent authentications alike', async () => {
    const t = await store.createTenant({ name: 'Acme' });
    const { key, keyId } = await store.createKey(t.id);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.authenticate(bearer(key), T0 + i)));
    for (const r of results) expect(r).toEqual({ tenant: t, keyId });
  });
});
