import { describe, expect, it } from 'vitest';
import { MetricsCollector, type CompletedRequest, type LatencySummary } from './request-metrics.js';

// Four hand-made requests over two pools and two tenants; SLO: TTFT <= 100 ms, TPOT <= 20 ms.
//        pool tenant arrival admitted first finish prompt out cached pre | ttft tpot e2e queue attains
// r1:    0    0      0       10       50    250    100    11  20     0   | 50   20   250 10    yes (TPOT exactly at target)
// r2:    0    1      100     100      300   400    200    6   0      1   | 200  20   300 0     no (TTFT)
// r3:    1    0      200     250      280   280    50     1   50     0   | 80   -    80  50    yes (single token: no TPOT)
// r4:    1    1      500     520      560   1000   150    11  30     2   | 60   44   500 20    no (TPOT)
const requests: CompletedRequest[] = [
  { poolIndex: 0, tenantIndex: 0, arrivalMs: 0, admittedMs: 10, firstTokenMs: 50, finishMs: 250, promptTokens: 100, outputTokens: 11, cachedTokens: 20, preemptions: 0 },
  { poolIndex: 0, tenantIndex: 1, arrivalMs: 100, admittedMs: 100, firstTokenMs: 300, finishMs: 400, promptTokens: 200, outputTokens: 6, cachedTokens: 0, preemptions: 1 },
  { poolIndex: 1, tenantIndex: 0, arrivalMs: 200, admittedMs: 250, firstTokenMs: 280, finishMs: 280, promptTokens: 50, outputTokens: 1, cachedTokens: 50, preemptions: 0 },
  { poolIndex: 1, tenantIndex: 1, arrivalMs: 500, admittedMs: 520, firstTokenMs: 560, finishMs: 1000, promptTokens: 150, outputTokens: 11, cachedTokens: 30, preemptions: 2 },
];
const names = { simulatedMs: 2000, poolNames: ['h100', 'mi300x'], tenantNames: ['chat', 'batch'] };

function collect(options: Partial<ConstructorParameters<typeof MetricsCollector>[0]> = {}): MetricsCollector {
  const c = new MetricsCollector({ poolCount: 2, tenantCount: 2, slo: { ttftMs: 100, tpotMs: 20 }, ...options });
  for (const r of requests) c.recordArrival(r.poolIndex, r.tenantIndex);
  c.recordArrival(0, 0); // a fifth request that never finished
  for (const r of requests) c.record(r);
  return c;
}

/** Means are exact; quantiles within the sketch's 0.5%. */
function expectLatency(actual: LatencySummary, mean: number, p50: number): void {
  expect(actual.mean).toBeCloseTo(mean, 9);
  expect(Math.abs(actual.p50! - p50) / p50).toBeLessThanOrEqual(0.005);
}

