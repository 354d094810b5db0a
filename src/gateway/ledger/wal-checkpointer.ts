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
 * nobody). A passive checkpoint alone never lets the WAL restart from its
 * beginning under constant writes (new frames arrive while it copies), so
 * every `restartEvery`-th run is a RESTART checkpoint: it waits for the
 * writer's current transaction, copies the few frames the passive runs left
 * and makes the next commit start the WAL over; the WAL file then stays
 * bounded (the connection's `journal_size_limit` truncates it when it
 * restarts). A RESTART briefly holds writers back: that is the one stall
 * left, a few milliseconds every `intervalMs x restartEvery`.
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
  /** Every how many checkpoints one is a RESTART (the others PASSIVE). Default 5. */
  readonly restartEvery?: number;
  /** Called once if the worker fails (it has stopped); the caller should turn automatic checkpoints back on. */
  readonly onError?: (error: Error) => void;
}

export interface WalCheckpointerStats {
  /** Checkpoints run so far. */
  readonly checkpoints: number;
  /** Of which RESTART checkpoints. */
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
  const restart = (checkpoints + 1) % workerData.restartEvery === 0;
  db.pragma(restart ? 'wal_checkpoint(RESTART)' : 'wal_checkpoint(PASSIVE)');
  checkpoints++;
  if (restart) restarts++;
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
  const restartEvery = options.restartEvery ?? 5;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  if (!Number.isInteger(restartEvery) || restartEvery < 1) throw new RangeError(`restartEvery must be a positive integer, got ${restartEvery}`);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: driverPath(), path: options.path, intervalMs, restartEvery } });
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
