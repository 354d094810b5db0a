import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { InvalidInputError } from '../core/errors.js';
import type { ModelResolver } from './predict-rows.js';
import {
  checkPublishedResults,
  mapPublishedRow,
  parseParallelism,
  parsePublishedCsv,
  SKIP_REASONS,
  type EstimateFn,
  type PublishedRow,
} from './published-results.js';
import { publishedSummaryMarkdown } from './published-results-markdown.js';

const HEADER = [
  'row_id', 'source_group', 'hardware', 'accel_count', 'model', 'weights_prec', 'kv_prec', 'engine', 'parallelism',
  'isl', 'osl', 'batch_or_concurrency', 'scenario', 'output_tok_s_per_accel', 'ttft_mean_ms', 'tpot_mean_ms', 'notes',
] as const;
type Field = (typeof HEADER)[number];

const BASE: Record<Field, string> = {
  row_id: '1', source_group: 'test', hardware: 'H200-SXM-141GB', accel_count: '1', model: 'Llama-3.1-8B', weights_prec: 'FP8',
  kv_prec: '', engine: 'TensorRT-LLM v0.17', parallelism: 'TP1', isl: '128', osl: '2048',
  batch_or_concurrency: 'offline, all 3000 requests queued (infinite rate)', scenario: 'Offline max throughput',
  output_tok_s_per_accel: '25398.9', ttft_mean_ms: '', tpot_mean_ms: '', notes: '',
};

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
function csvOf(...rows: Partial<Record<Field, string>>[]): string {
  return [HEADER.join(','), ...rows.map((r) => HEADER.map((h) => quote(r[h] ?? BASE[h])).join(','))].join('\n') + '\n';
}
function rowOf(over: Partial<Record<Field, string>> = {}): PublishedRow {
  return parsePublishedCsv(csvOf(over), 'inline.csv')[0]!;
}

const resolver: ModelResolver = (name) => {
  const r = resolveModel(name);
  return { spec: r.spec, file: r.file, matchedBy: r.matchedBy };
};

function mapped(over: Partial<Record<Field, string>>) {
  const m = mapPublishedRow(rowOf(over), resolver);
  if (m.kind !== 'mapped') throw new Error(`expected a mapping, got: ${m.reason}`);
  return m;
}

describe('parsePublishedCsv', () => {
  it('reads the named columns', () => {
    const [row] = parsePublishedCsv(csvOf({ row_id: '70', isl: '128' }), 'x.csv');
    expect(row).toMatchObject({ rowId: '70', hardware: 'H200-SXM-141GB', isl: '128', outputTokensPerSecondPerAccel: '25398.9' });
  });

  it('names the file when the CSV is malformed or lacks columns', () => {
    expect(() => parsePublishedCsv('row_id,hardware\n"1,H100\n', 'bad.csv')).toThrow(InvalidInputError);
    expect(() => parsePublishedCsv('row_id,hardware\n"1,H100\n', 'bad.csv')).toThrow(/bad\.csv/);
    expect(() => parsePublishedCsv('row_id,hardware\n1,H100\n', 'short.csv')).toThrow(/short\.csv.*missing column/);
  });
});

