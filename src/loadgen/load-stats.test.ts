import { describe, expect, it } from 'vitest';
import { LoadStats } from './load-stats.js';
import type { CompletionResult } from './send-completion.js';

function result(over: Partial<CompletionResult>): CompletionResult {
  return {
    status: 200,
    ok: true,
    stream: false,
    requestId: 'r',
    completionId: 'r',
    firstByteMs: undefined,
    latencyMs: 10,
    promptTokens: 5,
    completionTokens: 7,
    retryAfter: undefined,
    error: undefined,
    ...over,
  };
}

describe('LoadStats', () => {
  it('counts outcomes by status and sums the rates over the elapsed time', () => {
    const s = new LoadStats();
    for (let i = 0; i < 10; i++) s.recordSend(0);
    for (let i = 0; i < 6; i++) s.record(result({ latencyMs: i + 1 }));
    s.record(result({ status: 429, ok: false, retryAfter: '3' }));
    s.record(result({ status: 0, ok: false, error: 'ECONNREFUSED' }));
    s.record(result({ status: 200, ok: false, stream: true }));
    const sum = s.summary(2000);
    expect(sum.sent).toBe(10);
    expect(sum.completed).toBe(9);
    expect(sum.inFlight).toBe(1);
    expect(sum.ok).toBe(6);
    expect(sum.incomplete).toBe(1);
    expect(sum.statusCounts).toEqual({ '200': 7, '429': 1, error: 1 });
    expect(sum.offeredRps).toBe(5);
    expect(sum.achievedRps).toBe(4.5);
    expect(sum.okRps).toBe(3);
    expect(sum.promptTokens).toBe(30);
    expect(sum.completionTokens).toBe(42);
    expect(sum.ttftMs).toBeUndefined();
  });

  it('gives latency quantiles of successful requests only, and TTFT of streams', () => {
    const s = new LoadStats();
    for (let i = 1; i <= 100; i++) s.record(result({ latencyMs: i, stream: i % 2 === 0, firstByteMs: i / 2 }));
    s.record(result({ status: 503, ok: false, latencyMs: 100_000 }));
    const sum = s.summary(1000);
    expect(sum.latencyMs!.p50).toBeCloseTo(50, -0.5);
    expect(sum.latencyMs!.p90).toBeCloseTo(90, -0.5);
    expect(sum.latencyMs!.p99).toBeCloseTo(99, -0.5);
    expect(sum.latencyMs!.p99).toBeLessThan(101);
    // TTFT of the 50 streams: 1, 2, ..., 50 ms.
    expect(sum.ttftMs!.p50).toBeCloseTo(25, -0.5);
    expect(sum.ttftMs!.p99).toBeLessThan(51);
  });

  it('reports zero rates before any time has passed, and the send lag', () => {
    const s = new LoadStats();
    for (let i = 0; i < 100; i++) s.recordSend(4);
    s.recordSend(-1);
    const sum = s.summary(0);
    expect(sum.sent).toBe(101);
    expect(sum.offeredRps).toBe(0);
    expect(sum.sendLagP99Ms).toBeCloseTo(4, 1);
  });
});
