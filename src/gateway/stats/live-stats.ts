/**
 * @module Live statistics of the gateway for the dashboard: token and request
 * rates over the last 300 s in 1 s ring buffers, overall, per pool and per
 * tenant, and TTFT/TPOT quantiles per pool from fixed log-bucket histograms
 * per second. Fed once per finished completion (run-completion.ts) and once
 * per limiter refusal (serve-completion.ts): each update is O(1) with no
 * allocation (a tenant's first request allocates its counters once); reads
 * (`snapshot`, the dashboard polling) do the summing.
 *
 * Time is passed in (Unix epoch milliseconds), so tests need no clock. A
 * ring slot remembers the second it holds and is cleared lazily when a later
 * second reuses it, so idle seconds cost nothing.
 */
import type { LedgerStatus } from '../ledger/ledger.js';
import type { LimitReason } from '../limits/limiter.js';

/** Seconds kept in every ring. */
export const WINDOW_SECONDS = 300;
/** Seconds the TTFT/TPOT quantiles and the headline rates look back over. */
export const QUANTILE_WINDOW_SECONDS = 60;
export const RATE_WINDOW_SECONDS = 10;

/** Latency histogram: LATENCY_BUCKETS log-spaced buckets from MIN_LATENCY_MS to MAX_LATENCY_MS (about ±6% per bucket). */
const LATENCY_BUCKETS = 128;
const MIN_LATENCY_MS = 0.1;
const MAX_LATENCY_MS = 1e6;
const LOG_MIN = Math.log(MIN_LATENCY_MS);
const LOG_STEP = (Math.log(MAX_LATENCY_MS) - LOG_MIN) / LATENCY_BUCKETS;

function latencyBucket(ms: number): number {
  if (!(ms > MIN_LATENCY_MS)) return 0;
  const b = Math.floor((Math.log(ms) - LOG_MIN) / LOG_STEP);
  return b >= LATENCY_BUCKETS ? LATENCY_BUCKETS - 1 : b;
}

/** The geometric middle of bucket `b`, ms. */
function bucketValueMs(b: number): number {
  return Math.exp(LOG_MIN + (b + 0.5) * LOG_STEP);
}

/** How a finished completion is counted: `ok`, or refused before a backend ran it, or failed on the way. */
export type LiveOutcome = 'ok' | 'rejected' | 'failed';

export function outcomeOf(status: LedgerStatus): LiveOutcome {
  return status === 'ok' ? 'ok' : status === 'rejected' ? 'rejected' : 'failed';
}

/** One finished completion, as run-completion.ts reports it. */
export interface LiveCompletion {
  readonly tenantId: string;
  readonly model: string;
  /** The pool that served it; '' when none did. */
  readonly pool: string;
  readonly status: LedgerStatus;
  /** Prompt tokens; counted only when the request was billed (see `billed`). */
  readonly inputTokens: number;
  /** Output tokens delivered. */
  readonly outputTokens: number;
  /** Whether the tokens count (the ledger's billing rule: ok, client gone, or tokens delivered). */
  readonly billed: boolean;
  /** Time to first token, ms, when a token was sent. */
  readonly ttftMs?: number;
  /** Mean time per output token after the first, ms, when more than one was sent. */
  readonly tpotMs?: number;
}

/** A ring of per-second values: `values[slot * width + i]`, slot = second mod WINDOW_SECONDS. */
class SecondRing {
  readonly values: Float64Array;
  /** The second each slot holds; -1 when never used. */
  private readonly seconds: Float64Array;

  constructor(readonly width: number) {
    this.values = new Float64Array(WINDOW_SECONDS * width);
    this.seconds = new Float64Array(WINDOW_SECONDS).fill(-1);
  }

  /** The offset of `second`'s slot in `values`, clearing the slot if it held an older second. */
  slot(second: number): number {
    const s = second % WINDOW_SECONDS;
    if (this.seconds[s] !== second) {
      this.seconds[s] = second;
      this.values.fill(0, s * this.width, (s + 1) * this.width);
    }
    return s * this.width;
  }

  /** The offset of `second`'s slot, or -1 when the slot holds another second (nothing recorded then). */
  peek(second: number): number {
    const s = second % WINDOW_SECONDS;
    return this.seconds[s] === second ? s * this.width : -1;
  }
}

