import { describe, expect, it } from 'vitest';
import { LiveStats, WINDOW_SECONDS, type LiveCompletion } from './live-stats.js';

const T0 = Date.UTC(2026, 0, 14, 10, 0, 0);
const POOLS = [
  { model: 'llama', pool: 'llama-h200' },
  { model: 'llama', pool: 'llama-h20' },
];

function done(over: Partial<LiveCompletion> = {}): LiveCompletion {
  return { tenantId: 't1', model: 'llama', pool: 'llama-h200', status: 'ok', inputTokens: 100, outputTokens: 20, billed: true, ttftMs: 80, tpotMs: 12, ...over };
}

describe('LiveStats', () => {
  it('counts tokens and requests by outcome since start, and rates over the last 10 finished seconds', () => {
    const s = new LiveStats({ startedAtMs: T0, pools: POOLS });
    s.recordCompletion(done(), T0 + 500);
    s.recordCompletion(done({ status: 'upstream-error', outputTokens: 0, billed: false, ttftMs: undefined, tpotMs: undefined }), T0 + 1500);
    s.recordCompletion(done({ status: 'rejected', pool: '', billed: false, outputTokens: 0 }), T0 + 2500);
    s.recordRejection('t2', 'rpm', T0 + 2600);
    s.recordCompletion(done({ status: 'client-disconnected', outputTokens: 5 }), T0 + 3500);

    const snap = s.snapshot(T0 + 4200);
    expect(snap.tokens).toEqual({ input: 200, output: 25 });
    expect(snap.requests).toEqual({ total: 5, ok: 1, rejected: 2, failed: 2 });
    expect(snap.tokensPerSecond).toBeCloseTo(225 / 10, 10);
    expect(snap.outputTokensPerSecond).toBeCloseTo(25 / 10, 10);
    expect(snap.requestsPerSecond).toBeCloseTo(5 / 10, 10);
    expect(snap.series).toHaveLength(WINDOW_SECONDS);
    expect(snap.series.at(-1)!.tMs).toBe(T0 + 4000);
    expect(snap.series.at(-5)).toEqual({ tMs: T0, inputTokensPerSecond: 100, outputTokensPerSecond: 20, requestsPerSecond: 1 });
    expect(snap.series.at(-3)!.requestsPerSecond).toBe(2);
  });

  it('forgets seconds older than the window, even when their ring slot is reused', () => {
    const s = new LiveStats({ startedAtMs: T0, pools: POOLS });
    s.recordCompletion(done({ inputTokens: 1000, outputTokens: 0 }), T0);
    // Exactly one window later the same slot holds a new second.
    s.recordCompletion(done({ inputTokens: 1, outputTokens: 0 }), T0 + WINDOW_SECONDS * 1000);
    const snap = s.snapshot(T0 + WINDOW_SECONDS * 1000 + 1000);
    expect(snap.series.reduce((sum, p) => sum + p.inputTokensPerSecond, 0)).toBe(1);
    // Since-start totals keep everything.
    expect(snap.tokens.input).toBe(1001);
    // Long idle: the rates fall to zero.
    const later = s.snapshot(T0 + 10 * WINDOW_SECONDS * 1000);
    expect(later.tokensPerSecond).toBe(0);
    expect(later.series.every((p) => p.requestsPerSecond === 0)).toBe(true);
  });

  it('gives per-pool TTFT/TPOT p50 and p90 over the last 60 s within the histogram resolution, null without requests', () => {
    const s = new LiveStats({ startedAtMs: T0, pools: POOLS });
    for (let i = 1; i <= 100; i++) s.recordCompletion(done({ ttftMs: i * 10, tpotMs: 20 }), T0 + i * 100);
    const snap = s.snapshot(T0 + 20_000);
    const [h200, h20] = snap.pools;
    expect(h200!.pool).toBe('llama-h200');
    // Ranks 50 and 90 of 10, 20, ..., 1000 ms: 500 and 900, within a bucket (about ±7%).
    expect(h200!.ttftMs!.p50).toBeGreaterThan(500 * 0.93);
    expect(h200!.ttftMs!.p50).toBeLessThan(500 * 1.07);
    expect(h200!.ttftMs!.p90).toBeGreaterThan(900 * 0.93);
    expect(h200!.ttftMs!.p90).toBeLessThan(900 * 1.07);
    expect(h200!.tpotMs!.p50).toBeGreaterThan(20 * 0.93);
    expect(h200!.tpotMs!.p50).toBeLessThan(20 * 1.07);
    expect(h20!.ttftMs).toBeNull();
    expect(h20!.tpotMs).toBeNull();
    // 61 s after the last request it has left the quantile window.
    const later = s.snapshot(T0 + 10_000 + 61_000 + 1);
    expect(later.pools[0]!.ttftMs).toBeNull();
  });

  it('builds 5 s pool series over 300 s with the token rate, the p50s and the largest queue depth sampled', () => {
    const s = new LiveStats({ startedAtMs: T0, pools: POOLS });
    s.recordCompletion(done({ pool: 'llama-h20', inputTokens: 40, outputTokens: 10, ttftMs: 100, tpotMs: 10 }), T0 + 1000);
    s.sampleQueueDepth('llama-h20', 3, T0 + 1200);
    s.sampleQueueDepth('llama-h20', 1, T0 + 2200);
    s.sampleQueueDepth('no-such-pool', 9, T0 + 2200);
    const snap = s.snapshot(T0 + 7000);
    const series = snap.pools[1]!.series;
    expect(series).toHaveLength(WINDOW_SECONDS / 5);
    const bucket = series.find((p) => p.tMs === T0)!;
    expect(bucket.tokensPerSecond).toBe(50 / 5);
    expect(bucket.queueDepth).toBe(3);
    expect(bucket.ttftMsP50).toBeGreaterThan(93);
    expect(bucket.ttftMsP50).toBeLessThan(107);
    expect(series.at(-1)!.tMs).toBe(T0 + 5000);
    expect(series.at(-1)!.ttftMsP50).toBeNull();
    expect(snap.pools[0]!.series.every((p) => p.tokensPerSecond === 0)).toBe(true);
  });

  it('keeps per-tenant tokens, requests and rejections by reason', () => {
    const s = new LiveStats({ startedAtMs: T0, pools: POOLS });
    s.recordCompletion(done({ tenantId: 'a', inputTokens: 10, outputTokens: 5 }), T0);
    s.recordCompletion(done({ tenantId: 'a', inputTokens: 10, outputTokens: 5 }), T0 + 1000);
    s.recordRejection('a', 'tpm', T0 + 1000);
    s.recordRejection('a', 'budget', T0 + 1000);
    s.recordRejection('b', 'rpm', T0 + 1000);
    expect(s.tenantLive('a', T0 + 2000)).toEqual({ tokensSinceStart: 30, tokensPerSecond: 3, requestsSinceStart: 4, rejectionsSinceStart: { rpm: 0, tpm: 1, budget: 1 } });
    expect(s.tenantLive('b', T0 + 2000).rejectionsSinceStart).toEqual({ rpm: 1, tpm: 0, budget: 0 });
    expect(s.tenantLive('nobody', T0 + 2000)).toEqual({ tokensSinceStart: 0, tokensPerSecond: 0, requestsSinceStart: 0, rejectionsSinceStart: { rpm: 0, tpm: 0, budget: 0 } });
  });
});
