import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { resolveModel } from '../config/model-registry.js';
import { estimateServing } from '../sim/estimate-serving.js';
import { SEARCH_HARNESS } from './concurrency-search.js';
import { disaggLayoutName, searchDisagg } from './disagg-search.js';
import type { Layout } from './candidate-layouts.js';
import type { WorkloadClass } from './plan-input.js';

const chat: WorkloadClass = { id: 'chat', model: 'meta-llama/Llama-3.1-8B', inputTokens: 1024, outputTokens: 256, slo: { ttftMs: 1000, tpotMs: 30 } };
const llama8 = resolveModel(chat.model).spec;
const h200 = getAccelerator('h200-sxm');

describe('searchDisagg', () => {
  it('finds a prefill/decode pair meeting the SLO, with inferred workers and a positive throughput', () => {
    const r = searchDisagg(chat, llama8, h200, 'vllm');
    expect(r.reason).toBeUndefined();
    expect(r.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(r.outputTokensPerSecondPerAccelerator).toBeCloseTo((r.tokensPerSecondPerAccelerator * 256) / (1024 + 256), 6);
    expect(r.ttftMs).toBeLessThanOrEqual(1000);
    expect(r.tpotMs).toBeLessThanOrEqual(30);
    const { prefill, decode } = r;
    expect(prefill?.workers).toBeGreaterThanOrEqual(1);
    expect(decode?.workers).toBeGreaterThanOrEqual(1);
    expect(r.accelerators).toBe(prefill!.workers * prefill!.acceleratorsPerWorker + decode!.workers * decode!.acceleratorsPerWorker);
    expect(disaggLayoutName(prefill!, decode!)).toMatch(/^P \d+x\(tp\d+ .+\) \+ D \d+x\(tp\d+ .+\)$/);

    // The score is the estimate's own at that pair and concurrency, workers inferred.
    const side = (l: Layout) => ({ parallel: { tp: l.tp, dp: l.dp } });
    const e = estimateServing({
      model: llama8,
      accelerator: h200,
      engine: 'vllm',
      disagg: { prefill: side(prefill!.layout), decode: side(decode!.layout) },
      precision: { weights: decode!.layout.precision, moeWeights: decode!.layout.precision, kv: decode!.layout.kvPrecision },
      inputTokens: 1024,
      outputTokens: 256,
      concurrency: r.concurrency,
      ...SEARCH_HARNESS,
      prefixHitRate: 0,
    });
    expect(e.workers).toEqual({ prefill: prefill!.workers, decode: decode!.workers });
    expect(r.tokensPerSecondPerAccelerator).toBeCloseTo(((1024 + 256) * e.requestsPerSecond) / e.accelerators, 6);
  });

  it('is deterministic and stays within its estimate budget', () => {
    let n = 0;
    const a = searchDisagg(chat, llama8, h200, 'vllm', { maxEstimates: 20, onEstimate: () => void n++ });
    expect(n).toBe(20);
    expect(a.estimates).toBe(20);
    expect(a.notes?.join(' ')).toMatch(/stopped after 20 estimates/);
    expect(searchDisagg(chat, llama8, h200, 'vllm', { maxEstimates: 20 })).toEqual(a);
  });

  it('gives a reason when no pair meets the SLO', () => {
    const r = searchDisagg({ ...chat, slo: { ttftMs: 1, tpotMs: 30 } }, llama8, h200, 'vllm');
    expect(r.tokensPerSecondPerAccelerator).toBe(0);
    expect(r.prefill).toBeUndefined();
    expect(r.reason).toMatch(/no prefill\/decode pair meets the SLO at concurrency 1 \(.*TTFT .* > 1 ms/);
  });

  it('gives a reason for an engine without disaggregation', () => {
    const r = searchDisagg(chat, llama8, h200, 'generic');
    expect(r.tokensPerSecondPerAccelerator).toBe(0);
    expect(r.reason).toBe('engine generic has no prefill/decode disaggregation');
    expect(r.estimates).toBe(0);
  });
});
