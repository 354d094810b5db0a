/**
 * @module Checkpoints of a SQLite WAL database in a worker thread, so that
 * the connection that commits (the gateway's event loop) never copies the
 * WAL back into the database itself.
 *
 * Why: by default SQLite checkpoints inside the commit that pushes the WAL
 * past 1,000 pages, synchronously, fsyncs included. Under a steady stream of
 * small ledger commits that is several times a second, and each one holds
 * the event loop for milliseconds: in a test of 20,000 commits of one or two
 * records, 0.7% of commits took over 2 ms and the 99.9th percentile was
 * 9-14 ms; with the checkpoints in a worker, 0.07% and under 1 ms.
 *
 * How: the committing connection turns automatic checkpoints off
 * (`wal_autocheckpoint = 0`); the worker opens its own connection and, every
 * `intervalMs`, runs a PASSIVE checkpoint (copies what it can, blocks
 * nobody). When a passive run has copied every frame, the writer's next
 * commit starts the WAL over by itself (in the gateway's open loop at 1,000
 * requests/s the passive runs found 8-20 frames each and copied them all).
 * Only when the passive runs fall behind (writes arriving while they copy, so
 * the WAL never empties; bench:wal's writer, committing every turn, gets a
 * RESTART about every 2 s) does the worker
 * follow one with a RESTART checkpoint, once the WAL holds more than
 * `restartAboveFrames` frames: that waits for the writer's current
 * transaction, copies the rest and makes the next commit start the WAL over
 * (the connection's `journal_size_limit` then truncates the file).
 *
 * Why not a RESTART on a timer (every fifth run, as this module first did):
 * a RESTART holds writers back while it syncs the database file, and the
 * gateway's commit then waits in SQLite's busy handler on the event loop. In
 * bench/gateway.bench.ts's open loop (1,000 requests/s) each one left a
 * commit of ~9 ms, every 500 ms, and a cluster of 10-35 requests over 4 ms
 * behind it: about a third of the requests past the 99th percentile.
 *
 * Durability is unchanged: a commit is in the WAL file when it returns,
 * whoever checkpoints it later.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** The database file (in WAL mode; the caller's connection has wal_autocheckpoint = 0). */
  readonly path: string;
  /** Milliseconds between checkpoints. Default 100. */
  readonly intervalMs?: number;
  /** Frames in the WAL, as a PASSIVE checkpoint finds it, above which a RESTART follows. Default 4096 (16 MiB of 4 KiB pages). */
  readonly restartAboveFrames?: number;
  /** Called once if the worker fails (it has stopped); the caller should turn automatic checkpoints back on. */
  readonly onError?: (error: Error) => void;
}

export interface WalCheckpointerStats {
  /** PASSIVE checkpoints run so far. */
  readonly checkpoints: number;
  /** RESTART checkpoints that followed one of them (the WAL above the bound). */
  readonly restarts: number;
}

export interface WalCheckpointer {
  /** What the worker has done so far (as last reported, at most one interval old). */
  stats(): WalCheckpointerStats;
  /** Stops the worker after a last PASSIVE checkpoint; resolves when its connection is closed. */
  close(): Promise<void>;
}

/** The worker's code (CommonJS, evaluated): better-sqlite3 is loaded from the path the main thread resolved. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
let checkpoints = 0;
let restarts = 0;
const timer = setInterval(() => {
  const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
  checkpoints++;
  if (passive.log > workerData.restartAboveFrames) {
    db.pragma('wal_checkpoint(RESTART)');
    restarts++;
  }
  parentPort.postMessage({ checkpoints, restarts });
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
    parentPort.postMessage('closed');
  }
});
`;

const driverPath = (): string => createRequire(import.meta.url).resolve('better-sqlite3');

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const intervalMs = options.intervalMs ?? 100;
  const restartAboveFrames = options.restartAboveFrames ?? 4096;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  if (!Number.isInteger(restartAboveFrames) || restartAboveFrames < 0) throw new RangeError(`restartAboveFrames must be a whole number, got ${restartAboveFrames}`);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: driverPath(), path: options.path, intervalMs, restartAboveFrames } });
  let stats: WalCheckpointerStats = { checkpoints: 0, restarts: 0 };
  let stopped = false;
  let closed: Promise<void> | undefined;
  const ended = new Promise<void>((resolve) => {
    worker.on('message', (m: unknown) => {
      if (m === 'closed') resolve();
      else stats = m as WalCheckpointerStats;
    });
    worker.once('exit', () => {
      stopped = true;
      resolve();
    });
  });
  worker.once('error', (e) => {
    stopped = true;
    options.onError?.(e);
  });
  // The checkpointer never keeps the process alive on its own (after the listeners: adding a 'message'
  // listener refs the worker's port again).
  worker.unref();
  return {
    stats: () => stats,
    close() {
      closed ??= (async () => {
        worker.ref();
        if (!stopped) worker.postMessage('close');
        await ended;
        await worker.terminate();
      })();
      return closed;
    },
  };
}
