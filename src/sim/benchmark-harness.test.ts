import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { benchmarkMeans, DRIFTING_HARNESS, estimateBenchmark, SILICON_HARNESS, standardHarness } from './benchmark-harness.js';
import { estimateServing } from './estimate-serving.js';

describe('benchmarkMeans: the first burst weighed as in the real benchmark', () => {
  it('gives the burst 1/10 of the mean for 10 requests per client, from 3 simulated', () => {
    // Simulated rounds: burst 1000 ms, then 100 and 100: mean 400, steady mean 100.
    expect(benchmarkMeans(400, 100, 3, 10)).toBeCloseTo((1000 + 9 * 100) / 10, 9);
  });

  it('keeps the simulated mean when the benchmark sent no more requests than simulated', () => {
    expect(benchmarkMeans(400, 100, 3, 3)).toBe(400);
    expect(benchmarkMeans(400, NaN, 3, 10)).toBe(400);
  });
});

describe('standardHarness: an ordinary benchmark as the validation simulates it', () => {
  it('lets the clients drift apart on mixed-batching engines (aggregated), and keeps the heavier burst elsewhere', () => {
    expect(standardHarness('vllm', false)).toBe(DRIFTING_HARNESS);
    expect(standardHarness('trtllm', false)).toBe(DRIFTING_HARNESS);
    expect(standardHarness('sglang', false)).toBe(SILICON_HARNESS);
    expect(standardHarness('trtllm', true)).toBe(SILICON_HARNESS);
    expect(standardHarness('vllm', true)).toBe(SILICON_HARNESS);
  });
});

describe('estimateBenchmark', () => {
  const input = {
    model: resolveModel('meta-llama/Llama-3.1-8B-Instruct').spec,
    accelerator: getAccelerator('h100-sxm'),
    engine: 'vllm' as const,
    inputTokens: 2048,
    outputTokens: 256,
    concurrency: 64,
  };

  it("weighs the clients' first burst 1 in 10: between the steady state and the 3-request simulation, at 1/10 of the way", () => {
    const h = DRIFTING_HARNESS;
    const all = estimateServing({ ...input, lengthRange: h.lengthRange, requestsPerClient: h.requestsPerClient });
    const steady = estimateServing({ ...input, lengthRange: h.lengthRange, requestsPerClient: h.requestsPerClient, steadyState: true });
    const bench = estimateBenchmark(input, h);
    // At concurrency 64 the 64 prompts of the burst queue behind each other: the burst's TTFT is the largest.
    expect(all.ttftMs).toBeGreaterThan(steady.ttftMs * 1.2);
    expect(bench.ttftMs).toBeCloseTo(benchmarkMeans(all.ttftMs, steady.ttftMs, 3, 10), 9);
    expect(bench.ttftMs).toBeLessThan(all.ttftMs);
    expect(bench.ttftMs).toBeGreaterThan(steady.ttftMs);
    expect(bench.tpotMs).toBeCloseTo(benchmarkMeans(all.tpotMs, steady.tpotMs, 3, 10), 9);
    expect(bench.requestsPerSecond).toBeCloseTo(benchmarkMeans(all.requestsPerSecond, steady.requestsPerSecond, 3, 10), 9);
    expect(bench.outputTokensPerSecondPerAccelerator).toBeCloseTo(bench.outputTokensPerSecond / bench.accelerators, 9);
    // The error band sits around the reweighed figures.
    expect(bench.confidence.ttftMsRange[0]).toBeLessThan(bench.ttftMs);
    expect(bench.confidence.ttftMsRange[1]).toBeGreaterThan(bench.ttftMs);
    expect(bench.confidence.ttftMsRange[1] / bench.ttftMs).toBeCloseTo(1 + bench.calibration.errorBand.ttftMedian, 9);
  });

  it('is the plain simulation when the benchmark sent no more requests per client than simulated', () => {
    const h = SILICON_HARNESS;
    const bench = estimateBenchmark({ ...input, engine: 'sglang' }, h);
    const all = estimateServing({ ...input, engine: 'sglang', lengthRange: h.lengthRange, requestsPerClient: h.requestsPerClient });
    expect(bench.ttftMs).toBe(all.ttftMs);
    expect(bench.tpotMs).toBe(all.tpotMs);
  });

  it('answers a deployment that does not fit without simulating it', () => {
    const big = estimateBenchmark({ ...input, model: resolveModel('meta-llama/Llama-3.1-70B').spec, precision: { weights: 'bf16' } }, DRIFTING_HARNESS);
    expect(big.fits).toBe(false);
    expect(big.ttftMs).toBeNaN();
  });
});
