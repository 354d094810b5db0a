/**
 * @module What a dashboard job is asked to do and what it reports: the
 * request (plain JSON, so it crosses into a worker thread as is), progress,
 * and the messages a worker posts back.
 */

/** Re-plan a scenario: its YAML (already validated), which variants, where the configuration cache lives. */
export interface PlanJobRequest {
  readonly kind: 'plan';
  readonly scenarioYaml: string;
  /** Shown in error messages as the file the YAML came from. */
  readonly scenarioFile: string;
  readonly variants: readonly string[] | 'all';
  /** The configuration-search cache file (`tokenfleet plan --cache`). */
  readonly cacheFile: string;
  /** Time limit of each solve, seconds. */
  readonly timeLimitSeconds: number;
}

/** One pool of identical replicas of a simulation. */
export interface SimulatePoolRequest {
  readonly accelerator: string;
  readonly engine: string;
  readonly tp: number;
  readonly precision?: string;
  readonly replicas: number;
}

/** Replay (the start of) a trace on pools of one model (a validated POST /api/simulate body). */
export interface SimulateJobRequest {
  readonly kind: 'simulate';
  /** The trace file and its format. */
  readonly traceFile: string;
  readonly traceFormat: 'azure' | 'mooncake' | 'vidur' | 'jsonl';
  readonly maxRequests: number;
  readonly rateScale: number;
  readonly router: string;
  readonly model: string;
  readonly seed: number;
  readonly sloTtftMs?: number;
  readonly sloTpotMs?: number;
  readonly pools: readonly SimulatePoolRequest[];
}

export type JobRequest = PlanJobRequest | SimulateJobRequest;
export type JobKind = JobRequest['kind'];

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  /** What is being done, e.g. 'configuration search'. */
  readonly label: string;
}

/** A failure the user caused (bad input: answered as such) or not. */
export interface JobFailure {
  readonly message: string;
}

/** What the worker thread posts to its parent. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: JobProgress }
  | { readonly type: 'done'; readonly result: unknown }
  | { readonly type: 'failed'; readonly error: JobFailure };

/**
 * Runs a job and resolves with its result (plain JSON); reports progress on
 * the way; stops when `signal` aborts. The dashboard runs jobs in a worker
 * thread (worker-executor.ts); tests inject one that runs in-process.
 */
export type JobExecutor = (request: JobRequest, onProgress: (p: JobProgress) => void, signal: AbortSignal) => Promise<unknown>;
