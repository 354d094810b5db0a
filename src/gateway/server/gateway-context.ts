/**
 * @module What every route handler is given: the gateway's collaborators
 * (stores, limiter, metrics, routers per served model), its clock and log,
 * and the one request being answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { realClock, type Clock } from '../backends/clock.js';
import type { GatewayConfig, GatewayModelConfig } from '../config/gateway-config.js';
import type { FairAdmission } from '../fairness/fair-admission.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Limiter } from '../limits/limiter.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { BackendRouter } from '../routing/backend-router.js';
import type { CircuitBreaker } from '../routing/circuit-breaker.js';
import type { LiveStats } from '../stats/live-stats.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import type { InFlightRequests } from './in-flight-requests.js';

/**
 * The backends' clock (monotonic milliseconds and timers: latencies, TTFT,
 * request timeouts, the circuit breaker) plus the wall clock that dates
 * ledger records and drives the limiter's windows.
 */
export interface GatewayClock extends Clock {
  /** Wall-clock time, Unix epoch milliseconds. */
  epochMs(): number;
}

/** Node's monotonic clock and timers, and Date.now for the wall clock. */
export const realGatewayClock: GatewayClock = { ...realClock, epochMs: () => Date.now() };

/** Structured log lines; `fields` never hold an API key (see redactKey) nor a prompt. */
export interface GatewayLog {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A log that drops everything (tests, embedding). */
export const silentLog: GatewayLog = { info: () => {}, warn: () => {}, error: () => {} };

/** A model the gateway serves: its config (id, pricing), the router over its backends and their admission. */
export interface ServedModel {
  readonly config: GatewayModelConfig;
  readonly backends: readonly Backend[];
  readonly router: BackendRouter;
  /** Slots of its backends and the fair queue when they are all busy: `admission.queueDepth`, `queuedByTenant()`. */
  readonly admission: FairAdmission;
}

export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly tenants: TenantStore;
  readonly ledger: Ledger;
  readonly limiter: Limiter;
  readonly metrics: GatewayMetrics;
  readonly clock: GatewayClock;
  readonly log: GatewayLog;
  /** Bearer token of the admin API; undefined disables the admin API. */
  readonly adminToken: string | undefined;
  /** By served model id, in config order. */
  readonly models: ReadonlyMap<string, ServedModel>;
  readonly breaker: CircuitBreaker;
  readonly inFlight: InFlightRequests;
  /** Gateway start, Unix epoch seconds (the `created` of /v1/models entries). */
  readonly startedAtSeconds: number;
  /** Whether close() was called (readiness turns false). */
  readonly closing: () => boolean;
  /** Live token and request rates for the dashboard (fed by the completion path). */
  readonly stats: LiveStats;
}

/** One request being answered. */
export interface RouteCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Also sent as the `x-request-id` header, and the `id` of a completion. */
  readonly requestId: string;
  /** Path parameters of the matched route (e.g. `id`). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Arrival, monotonic clock milliseconds (GatewayClock.now). */
  readonly arrivalMs: number;
  /** Arrival, Unix epoch milliseconds (an integer). */
  readonly arrivalEpochMs: number;
}

export type RouteHandler = (ctx: GatewayContext, call: RouteCall) => Promise<void>;

/**
 * Called for a path no gateway route matches (the dashboard is mounted this
 * way); resolves true when it answered, false to let the gateway answer 404.
 * What it throws is rendered by map-error.ts like a route's error.
 */
export type FallbackHandler = (ctx: GatewayContext, call: RouteCall) => Promise<boolean>;
