/**
 * @module Which efficiencies apply to an (accelerator, engine) pair: the fit
 * for its family and engine when there is one, else a transfer from the
 * nearest fitted family, else a documented prior, each with its error band.
 */
import type { AcceleratorFamily, AcceleratorSpec, EngineId } from '../catalogue/accelerator-spec.js';
import { CALIBRATIONS } from './calibration-data.js';
import { CUDA_PRIOR, DOMESTIC_PRIOR, type Calibration, type DeploymentMode, type ErrorBand } from './efficiency.js';

/** Families whose fits transfer to a family without measurements, nearest first. */
const TRANSFER: Partial<Record<AcceleratorFamily, readonly AcceleratorFamily[]>> = {
  ampere: ['hopper'],
  hopper: ['blackwell'],
  blackwell: ['blackwell-ultra', 'hopper'],
  'blackwell-ultra': ['blackwell', 'hopper'],
  'blackwell-workstation': ['blackwell', 'hopper'],
  cdna3: ['hopper'],
  cdna4: ['blackwell', 'hopper'],
  // ASSUMPTION (PRODUCT.md): the in-house chip's samples perform like an H20, so it borrows the Hopper fits.
  inhouse: ['hopper'],
};

/** Error band of an uncalibrated prior: wide, on purpose (ASSUMPTION until measurements arrive). */
const PRIOR_BAND: ErrorBand = { ttftMedian: 0.5, ttftP90: 1.0, tpotMedian: 0.35, tpotP90: 0.7 };

function widen(b: ErrorBand, factor: number): ErrorBand {
  return { ttftMedian: b.ttftMedian * factor, ttftP90: b.ttftP90 * factor, tpotMedian: b.tpotMedian * factor, tpotP90: b.tpotP90 * factor };
}

const CUDA_FAMILIES: ReadonlySet<AcceleratorFamily> = new Set(['ampere', 'hopper', 'blackwell', 'blackwell-ultra', 'blackwell-workstation']);

/**
 * The calibration of `acc` with `engine` for a deployment of `mode` (default aggregated). A fit of that mode
 * comes first; a disaggregated deployment without one takes the aggregated fit (its engines are the same),
 * never the reverse: a fit on disaggregated rows carries the costs of the stack around them.
 */
export function calibrationFor(acc: AcceleratorSpec, engine: EngineId, mode: DeploymentMode = 'agg', all: readonly Calibration[] = CALIBRATIONS): Calibration {
  if (mode === 'disagg') {
    const own = pick(acc, engine, all.filter((c) => c.mode === 'disagg'));
    if (own.source === 'fitted') return own;
  }
  return pick(acc, engine, all.filter((c) => c.mode !== 'disagg'));
}

function pick(acc: AcceleratorSpec, engine: EngineId, table: readonly Calibration[]): Calibration {
  const exact = table.find((c) => c.accelerator === acc.id && c.engine === engine && c.source === 'fitted');
  if (exact) return exact;
  // A fit of the whole family with this engine.
  const family = table.find((c) => c.accelerator === undefined && c.family === acc.family && c.engine === engine && c.source === 'fitted');
  if (family) return family;
  // A sibling of the same family with the same engine (the one fitted on most rows).
  const sibling = table
    .filter((c) => c.family === acc.family && c.engine === engine && c.source === 'fitted')
    .sort((a, b) => b.fittedRows - a.fittedRows)[0];
  if (sibling) {
    return {
      ...sibling,
      accelerator: acc.id,
      source: 'transferred',
      errorBand: widen(sibling.errorBand, 1.25),
      note: `transferred from ${sibling.accelerator ?? sibling.family}/${engine} (same family, no measurements of ${acc.id}); error band widened 1.25x`,
    };
  }
  const engineFallback: EngineId = engine === 'generic' || engine === 'mindie' ? 'vllm' : engine;
  // The generic engine and MindIE borrow the vLLM fit: of the same family first, where the engine differs.
  const families = engineFallback === engine ? (TRANSFER[acc.family] ?? []) : [acc.family, ...(TRANSFER[acc.family] ?? [])];
  for (const fam of families) {
    const t = table
      .filter((c) => c.family === fam && c.engine === engineFallback && c.source === 'fitted')
      .sort((a, b) => b.fittedRows - a.fittedRows)[0];
    if (t) {
      return {
        ...t,
        accelerator: acc.id,
        family: acc.family,
        engine,
        source: 'transferred',
        errorBand: widen(t.errorBand, 1.5),
        note: `transferred from ${t.accelerator ?? fam}/${t.engine} (no measurements of ${acc.family}/${engine}); error band widened 1.5x`,
      };
    }
  }
  const cuda = CUDA_FAMILIES.has(acc.family) || acc.vendor === 'AMD';
  return {
    family: acc.family,
    engine,
    efficiencies: cuda ? CUDA_PRIOR : DOMESTIC_PRIOR,
    errorBand: PRIOR_BAND,
    source: 'prior',
    fittedRows: 0,
    note: cuda
      ? 'prior for mature CUDA/ROCm engines (no measurements of this family and engine)'
      : 'ASSUMPTION: prior for young software stacks (no public measurements); see docs/calibration.md',
  };
}