// Columns of the overall ring.
const IN = 0;
const OUT = 1;
const OK = 2;
const REJECTED = 3;
const FAILED = 4;
const OVERALL_WIDTH = 5;

// Columns of a pool's ring: tokens, then the TTFT and TPOT histograms, then the queue depth seen (max).
const POOL_TOKENS = 0;
const POOL_QUEUE = 1;
const POOL_TTFT = 2;
const POOL_TPOT = POOL_TTFT + LATENCY_BUCKETS;
const POOL_WIDTH = POOL_TPOT + LATENCY_BUCKETS;

/** Counters of one tenant since start, and its token rate. */
class TenantCounters {
  tokens = 0;
  requests = 0;
  readonly rejections = { rpm: 0, tpm: 0, budget: 0 };
  /** Tokens per second, 1 s slots. */
  readonly ring = new SecondRing(1);
}

/** p50 and p90 of a latency over a window, ms; null when no request. */
export interface LatencyQuantiles {
  readonly p50: number;
  readonly p90: number;
}

export interface PoolLiveSeriesPoint {
  /** Start of the bucket, Unix epoch ms. */
  readonly tMs: number;
  readonly tokensPerSecond: number;
  readonly ttftMsP50: number | null;
  readonly tpotMsP50: number | null;
  /** Largest fair-queue depth sampled in the bucket, requests. */
  readonly queueDepth: number;
}

export interface PoolLive {
  readonly model: string;
  readonly pool: string;
  /** Input + output tokens per second over the last RATE_WINDOW_SECONDS. */
  readonly tokensPerSecond: number;
  readonly ttftMs: LatencyQuantiles | null;
  readonly tpotMs: LatencyQuantiles | null;
  /** 5 s buckets over the last 300 s, oldest first. */
  readonly series: readonly PoolLiveSeriesPoint[];
}

export interface LiveSeriesPoint {
  /** Start of the second, Unix epoch ms. */
  readonly tMs: number;
  readonly inputTokensPerSecond: number;
  readonly outputTokensPerSecond: number;
  readonly requestsPerSecond: number;
}

export interface LiveSnapshot {
  readonly nowMs: number;
  readonly startedAtMs: number;
  /** Since start, tokens. */
  readonly tokens: { readonly input: number; readonly output: number };
  readonly tokensPerSecond: number;
  readonly outputTokensPerSecond: number;
  readonly requestsPerSecond: number;
  readonly requests: { readonly total: number; readonly ok: number; readonly rejected: number; readonly failed: number };
  /** 1 s buckets over the last 300 s, oldest first. */
  readonly series: readonly LiveSeriesPoint[];
  /** In the order given at construction. */
  readonly pools: readonly PoolLive[];
}

export interface TenantLive {
  readonly tokensSinceStart: number;
  readonly tokensPerSecond: number;
  readonly requestsSinceStart: number;
  readonly rejectionsSinceStart: { readonly rpm: number; readonly tpm: number; readonly budget: number };
}

/** Seconds per bucket of a pool's series. */
const POOL_SERIES_BUCKET_SECONDS = 5;

export class LiveStats {
  readonly startedAtMs: number;
  private readonly overall = new SecondRing(OVERALL_WIDTH);
  private readonly poolKeys: readonly { readonly model: string; readonly pool: string }[];
  private readonly poolIndex = new Map<string, number>();
  private readonly pools: SecondRing[];
  private readonly tenants = new Map<string, TenantCounters>();
  private inputTokens = 0;
  private outputTokens = 0;
  private readonly requests = { ok: 0, rejected: 0, failed: 0 };
  /** Scratch histogram for quantiles. */
  private readonly merged = new Float64Array(LATENCY_BUCKETS);

  /** `pools`: every (model, pool) the gateway serves, in display order. */
  constructor(opts: { readonly startedAtMs: number; readonly pools: readonly { readonly model: string; readonly pool: string }[] }) {
    this.startedAtMs = opts.startedAtMs;
    this.poolKeys = opts.pools.map((p) => ({ model: p.model, pool: p.pool }));
    this.pools = this.poolKeys.map((p, i) => {
      this.poolIndex.set(p.pool, i);
      return new SecondRing(POOL_WIDTH);
    });
  }

