import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { openPgLedger } from './pg-ledger.js';
import { TEST_PG_URL, testPgReachable, testSchemas } from './pg-test-database.js';

const schemas = testSchemas();
const reachable = await testPgReachable();
afterAll(() => schemas.dropAll());

describe('openPgLedger', () => {
  it('rejects a schema name it would have to quote', async () => {
    await expect(openPgLedger({ connectionString: TEST_PG_URL, schema: 'x"; DROP TABLE t; --' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  describe.skipIf(!reachable)('on a server', () => {
    it('lets several instances start at once on a new schema and share it', async () => {
      const schema = schemas.next();
      const ledgers = await Promise.all(Array.from({ length: 4 }, () => openPgLedger({ connectionString: TEST_PG_URL, schema })));
      try {
        await Promise.all(
          ledgers.flatMap((l, i) =>
            [0, 1, 2].map((j) =>
              l.record({ requestId: `r${j}`, tenantId: 't', keyId: `k${i}`, model: 'm', pool: '', backend: '', inputTokens: 1, outputTokens: 1, cachedTokens: 0, costUsd: 1, latencyMs: 1, status: 'rejected', createdAtMs: 1 }),
            ),
          ),
        );
        expect((await ledgers[0]!.usage({ tenantId: 't' })).totals.requests).toBe(3);
      } finally {
        await Promise.all(ledgers.map((l) => l.close()));
      }
    });
  });
});