describe('MetricsCollector', () => {
  it('summarises the whole run', () => {
    const s = collect().summary(names);
    expect(s.requests).toBe(5);
    expect(s.completed).toBe(4);
    expect(s.windowSeconds).toBe(1); // first arrival 0 ms, last finish 1000 ms
    expectLatency(s.ttftMs, 97.5, 60); // sorted 50, 60, 80, 200: p50 is the value at rank floor(1.5)
    expectLatency(s.tpotMs, 28, 20);
    expectLatency(s.e2eMs, 282.5, 250);
    expectLatency(s.queueMs, 20, 10);
    expect(s.ttftMs.p99).toBeCloseTo(80, -1); // rank floor(2.97) = 2
    expect(s.tokens).toEqual({ input: 500, output: 29, cached: 100 });
    expect(s.throughput).toEqual({ inputTokensPerSecond: 500, outputTokensPerSecond: 29, requestsPerSecond: 4 });
    expect(s.sloAttainment).toBe(0.5);
    expect(s.goodput).toEqual({ requestsPerSecond: 2, outputTokensPerSecond: 12 });
    expect(s.prefixHitRate).toBe(0.2);
    expect(s.preemptions).toBe(3);
  });

  it('summarises each pool over the same window', () => {
    const [h100, mi300x] = collect().summary(names).pools;
    expect(h100!.name).toBe('h100');
    expect(h100!.requests).toBe(3);
    expect(h100!.completed).toBe(2);
    expectLatency(h100!.ttftMs, 125, 50);
    expectLatency(h100!.tpotMs, 20, 20);
    expectLatency(h100!.e2eMs, 275, 250);
    expect(h100!.queueMs.mean).toBe(5);
    expect(h100!.queueMs.p50).toBe(0); // the zero bucket is exact
    expect(h100!.throughput).toEqual({ inputTokensPerSecond: 300, outputTokensPerSecond: 17, requestsPerSecond: 2 });
    expect(h100!.sloAttainment).toBe(0.5);
    expect(h100!.goodput).toEqual({ requestsPerSecond: 1, outputTokensPerSecond: 11 });
    expect(h100!.prefixHitRate).toBeCloseTo(20 / 300, 12);
    expect(h100!.preemptions).toBe(1);

    expect(mi300x!.name).toBe('mi300x');
    expectLatency(mi300x!.ttftMs, 70, 60);
    expectLatency(mi300x!.tpotMs, 44, 44); // r3 has a single token and no TPOT
    expect(mi300x!.sloAttainment).toBe(0.5);
    expect(mi300x!.goodput).toEqual({ requestsPerSecond: 1, outputTokensPerSecond: 1 });
    expect(mi300x!.prefixHitRate).toBe(0.4);
    expect(mi300x!.preemptions).toBe(2);
  });

  it('summarises each tenant', () => {
    const [chat, batch] = collect().summary(names).tenants;
    expect(chat!.name).toBe('chat');
    expect(chat!.requests).toBe(3);
    expectLatency(chat!.ttftMs, 65, 50);
    expectLatency(chat!.e2eMs, 165, 80);
    expectLatency(chat!.queueMs, 30, 10);
    expect(chat!.tokens).toEqual({ input: 150, output: 12, cached: 70 });
    expect(chat!.sloAttainment).toBe(1);
    expect(chat!.goodput).toEqual({ requestsPerSecond: 2, outputTokensPerSecond: 12 });

    expect(batch!.name).toBe('batch');
    expectLatency(batch!.tpotMs, 32, 20);
    expect(batch!.sloAttainment).toBe(0);
    expect(batch!.goodput).toEqual({ requestsPerSecond: 0, outputTokensPerSecond: 0 });
    expect(batch!.preemptions).toBe(3);
  });

  it('reports no SLO figures without targets, and nulls for empty groups', () => {
    const c = new MetricsCollector({ poolCount: 1, tenantCount: 1 });
    const empty = c.summary({ simulatedMs: 0, poolNames: ['p'], tenantNames: ['t'] });
    expect(empty.ttftMs).toEqual({ mean: null, p50: null, p90: null, p99: null });
    expect(empty.throughput.requestsPerSecond).toBe(0);
    expect(empty.prefixHitRate).toBeNull();
    c.record({ ...requests[0]!, poolIndex: 0, tenantIndex: 0 });
    const s = c.summary({ simulatedMs: 5000, poolNames: ['p'], tenantNames: ['t'] });
    expect(s.sloAttainment).toBeNull();
    expect(s.goodput).toBeNull();
    expect(s.windowSeconds).toBe(0.25);
  });

  it('writes the kept requests as CSV', () => {
    const c = collect({ keepRequests: true });
    const lines = c.requestsCsv(names.poolNames, names.tenantNames).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,pool,tenant,arrival_ms,first_token_ms,finish_ms,queue_ms,prompt_tokens,output_tokens,cached_tokens,preemptions',
    );
    expect(lines.slice(1)).toEqual([
      '0,h100,chat,0,50,250,10,100,11,20,0',
      '1,h100,batch,100,300,400,0,200,6,0,1',
      '2,mi300x,chat,200,280,280,50,50,1,50,0',
      '3,mi300x,batch,500,560,1000,20,150,11,30,2',
    ]);
    expect(() => collect().requestsCsv()).toThrow(/keepRequests/);
  });

  it('grows the kept requests past their initial capacity', () => {
    const c = new MetricsCollector({ poolCount: 1, tenantCount: 1, keepRequests: true });
    for (let i = 0; i < 5000; i++) {
      c.record({ id: 7 * i, poolIndex: 0, tenantIndex: 0, arrivalMs: i, admittedMs: i, firstTokenMs: i + 1.23456, finishMs: i + 2, promptTokens: 3, outputTokens: 2, cachedTokens: 0, preemptions: 0 });
    }
    const chunks = [...c.requestsCsvChunks()];
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(5001);
    expect(lines[5000]).toBe('34993,0,0,4999,5000.235,5001,0,3,2,0,0');
  });

  it('rejects inconsistent requests without counting them', () => {
    const c = new MetricsCollector({ poolCount: 1, tenantCount: 1 });
    const ok = { ...requests[0]!, poolIndex: 0, tenantIndex: 0 };
    expect(() => c.record({ ...ok, poolIndex: 1 })).toThrow(RangeError);
    expect(() => c.record({ ...ok, firstTokenMs: 5 })).toThrow(/out of order/);
    expect(() => c.record({ ...ok, finishMs: Number.NaN })).toThrow(/out of order/);
    expect(() => c.record({ ...ok, cachedTokens: 101 })).toThrow(/cachedTokens/);
    expect(() => c.record({ ...ok, outputTokens: 0 })).toThrow(/outputTokens/);
    expect(() => c.summary({ simulatedMs: 1, poolNames: [], tenantNames: ['t'] })).toThrow(/pool names/);
    expect(c.summary({ simulatedMs: 1, poolNames: ['p'], tenantNames: ['t'] }).completed).toBe(0);
  });
  it('hands out the TTFT and TPOT sketches of all pools merged', () => {
    const { ttftMs, tpotMs } = collect().latencySketches();
    expect(ttftMs.count).toBe(4);
    expect(ttftMs.sum).toBe(50 + 200 + 80 + 60);
    expect(tpotMs.count).toBe(3); // r3 has a single output token
    expect(tpotMs.max).toBe(44);
  });
});