describe('mapPublishedRow', () => {
  it('maps an offline row onto a saturated closed loop, capped at 2048 clients', () => {
    const m = mapped({});
    expect(m.input.accelerator.id).toBe('h200-sxm');
    expect(m.input.engine).toBe('trtllm');
    expect(m.input.precision).toMatchObject({ weights: 'fp8', kv: 'fp8' });
    expect(m.input).toMatchObject({ inputTokens: 128, outputTokens: 2048, concurrency: 2048, requestsPerClient: 2 });
    expect(m.notes.join(' ')).toMatch(/saturated closed loop/);
  });

  it('maps a burst of at most 2048 requests onto one request per client', () => {
    const m = mapped({ batch_or_concurrency: '500 prompts, infinite request rate', scenario: 'saturated serving' });
    expect(m.input).toMatchObject({ concurrency: 500, requestsPerClient: 1 });
  });

  it('skips Poisson rows with their reason', () => {
    const m = mapPublishedRow(rowOf({ batch_or_concurrency: 'Poisson/fixed QPS=2; achieved 2 req/s', ttft_mean_ms: '23' }), resolver);
    expect(m).toEqual({ kind: 'skipped', reason: SKIP_REASONS.poisson });
  });

  it('skips hardware outside the catalogue and models without a config', () => {
    const l40s = mapPublishedRow(rowOf({ hardware: 'L40S' }), resolver);
    expect(l40s.kind === 'skipped' && l40s.reason).toMatch(/^not in the catalogue/);
    const gh200 = mapPublishedRow(rowOf({ hardware: 'GH200-144GB (HBM3e)' }), resolver);
    expect(gh200.kind === 'skipped' && gh200.reason).toMatch(/^not in the catalogue/);
    const llama2 = mapPublishedRow(rowOf({ model: 'LLaMA-2-70B (LLaMA 70B)' }), resolver);
    expect(llama2.kind === 'skipped' && llama2.reason).toMatch(/^no config\.json for this model/);
  });

  it('skips dataset lengths, disaggregated phases and speculative decoding', () => {
    const reason = (over: Partial<Record<Field, string>>) => {
      const m = mapPublishedRow(rowOf(over), resolver);
      return m.kind === 'skipped' ? m.reason : 'mapped';
    };
    expect(reason({ isl: 'dataset (see notes)', osl: 'mean 302 (derived)' })).toBe(SKIP_REASONS.lengths);
    expect(reason({ scenario: 'PD-disaggregated decode, saturated' })).toBe(SKIP_REASONS.onePhase);
    expect(reason({ engine: 'SGLang (ascend), EAGLE3 spec' })).toBe(SKIP_REASONS.speculative);
  });

  it('estimates speculative decoding where the row states how well drafts are accepted (see stated-speculative.test.ts)', () => {
    const m = mapped({ engine: 'SGLang v0.5, EAGLE3 (3 steps; accept len 2.05)', tpot_mean_ms: '20' });
    expect(m.input.speculative).toMatchObject({ draftTokens: 3 });
    expect(m.notes.join(' ')).toMatch(/3 drafted tokens per step/);
    const fromNotes = mapped({ engine: 'SGLang v0.5 with MTP', notes: 'MTP 1 token, 80% acceptance', tpot_mean_ms: '20' });
    expect(fromNotes.input.speculative).toEqual({ draftTokens: 1, acceptanceRate: 0.8 });
  });

  it('reads DEP8 as 8 attention-DP ranks with EP 8 on one 8-GPU instance', () => {
    expect(parseParallelism('DEP8 (attention-DP + EP8)')).toEqual({ tp: 1, dp: 8, ep: 8 });
    const m = mapped({ model: 'DeepSeek-R1-0528', accel_count: '8', parallelism: 'DEP8 (attention-DP + EP8)', isl: '1024', osl: '1024' });
    expect(m.input.parallel).toEqual({ tp: 1, dp: 8, ep: 8 });
    expect(m.instances).toBe(1);
    expect(m.input.model.id).toMatch(/DeepSeek-R1$/);
  });

  it('reads other layouts: TP with attention DP, SGLang TP/DP, pipeline stages', () => {
    expect(parseParallelism('TP8 + EP8 + attention-DP, WIDEEP MoE backend')).toEqual({ tp: 1, dp: 8, ep: 8 });
    expect(parseParallelism('TP32/DP16')).toEqual({ tp: 2, dp: 16 });
    expect(parseParallelism('TP2xPP2')).toEqual({ tp: 2, dp: 1, pp: 2 });
    expect(parseParallelism('not checked')).toBeUndefined();
  });

  it('splits TP1 x8 into 8 instances, each with its share of the requests', () => {
    const m = mapped({ accel_count: '8', parallelism: 'TP1 x8', batch_or_concurrency: 'offline, 3000 requests queued' });
    expect(m.instances).toBe(8);
    expect(m.input.parallel).toEqual({ tp: 1, dp: 1 });
    expect(m.input).toMatchObject({ concurrency: 375, requestsPerClient: 1 });
  });

  it('multiplies a per-GPU batch by the devices of the instance', () => {
    expect(mapped({ accel_count: '2', parallelism: 'TP2', model: 'Llama-3.1-70B', batch_or_concurrency: '64 per GPU' }).input.concurrency).toBe(128);
  });

  it('uses the Llama-3.1-70B config for Llama-3.3-70B and says so', () => {
    const m = mapped({ model: 'Llama-3.3-70B', isl: '1000', osl: '1000' });
    expect(m.input.model.id).toMatch(/Llama-3\.1-70B/);
    expect(m.notes.join(' ')).toMatch(/Llama-3\.3-70B.*Llama-3\.1-70B/);
  });

  it('compares only the metrics the row reports', () => {
    expect(mapped({}).compare).toEqual(['throughputPerAccel']);
    expect(mapped({ ttft_mean_ms: '377', tpot_mean_ms: '12.5', output_tok_s_per_accel: '' }).compare).toEqual(['tpot', 'ttft']);
  });
});

