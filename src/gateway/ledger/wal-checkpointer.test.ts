import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteLedger, SQLITE_LEDGER_FILE } from './sqlite-ledger.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function walDatabase(): { db: Database.Database; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tokenfleet-wal-'));
  dirs.push(dir);
  const path = join(dir, 'w.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { db, path };
}

/** Frames in the WAL now (a PASSIVE checkpoint's `log`). */
const walFrames = (db: Database.Database): number => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('WAL checkpointer', () => {
  /**
   * 300 commits spread over event-loop turns (as the gateway's are) with a checkpointer running, until `settled`
   * holds; then one more commit, after which the WAL must be short again and every row stored. Returns the
   * checkpointer's stats.
   */
  async function commitWhileCheckpointing(options: { restartAboveFrames?: number }, settled: (c: WalCheckpointer, seen: number) => boolean) {
    const { db, path } = walDatabase();
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const checkpointer = startWalCheckpointer({ path, intervalMs: 5, ...options });
    try {
      for (let i = 0; i < 300; i++) {
        insert.run('x'.repeat(200));
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      const seen = checkpointer.stats().checkpoints;
      await until(() => settled(checkpointer, seen));
      insert.run('after');
      // Without the worker (autocheckpoint off) the WAL would hold a frame per commit, 300+.
      expect(walFrames(db)).toBeLessThan(10);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 301 });
      return checkpointer.stats();
    } finally {
      await checkpointer.close();
      db.close();
    }
  }

  it('keeps the WAL short with passive checkpoints alone while the writer keeps committing', async () => {
    // Two passive runs after the last commit: the last one copied every frame, so the next commit starts the WAL over.
    const stats = await commitWhileCheckpointing({}, (c, seen) => c.stats().checkpoints >= seen + 2);
    expect(stats.restarts).toBe(0);
  });

  it('follows a passive checkpoint with a RESTART when the WAL holds more than the bound', async () => {
    const stats = await commitWhileCheckpointing({ restartAboveFrames: 1 }, (c) => c.stats().restarts >= 1);
    expect(stats.restarts).toBeGreaterThanOrEqual(1);
  });

  it('closes its connection on close() and leaves the database readable', async () => {
    const { db, path } = walDatabase();
    db.prepare('INSERT INTO t (v) VALUES (?)').run('a');
    const checkpointer = startWalCheckpointer({ path, intervalMs: 1000 });
    await checkpointer.close();
    await checkpointer.close(); // idempotent
    expect(checkpointer.stats().checkpoints).toBe(0);
    db.close();
    const again = new Database(path, { readonly: true });
    expect(again.prepare('SELECT v FROM t').all()).toEqual([{ v: 'a' }]);
    again.close();
  });

  it('rejects nonsense settings', () => {
    expect(() => startWalCheckpointer({ path: 'x', intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => startWalCheckpointer({ path: 'x', restartAboveFrames: 1.5 })).toThrow(/restartAboveFrames/);
    expect(() => startWalCheckpointer({ path: 'x', restartAboveFrames: -1 })).toThrow(/restartAboveFrames/);
  });

  it('reports a worker that cannot open the database', async () => {
    const errors: Error[] = [];
    const checkpointer = startWalCheckpointer({ path: join(tmpdir(), 'tokenfleet-no-such-dir', 'x.sqlite'), onError: (e) => errors.push(e) });
    await until(() => errors.length === 1);
    await checkpointer.close();
  });

  it('a ledger with background checkpoints records, reads back and closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenfleet-wal-ledger-'));
    dirs.push(dir);
    const ledger = openSqliteLedger({ dataDir: dir, checkpoints: 'background' });
    const base = { tenantId: 't1', keyId: 'k1', model: 'm', pool: 'p', backend: 'b', inputTokens: 3, outputTokens: 2, cachedTokens: 0, costUsd: 0.001, latencyMs: 5, status: 'ok' as const, createdAtMs: Date.UTC(2026, 10, 28) };
    await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.record({ ...base, requestId: `r${i}` })));
    expect((await ledger.usage({ tenantId: 't1' })).totals.requests).toBe(50);
    await ledger.close();
    const db = new Database(join(dir, SQLITE_LEDGER_FILE), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM ledger_requests').get()).toEqual({ n: 50 });
    db.close();
  });
});

describe('WAL checkpointer and the process', () => {
  it('does not keep a process alive on its own', async () => {
    const { db, path } = walDatabase();
    db.close();
    const { spawnSync } = await import('node:child_process');
    const script = `import { startWalCheckpointer } from ${JSON.stringify(new URL('./wal-checkpointer.ts', import.meta.url).href)};
startWalCheckpointer({ path: ${JSON.stringify(path)}, intervalMs: 10 });
setTimeout(() => console.log('done'), 100);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.trim()).toBe('done');
    expect(r.status).toBe(0);
  });
});
