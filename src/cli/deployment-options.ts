/** @module The parallel layout and precisions a command's --tp/--pp/--dp/--ep/--precision/--kv-precision options describe. */
import type { Precision } from '../core/catalogue/precision.js';
import type { ParallelConfig, PrecisionConfig, SpeculativeConfig } from '../core/perf/deployment.js';
import { InvalidInputError } from '../core/errors.js';

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

/**
 * The acceptance rate assumed when only --speculative-tokens is given: a middle value of what drafters reach on
 * chat traffic (EAGLE-style heads and DeepSeek's MTP report 0.6-0.9 per token). An ASSUMPTION, shown as such.
 */
export const DEFAULT_ACCEPTANCE_RATE = 0.7;

/** --speculative-tokens and --acceptance-rate (already checked for range) as a deployment's speculative decoding. */
export function speculativeFromOptions(o: { readonly speculativeTokens?: number; readonly acceptanceRate?: number }): SpeculativeConfig | undefined {
  if (o.speculativeTokens === undefined) {
    if (o.acceptanceRate !== undefined) throw new InvalidInputError('an acceptance rate needs --speculative-tokens (the tokens drafted per step)', '--acceptance-rate');
    return undefined;
  }
  return { draftTokens: o.speculativeTokens, acceptanceRate: o.acceptanceRate ?? DEFAULT_ACCEPTANCE_RATE };
}
