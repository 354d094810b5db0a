/**
 * @module Test helper: the PostgreSQL the ledger tests use, and throwaway
 * schemas in it (one name prefix per test run, all dropped at the end).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { readTestPgUrl } from '../../config/env.js';

/** Override with TOKENFLEET_TEST_PG_URL; the default is the local trust-auth server. */
export const TEST_PG_URL = readTestPgUrl();

/** Whether the test server answers (the PostgreSQL cases are skipped, loudly, when not). */
export async function testPgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    console.warn(`PostgreSQL at ${TEST_PG_URL} unreachable, skipping its ledger tests: ${String(err)}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Hands out unique schema names and drops every one of them in `dropAll`. */
export function testSchemas(): { next(): string; dropAll(): Promise<void> } {
  const prefix = `ledger_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const made: string[] = [];
  return {
    next() {
      const name = `${prefix}_${made.length}`;
      made.push(name);
      return name;
    },
    async dropAll() {
      if (made.length === 0) return;
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        for (const name of made) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
