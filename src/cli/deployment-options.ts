/** @module The parallel layout and precisions a command's --tp/--pp/--dp/--ep/--precision/--kv-precision options describe. */
import type { Precision } from '../core/catalogue/precision.js';
import type { ParallelConfig, PrecisionConfig } from '../core/perf/deployment.js';

export interface LayoutOptions {
  readonly tp: number;
  readonly pp: number;
  readonly dp: number;
  readonly ep?: number;
  readonly precision?: string;
  readonly kvPrecision?: string;
}

/** Options already validated by commander's choices; unset precisions fall back to the deployment defaults. */
export function layoutFromOptions(o: LayoutOptions): { parallel: Partial<ParallelConfig>; precision: Partial<PrecisionConfig> } {
  return {
    parallel: { tp: o.tp, pp: o.pp, dp: o.dp, ...(o.ep !== undefined ? { ep: o.ep } : {}) },
    precision: {
      ...(o.precision ? { weights: o.precision as Precision, moeWeights: o.precision as Precision } : {}),
      ...(o.kvPrecision ? { kv: o.kvPrecision as Precision } : {}),
    },
  };
}
