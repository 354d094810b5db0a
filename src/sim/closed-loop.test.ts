import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { makeDeployment } from '../core/perf/deployment.js';
import { CUDA_PRIOR } from '../core/perf/efficiency.js';
import { compileStepModel } from '../core/perf/step-time.js';
import { runClosedLoop, type PoolSpec } from './closed-loop.js';

const d = makeDeployment({
  model: resolveModel('meta-llama/Llama-3.1-70B').spec,
  accelerator: getAccelerator('h200-sxm'),
  engine: 'vllm',
  parallel: { tp: 4 },
  precision: { weights: 'fp8', kv: 'fp8' },
});
const pool: PoolSpec = {
  stepModel: compileStepModel(d, CUDA_PRIOR),
  scheduler: { batching: 'mixed-chunked', maxBatchedTokens: 8192, maxRunningSequences: 1024, kvCapacityTokens: 1_000_000, kvBlockTokens: 16, dpRanks: 1 },
  replicas: 1,
};

describe('closed loop: random request lengths (lengthRange)', () => {
  const load = { concurrency: 64, inputTokens: 1024, outputTokens: 1024, pool };

  it('is deterministic', () => {
    const a = runClosedLoop({ ...load, lengthRange: [0.8, 1] });
    const b = runClosedLoop({ ...load, lengthRange: [0.8, 1] });
    expect(a.ttftMs).toBe(b.ttftMs);
    expect(a.tpotMs).toBe(b.tpotMs);
  });

  it('desynchronises the clients: later prompts no longer arrive in one burst, so TTFT falls', () => {
    const fixed = runClosedLoop(load);
    const spread = runClosedLoop({ ...load, lengthRange: [0.8, 1] });
    expect(spread.completed).toBe(fixed.completed);
    // With fixed lengths every round is a burst of 64 prompts; with the spread only the first is.
    expect(spread.ttftMs).toBeLessThan(fixed.ttftMs * 0.7);
    // Decode steps now carry the prefills of the others: TPOT does not fall.
    expect(spread.tpotMs).toBeGreaterThan(fixed.tpotMs * 0.9);
  });

  it('[1, 1] is the default: every request at exactly the stated lengths', () => {
    const a = runClosedLoop(load);
    const b = runClosedLoop({ ...load, lengthRange: [1, 1] });
    expect(b.ttftMs).toBe(a.ttftMs);
    expect(b.e2eMs).toBe(a.e2eMs);
  });

  it('counts the output tokens the requests actually had: requests/s x their mean output length', () => {
    const exact = runClosedLoop(load);
    expect(exact.outputTokensPerSecond).toBeCloseTo(exact.requestsPerSecond * 1024, 6);
    const spread = runClosedLoop({ ...load, lengthRange: [0.5, 1] });
    const meanOutput = spread.outputTokensPerSecond / spread.requestsPerSecond;
    // Uniform in [512, 1024] over 192 requests (a hash, not exact): about 768.
    expect(meanOutput).toBeGreaterThan(700);
    expect(meanOutput).toBeLessThan(840);
  });
});

describe('closed loop: fixed lengths under each batching policy', () => {
  const load = { concurrency: 64, inputTokens: 1024, outputTokens: 256 };
  const withBatching = (batching: PoolSpec['scheduler']['batching']): PoolSpec => ({ ...pool, scheduler: { ...pool.scheduler, batching } });

  it('prefill-first keeps the clients in lock-step: every round is the same burst, however many rounds', () => {
    const one = runClosedLoop({ ...load, pool: withBatching('prefill-first'), requestsPerClient: 1 });
    const three = runClosedLoop({ ...load, pool: withBatching('prefill-first'), requestsPerClient: 3 });
    expect(three.completed).toBe(3 * one.completed);
    expect(three.ttftMs).toBeCloseTo(one.ttftMs, 6);
    expect(three.tpotMs).toBeCloseTo(one.tpotMs, 6);
  });

  it('mixed chunked batching lets them drift apart after the first burst, so TTFT falls round after round', () => {
    const one = runClosedLoop({ ...load, pool: withBatching('mixed-chunked'), requestsPerClient: 1 });
    const three = runClosedLoop({ ...load, pool: withBatching('mixed-chunked'), requestsPerClient: 3 });
    expect(three.ttftMs).toBeLessThan(one.ttftMs * 0.7);
  });
});

describe('steady state', () => {
  it('leaves the first burst out: TTFT no higher than with it, and not NaN', async () => {
    const { estimateServing } = await import('./estimate-serving.js');
    const { resolveModel } = await import('../config/model-registry.js');
    const { getAccelerator } = await import('../core/catalogue/find-accelerator.js');
    const base = {
      model: resolveModel('meta-llama/Llama-3.1-8B').spec,
      accelerator: getAccelerator('h100-sxm'),
      engine: 'vllm' as const,
      parallel: { tp: 1 },
      inputTokens: 2000,
      outputTokens: 200,
      concurrency: 64,
      requestsPerClient: 4,
      lengthRange: [0.5, 1.5] as const,
    };
    const burst = estimateServing(base);
    const steady = estimateServing({ ...base, steadyState: true });
    expect(steady.ttftMs).toBeGreaterThan(0);
    expect(steady.ttftMs).toBeLessThan(burst.ttftMs);
  });
});

describe('prefix hits', () => {
  it('a prompt mostly served from the prefix cache gets its first token sooner', async () => {
    const { estimateServing } = await import('./estimate-serving.js');
    const base = {
      model: resolveModel('meta-llama/Llama-3.1-8B').spec,
      accelerator: getAccelerator('h100-sxm'),
      engine: 'vllm' as const,
      parallel: { tp: 1 },
      inputTokens: 8000,
      outputTokens: 100,
      concurrency: 16,
    };
    const cold = estimateServing(base);
    const warm = estimateServing({ ...base, prefixHitRate: 0.8 });
    expect(warm.ttftMs).toBeLessThan(cold.ttftMs * 0.6);
    expect(warm.requestsPerSecond).toBeGreaterThan(cold.requestsPerSecond);
  });
});
