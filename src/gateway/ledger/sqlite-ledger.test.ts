import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerRecord } from './ledger.js';
import { openSqliteLedger, SQLITE_LEDGER_FILE } from './sqlite-ledger.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tokenfleet-ledger-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODULE_URL = new URL('./sqlite-ledger.ts', import.meta.url).href;

/** Records the child hands in at once, so that they share commits (group commit). */
const CHILD_BATCH = 50;

/**
 * Child: records as fast as it can, CHILD_BATCH at a time, printing the batch's requestIds once their
 * `record`s have resolved (and waiting until the pipe took them), until killed.
 */
const CHILD = `
import { openSqliteLedger } from ${JSON.stringify(MODULE_URL)};
const ledger = openSqliteLedger({ dataDir: process.argv[1] });
for (let i = 0; ; i += ${CHILD_BATCH}) {
  const ids = Array.from({ length: ${CHILD_BATCH} }, (_, j) => 'crash-' + (i + j));
  await Promise.all(ids.map((requestId, j) => ledger.record({ requestId, tenantId: 'acme', keyId: 'k', model: 'm', pool: 'p', backend: 'b',
    inputTokens: 10, outputTokens: 5, cachedTokens: 0, costUsd: 0.5, latencyMs: 1, status: 'ok', createdAtMs: 1767225600000 + i + j })));
  await new Promise((resolve) => process.stdout.write(ids.join('\\n') + '\\n', resolve));
}
`;

describe('openSqliteLedger', () => {
  it('creates the data directory and a WAL-mode file in it', async () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const ledger = openSqliteLedger({ dataDir });
    await ledger.close();
    expect(existsSync(join(dataDir, SQLITE_LEDGER_FILE))).toBe(true);
    const db = new Database(join(dataDir, SQLITE_LEDGER_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps every acknowledged record, exactly once, when the process is killed with SIGKILL', async () => {
    const dataDir = tempDir();
    const acked = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, dataDir], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        // Kill mid-stream, once a fair number of records are acknowledged.
        if (out.length > 20_000 && !child.killed) child.kill('SIGKILL');
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`child ended with ${code ?? signal}, not by SIGKILL: ${err}`));
        else resolve(out.split('\n').filter((line) => /^crash-\d+$/.test(line)));
      });
    });
    expect(acked.length).toBeGreaterThan(1000);

    const ledger = openSqliteLedger({ dataDir });
    const stored = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await ledger.requests({ tenantId: 'acme', cursor, limit: 1000 });
      for (const r of page.records) stored.set(r.requestId, (stored.get(r.requestId) ?? 0) + 1);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    for (const id of acked) expect(stored.get(id), id).toBe(1);
    // At most the one batch committed between the last acknowledgement and the kill is extra.
    expect(stored.size - acked.length).toBeGreaterThanOrEqual(0);
    expect(stored.size - acked.length).toBeLessThanOrEqual(CHILD_BATCH);

    // A replay of the acknowledged records after the restart changes nothing.
    const before = await ledger.usage({ tenantId: 'acme' });
    await Promise.all(
      acked.map((id) => {
        const r: LedgerRecord = { requestId: id, tenantId: 'acme', keyId: 'k', model: 'm', pool: 'p', backend: 'b', inputTokens: 10, outputTokens: 5, cachedTokens: 0, costUsd: 0.5, latencyMs: 1, status: 'ok', createdAtMs: 1767225600000 };
        return ledger.record(r);
      }),
    );
    expect(await ledger.usage({ tenantId: 'acme' })).toEqual(before);
    expect(before.totals.requests).toBe(stored.size);
    await ledger.close();
  });
});