  /** One finished completion (called once per request, from run-completion.ts). */
  recordCompletion(c: LiveCompletion, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const o = this.overall.slot(second);
    const v = this.overall.values;
    const input = c.billed ? c.inputTokens : 0;
    const output = c.billed ? c.outputTokens : 0;
    v[o + IN]! += input;
    v[o + OUT]! += output;
    const outcome = outcomeOf(c.status);
    v[o + (outcome === 'ok' ? OK : outcome === 'rejected' ? REJECTED : FAILED)]! += 1;
    this.requests[outcome]++;
    this.inputTokens += input;
    this.outputTokens += output;

    const t = this.tenant(c.tenantId);
    t.requests++;
    t.tokens += input + output;
    t.ring.values[t.ring.slot(second)]! += input + output;

    const pi = this.poolIndex.get(c.pool);
    if (pi === undefined) return;
    const ring = this.pools[pi]!;
    const p = ring.slot(second);
    const pv = ring.values;
    pv[p + POOL_TOKENS]! += input + output;
    if (c.ttftMs !== undefined) pv[p + POOL_TTFT + latencyBucket(c.ttftMs)]! += 1;
    if (c.tpotMs !== undefined) pv[p + POOL_TPOT + latencyBucket(c.tpotMs)]! += 1;
  }

  /** A request the limiter refused (serve-completion.ts); it is counted as rejected. */
  recordRejection(tenantId: string, reason: LimitReason, nowMs: number): void {
    const o = this.overall.slot(Math.floor(nowMs / 1000));
    this.overall.values[o + REJECTED]! += 1;
    this.requests.rejected++;
    const t = this.tenant(tenantId);
    t.requests++;
    t.rejections[reason]++;
  }

  /** The depth of a pool's fair queue now, requests (sampled by the dashboard; the series keeps each second's largest). */
  sampleQueueDepth(pool: string, depth: number, nowMs: number): void {
    const pi = this.poolIndex.get(pool);
    if (pi === undefined) return;
    const ring = this.pools[pi]!;
    const p = ring.slot(Math.floor(nowMs / 1000));
    if (depth > ring.values[p + POOL_QUEUE]!) ring.values[p + POOL_QUEUE] = depth;
  }

  /** Everything /api/live shows that the stats know. O(window x pools x buckets). */
  snapshot(nowMs: number): LiveSnapshot {
    const now = Math.floor(nowMs / 1000);
    const series: LiveSeriesPoint[] = [];
    let rateIn = 0, rateOut = 0, rateRequests = 0;
    const v = this.overall.values;
    for (let s = now - WINDOW_SECONDS + 1; s <= now; s++) {
      const o = this.overall.peek(s);
      const input = o < 0 ? 0 : v[o + IN]!;
      const output = o < 0 ? 0 : v[o + OUT]!;
      const requests = o < 0 ? 0 : v[o + OK]! + v[o + REJECTED]! + v[o + FAILED]!;
      series.push({ tMs: s * 1000, inputTokensPerSecond: input, outputTokensPerSecond: output, requestsPerSecond: requests });
      // The rates exclude the current, unfinished second.
      if (s < now && s >= now - RATE_WINDOW_SECONDS) {
        rateIn += input;
        rateOut += output;
        rateRequests += requests;
      }
    }
    const { ok, rejected, failed } = this.requests;
    return {
      nowMs,
      startedAtMs: this.startedAtMs,
      tokens: { input: this.inputTokens, output: this.outputTokens },
      tokensPerSecond: (rateIn + rateOut) / RATE_WINDOW_SECONDS,
      outputTokensPerSecond: rateOut / RATE_WINDOW_SECONDS,
      requestsPerSecond: rateRequests / RATE_WINDOW_SECONDS,
      requests: { total: ok + rejected + failed, ok, rejected, failed },
      series,
      pools: this.poolKeys.map((k, i) => this.poolLive(k, this.pools[i]!, now)),
    };
  }

