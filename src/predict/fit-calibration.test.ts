import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { CUDA_PRIOR, type Efficiencies } from '../core/perf/efficiency.js';
import { fitEfficiencies, lossOf } from './fit-calibration.js';
import { predictRow, type ModelResolver } from './predict-rows.js';
import { parseSiliconCsv } from './silicon-row.js';

const resolve: ModelResolver = (name) => {
  const r = resolveModel(name);
  return { spec: r.spec, file: r.file, matchedBy: r.matchedBy };
};
const header = 'id,backend,model_path,system,mode,isl,osl,batch_size,tp_size,silicon_ttft_ms,silicon_tpot_ms';

/** A row whose measurements are what the model predicts with `truth`. */
function rowMeasuredWith(truth: Efficiencies) {
  const [bare] = parseSiliconCsv(`${header}\nr1,vllm,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,agg,1024,128,4,1,,\n`, 'rows.csv');
  const p = predictRow(bare!, resolve, { efficiencies: () => truth });
  return parseSiliconCsv(`${header}\nr1,vllm,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,agg,1024,128,4,1,${p.ttftMs},${p.tpotMs}\n`, 'rows.csv');
}

describe('fitEfficiencies', () => {
  it('walks a factor far from the prior within a few sweeps (a line search per key, not one step per sweep)', () => {
    // A request overhead 10x the prior's: one step of e^0.4 per sweep would reach only 30 * e^0.8 = 67 ms in two sweeps.
    const rows = rowMeasuredWith({ ...CUDA_PRIOR, requestOverheadMs: 300 });
    const start = lossOf(rows, resolve, CUDA_PRIOR);
    const fit = fitEfficiencies(rows, resolve, CUDA_PRIOR, { maxRows: 1, sweeps: 2 });
    expect(fit.efficiencies.requestOverheadMs).toBeGreaterThan(100);
    expect(fit.loss).toBeLessThan(start / 4);
  });

  it('never leaves the documented bounds', () => {
    const rows = rowMeasuredWith({ ...CUDA_PRIOR, requestOverheadMs: 5000 });
    const fit = fitEfficiencies(rows, resolve, CUDA_PRIOR, { maxRows: 1, sweeps: 3 });
    expect(fit.efficiencies.requestOverheadMs).toBeLessThanOrEqual(500);
  });

  it('started at a fit, never ends with a higher loss than it started with (what calibrate --start committed relies on)', () => {
    const truth = { ...CUDA_PRIOR, gemmCompute: 0.5, requestOverheadMs: 80 };
    const rows = rowMeasuredWith(truth);
    const fit = fitEfficiencies(rows, resolve, truth, { maxRows: 1, sweeps: 2 });
    expect(fit.loss).toBeLessThanOrEqual(lossOf(rows, resolve, truth));
    expect(fit.efficiencies).toEqual(truth);
  });
});
