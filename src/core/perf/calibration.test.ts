import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../catalogue/find-accelerator.js';
import { calibrationFor } from './calibration.js';
import { CUDA_PRIOR, DOMESTIC_PRIOR, type Calibration } from './efficiency.js';

const fit = (over: Partial<Calibration>): Calibration => ({
  family: 'hopper', engine: 'vllm', efficiencies: CUDA_PRIOR, source: 'fitted', fittedRows: 100, note: 'test',
  errorBand: { ttftMedian: 0.2, ttftP90: 0.5, tpotMedian: 0.1, tpotP90: 0.3 }, ...over,
});

describe('calibrationFor', () => {
  const table = [fit({}), fit({ family: 'blackwell', engine: 'sglang', accelerator: 'b200-sxm' })];
  it('uses a fit of the accelerator family with the same engine as fitted', () => {
    const c = calibrationFor(getAccelerator('h200-sxm'), 'vllm', 'agg', table);
    expect(c.source).toBe('fitted');
  });
  it('transfers a sibling accelerator fit with a widened band', () => {
    const c = calibrationFor(getAccelerator('gb200'), 'sglang', 'agg', table);
    expect(c.source).toBe('transferred');
    expect(c.errorBand.tpotMedian).toBeCloseTo(0.125);
    expect(c.note).toMatch(/b200-sxm/);
  });
  it('transfers across families (A100 from Hopper) with a wider band', () => {
    const c = calibrationFor(getAccelerator('a100-80g'), 'vllm', 'agg', table);
    expect(c.source).toBe('transferred');
    expect(c.errorBand.tpotMedian).toBeCloseTo(0.15);
  });
  it('falls back to the domestic prior, marked as an assumption, for chips without measurements', () => {
    const c = calibrationFor(getAccelerator('ascend-910c'), 'mindie', 'agg', table);
    expect(c.source).toBe('prior');
    expect(c.efficiencies).toBe(DOMESTIC_PRIOR);
    expect(c.note).toMatch(/ASSUMPTION/);
    expect(c.errorBand.tpotMedian).toBeGreaterThan(0.3);
  });
  it('treats the in-house chip like an H20: Hopper fits transferred, as PRODUCT.md assumes', () => {
    const c = calibrationFor(getAccelerator('inhouse-h20class'), 'vllm', 'agg', table);
    expect(c.source).toBe('transferred');
    expect(c.efficiencies).toBe(table[0]!.efficiencies);
  });
  it('uses the CUDA prior for AMD without a transfer target for the engine', () => {
    const c = calibrationFor(getAccelerator('mi300x'), 'sglang', 'agg', []);
    expect(c.source).toBe('prior');
    expect(c.efficiencies).toBe(CUDA_PRIOR);
  });
  it('keeps fits of disaggregated rows for disaggregated deployments; those without one take the aggregated fit', () => {
    const disaggEff = { ...CUDA_PRIOR, requestOverheadMs: 400 };
    const t = [fit({}), fit({ mode: 'disagg', efficiencies: disaggEff }), fit({ family: 'blackwell', engine: 'trtllm', mode: 'disagg', efficiencies: disaggEff })];
    const h200 = getAccelerator('h200-sxm');
    expect(calibrationFor(h200, 'vllm', 'agg', t).efficiencies).toBe(CUDA_PRIOR);
    expect(calibrationFor(h200, 'vllm', 'disagg', t).efficiencies).toBe(disaggEff);
    expect(calibrationFor(h200, 'vllm', 'disagg', [fit({})]).efficiencies).toBe(CUDA_PRIOR);
    // An aggregated B200 deployment never takes the disaggregated fit: without an aggregated one it is a prior here.
    const agg = calibrationFor(getAccelerator('b200-sxm'), 'trtllm', 'agg', t);
    expect(agg.efficiencies).not.toBe(disaggEff);
    expect(calibrationFor(getAccelerator('b200-sxm'), 'trtllm', 'disagg', t)).toMatchObject({ source: 'fitted', mode: 'disagg' });
  });
  it("gives the generic engine its own family's vLLM fit before another family's", () => {
    const blackwellEff = { ...CUDA_PRIOR, gemmCompute: 0.3 };
    const t = [fit({}), fit({ family: 'blackwell', engine: 'vllm', efficiencies: blackwellEff })];
    const c = calibrationFor(getAccelerator('h200-sxm'), 'generic', 'agg', t);
    expect(c.source).toBe('transferred');
    expect(c.efficiencies).toBe(t[0]!.efficiencies);
    expect(c.note).toMatch(/from hopper\/vllm/);
    expect(calibrationFor(getAccelerator('b200-sxm'), 'generic', 'agg', t).efficiencies).toBe(blackwellEff);
  });
});
