/**
 * The step-time model against kernels timed on a real H200 (data/kernels/h200-sxm-torch.csv, made by
 * bench/device/kernels.py): per kind of work, the median and worst error of the model's term, with
 * (a) the efficiencies that best fit the kernels themselves (a small grid search, printed) and
 * (b) each fitted Hopper calibration, whose factors also absorb what its engine does around the kernels.
 * Run: npm run bench:kernels
 */
import { readFileSync } from 'node:fs';
import { getAccelerator } from '../src/core/catalogue/find-accelerator.js';
import { resolveModel } from '../src/config/model-registry.js';
import { CALIBRATIONS } from '../src/core/perf/calibration-data.js';
import { CUDA_PRIOR, type Efficiencies } from '../src/core/perf/efficiency.js';
import { compareMoeWithKernels, compareWithKernels, h200TimedModels, parseKernelTimings, summariseKernelComparisons, type KernelComparison } from '../src/predict/kernel-check.js';

const file = new URL('../data/kernels/h200-sxm-torch.csv', import.meta.url);
const timings = [
  ...parseKernelTimings(readFileSync(file, 'utf8'), 'data/kernels/h200-sxm-torch.csv'),
  ...parseKernelTimings(readFileSync(new URL('../data/kernels/h200-sxm-torch-moe.csv', import.meta.url), 'utf8'), 'data/kernels/h200-sxm-torch-moe.csv'),
];
const h200 = getAccelerator('h200-sxm');
const { shapes, stepModel } = h200TimedModels((name) => resolveModel(name).spec);
const run = (eff: Efficiencies) => [...compareWithKernels(timings, h200, eff, shapes, stepModel), ...compareMoeWithKernels(timings, h200, eff)];

const logErr = (c: KernelComparison) => Math.abs(Math.log(c.predictedMs / c.measuredMs));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

// (a) Efficiencies of the kernels themselves: per rate, the grid point with the smallest squared log error
// on the rows that rate governs (large M for compute, M <= 16 bf16 and large decode batches for bandwidth,
// long prompts for attention), so that small kernels' fixed costs do not drag the rates down.
const num = (c: KernelComparison, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(c.what)?.[1]);
type Pick = (c: KernelComparison) => boolean;
function bestFor(pick: Pick, key: 'gemmCompute' | 'memory' | 'attentionCompute', grid: number[], base: Efficiencies): number {
  let best = grid[0] as number;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (const v of grid) {
    const loss = run({ ...base, [key]: v }).filter(pick).reduce((s, c) => s + logErr(c) ** 2, 0);
    if (loss < bestLoss) [best, bestLoss] = [v, loss];
  }
  return best;
}
const grid = (lo: number, hi: number) => Array.from({ length: Math.round((hi - lo) / 0.01) + 1 }, (_, i) => Math.round((lo + i * 0.01) * 100) / 100);
const memoryRows: Pick = (c) =>
  (c.kind === 'dense-gemm' && c.what.includes('bf16') && num(c, 'M') <= 16) || (c.kind === 'attention-decode' && num(c, 'B') * num(c, 'ctx') >= 32 * 4096);
let kernelEff: Efficiencies = { ...CUDA_PRIOR };
for (let pass = 0; pass < 2; pass++) {
  kernelEff = { ...kernelEff, memory: bestFor(memoryRows, 'memory', grid(0.5, 0.95), kernelEff) };
  kernelEff = { ...kernelEff, gemmCompute: bestFor((c) => c.kind === 'dense-gemm' && num(c, 'M') >= 512, 'gemmCompute', grid(0.4, 0.9), kernelEff) };
  kernelEff = { ...kernelEff, attentionCompute: bestFor((c) => c.kind === 'attention-prefill' && num(c, 'S') >= 4096, 'attentionCompute', grid(0.2, 0.9), kernelEff) };
}

function table(label: string, eff: Efficiencies): void {
  const cs = run(eff);
  console.log(`\n${label}: GEMM ${eff.gemmCompute}, memory ${eff.memory}, attention ${eff.attentionCompute} (engine fixed costs left out)`);
  console.log('  kind               rows  median |err|  p90 |err|  mean bias (pred/meas)  worst');
  for (const s of summariseKernelComparisons(cs)) {
    const worst = cs.filter((c) => c.kind === s.kind).reduce((a, c) => (logErr(c) > logErr(a) ? c : a));
    console.log(
      `  ${s.kind.padEnd(18)} ${String(s.rows).padStart(4)}  ${pct(s.medianError).padStart(12)}  ${pct(s.p90Error).padStart(9)}  ${s.bias.toFixed(2).padStart(21)}  ${worst.what}: ${worst.predictedMs.toFixed(3)} vs ${worst.measuredMs.toFixed(3)} ms`,
    );
  }
}

console.log(`${timings.length} timings from data/kernels/ (NVIDIA H200, torch 2.11 + CUDA 13.0: cuBLAS GEMMs, SDPA flash attention, grouped GEMMs)`);
table('(a) efficiencies fitted to the kernels', kernelEff);
for (const c of CALIBRATIONS.filter((x) => x.family === 'hopper')) table(`(b) calibration hopper/${c.engine}`, c.efficiencies);
