/**
 * @module What the dashboard's API handlers share: the job runner, the plan,
 * the traces, the ledger totals at start, the clock; and the handler type.
 */
import type { UsageTotals } from '../gateway/ledger/ledger.js';
import type { GatewayContext, RouteCall } from '../gateway/server/gateway-context.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { PoolHardware } from './live-view.js';
import type { PlanStore } from './plan-store.js';
import type { TraceEntry } from './trace-catalogue.js';

export interface DashboardApi {
  /** Wall clock, Unix epoch ms. */
  readonly nowMs: () => number;
  readonly jobs: JobRunner;
  readonly plans: PlanStore;
  readonly traces: readonly TraceEntry[];
  /** The ledger's all-time totals when the gateway started (the live count adds to them). */
  readonly ledgerTotalsAtStart: UsageTotals;
  /** Largest request body accepted by the dashboard API, bytes. */
  readonly maxBodyBytes: number;
  /** Each pool's hardware (from the gateway config, computed once). */
  hardware(ctx: GatewayContext): ReadonlyMap<string, PoolHardware>;
}

export type ApiHandler = (api: DashboardApi, ctx: GatewayContext, call: RouteCall) => Promise<void>;
