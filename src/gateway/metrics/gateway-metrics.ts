/**
 * @module The gateway's Prometheus metrics, on a registry of its own (not
 * prom-client's global default, so two gateways in one process, or tests,
 * do not share counters), exposed as text at `/metrics`.
 *
 * Labels: `model` and `pool` come from the config; `status` is an HTTP
 * status code; `reason` is a fixed union. Tenant ids are labels too: fine for
 * hundreds of tenants (each adds a handful of series per pool and model), not
 * for tens of thousands. To keep a scrape bounded, tenants beyond
 * `maxTenantLabels` distinct ids (first come, first served, for the life of
 * the process) are recorded under the label `other`; their exact usage stays
 * in the ledger.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Why the gateway refused a request before a backend served it. */
export const REJECTION_REASONS = [
  'unauthenticated',
  'invalid_request',
  'body_too_large',
  'unknown_model',
  'rate_limit_rpm',
  'rate_limit_tpm',
  'budget_exceeded',
  'queue_full',
  'queue_timeout',
  'no_backend',
  'timeout',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Token kinds of the token counter's `type` label. */
export type TokenKind = 'input' | 'output' | 'cached';

/** Label value for tenants past the cardinality bound. */
export const OTHER_TENANT = 'other';
/** Label value for a request that never reached a pool (it was rejected or failed before routing). */
export const NO_POOL = 'none';

/** TTFT buckets, seconds: interactive targets sit at 0.2-2 s; long prompts on slow chips reach tens of seconds. */
const TTFT_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
/** Time per output token buckets, seconds: 10-50 ms is typical decode, 100 ms+ is a struggling replica. */
const TPOT_BUCKETS_SECONDS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1];

export interface GatewayMetricsOptions {
  /** Distinct tenant label values before new tenants are recorded as `other`. Default 1000. */
  readonly maxTenantLabels?: number;
  /** Metric name prefix. Default `tokenfleet_gateway_`. */
  readonly prefix?: string;
  /** Also collect Node process metrics (CPU, memory, event loop lag) on this registry. Default false. */
  readonly processMetrics?: boolean;
}

/** One finished (or failed) request, as the route handler saw it. */
export interface RequestRecord {
  /** Served model id (from the config). */
  readonly model: string;
  /** Pool that served it; omit when it never reached one. */
  readonly pool?: string;
  readonly tenant: string;
  /** HTTP status returned to the client (200 for a completed stream). */
  readonly status: number;
  /** Prompt tokens. */
  readonly inputTokens?: number;
  /** Output tokens. */
  readonly outputTokens?: number;
  /** Prompt tokens served from a prefix cache (a subset of inputTokens). */
  readonly cachedTokens?: number;
  /** Time to first token, seconds. */
  readonly ttftSeconds?: number;
  /** Mean time per output token after the first, seconds. */
  readonly tpotSeconds?: number;
}

export class GatewayMetrics {
  /** The registry every metric is on; `metricsText()` renders it. */
  readonly registry = new Registry();
  /** The Content-Type of `metricsText()` for the `/metrics` response. */
  readonly contentType: string;
  private readonly requests: Counter<'model' | 'pool' | 'tenant' | 'status'>;
  private readonly tokens: Counter<'model' | 'pool' | 'tenant' | 'type'>;
  private readonly ttft: Histogram<'pool' | 'tenant'>;
  private readonly tpot: Histogram<'pool' | 'tenant'>;
  private readonly queueDepth: Gauge<'model'>;
  private readonly rejections: Counter<'reason'>;
  private readonly maxTenantLabels: number;
  private readonly tenantLabels = new Set<string>();

