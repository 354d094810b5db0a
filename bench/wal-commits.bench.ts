/**
 * How long the ledger's commits hold the event loop while a worker checkpoints the WAL
 * (src/gateway/ledger/wal-checkpointer.ts), for two RESTART policies: a RESTART only when the WAL holds more
 * than `restartAboveFrames` frames after a passive run (the default, 4096), and a RESTART after every passive
 * run (`0`, close to the first version's RESTART on a timer).
 *
 * A writer on the main thread commits one ledger-sized row per event-loop turn at `--rate` commits/s for
 * `--seconds`, as the gateway does at that many requests/s; each commit's wall time is recorded. A commit that
 * waits for a RESTART (SQLite's busy handler sleeps on the event loop) or that restarts the WAL (a header
 * sync) is slow; every request of the gateway behind it waits as long.
 *
 * Run: npm run bench:wal [-- --rate 1000 --seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { startWalCheckpointer } from '../src/gateway/ledger/wal-checkpointer.js';

const { values: args } = parseArgs({ options: { rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } } });
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);

interface Run {
  readonly commitMs: Float64Array;
  readonly checkpoints: number;
  readonly restarts: number;
}

async function run(restartAboveFrames: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tf-wal-bench-'));
  try {
    const path = join(dir, 'ledger.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    db.exec(`CREATE TABLE ledger (request_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, created_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      CREATE INDEX ledger_tenant_time ON ledger (tenant_id, created_at, request_id, model, input_tokens, output_tokens, cost_usd);`);
    const insert = db.prepare('INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)');
    const commit = db.transaction((i: number) => insert.run(`req-${i.toString(36).padStart(12, '0')}`, 'tenant-1', 'model-a', 10 + (i % 90), 8, 1e-5, Date.now()));
    const checkpointer = startWalCheckpointer({ path, restartAboveFrames });
    const total = Math.round(RATE * SECONDS);
    const commitMs = new Float64Array(total);
    const startMs = performance.now();
    await new Promise<void>((resolve) => {
      let i = 0;
      const tick = (): void => {
        const due = Math.min(total, Math.floor(((performance.now() - startMs) * RATE) / 1000) + 1);
        // One commit per turn, as the gateway's group commit makes one per turn at these rates.
        if (i < due) {
          const t0 = performance.now();
          commit(i);
          commitMs[i] = performance.now() - t0;
          i++;
        }
        if (i >= total) resolve();
        else if (i < due) setImmediate(tick);
        else setTimeout(tick, Math.max(0, ((i * 1000) / RATE) - (performance.now() - startMs)));
      };
      tick();
    });
    await new Promise((r) => setTimeout(r, 150));
    const { checkpoints, restarts } = checkpointer.stats();
    await checkpointer.close();
    db.close();
    return { commitMs, checkpoints, restarts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  console.log(`WAL commits: one row per event-loop turn at ${RATE}/s for ${SECONDS} s, checkpoints in a worker every 100 ms`);
  console.log('policy'.padEnd(34) + ['p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', '> 2 ms', '> 4 ms', 'restarts'].map((h) => h.padStart(10)).join(''));
  // Alternated, twice each: the machine's disk and neighbours change from minute to minute.
  for (const round of [1, 2]) {
    for (const bound of [4096, 0]) {
      const r = await run(bound);
      const sorted = r.commitMs.slice().sort();
      const over = (ms: number) => r.commitMs.reduce((n, x) => n + (x > ms ? 1 : 0), 0);
      const name = bound === 0 ? 'RESTART after every passive run' : `RESTART above ${bound} frames`;
      console.log(
        `${name} (${round})`.padEnd(34) +
          [quantile(sorted, 0.5), quantile(sorted, 0.99), quantile(sorted, 0.999), sorted.at(-1)!]
            .map((x) => x.toFixed(3).padStart(10))
            .join('') +
          [over(2), over(4), r.restarts].map((x) => String(x).padStart(10)).join(''),
      );
    }
  }
}

void main();