describe('checkPublishedResults', () => {
  const fake = (perAccel: number, maxConcurrency = 10_000): EstimateFn => () => ({
    fits: true, ttftMs: 100, tpotMs: 10, outputTokensPerSecondPerAccelerator: perAccel, maxConcurrency, memory: {},
  });

  it('compares throughput per accelerator, not the system total', () => {
    const rows = parsePublishedCsv(csvOf({ accel_count: '8', parallelism: 'TP1 x8', output_tok_s_per_accel: '1000' }), 'inline.csv');
    const [check] = checkPublishedResults(rows, resolver, fake(1100));
    expect(check!.status).toBe('compared');
    expect(check!.comparisons).toEqual([{ metric: 'throughputPerAccel', measured: 1000, predicted: 1100, apePercent: expect.closeTo(10, 6) }]);
  });

  it('takes throughput from a steady-state loop at the sequences the engine holds', () => {
    const seen: number[] = [];
    const rows = parsePublishedCsv(csvOf({ output_tok_s_per_accel: '1000', tpot_mean_ms: '20' }), 'inline.csv');
    const [check] = checkPublishedResults(rows, resolver, (input) => {
      seen.push(input.concurrency);
      return { fits: true, ttftMs: 100, tpotMs: 20, outputTokensPerSecondPerAccelerator: input.concurrency, maxConcurrency: 300, memory: {} };
    });
    expect(seen).toEqual([2048, 300]);
    expect(check!.setup).toMatchObject({ concurrency: 2048, throughputConcurrency: 300 });
    expect(check!.comparisons.find((x) => x.metric === 'throughputPerAccel')!.predicted).toBe(300);
    expect(check!.comparisons.find((x) => x.metric === 'tpot')!.apePercent).toBe(0);
  });

  it('turns a deployment that does not fit, or a throwing estimate, into a failed row', () => {
    const rows = parsePublishedCsv(csvOf({}), 'inline.csv');
    const [noFit] = checkPublishedResults(rows, resolver, () => ({
      fits: false, ttftMs: NaN, tpotMs: NaN, outputTokensPerSecondPerAccelerator: 0, maxConcurrency: 0, memory: { reason: 'needs 90 GB' },
    }));
    expect(noFit).toMatchObject({ status: 'failed', reason: 'does not fit: needs 90 GB' });
    const [thrown] = checkPublishedResults(rows, resolver, () => {
      throw new Error('boom');
    });
    expect(thrown).toMatchObject({ status: 'failed', reason: 'estimate failed: boom' });
  });

  it('gives every row of the published file a status, and compares at least 15', () => {
    const file = resolvePath(process.cwd(), '../shared/data/validation/published-results.csv');
    const rows = parsePublishedCsv(readFileSync(file, 'utf8'), file);
    const checks = checkPublishedResults(rows, resolver);
    expect(checks).toHaveLength(rows.length);
    for (const c of checks) expect(['compared', 'skipped', 'failed']).toContain(c.status);
    expect(checks.filter((c) => c.status === 'compared').length).toBeGreaterThanOrEqual(15);
    for (const c of checks.filter((x) => x.status !== 'compared')) expect(c.reason ?? '').not.toBe('');
    for (const c of checks.filter((x) => x.status === 'compared')) {
      for (const x of c.comparisons) expect(Number.isFinite(x.predicted) && x.predicted > 0).toBe(true);
    }
    const md = publishedSummaryMarkdown(checks);
    expect(md).toMatch(/^## Published results/);
    expect(md).toContain(SKIP_REASONS.lengths);
  });
});
