/**
 * @module The gateway's HTTP server (node:http, no framework: it is a hot
 * path). Wires the stores, the limiter, the metrics and, per served model,
 * one backend router (all sharing one circuit breaker) and one fair admission
 * (slots per backend, a VTC queue when all are busy), and dispatches each request
 * to its route with a request id in the `x-request-id` header; a path no
 * route matches goes to the optional fallback (the dashboard) before the 404.
 * Every error is rendered by map-error.ts; none shows a stack.
 *
 * The caller owns the collaborators: close() stops the server, refuses the
 * requests waiting in fair queues, drains the completions in flight (each
 * still writes its ledger record), but closes neither the stores nor the
 * backends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InvalidInputError } from '../../core/errors.js';
import type { Backend } from '../backends/backend.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Limiter } from '../limits/limiter.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { createFairAdmission } from '../fairness/fair-admission.js';
import { createBackendRouter } from '../routing/backend-router.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../routing/circuit-breaker.js';
import { LiveStats } from '../stats/live-stats.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import type { FallbackHandler, GatewayClock, GatewayContext, GatewayLog, RouteCall, ServedModel } from './gateway-context.js';
import { InFlightRequests } from './in-flight-requests.js';
import { mapError } from './map-error.js';
import { newRequestId } from './request-id.js';
import { matchRoute } from './route-table.js';
import { RouteNotFoundError } from './gateway-errors.js';
import { sendErrorResponse } from './send-json.js';

/** How long an idle keep-alive connection stays open, milliseconds. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface CreateGatewayOptions {
  readonly config: GatewayConfig;
  readonly tenants: TenantStore;
  readonly ledger: Ledger;
  readonly limiter: Limiter;
  readonly metrics: GatewayMetrics;
  /** Served model id -> its backends; every model of the config needs at least one. */
  readonly backendsByModel: ReadonlyMap<string, readonly Backend[]>;
  readonly clock: GatewayClock;
  /** Bearer token of the admin API; undefined (or '') disables it. */
  readonly adminToken: string | undefined;
  readonly log: GatewayLog;
  /** Uniform random numbers in [0, 1) for the routers (power-of-two); default Math.random. */
  readonly random?: () => number;
  /** Relative capacity of each backend (an upstream's configured weight) for the routers; default 1. */
  readonly weightOf?: (backend: Backend) => number;
  /** Circuit breaker settings (its clock is the gateway's). */
  readonly breaker?: Omit<CircuitBreakerOptions, 'clock'>;
  /** Answers the paths no route matches (the dashboard); default: 404 for them. */
  readonly fallback?: FallbackHandler;
}

export interface CloseOptions {
  /** How long completions in flight may run on before they are aborted, milliseconds. Default 10,000. */
  readonly drainTimeoutMs?: number;
}

export interface Gateway {
  /** Not yet listening: call `server.listen(port, host)`. */
  readonly server: Server;
  /**
   * Stops accepting requests, lets completions in flight finish (aborting
   * those still running after the drain time; each writes its ledger
   * record), then closes every connection.
   */
  close(options?: CloseOptions): Promise<void>;
  /** What the routes see (the dashboard reads its stats and models). */
  readonly context: GatewayContext;
}

/** A route's view of a request; its query string is parsed when first read (the completion routes never do). */
function routeCall(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  params: RouteCall['params'],
  url: string,
  queryAt: number,
  arrivalMs: number,
  arrivalEpochMs: number,
): RouteCall {
  let query: URLSearchParams | undefined;
  return {
    req,
    res,
    requestId,
    params,
    get query() {
      return (query ??= new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1)));
    },
    arrivalMs,
    arrivalEpochMs,
  };
}

/** @throws InvalidInputError when a served model has no backend, or the router policy is unknown. */
export function createGateway(opts: CreateGatewayOptions): Gateway {
  const { config, clock, log } = opts;
  const breaker = new CircuitBreaker({ ...opts.breaker, clock });
  const random = opts.random ?? Math.random;
  const models = new Map<string, ServedModel>();
  for (const m of config.models) {
    const backends = opts.backendsByModel.get(m.id) ?? [];
    if (backends.length === 0) throw new InvalidInputError(`no backend serves the model '${m.id}'`, 'backendsByModel');
    const router = createBackendRouter(config.router, backends, { random, gate: breaker, ...(opts.weightOf ? { weightOf: opts.weightOf } : {}) });
    const { maxQueuedPerModel, ...fairQueue } = config.fairQueue;
    const admission = createFairAdmission({
      backends,
      router,
      allows: (id) => breaker.allows(id),
      clock,
      maxQueued: maxQueuedPerModel,
      ...fairQueue,
      onQueueDepth: (depth) => opts.metrics.setQueueDepth(m.id, depth),
    });
    opts.metrics.setQueueDepth(m.id, 0);
    models.set(m.id, { config: m, backends, router, admission });
  }
  let closing = false;
  const ctx: GatewayContext = {
    config,
    tenants: opts.tenants,
    ledger: opts.ledger,
    limiter: opts.limiter,
    metrics: opts.metrics,
    clock,
    log,
    adminToken: opts.adminToken,
    models,
    breaker,
    inFlight: new InFlightRequests(),
    startedAtSeconds: Math.floor(clock.epochMs() / 1000),
    closing: () => closing,
    stats: new LiveStats({ startedAtMs: Math.floor(clock.epochMs()), pools: config.models.flatMap((m) => m.pools.map((p) => ({ model: m.id, pool: p.name }))) }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrivalMs = clock.now();
    const arrivalEpochMs = Math.floor(clock.epochMs());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const matched = matchRoute(req.method ?? 'GET', path);
    const requestId = newRequestId(matched instanceof Error ? 'req-' : matched.idPrefix, arrivalEpochMs);
    res.setHeader('x-request-id', requestId);
    try {
      if (matched instanceof RouteNotFoundError && opts.fallback !== undefined) {
        if (await opts.fallback(ctx, routeCall(req, res, requestId, {}, url, q, arrivalMs, arrivalEpochMs))) return;
      }
      if (matched instanceof Error) throw matched;
      await matched.handler(ctx, routeCall(req, res, requestId, matched.params, url, q, arrivalMs, arrivalEpochMs));
    } catch (e) {
      sendErrorResponse(res, mapError(e, requestId, log));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Only a failure to write the error itself lands here.
      log.error('could not answer a request', { error: e instanceof Error ? e.message : String(e) });
      res.destroy();
    });
  });
  // Keep idle client connections longer than Node's 5 s default (as load balancers do, 60 s+): a client
  // reusing a socket the server has just closed sees "other side closed" on its next request.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;

  return {
    server,
    context: ctx,
    async close(options = {}) {
      closing = true;
      // Requests waiting for a slot are answered at once (503 shutting_down); close() waits for their answers below.
      for (const m of models.values()) m.admission.close();
      const closed = new Promise<void>((resolve) => {
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
      server.closeIdleConnections();
      if (ctx.inFlight.size > 0) {
        let timer: unknown;
        const drainTimeout = new Promise<void>((resolve) => {
          timer = clock.setTimeout(resolve, options.drainTimeoutMs ?? 10_000);
        });
        await Promise.race([ctx.inFlight.idle(), drainTimeout]);
        clock.clearTimeout(timer);
        ctx.inFlight.abortAll();
        await ctx.inFlight.idle();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
