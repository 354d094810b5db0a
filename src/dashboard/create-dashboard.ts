/**
 * @module The dashboard, mounted on the gateway through its fallback: the
 * JSON API under /api/ (live statistics, catalogue and roofline, plan and
 * simulation jobs) and the built front end (dist/web) for every other path.
 * Jobs run through an injected executor: a worker thread per job in the
 * server (worker-executor.ts), so the gateway's event loop never computes a
 * plan. `tokenfleet serve` creates it; see docs/dashboard-api.md.
 */
import { parsePlanScenario } from '../config/plan-scenario.js';
import type { UsageTotals } from '../gateway/ledger/ledger.js';
import type { FallbackHandler, GatewayContext, GatewayLog } from '../gateway/server/gateway-context.js';
import { matchApiRoute } from './api-routes.js';
import type { DashboardApi } from './dashboard-api.js';
import { JobRunner } from './jobs/job-runner.js';
import type { JobExecutor } from './jobs/job-types.js';
import { poolHardware, sampleQueueDepths, type PoolHardware } from './live-view.js';
import { PlanStore, type ScenarioSource } from './plan-store.js';
import { staticFiles } from './static-files.js';
import { listTraces } from './trace-catalogue.js';

/** Largest body of a dashboard API request (a scenario YAML is tens of kilobytes), bytes. */
export const DASHBOARD_MAX_BODY_BYTES = 1024 * 1024;

export interface DashboardOptions {
  /** Runs the jobs: `workerExecutor()` in the server, `inProcessExecutor` in tests. */
  readonly executor: JobExecutor;
  /** The scenario planned at start and re-planned by default; undefined: none until one is posted. */
  readonly scenario: ScenarioSource | undefined;
  /** The configuration-search cache file (as `tokenfleet plan --cache`). */
  readonly planCacheFile: string;
  /** Time limit of each plan solve, seconds; default 60. */
  readonly planTimeLimitSeconds?: number;
  /** The shared traces folder (../shared/data/traces). */
  readonly tracesDir: string;
  /** The built front end (dist/web). */
  readonly webDir: string;
  /** The ledger's totals when the gateway started (Ledger.totals()). */
  readonly ledgerTotalsAtStart: UsageTotals;
  /** Wall clock, Unix epoch ms. */
  readonly nowMs: () => number;
  readonly log: GatewayLog;
  /** Jobs run at once; default 1 (each takes a core). */
  readonly maxConcurrentJobs?: number;
}

export interface Dashboard {
  /** Pass as `createGateway({ fallback })`. */
  readonly fallback: FallbackHandler;
  readonly jobs: JobRunner;
  /** Starts planning the scenario (all variants) in the background; undefined when there is no scenario. */
  planScenario(): string | undefined;
  /** Samples queue depths once a second into the gateway's stats, until close(). */
  startSampling(ctx: GatewayContext): void;
  /** Stops the sampler and every job (workers are terminated). */
  close(): void;
}

/** @throws InvalidInputError when the scenario is invalid (before anything starts). */
export function createDashboard(opts: DashboardOptions): Dashboard {
  if (opts.scenario !== undefined) parsePlanScenario(opts.scenario.yaml, opts.scenario.file);
  const jobs = new JobRunner({
    executor: opts.executor,
    nowMs: opts.nowMs,
    maxConcurrent: opts.maxConcurrentJobs ?? 1,
    onFailure: (job) => opts.log.warn('dashboard job failed', { jobId: job.id, kind: job.kind, error: job.error }),
  });
  const plans = new PlanStore(opts.scenario, { jobs, cacheFile: opts.planCacheFile, timeLimitSeconds: opts.planTimeLimitSeconds ?? 60 });
  let hardware: ReadonlyMap<string, PoolHardware> | undefined;
  const api: DashboardApi = {
    nowMs: opts.nowMs,
    jobs,
    plans,
    traces: listTraces(opts.tracesDir),
    ledgerTotalsAtStart: opts.ledgerTotalsAtStart,
    maxBodyBytes: DASHBOARD_MAX_BODY_BYTES,
    hardware: (ctx) => (hardware ??= poolHardware(ctx)),
  };
  const files = staticFiles(opts.webDir);
  let sampler: NodeJS.Timeout | undefined;

  return {
    jobs,
    async fallback(ctx, call) {
      const path = (call.req.url ?? '/').split('?', 1)[0]!;
      if (path === '/api' || path.startsWith('/api/')) {
        const route = matchApiRoute(call.req.method ?? 'GET', path);
        await route.handler(api, ctx, { ...call, params: route.params });
        return true;
      }
      return files(call, path);
    },
    planScenario() {
      if (opts.scenario === undefined) return undefined;
      return plans.start('all').id;
    },
    startSampling(ctx) {
      if (sampler !== undefined) return;
      sampler = setInterval(() => sampleQueueDepths(ctx, opts.nowMs()), 1000);
      sampler.unref();
    },
    close() {
      if (sampler !== undefined) clearInterval(sampler);
      jobs.close();
    },
  };
}
