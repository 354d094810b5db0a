import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { resolveModel } from '../config/model-registry.js';
import { searchResolved, type LayoutOutcome } from '../plan/config-search.js';
import type { WorkloadClass } from '../plan/plan-input.js';
import { layoutLine, searchJson, searchRow, searchText, sortRows, type SearchRow } from './search-results.js';

const chat: WorkloadClass = { id: 'search', model: 'meta-llama/Llama-3.1-8B', inputTokens: 1000, outputTokens: 250, slo: { ttftMs: 1000, tpotMs: 30 } };
const llama8 = resolveModel(chat.model).spec;
const h200 = getAccelerator('h200-sxm');

/** The search of `w` on `acc` with vLLM, and every layout outcome it reported. */
function searched(w: WorkloadClass, model = llama8, acc = h200) {
  const outcomes: LayoutOutcome[] = [];
  const result = searchResolved(w, model, acc, 'vllm', { onLayout: (o) => outcomes.push(o) });
  return { result, outcomes };
}

function row(accelerator: string, tokensPerSecondPerAccelerator: number, reason?: string): SearchRow {
  return {
    accelerator,
    engine: 'vllm',
    tokensPerSecondPerAccelerator,
    outputTokensPerSecondPerAccelerator: tokensPerSecondPerAccelerator / 5,
    layout: tokensPerSecondPerAccelerator > 0 ? 'tp1 fp8' : '',
    acceleratorsPerReplica: tokensPerSecondPerAccelerator > 0 ? 1 : 0,
    concurrencyPerReplica: tokensPerSecondPerAccelerator > 0 ? 64 : 0,
    ttftMs: tokensPerSecondPerAccelerator > 0 ? 250 : 0,
    tpotMs: tokensPerSecondPerAccelerator > 0 ? 29.5 : 0,
    confidence: 'fitted',
    ...(reason !== undefined && { reason }),
  };
}

