/**
 * @module What a load run counts and its summary: requests sent and answered,
 * answers by status, achieved rates, quantiles of the time to the first
 * streamed byte and of the latency of successful requests (log-bucket
 * sketches, ±0.5%), tokens, and how late the generator sent (a sign that the
 * client, not the gateway, was the bottleneck).
 */
import { LogHistogram } from '../sim/metrics/log-histogram.js';
import type { CompletionResult } from './send-completion.js';

/** Three quantiles of a time, ms. */
export interface MsQuantiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface LoadSummary {
  /** Since the first request was due, seconds. */
  readonly elapsedSeconds: number;
  /** Requests sent. */
  readonly sent: number;
  /** Requests with an outcome (an answer or a network error). */
  readonly completed: number;
  /** Requests still waiting for their answer. */
  readonly inFlight: number;
  /** Requests not sent because `maxInFlight` were already waiting. */
  readonly skipped: number;
  /** 200 with a complete body or a stream that reached `data: [DONE]`. */
  readonly ok: number;
  /** 200 that ended before its end (a cut stream, a broken body). */
  readonly incomplete: number;
  /** Outcomes by HTTP status (`"200"`, `"429"`, ...) and `"error"` (no response). */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Sent per second of elapsed time. */
  readonly offeredRps: number;
  /** Outcomes per second of elapsed time. */
  readonly achievedRps: number;
  /** Successful requests per second of elapsed time. */
  readonly okRps: number;
  /** Time to the first body byte of successful streams, ms (undefined with none). */
  readonly ttftMs: MsQuantiles | undefined;
  /** Latency of successful requests, ms. */
  readonly latencyMs: MsQuantiles | undefined;
  /** Usage reported by successful responses, tokens. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** 99th percentile of how late requests were sent after their due time, ms. */
  readonly sendLagP99Ms: number;
}

function quantiles(h: LogHistogram): MsQuantiles | undefined {
  if (h.count === 0) return undefined;
  return { p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99) };
}

/** Smallest time the sketches resolve, ms (1 µs). */
const MIN_MS = 1e-3;

export class LoadStats {
  sent = 0;
  skipped = 0;
  private completed = 0;
  private ok = 0;
  private incomplete = 0;
  private readonly byStatus = new Map<string, number>();
  private readonly ttft = new LogHistogram({ minValue: MIN_MS });
  private readonly latency = new LogHistogram({ minValue: MIN_MS });
  private readonly lag = new LogHistogram({ minValue: MIN_MS });
  private promptTokens = 0;
  private completionTokens = 0;

  /** A request sent `lagMs` after its due time. */
  recordSend(lagMs: number): void {
    this.sent++;
    this.lag.add(Math.max(0, lagMs));
  }

  record(r: CompletionResult): void {
    this.completed++;
    const key = r.status === 0 ? 'error' : String(r.status);
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    if (!r.ok) {
      if (r.status === 200) this.incomplete++;
      return;
    }
    this.ok++;
    this.latency.add(r.latencyMs);
    if (r.stream && r.firstByteMs !== undefined) this.ttft.add(r.firstByteMs);
    this.promptTokens += r.promptTokens;
    this.completionTokens += r.completionTokens;
  }

  summary(elapsedMs: number): LoadSummary {
    const seconds = Math.max(elapsedMs, 0) / 1000;
    const per = (n: number) => (seconds > 0 ? n / seconds : 0);
    const statusCounts: Record<string, number> = {};
    for (const k of [...this.byStatus.keys()].sort()) statusCounts[k] = this.byStatus.get(k)!;
    return {
      elapsedSeconds: seconds,
      sent: this.sent,
      completed: this.completed,
      inFlight: this.sent - this.completed,
      skipped: this.skipped,
      ok: this.ok,
      incomplete: this.incomplete,
      statusCounts,
      offeredRps: per(this.sent),
      achievedRps: per(this.completed),
      okRps: per(this.ok),
      ttftMs: quantiles(this.ttft),
      latencyMs: quantiles(this.latency),
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      sendLagP99Ms: this.lag.count === 0 ? 0 : this.lag.quantile(0.99),
    };
  }
}
