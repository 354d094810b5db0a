import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteTenantStore, SQLITE_TENANT_FILE } from './sqlite-tenant-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openSqliteTenantStore', () => {
  it('creates the data directory and a WAL-mode file in it that stores only key hashes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tokenfleet-tenants-'));
    dirs.push(root);
    const dataDir = join(root, 'nested', 'data');
    const store = openSqliteTenantStore({ dataDir, nowMs: () => 0 });
    const t = await store.createTenant({ name: 'Acme' });
    const { key } = await store.createKey(t.id);
    await store.close();

    const path = join(dataDir, SQLITE_TENANT_FILE);
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const rows = db.prepare('SELECT * FROM tenant_keys').all();
      expect(JSON.stringify(rows)).not.toContain(key.slice('tf-'.length + 12 + 1));
    } finally {
      db.close();
    }
  });
});
