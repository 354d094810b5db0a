/**
 * @module The simulator's request metrics: fed once per completed request,
 * it keeps latency sketches and counters overall, per pool and per tenant in
 * constant memory, and summarises them into the JSON the CLI prints.
 */

import { LogHistogram } from './log-histogram.js';
import { RequestLog } from './request-log.js';

/** One completed request, as the simulator reports it. Times are simulated milliseconds. */
export interface CompletedRequest {
  /** Request id, written to the CSV; defaults to the completion order (0-based). */
  readonly id?: number;
  readonly poolIndex: number;
  readonly tenantIndex: number;
  /** When the request arrived, ms. */
  readonly arrivalMs: number;
  /** When a replica admitted it (left the queue), ms. */
  readonly admittedMs: number;
  /** When its first output token was produced, ms. */
  readonly firstTokenMs: number;
  /** When its last output token was produced, ms. */
  readonly finishMs: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Prompt tokens served from the prefix cache. */
  readonly cachedTokens: number;
  /** Times the request was evicted and had to be recomputed. */
  readonly preemptions: number;
}

/** Service-level targets; a request attains when every given target holds. */
export interface SloTargets {
  /** Time to first token, ms. */
  readonly ttftMs?: number;
  /** Mean time per output token after the first, ms (not checked for single-token outputs). */
  readonly tpotMs?: number;
}

export interface MetricsCollectorOptions {
  readonly poolCount: number;
  readonly tenantCount: number;
  readonly slo?: SloTargets;
  /** Keep every request (about 64 bytes each) for `requestsCsv`. */
  readonly keepRequests?: boolean;
}

/** Mean and quantiles of a latency, ms; null when no request contributed. */
export interface LatencySummary {
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export interface GroupSummary {
  /** Requests that arrived (see `recordArrival`). */
  readonly requests: number;
  /** Requests that finished. */
  readonly completed: number;
  readonly ttftMs: LatencySummary;
  /** Over requests with more than one output token. */
  readonly tpotMs: LatencySummary;
  readonly e2eMs: LatencySummary;
  readonly queueMs: LatencySummary;
  /** Token totals of completed requests. */
  readonly tokens: { readonly input: number; readonly output: number; readonly cached: number };
  /** Over the run's window: first arrival to last finish of all completed requests. */
  readonly throughput: {
    readonly inputTokensPerSecond: number;
    readonly outputTokensPerSecond: number;
    readonly requestsPerSecond: number;
  };
  /** Share of completed requests that met every SLO target; null without targets or completions. */
  readonly sloAttainment: number | null;
  /** Throughput of the requests that met the targets; null without targets. */
  readonly goodput: { readonly requestsPerSecond: number; readonly outputTokensPerSecond: number } | null;
  /** Cached / input tokens; null when no input tokens. */
  readonly prefixHitRate: number | null;
  readonly preemptions: number;
}

export interface MetricsSummary extends GroupSummary {
  /** Seconds the throughputs are divided by. */
  readonly windowSeconds: number;
  readonly pools: readonly (GroupSummary & { readonly name: string })[];
  readonly tenants: readonly (GroupSummary & { readonly name: string })[];
}

/** Accumulators of one group of requests (all, one pool, one tenant). */
class GroupStats {
  readonly ttft = new LogHistogram();
  readonly tpot = new LogHistogram();
  readonly e2e = new LogHistogram();
  readonly queue = new LogHistogram();
  arrived = 0;
  completed = 0;
  inputTokens = 0;
  outputTokens = 0;
  cachedTokens = 0;
  preemptions = 0;
  attained = 0;
  attainedOutputTokens = 0;

  add(r: CompletedRequest, ttft: number, tpot: number, attains: boolean): void {
    this.ttft.add(ttft);
    if (r.outputTokens > 1) this.tpot.add(tpot);
    this.e2e.add(r.finishMs - r.arrivalMs);
    this.queue.add(r.admittedMs - r.arrivalMs);
    this.completed++;
    this.inputTokens += r.promptTokens;
    this.outputTokens += r.outputTokens;
    this.cachedTokens += r.cachedTokens;
    this.preemptions += r.preemptions;
    if (attains) {
      this.attained++;
      this.attainedOutputTokens += r.outputTokens;
    }
  }

