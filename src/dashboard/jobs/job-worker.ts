/**
 * @module The job worker thread's entry (compiled to
 * dist/dashboard/jobs/job-worker.js): runs the one job it was started with
 * (`workerData`), posts progress, then the result or the failure, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TokenfleetError } from '../../core/errors.js';
import type { JobRequest, WorkerMessage } from './job-types.js';
import { runJob } from './run-job.js';

const port = parentPort;
if (port === null) throw new Error('job-worker.js runs as a worker thread (see worker-executor.ts)');
const post = (m: WorkerMessage) => port.postMessage(m);
try {
  const result = await runJob(workerData as JobRequest, (progress) => post({ type: 'progress', progress }));
  post({ type: 'done', result });
} catch (e) {
  // A TokenfleetError says what to fix; anything else is a bug, reported with its stack for the operator's log.
  const message = e instanceof TokenfleetError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  post({ type: 'failed', error: { message } });
}
