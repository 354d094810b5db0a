/**
 * @module The dashboard's jobs (re-plans, simulations): a queue run by an
 * injected executor (a worker thread per job in the server, in-process in
 * tests), at most `maxConcurrent` at a time, each with its progress, result
 * or error, kept in memory (the last `keep`, never dropping one that has not
 * finished).
 */
import { randomBytes } from 'node:crypto';
import type { JobExecutor, JobKind, JobProgress, JobRequest } from './job-types.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** A job as GET /api/jobs/{id} shows it. */
export interface JobView {
  readonly id: string;
  readonly kind: JobKind;
  readonly state: JobState;
  readonly progress: JobProgress | null;
  /** Unix epoch ms; null while queued. */
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
  readonly result: unknown;
  readonly error: string | null;
}

interface Job {
  readonly id: string;
  readonly request: JobRequest;
  state: JobState;
  progress: JobProgress | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  result: unknown;
  error: string | null;
  readonly onSettled: ((job: JobView) => void) | undefined;
}

export interface JobRunnerOptions {
  readonly executor: JobExecutor;
  /** Wall clock, Unix epoch ms. */
  readonly nowMs: () => number;
  /** Jobs kept, newest first; default 20. */
  readonly keep?: number;
  /** Jobs run at once; default 1. */
  readonly maxConcurrent?: number;
  /** Called when a job fails (for the operator's log). */
  readonly onFailure?: (job: JobView) => void;
}

export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  private readonly abort = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly keep: number;
  private readonly maxConcurrent: number;

  constructor(private readonly opts: JobRunnerOptions) {
    this.keep = opts.keep ?? 20;
    this.maxConcurrent = opts.maxConcurrent ?? 1;
  }

  /** Queues a job; `onSettled` runs when it is done or failed. */
  submit(request: JobRequest, onSettled?: (job: JobView) => void): JobView {
    if (this.abort.signal.aborted) throw new Error('the job runner is closed');
    const job: Job = { id: `j_${randomBytes(8).toString('hex')}`, request, state: 'queued', progress: null, startedAtMs: null, finishedAtMs: null, result: null, error: null, onSettled };
    this.jobs.set(job.id, job);
    this.queue.push(job);
    this.prune();
    this.pump();
    return view(job);
  }

  get(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    return job === undefined ? undefined : view(job);
  }

  /** The unfinished job of this kind, if any. */
  active(kind: JobKind): JobView | undefined {
    for (const job of this.jobs.values()) if (job.request.kind === kind && (job.state === 'queued' || job.state === 'running')) return view(job);
    return undefined;
  }

  /** Resolves when no job is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops every job (workers are terminated); queued ones fail as cancelled. */
  close(): void {
    this.abort.abort();
    for (const job of this.queue.splice(0)) this.settle(job, 'failed', null, 'cancelled: the server is shutting down');
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      job.state = 'running';
      job.startedAtMs = this.opts.nowMs();
      this.opts
        .executor(job.request, (p) => (job.progress = p), this.abort.signal)
        .then(
          (result) => this.settle(job, 'done', result, null),
          (e: unknown) => this.settle(job, 'failed', null, e instanceof Error ? e.message : String(e)),
        )
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private settle(job: Job, state: 'done' | 'failed', result: unknown, error: string | null): void {
    job.state = state;
    job.result = result;
    job.error = error;
    job.finishedAtMs = this.opts.nowMs();
    const v = view(job);
    if (state === 'failed') this.opts.onFailure?.(v);
    job.onSettled?.(v);
  }

  /** Drops the oldest finished jobs beyond `keep`. */
  private prune(): void {
    let excess = this.jobs.size - this.keep;
    for (const [id, job] of this.jobs) {
      if (excess <= 0) break;
      if (job.state === 'done' || job.state === 'failed') {
        this.jobs.delete(id);
        excess--;
      }
    }
  }
}

function view(job: Job): JobView {
  return {
    id: job.id,
    kind: job.request.kind,
    state: job.state,
    progress: job.progress,
    startedAtMs: job.startedAtMs,
    finishedAtMs: job.finishedAtMs,
    result: job.result,
    error: job.error,
  };
}
