/**
 * @module Runs one job in the current thread: the body of the job worker,
 * and the in-process executor of tests (vitest runs the TypeScript sources,
 * where a Worker on a .ts file would not start).
 */
import type { JobExecutor, JobProgress, JobRequest } from './job-types.js';
import { runPlanJob } from './run-plan-job.js';
import { runSimulateJob } from './run-simulate-job.js';

export async function runJob(request: JobRequest, onProgress: (p: JobProgress) => void): Promise<unknown> {
  switch (request.kind) {
    case 'plan':
      return runPlanJob(request, onProgress);
    case 'simulate':
      return runSimulateJob(request, onProgress);
    default: {
      const never: never = request;
      throw new Error(`unknown job kind ${JSON.stringify(never)}`);
    }
  }
}

/** Runs jobs on the calling thread (it blocks the event loop while a job computes: for tests and tools only). */
export const inProcessExecutor: JobExecutor = (request, onProgress) => runJob(request, onProgress);