  constructor(opts: GatewayMetricsOptions = {}) {
    const prefix = opts.prefix ?? 'tokenfleet_gateway_';
    this.maxTenantLabels = opts.maxTenantLabels ?? 1000;
    if (!Number.isInteger(this.maxTenantLabels) || this.maxTenantLabels < 0) {
      throw new RangeError(`maxTenantLabels must be a non-negative integer, got ${this.maxTenantLabels}`);
    }
    const registers = [this.registry];
    this.contentType = this.registry.contentType;
    this.requests = new Counter({
      name: `${prefix}requests_total`,
      help: 'Requests answered, by served model, pool, tenant and HTTP status',
      labelNames: ['model', 'pool', 'tenant', 'status'],
      registers,
    });
    this.tokens = new Counter({
      name: `${prefix}tokens_total`,
      help: 'Tokens by served model, pool, tenant and type (input, output, cached: prompt tokens served from a prefix cache)',
      labelNames: ['model', 'pool', 'tenant', 'type'],
      registers,
    });
    this.ttft = new Histogram({
      name: `${prefix}time_to_first_token_seconds`,
      help: 'Time from request arrival to the first output token, seconds',
      labelNames: ['pool', 'tenant'],
      buckets: TTFT_BUCKETS_SECONDS,
      registers,
    });
    this.tpot = new Histogram({
      name: `${prefix}time_per_output_token_seconds`,
      help: 'Mean time per output token after the first, per request, seconds',
      labelNames: ['pool', 'tenant'],
      buckets: TPOT_BUCKETS_SECONDS,
      registers,
    });
    this.queueDepth = new Gauge({
      name: `${prefix}queue_depth`,
      help: 'Requests waiting in the gateway fair queue of a served model (its backends are all busy)',
      labelNames: ['model'],
      registers,
    });
    this.rejections = new Counter({
      name: `${prefix}rejections_total`,
      help: 'Requests refused before a backend served them, by reason',
      labelNames: ['reason'],
      registers,
    });
    // Every reason is present from the start, at 0, so that rate() sees the first rejection.
    for (const reason of REJECTION_REASONS) this.rejections.inc({ reason }, 0);
    if (opts.processMetrics === true) collectDefaultMetrics({ register: this.registry, prefix });
  }

  /** The label for `tenant`: itself while fewer than maxTenantLabels distinct tenants have been seen, else `other`. */
  tenantLabel(tenant: string): string {
    if (this.tenantLabels.has(tenant)) return tenant;
    if (this.tenantLabels.size >= this.maxTenantLabels) return OTHER_TENANT;
    this.tenantLabels.add(tenant);
    return tenant;
  }

  /** Records a request's outcome, tokens and latencies. */
  recordRequest(r: RequestRecord): void {
    const tenant = this.tenantLabel(r.tenant);
    const pool = r.pool ?? NO_POOL;
    this.requests.inc({ model: r.model, pool, tenant, status: String(r.status) });
    this.addTokens(r.model, pool, tenant, 'input', r.inputTokens);
    this.addTokens(r.model, pool, tenant, 'output', r.outputTokens);
    this.addTokens(r.model, pool, tenant, 'cached', r.cachedTokens);
    if (r.ttftSeconds !== undefined && r.ttftSeconds >= 0) this.ttft.observe({ pool, tenant }, r.ttftSeconds);
    if (r.tpotSeconds !== undefined && r.tpotSeconds >= 0) this.tpot.observe({ pool, tenant }, r.tpotSeconds);
  }

  private addTokens(model: string, pool: string, tenant: string, type: TokenKind, n: number | undefined): void {
    if (n !== undefined && n > 0) this.tokens.inc({ model, pool, tenant, type }, n);
  }

  /** Counts a refused request. */
  recordRejection(reason: RejectionReason): void {
    this.rejections.inc({ reason });
  }

  /** Sets the number of requests waiting in the fair queue of the served model `model`. */
  setQueueDepth(model: string, depth: number): void {
    this.queueDepth.set({ model }, depth);
  }

  /** The Prometheus text exposition of every metric, for `/metrics`. */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }
}

export function createGatewayMetrics(opts: GatewayMetricsOptions = {}): GatewayMetrics {
  return new GatewayMetrics(opts);
}