  /** A tenant's live figures (zeros for a tenant with no request since start). */
  tenantLive(tenantId: string, nowMs: number): TenantLive {
    const t = this.tenants.get(tenantId);
    if (t === undefined) return { tokensSinceStart: 0, tokensPerSecond: 0, requestsSinceStart: 0, rejectionsSinceStart: { rpm: 0, tpm: 0, budget: 0 } };
    const now = Math.floor(nowMs / 1000);
    let tokens = 0;
    for (let s = now - RATE_WINDOW_SECONDS; s < now; s++) {
      const o = t.ring.peek(s);
      if (o >= 0) tokens += t.ring.values[o]!;
    }
    return { tokensSinceStart: t.tokens, tokensPerSecond: tokens / RATE_WINDOW_SECONDS, requestsSinceStart: t.requests, rejectionsSinceStart: { ...t.rejections } };
  }

  private tenant(id: string): TenantCounters {
    let t = this.tenants.get(id);
    if (t === undefined) this.tenants.set(id, (t = new TenantCounters()));
    return t;
  }

  private poolLive(key: { model: string; pool: string }, ring: SecondRing, now: number): PoolLive {
    const v = ring.values;
    let rateTokens = 0;
    for (let s = now - RATE_WINDOW_SECONDS; s < now; s++) {
      const o = ring.peek(s);
      if (o >= 0) rateTokens += v[o + POOL_TOKENS]!;
    }
    const series: PoolLiveSeriesPoint[] = [];
    // Buckets aligned to multiples of 5 s, the last one holding `now`.
    const lastStart = now - (now % POOL_SERIES_BUCKET_SECONDS);
    const firstStart = lastStart - WINDOW_SECONDS + POOL_SERIES_BUCKET_SECONDS;
    for (let start = firstStart; start <= lastStart; start += POOL_SERIES_BUCKET_SECONDS) {
      let tokens = 0, queue = 0;
      for (let s = start; s < start + POOL_SERIES_BUCKET_SECONDS && s <= now; s++) {
        const o = ring.peek(s);
        if (o < 0) continue;
        tokens += v[o + POOL_TOKENS]!;
        if (v[o + POOL_QUEUE]! > queue) queue = v[o + POOL_QUEUE]!;
      }
      const seconds = Math.min(POOL_SERIES_BUCKET_SECONDS, now - start + 1);
      series.push({
        tMs: start * 1000,
        tokensPerSecond: tokens / seconds,
        ttftMsP50: this.quantiles(ring, POOL_TTFT, start, Math.min(start + POOL_SERIES_BUCKET_SECONDS - 1, now))?.p50 ?? null,
        tpotMsP50: this.quantiles(ring, POOL_TPOT, start, Math.min(start + POOL_SERIES_BUCKET_SECONDS - 1, now))?.p50 ?? null,
        queueDepth: queue,
      });
    }
    const from = now - QUANTILE_WINDOW_SECONDS + 1;
    return {
      model: key.model,
      pool: key.pool,
      tokensPerSecond: rateTokens / RATE_WINDOW_SECONDS,
      ttftMs: this.quantiles(ring, POOL_TTFT, from, now),
      tpotMs: this.quantiles(ring, POOL_TPOT, from, now),
      series,
    };
  }

  /** p50 and p90 of the histogram at column `col` over seconds [from, to]; null when empty. */
  private quantiles(ring: SecondRing, col: number, from: number, to: number): LatencyQuantiles | null {
    const m = this.merged;
    m.fill(0);
    let n = 0;
    for (let s = from; s <= to; s++) {
      const o = ring.peek(s);
      if (o < 0) continue;
      for (let b = 0; b < LATENCY_BUCKETS; b++) {
        const c = ring.values[o + col + b]!;
        m[b]! += c;
        n += c;
      }
    }
    if (n === 0) return null;
    return { p50: quantileOf(m, n, 0.5), p90: quantileOf(m, n, 0.9) };
  }
}

/** The value at rank ceil(q n) of a histogram of `n` values. */
function quantileOf(h: Float64Array, n: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let b = 0; b < LATENCY_BUCKETS; b++) {
    seen += h[b]!;
    if (seen >= rank) return bucketValueMs(b);
  }
  return bucketValueMs(LATENCY_BUCKETS - 1);
}