  /** Adds another group's requests into this one (exact: the sketches merge bucket by bucket). */
  merge(other: GroupStats): void {
    this.ttft.merge(other.ttft);
    this.tpot.merge(other.tpot);
    this.e2e.merge(other.e2e);
    this.queue.merge(other.queue);
    this.arrived += other.arrived;
    this.completed += other.completed;
    this.inputTokens += other.inputTokens;
    this.outputTokens += other.outputTokens;
    this.cachedTokens += other.cachedTokens;
    this.preemptions += other.preemptions;
    this.attained += other.attained;
    this.attainedOutputTokens += other.attainedOutputTokens;
  }

  summary(windowSeconds: number, hasSlo: boolean): GroupSummary {
    const perSecond = (x: number): number => (windowSeconds > 0 ? x / windowSeconds : 0);
    return {
      requests: this.arrived,
      completed: this.completed,
      ttftMs: latency(this.ttft),
      tpotMs: latency(this.tpot),
      e2eMs: latency(this.e2e),
      queueMs: latency(this.queue),
      tokens: { input: this.inputTokens, output: this.outputTokens, cached: this.cachedTokens },
      throughput: {
        inputTokensPerSecond: perSecond(this.inputTokens),
        outputTokensPerSecond: perSecond(this.outputTokens),
        requestsPerSecond: perSecond(this.completed),
      },
      sloAttainment: hasSlo && this.completed > 0 ? this.attained / this.completed : null,
      goodput: hasSlo
        ? { requestsPerSecond: perSecond(this.attained), outputTokensPerSecond: perSecond(this.attainedOutputTokens) }
        : null,
      prefixHitRate: this.inputTokens > 0 ? this.cachedTokens / this.inputTokens : null,
      preemptions: this.preemptions,
    };
  }
}

function latency(h: LogHistogram): LatencySummary {
  if (h.count === 0) return { mean: null, p50: null, p90: null, p99: null };
  return { mean: h.mean, p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99) };
}

/**
 * Collects request metrics for one simulation run. `record` does no
 * allocation of its own (the sketches allocate only when values reach a new
 * range of buckets, and the optional request log when it doubles). It updates
 * the request's pool and tenant only; the totals are the pools merged, at
 * `summary` time, which saves a third of the sketch updates.
 */
export class MetricsCollector {
  private readonly pools: readonly GroupStats[];
  private readonly tenants: readonly GroupStats[];
  private readonly ttftTargetMs: number;
  private readonly tpotTargetMs: number;
  private readonly hasSlo: boolean;
  private readonly log: RequestLog | null;
  private completed = 0;
  private firstArrivalMs = Number.POSITIVE_INFINITY;
  private lastFinishMs = Number.NEGATIVE_INFINITY;

