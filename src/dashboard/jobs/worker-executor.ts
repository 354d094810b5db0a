/**
 * @module Runs each job in its own `node:worker_threads` Worker (a fresh
 * heap per job, so HiGHS's WebAssembly memory goes with it), so that plans
 * and simulations never block the gateway's event loop. Aborting terminates
 * the worker.
 */
import { Worker } from 'node:worker_threads';
import type { JobExecutor, WorkerMessage } from './job-types.js';

/** The compiled worker beside this file (dist/dashboard/jobs/job-worker.js). */
export const JOB_WORKER_URL = new URL('./job-worker.js', import.meta.url);

/** Job failed inside the worker; the message is the job's own. */
export class JobFailedError extends Error {}

export function workerExecutor(workerUrl: URL = JOB_WORKER_URL): JobExecutor {
  return (request, onProgress, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new JobFailedError('cancelled'));
        return;
      }
      const worker = new Worker(workerUrl, { workerData: request });
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => {
        settle(() => reject(new JobFailedError('cancelled')));
        void worker.terminate();
      };
      signal.addEventListener('abort', onAbort);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') {
          onProgress(m.progress);
          return;
        }
        settle(() => (m.type === 'done' ? resolve(m.result) : reject(new JobFailedError(m.error.message))));
        // Its work is done; do not wait for stray handles to let it exit.
        void worker.terminate();
      });
      worker.on('error', (e) => settle(() => reject(e)));
      worker.on('exit', (code) => settle(() => reject(new JobFailedError(`the job worker exited (code ${code}) without a result`))));
    });
}