describe('searchRow', () => {
  it("carries the search result, derives output tokens/s from the output share, and lists every layout best first", () => {
    const { result, outcomes } = searched(chat);
    const r = searchRow(chat, result, outcomes);
    expect(r).toMatchObject({ accelerator: 'h200-sxm', engine: 'vllm', layout: result.layout, tokensPerSecondPerAccelerator: result.tokensPerSecondPerAccelerator });
    expect(r.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(r.outputTokensPerSecondPerAccelerator).toBeCloseTo(r.tokensPerSecondPerAccelerator * 0.2, 9);
    expect(r.layouts!.map((l) => l.layout).sort()).toEqual(['tp1 fp8', 'tp2 fp8', 'tp4 fp8', 'tp8 fp8']);
    const tps = r.layouts!.map((l) => l.tokensPerSecondPerAccelerator);
    expect(tps).toEqual([...tps].sort((a, b) => b - a));
    expect(r.layouts![0]).toMatchObject({ layout: r.layout, tokensPerSecondPerAccelerator: r.tokensPerSecondPerAccelerator, concurrencyPerReplica: r.concurrencyPerReplica });
    for (const l of r.layouts!) {
      expect(l.reason).toBeUndefined();
      expect(l.tpotMs).toBeLessThanOrEqual(chat.slo.tpotMs);
      expect(l.ttftMs).toBeLessThanOrEqual(chat.slo.ttftMs);
      expect(l.acceleratorsPerReplica).toBe(Number(/^tp(\d+)/.exec(l.layout)![1]));
    }
    // Without outcomes, no layouts key (the JSON without --layouts).
    expect(searchRow(chat, result)).not.toHaveProperty('layouts');
  });

  it('says per layout which target concurrency 1 misses, with the latencies it reached', () => {
    const w = { ...chat, slo: { ttftMs: 1000, tpotMs: 1 } };
    const { result, outcomes } = searched(w);
    const r = searchRow(w, result, outcomes);
    expect(r.tokensPerSecondPerAccelerator).toBe(0);
    expect(r.reason).toMatch(/^TPOT at concurrency 1 is/);
    expect(r.layouts).toHaveLength(4);
    for (const l of r.layouts!) {
      expect(l.reason).toMatch(/^misses the SLO at concurrency 1: TPOT [\d.]+ ms > 1 ms$/);
      expect(l.concurrencyPerReplica).toBe(0);
      expect(l.tpotMs).toBeGreaterThan(1);
    }
  });

  it("says per layout why it does not fit, with the memory figures", () => {
    const r1 = resolveModel('deepseek-ai/DeepSeek-R1').spec;
    const w: WorkloadClass = { ...chat, model: 'deepseek-ai/DeepSeek-R1', slo: { ttftMs: 2000, tpotMs: 50 } };
    const { outcomes } = searched(w, r1, getAccelerator('h20'));
    const lines = outcomes.map((o) => layoutLine(w, o));
    const tp1 = lines.find((l) => l.layout === 'tp1 fp8')!;
    expect(tp1).toMatchObject({ acceleratorsPerReplica: 1, tokensPerSecondPerAccelerator: 0, ttftMs: 0, tpotMs: 0 });
    expect(tp1.reason).toMatch(/^does not fit: needs [\d.]+ GB per device .* but h20 offers 86\.4 GB usable/);
    expect(lines.some((l) => l.tokensPerSecondPerAccelerator > 0)).toBe(true);
  });
});

describe('sortRows', () => {
  it('puts the most tokens/s per chip first and rows without capacity last, in the order searched', () => {
    const sorted = sortRows([row('a', 0, 'x'), row('b', 100), row('c', 300), row('d', 0, 'y'), row('e', 100)]);
    expect(sorted.map((r) => r.accelerator)).toEqual(['c', 'b', 'e', 'a', 'd']);
  });
});

describe('searchText', () => {
  it('writes a header, a table, and the reason of a row without capacity from the layout column on', () => {
    const text = searchText(chat, [row('h200-sxm', 12345.6), row('h20', 0, 'TPOT at concurrency 1 is 3.66 ms > 1 ms on every layout')], 0.95);
    const lines = text.split('\n');
    expect(lines[0]).toBe('meta-llama/Llama-3.1-8B: 1,000 input + 250 output tokens per request; SLO TTFT <= 1,000 ms, TPOT <= 30 ms; memory utilization 0.95');
    expect(lines[2]).toMatch(/^accelerator\s+engine\s+layout\s+chips\s+concurrency\s+tok\/s\/chip\s+out tok\/s\/chip\s+TTFT ms\s+TPOT ms\s+confidence$/);
    expect(lines[4]).toMatch(/^h200-sxm\s+vllm\s+tp1 fp8\s+1\s+64\s+12,346\s+2,469\s+250\.0\s+29\.50\s+fitted$/);
    expect(lines[5]).toMatch(/^h20\s+vllm\s+no capacity: TPOT at concurrency 1 is 3\.66 ms > 1 ms on every layout$/);
    expect(lines[5]!.indexOf('no capacity')).toBe(lines[2]!.indexOf('layout'));
  });

  it('writes one line per layout under its row, with a reason where it serves nothing', () => {
    // A TPOT target only the widest layout meets: between the two lowest TPOTs at concurrency 1 (TP8's and TP4's),
    // taken from the model so that a refit of the calibration keeps the split.
    const tpots = searched(chat).outcomes.map((o) => o.first?.tpotMs ?? Infinity).sort((a, b) => a - b);
    const tpotMs = (tpots[0]! + tpots[1]!) / 2;
    const { result, outcomes } = searched({ ...chat, slo: { ttftMs: 1000, tpotMs } });
    const r = searchRow({ ...chat, slo: { ttftMs: 1000, tpotMs } }, result, outcomes);
    const lines = searchText(chat, [r]).split('\n');
    const sub = lines.slice(5);
    expect(sub).toHaveLength(4);
    for (const l of sub) expect(l).toMatch(/^\s+tp\d fp8\s+\d\s+(\d[\d,]*\s+[\d,]+\s+[\d,]+\s+[\d.,]+\s+[\d.]+|misses the SLO at concurrency 1: .*)$/);
    expect(sub.some((l) => l.includes('misses the SLO'))).toBe(true);
    expect(sub.some((l) => !l.includes('misses the SLO'))).toBe(true);
  });

  it('adds the speculative decoding and prefix hit rate to the header, and notes under the table once', () => {
    const w: WorkloadClass = { ...chat, prefixHitRate: 0.5, speculative: { draftTokens: 2, acceptanceRate: 0.8 } };
    const note = 'mlu590: scale-up domain unknown; TP up to 8 tried over PCIe';
    const text = searchText(w, [{ ...row('mlu590', 0, 'unsupported'), notes: [note] }, { ...row('mlu590', 0, 'unsupported'), engine: 'generic', notes: [note] }]);
    expect(text.split('\n')[0]).toMatch(/; prefix hit rate 0\.5; speculative decoding: 2 drafted tokens accepted at 0\.8$/);
    expect(text.split(note)).toHaveLength(2);
  });
});

describe('searchJson', () => {
  it('has the workload and the rows as given', () => {
    const rows = [row('h200-sxm', 1000)];
    expect(searchJson(chat, rows)).toEqual({ model: chat.model, inputTokens: 1000, outputTokens: 250, slo: { ttftMs: 1000, tpotMs: 30 }, results: rows });
  });
});