  constructor(options: MetricsCollectorOptions) {
    const { poolCount, tenantCount, slo = {} } = options;
    for (const [name, n] of [['poolCount', poolCount], ['tenantCount', tenantCount]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
    }
    this.pools = Array.from({ length: poolCount }, () => new GroupStats());
    this.tenants = Array.from({ length: tenantCount }, () => new GroupStats());
    this.ttftTargetMs = slo.ttftMs ?? Number.POSITIVE_INFINITY;
    this.tpotTargetMs = slo.tpotMs ?? Number.POSITIVE_INFINITY;
    this.hasSlo = slo.ttftMs !== undefined || slo.tpotMs !== undefined;
    this.log = options.keepRequests ? new RequestLog() : null;
  }

  /** Counts a request that arrived at a pool (completed or not), for `requests` in the summary. */
  recordArrival(poolIndex: number, tenantIndex: number): void {
    const pool = this.pools[poolIndex];
    const tenant = this.tenants[tenantIndex];
    if (!pool || !tenant) throw new RangeError(`no pool ${poolIndex} or no tenant ${tenantIndex}`);
    pool.arrived++;
    tenant.arrived++;
  }

  /** Records one completed request. Throws a RangeError on inconsistent times or counts (a simulator bug). */
  record(r: CompletedRequest): void {
    const pool = this.pools[r.poolIndex];
    const tenant = this.tenants[r.tenantIndex];
    if (!pool || !tenant) throw new RangeError(`no pool ${r.poolIndex} or no tenant ${r.tenantIndex}`);
    if (
      !(r.arrivalMs >= 0 && r.admittedMs >= r.arrivalMs && r.firstTokenMs >= r.admittedMs) ||
      !(r.finishMs >= r.firstTokenMs && r.finishMs < Number.POSITIVE_INFINITY)
    ) {
      throw new RangeError(
        `request times out of order: need 0 <= arrival <= admitted <= firstToken <= finish, got ` +
          `${r.arrivalMs}, ${r.admittedMs}, ${r.firstTokenMs}, ${r.finishMs}`,
      );
    }
    if (!(r.promptTokens >= 0 && r.outputTokens >= 1 && r.cachedTokens >= 0 && r.preemptions >= 0)) {
      throw new RangeError('request counts: need promptTokens, cachedTokens, preemptions >= 0 and outputTokens >= 1');
    }
    if (r.cachedTokens > r.promptTokens) throw new RangeError('cachedTokens exceeds promptTokens');
    const ttft = r.firstTokenMs - r.arrivalMs;
    const tpot = r.outputTokens > 1 ? (r.finishMs - r.firstTokenMs) / (r.outputTokens - 1) : 0;
    const attains = ttft <= this.ttftTargetMs && tpot <= this.tpotTargetMs;
    this.completed++;
    pool.add(r, ttft, tpot, attains);
    tenant.add(r, ttft, tpot, attains);
    if (r.arrivalMs < this.firstArrivalMs) this.firstArrivalMs = r.arrivalMs;
    if (r.finishMs > this.lastFinishMs) this.lastFinishMs = r.finishMs;
    this.log?.push(
      r.id ?? this.completed - 1,
      r.poolIndex,
      r.tenantIndex,
      r.arrivalMs,
      r.admittedMs,
      r.firstTokenMs,
      r.finishMs,
      r.promptTokens,
      r.outputTokens,
      r.cachedTokens,
      r.preemptions,
    );
  }

  /**
   * The run's summary. Throughputs and goodput of every group divide by the
   * same window, from the first arrival to the last finish of all completed
   * requests (so pools and tenants add up to the total); `simulatedMs` is
   * used only when that window is empty.
   */
  summary(opts: {
    /** Simulated time of the run, ms. */
    readonly simulatedMs: number;
    readonly poolNames: readonly string[];
    readonly tenantNames: readonly string[];
  }): MetricsSummary {
    if (opts.poolNames.length !== this.pools.length || opts.tenantNames.length !== this.tenants.length) {
      throw new RangeError(
        `expected ${this.pools.length} pool names and ${this.tenants.length} tenant names, ` +
          `got ${opts.poolNames.length} and ${opts.tenantNames.length}`,
      );
    }
    const spanMs = this.lastFinishMs - this.firstArrivalMs;
    const windowSeconds = (spanMs > 0 ? spanMs : Math.max(0, opts.simulatedMs)) / 1000;
    const named = (stats: readonly GroupStats[], names: readonly string[]): (GroupSummary & { name: string })[] =>
      stats.map((s, i) => ({ name: names[i]!, ...s.summary(windowSeconds, this.hasSlo) }));
    const overall = new GroupStats();
    for (const pool of this.pools) overall.merge(pool);
    return {
      ...overall.summary(windowSeconds, this.hasSlo),
      windowSeconds,
      pools: named(this.pools, opts.poolNames),
      tenants: named(this.tenants, opts.tenantNames),
    };
  }

  /**
   * TTFT and TPOT sketches of all completed requests (the pools merged into
   * fresh sketches), ms: the distributions without per-request memory.
   */
  latencySketches(): { readonly ttftMs: LogHistogram; readonly tpotMs: LogHistogram } {
    const ttftMs = new LogHistogram();
    const tpotMs = new LogHistogram();
    for (const pool of this.pools) {
      ttftMs.merge(pool.ttft);
      tpotMs.merge(pool.tpot);
    }
    return { ttftMs, tpotMs };
  }

  /** The kept requests as CSV (header `REQUESTS_CSV_HEADER`); throws unless built with `keepRequests`. */
  requestsCsv(poolNames?: readonly string[], tenantNames?: readonly string[]): string {
    return this.requireLog().toCsv(poolNames, tenantNames);
  }

  /** The same CSV in pieces, for writing to a stream. */
  requestsCsvChunks(poolNames?: readonly string[], tenantNames?: readonly string[]): Generator<string> {
    return this.requireLog().csvChunks(poolNames, tenantNames);
  }

  private requireLog(): RequestLog {
    if (!this.log) throw new Error('requests were not kept: build the MetricsCollector with keepRequests: true');
    return this.log;
  }
}
