import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bestCaseErrors, measureRepeatability, modelErrorOnRepeats, oracleApe, repeatabilityMarkdown, visibleConfigKey } from './repeatability.js';
import { parseSiliconCsv } from './silicon-row.js';

const header = 'id,silicon_data_source,backend,backend_version,model_path,system,mode,isl,osl,batch_size,tp_size,silicon_ttft_ms,silicon_tpot_ms';
const rows = (lines: string[]) => parseSiliconCsv([header, ...lines].join('\n') + '\n', 'rows.csv');

describe('oracleApe: the error of answering the median', () => {
  it('is half the gap relative to each value for two measurements, zero for the middle of three', () => {
    const [a, b] = oracleApe([100, 300]);
    expect(a).toBeCloseTo(1.0); // median 200, 100 off a value of 100
    expect(b).toBeCloseTo(1 / 3);
    expect(oracleApe([10, 20, 40])).toEqual([1, 0, 0.5]);
  });
});

describe('measureRepeatability', () => {
  it('groups rows by every input column, not by id or provenance, and scores only configurations measured with different results', () => {
    const r = rows([
      'a1,run=1,trtllm,1.0,m/x,b200_sxm,disagg,1024,1024,8,4,100,10',
      'a2,run=2,trtllm,1.0,m/x,b200_sxm,disagg,1024,1024,8,4,300,10',
      // An exact repeat of a1 under another id counts once.
      'a3,run=3,trtllm,1.0,m/x,b200_sxm,disagg,1024,1024,8,4,100,10',
      // Another version is another configuration: alone, not scored.
      'b1,run=1,trtllm,1.1,m/x,b200_sxm,disagg,1024,1024,8,4,500,20',
      // Measured once: not scored.
      'c1,run=1,vllm,0.1,m/y,h200_sxm,agg,1024,1024,8,4,50,5',
      // Agg repeats with the same TTFT but different TPOT.
      'd1,run=1,vllm,0.1,m/y,h200_sxm,agg,2048,128,8,4,80,8',
      'd2,run=2,vllm,0.1,m/y,h200_sxm,agg,2048,128,8,4,80,12',
    ]);
    expect(visibleConfigKey(r[0]!)).toBe(visibleConfigKey(r[1]!));
    expect(visibleConfigKey(r[0]!)).not.toBe(visibleConfigKey(r[3]!));
    const rep = measureRepeatability(r);
    expect(rep.overall.configurations).toBe(2);
    expect(rep.overall.measurements).toBe(4);
    const disagg = rep.byModeBackend.find((g) => g.group === 'disagg trtllm')!.summary;
    expect(disagg.measurements).toBe(2);
    // TTFT 100 and 300: median 200, off by 100% and 33%; the median of those two is their mean.
    expect(disagg.ttftMedianApe).toBeCloseTo(((1 + 1 / 3) / 2) * 100);
    expect(disagg.tpotMedianApe).toBe(0);
    const agg = rep.byModeBackend.find((g) => g.group === 'agg vllm')!.summary;
    expect(agg.ttftMedianApe).toBe(0);
    expect(agg.tpotMedianApe).toBeGreaterThan(0);
    expect(repeatabilityMarkdown(rep)).toContain('| disagg trtllm | 1 | 2 |');

    // Exact elsewhere, the median on the repeats: only a1/a2 and d1/d2 cost anything.
    const best = bestCaseErrors(rep, r.map((row) => ({ row })));
    expect(best.rows).toBe(7);
    expect(best.ttftMedianApe).toBe(0);
    expect(best.ttftP90Ape).toBeGreaterThan(0);
    // The model's own errors on the same rows, set beside the floor.
    const scored = r.map((row) => ({ row, predicted: true, ttftApe: 0.5, tpotApe: 0.1 }));
    const onRepeats = modelErrorOnRepeats(rep, scored);
    expect(onRepeats.overall.rows).toBe(5); // a1, a2, a3 (same key as a1), d1, d2
    expect(repeatabilityMarkdown(rep, onRepeats, best)).toContain('50.0%');
  });

  it('on the shared measurements, disaggregated rows repeat far less exactly than aggregated ones', () => {
    const text = readFileSync(new URL('../../../shared/data/validation/silicon-measurements.csv', import.meta.url), 'utf8');
    const rep = measureRepeatability(parseSiliconCsv(text, 'silicon-measurements.csv'));
    const disagg = rep.byModeBackend.filter((g) => g.group.startsWith('disagg'));
    expect(rep.overall.configurations).toBeGreaterThan(50);
    expect(disagg.length).toBeGreaterThan(0);
    for (const g of disagg) expect(g.summary.ttftMedianApe).toBeGreaterThan(10);
  });
});
