/**
 * What the shape of request ids costs the SQLite ledger once it is large. The request id is the primary
 * key of the ledger's table (a WITHOUT ROWID B-tree): random ids land each insert on a random leaf page,
 * which a table larger than SQLite's page cache has to read back first; ids that start with their creation
 * time (src/gateway/server/request-id.ts) are inserted at the right edge of the tree, whose pages stay cached.
 *
 * For each id scheme, a fresh ledger (src/gateway/ledger/sqlite-ledger.ts, WAL checkpointed by its worker
 * as `tokenfleet serve` runs it) is filled with `--prefill` records in large batches, then `--commits`
 * records are committed one at a time (one transaction each, as the gateway's group commit does at a
 * thousand requests/s) and each commit's wall time recorded. Alternated, twice each; also prints the size of
 * the ledger file.
 *
 * Run: npm run bench:ledger-ids [-- --prefill 1000000 --commits 20000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LedgerRecord } from '../src/gateway/ledger/ledger.js';
import { openSqliteLedger, SQLITE_LEDGER_FILE } from '../src/gateway/ledger/sqlite-ledger.js';
import { newRequestId } from '../src/gateway/server/request-id.js';

const { values: args } = parseArgs({ options: { prefill: { type: 'string', default: '1000000' }, commits: { type: 'string', default: '20000' } } });
const PREFILL = Number(args.prefill);
const COMMITS = Number(args.commits);
const BATCH = 10_000;

type Scheme = 'random' | 'time-ordered';
/** The id scheme before time-ordered ids: the prefix and 24 random hex characters. */
const randomId = (): string => `chatcmpl-${randomBytes(12).toString('hex')}`;

function recordOf(requestId: string, createdAtMs: number, i: number): LedgerRecord {
  return {
    requestId,
    tenantId: `tenant-${i % 100}`,
    keyId: 'key-1',
    model: i % 3 === 0 ? 'deepseek-ai/DeepSeek-R1' : 'meta-llama/Llama-3.1-8B-Instruct',
    pool: 'h200',
    backend: 'h200-0',
    inputTokens: 100 + (i % 900),
    outputTokens: 8 + (i % 300),
    cachedTokens: 0,
    costUsd: 1e-4,
    latencyMs: 12.5,
    ttftMs: 3.5,
    status: 'ok',
    createdAtMs,
  };
}

async function run(scheme: Scheme): Promise<{ commitMs: Float64Array; fileBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tf-ledger-ids-'));
  const ledger = openSqliteLedger({ dataDir: dir, checkpoints: 'background' });
  try {
    // Prefill: a month of history, one millisecond apart per record in creation order.
    let t = Date.now() - PREFILL;
    const id = (): string => (scheme === 'random' ? randomId() : newRequestId('chatcmpl-', t));
    for (let done = 0; done < PREFILL; ) {
      const n = Math.min(BATCH, PREFILL - done);
      const batch: (void | Promise<void>)[] = [];
      for (let k = 0; k < n; k++, t++) batch.push(ledger.record(recordOf(id(), t, done + k)));
      await Promise.all(batch);
      done += n;
    }
    const commitMs = new Float64Array(COMMITS);
    for (let i = 0; i < COMMITS; i++) {
      t = Date.now();
      const r = recordOf(id(), t, i);
      const t0 = performance.now();
      await ledger.record(r);
      commitMs[i] = performance.now() - t0;
    }
    return { commitMs, fileBytes: statSync(join(dir, SQLITE_LEDGER_FILE)).size };
  } finally {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main(): Promise<void> {
  console.log(`ledger commits of one record each, ${COMMITS} after a prefill of ${PREFILL} records, per request-id scheme (microseconds)`);
  console.log('ids'.padEnd(18) + ['p50 us', 'p90 us', 'p99 us', 'p99.9 us', 'file MB'].map((h) => h.padStart(10)).join(''));
  for (const round of [1, 2]) {
    for (const scheme of ['random', 'time-ordered'] as const) {
      const r = await run(scheme);
      const sorted = r.commitMs.slice().sort();
      console.log(
        `${scheme} (${round})`.padEnd(18) +
          [0.5, 0.9, 0.99, 0.999].map((q) => (quantile(sorted, q) * 1000).toFixed(1).padStart(10)).join('') +
          (r.fileBytes / 1e6).toFixed(0).padStart(10),
      );
    }
  }
}

void main();
