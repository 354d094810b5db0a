import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { NoSuchEntryError } from '../core/errors.js';
import { planMemory } from '../core/perf/memory-plan.js';
import { resolveModel } from '../config/model-registry.js';
import { estimateServing } from '../sim/estimate-serving.js';
import { memoryCache } from './config-cache.js';
import {
  SEARCH_HARNESS,
  candidateLayouts,
  kvPrecisionFor,
  layoutName,
  searchAll,
  searchCapacity,
  searchResolved,
  weightPrecisionFor,
  type LayoutOutcome,
} from './config-search.js';
import { deploymentOf, validLayouts } from './candidate-layouts.js';
import type { WorkloadClass } from './plan-input.js';

const chat: WorkloadClass = { id: 'chat', model: 'meta-llama/Llama-3.1-8B', inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 1000, tpotMs: 50 } };
const llama8 = resolveModel(chat.model).spec;
const h200 = getAccelerator('h200-sxm');
/** One drafted token per step, accepted 80% of the time (DeepSeek-V3 reports 85-90% for its MTP token). */
const SPEC = { draftTokens: 1, acceptanceRate: 0.8 } as const;

function counting(): { count: () => number; onEstimate: () => void } {
  let n = 0;
  return { count: () => n, onEstimate: () => void n++ };
}

describe('candidate layouts', () => {
  it('picks the narrowest native weight precision and an 8-bit KV cache', () => {
    expect(weightPrecisionFor(h200)).toBe('fp8');
    expect(weightPrecisionFor(getAccelerator('b200-sxm'))).toBe('fp4');
    expect(weightPrecisionFor(getAccelerator('ascend-910c'))).toBe('int8');
    // An fp4 peak outside the Blackwell families is not used (quality not established).
    expect(weightPrecisionFor(getAccelerator('mi355x'))).toBe('fp8');
    expect(kvPrecisionFor(getAccelerator('ascend-910c'))).toBe('int8');
  });

  it('tries TP over powers of two up to the scale-up domain for a dense model', () => {
    expect(candidateLayouts(llama8, h200, 'vllm').map(layoutName)).toEqual(['tp1 fp8', 'tp2 fp8', 'tp4 fp8', 'tp8 fp8']);
    // mlu370-x8 links 4 chips.
    expect(candidateLayouts(llama8, getAccelerator('mlu370-x8'), 'vllm').map((l) => l.tp)).toEqual([1, 2, 4]);
  });

  it('keeps only layouts of 16 chips or more for DeepSeek-R1 on the H20 (one 8-chip server does not hold it)', () => {
    const layouts = candidateLayouts(resolveModel('deepseek-ai/DeepSeek-R1').spec, getAccelerator('h20'), 'sglang');
    expect(layouts.length).toBeGreaterThan(0);
    for (const l of layouts) {
      expect(l.tp * l.dp).toBeGreaterThanOrEqual(16);
      expect(l.ep).toBe(l.tp * l.dp);
    }
    expect(layouts.map(layoutName)).toContain('tp1 dp16 ep16 fp8');
  });

  it('sizes layouts with a given memory utilization: at 0.95 one 8-chip H20 server holds DeepSeek-R1', () => {
    const r1 = resolveModel('deepseek-ai/DeepSeek-R1').spec;
    const h20 = getAccelerator('h20');
    expect(candidateLayouts(r1, h20, 'sglang').map(layoutName)).not.toContain('tp8 ep8 fp8');
    expect(candidateLayouts(r1, h20, 'sglang', 0.95).map(layoutName)).toContain('tp8 ep8 fp8');
  });

  it("sizes layouts with a speculative drafter's layer: a utilization that just holds a layout does not hold it with the drafter", () => {
    const llama70 = resolveModel('meta-llama/Llama-3.1-70B').spec;
    const h100 = getAccelerator('h100-sxm');
    const tp2 = candidateLayouts(llama70, h100, 'vllm').find((l) => layoutName(l) === 'tp2 fp8')!;
    const plain = planMemory(deploymentOf(llama70, h100, 'vllm', tp2));
    const drafted = planMemory(deploymentOf(llama70, h100, 'vllm', tp2, SPEC));
    // One more layer like the mean of the target's 80, in fp8 over two chips: about 0.4 GB.
    expect(drafted.weightBytesPerDevice - plain.weightBytesPerDevice).toBeGreaterThan(0.3e9);
    const between = (plain.neededBytesPerDevice + drafted.neededBytesPerDevice) / 2 / plain.deviceMemoryBytes;
    expect(candidateLayouts(llama70, h100, 'vllm', between).map(layoutName)).toContain('tp2 fp8');
    expect(candidateLayouts(llama70, h100, 'vllm', between, SPEC).map(layoutName)).not.toContain('tp2 fp8');
  });
});

