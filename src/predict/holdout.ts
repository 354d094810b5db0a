/**
 * @module The split between rows the calibration may fit and rows it must
 * predict blind: whole models held out (predicted from their config alone),
 * plus a deterministic 20% of the remaining rows by a hash of the row id.
 */

/** Models never shown to the fitter: a dense GQA model and a MoE model. */
export const HELD_OUT_MODELS: readonly string[] = ['Qwen/Qwen3-32B', 'Qwen/Qwen3-235B-A22B-FP8', 'nvidia/Qwen3-32B-NVFP4'];

/** FNV-1a 32-bit hash. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export type Split = 'train' | 'holdout-row' | 'holdout-model';

export function splitOf(row: { id: string; modelPath: string }): Split {
  if (HELD_OUT_MODELS.includes(row.modelPath)) return 'holdout-model';
  return fnv1a(row.id) % 5 === 0 ? 'holdout-row' : 'train';
}
