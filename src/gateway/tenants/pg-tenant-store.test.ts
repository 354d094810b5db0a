import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { TEST_PG_URL, testPgReachable, testSchemas } from '../ledger/pg-test-database.js';
import { openPgTenantStore } from './pg-tenant-store.js';

const schemas = testSchemas();
const reachable = await testPgReachable();
afterAll(() => schemas.dropAll());

describe('openPgTenantStore', () => {
  it('rejects a schema name it would have to quote', async () => {
    await expect(openPgTenantStore({ connectionString: TEST_PG_URL, schema: 'x"; DROP TABLE t; --', nowMs: () => 0 })).rejects.toBeInstanceOf(InvalidInputError);
  });

  describe.skipIf(!reachable)('on a server', () => {
    it('lets several instances start at once on a new schema and share it', async () => {
      const schema = schemas.next();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPgTenantStore({ connectionString: TEST_PG_URL, schema, nowMs: () => 0 })));
      try {
        const t = await stores[0]!.createTenant({ name: 'Acme' });
        const { key } = await stores[1]!.createKey(t.id);
        for (const s of stores) expect((await s.authenticate(`Bearer ${key}`, 0))?.tenant).toEqual(t);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
});