describe('searchCapacity', () => {
  it('finds a positive capacity for a chat class on an H200 whose layout meets the SLO when re-estimated', () => {
    const r = searchCapacity(chat, { accelerator: 'h200-sxm', engine: 'vllm' });
    expect(r.reason).toBeUndefined();
    expect(r.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(r.concurrencyPerReplica).toBeGreaterThanOrEqual(1);
    const layout = candidateLayouts(llama8, h200, 'vllm').find((l) => layoutName(l) === r.layout);
    expect(layout).toBeDefined();
    const e = estimateServing({
      model: llama8,
      accelerator: h200,
      engine: 'vllm',
      parallel: { tp: layout!.tp, dp: layout!.dp },
      precision: { weights: layout!.precision, moeWeights: layout!.precision, kv: layout!.kvPrecision },
      inputTokens: chat.inputTokens,
      outputTokens: chat.outputTokens,
      concurrency: r.concurrencyPerReplica,
      ...SEARCH_HARNESS,
    });
    expect(e.ttftMs).toBeLessThanOrEqual(chat.slo.ttftMs);
    expect(e.tpotMs).toBeLessThanOrEqual(chat.slo.tpotMs);
    expect(e.accelerators).toBe(r.acceleratorsPerReplica);
    expect(r.tokensPerSecondPerAccelerator).toBeCloseTo(((chat.inputTokens + chat.outputTokens) * e.requestsPerSecond) / e.accelerators, 6);
  });

  it('gives a tighter TPOT target lower or equal capacity', () => {
    const loose = searchCapacity(chat, { accelerator: 'h200-sxm', engine: 'vllm' });
    const tight = searchCapacity({ ...chat, slo: { ttftMs: 1000, tpotMs: 15 } }, { accelerator: 'h200-sxm', engine: 'vllm' });
    expect(tight.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(tight.tokensPerSecondPerAccelerator).toBeLessThanOrEqual(loose.tokensPerSecondPerAccelerator);
    expect(tight.tpotMs).toBeLessThanOrEqual(15);
  });

  it('returns 0 with the best TPOT reached when the SLO is impossible, after one estimate per layout', () => {
    const c = counting();
    const r = searchCapacity({ ...chat, slo: { ttftMs: 1000, tpotMs: 0.5 } }, { accelerator: 'h200-sxm', engine: 'vllm' }, { onEstimate: c.onEstimate });
    expect(r.tokensPerSecondPerAccelerator).toBe(0);
    expect(r.layout).toBe('');
    expect(r.reason).toMatch(/^TPOT at concurrency 1 is [\d.]+ ms > 0\.5 ms on every layout \(best: tp\d+ fp8\)$/);
    expect(c.count()).toBe(4);
  });

  it('reports a TTFT target missed at concurrency 1 with thousands separators', () => {
    const r = searchCapacity(
      { ...chat, model: 'meta-llama/Llama-3.1-70B', inputTokens: 30000, slo: { ttftMs: 1000, tpotMs: 1000 } },
      { accelerator: 'h20', engine: 'vllm' },
    );
    expect(r.tokensPerSecondPerAccelerator).toBe(0);
    expect(r.reason).toMatch(/^TTFT at concurrency 1 is \d{1,3}(,\d{3})+ ms > 1,000 ms on every layout/);
  });

  it('serves DeepSeek-R1 on H20s only with a replica of 16 chips or more', () => {
    const r = searchCapacity(
      { id: 'reasoning', model: 'deepseek-ai/DeepSeek-R1', inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 2000, tpotMs: 50 } },
      { accelerator: 'h20', engine: 'sglang' },
    );
    expect(r.reason).toBeUndefined();
    expect(r.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(r.acceleratorsPerReplica).toBeGreaterThanOrEqual(16);
    expect(r.layout).toMatch(/ ep(16|32) /);
  });

  it('says what does not fit, naming the closest layout and its memory', () => {
    const r = searchCapacity({ ...chat, model: 'meta-llama/Llama-3.1-405B' }, { accelerator: 'mlu370-x8', engine: 'vllm' });
    expect(r.tokensPerSecondPerAccelerator).toBe(0);
    expect(r.reason).toMatch(/^does not fit: none of 3 layouts \(up to 4 chips\) fits in memory; closest, tp4 int8: needs [\d.]+ GB per device .* offers 43\.2 GB usable/);
  });

  it('returns 0 with a reason instead of throwing for catalogue gaps, an engine the chip lacks', () => {
    const mlu590 = searchCapacity(chat, { accelerator: 'mlu590', engine: 'vllm' });
    expect(mlu590.tokensPerSecondPerAccelerator).toBe(0);
    expect(mlu590.reason).toMatch(/memory of mlu590 is unknown/);
    expect(mlu590.notes).toEqual([expect.stringMatching(/scale-up domain unknown; TP up to 8 tried over PCIe/)]);
    expect(searchCapacity(chat, { accelerator: 'kunlunxin-p800', engine: 'vllm' }).reason).toMatch(/memory bandwidth of kunlunxin-p800 is unknown/);
    expect(searchCapacity(chat, { accelerator: 'h200-sxm', engine: 'mindie' }).reason).toMatch(/engine mindie does not run on h200-sxm/);
  });

  describe("with the workload's speculative decoding", () => {
    // A tight TPOT target keeps the batch small, so decode steps are bound by reading the weights: a drafted
    // token accepted 80% of the time adds little to a step and yields 1.8 tokens per step.
    const tight: WorkloadClass = { ...chat, slo: { ttftMs: 1000, tpotMs: 10 } };
    const offer = { accelerator: 'h200-sxm', engine: 'vllm' } as const;

    it('serves more tokens per chip at the same TPOT target than without', () => {
      const plain = searchCapacity(tight, offer);
      const spec = searchCapacity({ ...tight, speculative: SPEC }, offer);
      expect(plain.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
      expect(spec.reason).toBeUndefined();
      expect(spec.tpotMs).toBeLessThanOrEqual(tight.slo.tpotMs);
      expect(spec.tokensPerSecondPerAccelerator).toBeGreaterThan(plain.tokensPerSecondPerAccelerator * 1.1);
      expect(spec.concurrencyPerReplica).toBeGreaterThan(plain.concurrencyPerReplica);
    });

    it('reports the TPOT of an estimate with the drafter, which is lower than without at the same layout and concurrency', () => {
      const r = searchCapacity({ ...tight, speculative: SPEC }, offer);
      const layout = candidateLayouts(llama8, h200, 'vllm', undefined, SPEC).find((l) => layoutName(l) === r.layout)!;
      const at = (speculative?: typeof SPEC) =>
        estimateServing({
          model: llama8,
          accelerator: h200,
          engine: 'vllm',
          parallel: { tp: layout.tp, dp: layout.dp },
          precision: { weights: layout.precision, moeWeights: layout.precision, kv: layout.kvPrecision },
          inputTokens: tight.inputTokens,
          outputTokens: tight.outputTokens,
          concurrency: r.concurrencyPerReplica,
          ...SEARCH_HARNESS,
          prefixHitRate: 0,
          ...(speculative !== undefined && { speculative }),
        });
      expect(r.tpotMs).toBe(at(SPEC).tpotMs);
      expect(at().tpotMs).toBeGreaterThan(r.tpotMs);
    });

    it('gives no capacity on an engine without speculative decoding, naming the engines that have it', () => {
      const c = counting();
      const r = searchCapacity({ ...chat, speculative: SPEC }, { accelerator: 'h200-sxm', engine: 'generic' }, { onEstimate: c.onEstimate });
      expect(r.tokensPerSecondPerAccelerator).toBe(0);
      expect(r.layout).toBe('');
      expect(r.reason).toBe('engine generic has no speculative decoding, which workload chat is served with; give the h200-sxm offer an engine that has it (vllm, sglang, trtllm)');
      expect(c.count()).toBe(0);
      // Without it, the same offer serves the class.
      expect(searchCapacity(chat, { accelerator: 'h200-sxm', engine: 'generic' }).tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    });
  });

  it('throws for an unknown model or accelerator id (a scenario error, not a capacity)', () => {
    expect(() => searchCapacity({ ...chat, model: 'acme/NoSuchModel-7B' }, { accelerator: 'h200-sxm', engine: 'vllm' })).toThrow(NoSuchEntryError);
    expect(() => searchCapacity(chat, { accelerator: 'h999', engine: 'vllm' })).toThrow(NoSuchEntryError);
  });

  it('stops at maxEstimates with the best found so far and says so', () => {
    const c = counting();
    const r = searchCapacity(chat, { accelerator: 'h200-sxm', engine: 'vllm' }, { maxEstimates: 5, onEstimate: c.onEstimate });
    expect(c.count()).toBe(5);
    expect(r.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(r.notes).toEqual([expect.stringMatching(/stopped after 5 estimates/)]);
  });

  it('is deterministic', () => {
    const offer = { accelerator: 'h200-sxm', engine: 'vllm' } as const;
    expect(searchCapacity(chat, offer)).toEqual(searchCapacity(chat, offer));
  });

  it('reports every valid layout to onLayout, those that do not fit included, and finds the same best', () => {
    const r1 = resolveModel('deepseek-ai/DeepSeek-R1').spec;
    const h20 = getAccelerator('h20');
    const reasoning: WorkloadClass = { id: 'reasoning', model: 'deepseek-ai/DeepSeek-R1', inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 2000, tpotMs: 50 } };
    const seen: LayoutOutcome[] = [];
    const r = searchResolved(reasoning, r1, h20, 'sglang', { onLayout: (o) => seen.push(o) });
    expect(r).toEqual(searchResolved(reasoning, r1, h20, 'sglang'));
    expect(seen.map((o) => layoutName(o.layout))).toEqual(validLayouts(r1, h20).layouts.map(layoutName));
    const notFit = seen.filter((o) => o.notFit !== undefined);
    expect(notFit.length).toBeGreaterThan(0);
    for (const o of notFit) expect(o.best).toBeUndefined();
    // The best layout is among those reported, with the same throughput.
    const best = seen.find((o) => layoutName(o.layout) === r.layout)!;
    expect(best.best!.tokensPerSecondPerAccelerator).toBe(r.tokensPerSecondPerAccelerator);
    expect(Math.max(...seen.map((o) => o.best?.tokensPerSecondPerAccelerator ?? 0))).toBe(r.tokensPerSecondPerAccelerator);
  });

  it('reports no layout when the engine does not run on the chip', () => {
    const seen: LayoutOutcome[] = [];
    searchCapacity(chat, { accelerator: 'h200-sxm', engine: 'mindie' }, { onLayout: (o) => seen.push(o) });
    expect(seen).toEqual([]);
  });
});

describe('searchAll', () => {
  it('searches every pair once and answers again from the cache without estimating', () => {
    const workloads = [chat, { ...chat, id: 'strict', slo: { ttftMs: 1000, tpotMs: 0.5 } }];
    const offers = [{ accelerator: 'h20', engine: 'vllm' }, { accelerator: 'mlu590', engine: 'vllm' }] as const;
    const cache = memoryCache();
    const first = counting();
    const progress: [number, number][] = [];
    const a = searchAll(workloads, offers, { cache, onEstimate: first.onEstimate, onProgress: (d, t) => progress.push([d, t]) });
    expect(a.map((r) => [r.workload, r.accelerator])).toEqual([['chat', 'h20'], ['chat', 'mlu590'], ['strict', 'h20'], ['strict', 'mlu590']]);
    expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(first.count()).toBeGreaterThan(0);
    const again = counting();
    const b = searchAll(workloads, offers, { cache, onEstimate: again.onEstimate });
    expect(again.count()).toBe(0);
    b.forEach((r, i) => expect(r).toBe(a[i]));
  });

  it('searches with the given memory utilization, cached apart from the default', () => {
    const offer = { accelerator: 'h200-sxm', engine: 'vllm' } as const;
    const cache = memoryCache();
    const [dflt] = searchAll([chat], [offer], { cache });
    const c = counting();
    // A fifth of 141 GB leaves Llama-3.1-8B a KV cache too small for the default's concurrency.
    const [small] = searchAll([chat], [offer], { cache, memoryUtilization: 0.2, onEstimate: c.onEstimate });
    expect(c.count()).toBeGreaterThan(0);
    expect(small!.concurrencyPerReplica).toBeLessThan(dflt!.concurrencyPerReplica);
    expect(small!.tokensPerSecondPerAccelerator).toBeLessThan(dflt!.tokensPerSecondPerAccelerator);
  });

  it("searches a workload with speculative decoding apart from the same workload without, and answers it again from the cache", () => {
    const offers = [{ accelerator: 'h200-sxm', engine: 'vllm' }, { accelerator: 'h200-sxm', engine: 'generic' }] as const;
    const cache = memoryCache();
    const [plain] = searchAll([chat], offers, { cache });
    const c = counting();
    const spec = searchAll([{ ...chat, speculative: SPEC }], offers, { cache, onEstimate: c.onEstimate });
    expect(c.count()).toBeGreaterThan(0);
    expect(spec[0]).not.toEqual(plain);
    expect(spec[1]!.reason).toMatch(/^engine generic has no speculative decoding/);
    const again = counting();
    const cached = searchAll([{ ...chat, speculative: { ...SPEC } }], offers, { cache, onEstimate: again.onEstimate });
    expect(again.count()).toBe(0);
    cached.forEach((r, i) => expect(r).toBe(spec[i]));
  });

  it('searches a repeated offer once even without a cache', () => {
    const c = counting();
    const offer = { accelerator: 'h200-sxm', engine: 'vllm' } as const;
    const [x, y] = searchAll([{ ...chat, slo: { ttftMs: 1000, tpotMs: 0.5 } }], [offer, offer], { onEstimate: c.onEstimate });
    expect(y).toBe(x);
    expect(c.count()).toBe(4);
  });
});
