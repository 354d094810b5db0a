/** @module Which weight and KV-cache precision the configuration search serves a model at on a chip. */
import type { AcceleratorFamily, AcceleratorSpec } from '../core/catalogue/accelerator-spec.js';
import type { Precision } from '../core/catalogue/precision.js';

/**
 * Families whose fp4 (NVFP4 with fine-grained block scales) serves at accuracy
 * close to fp8, so the search may choose it (ASSUMPTION: other chips with an
 * fp4 peak are kept at 8 bits until their quantisation quality is established).
 */
const FP4_FAMILIES: ReadonlySet<AcceleratorFamily> = new Set(['blackwell', 'blackwell-ultra', 'blackwell-workstation']);

/** The narrowest weight precision the chip runs natively: fp4 (Blackwell-class with a known fp4 peak), fp8, int8, else bf16. */
export function weightPrecisionFor(acc: AcceleratorSpec): Precision {
  if (acc.precisions.includes('fp4') && acc.peakFlopsPerSecond.fp4.value !== null && FP4_FAMILIES.has(acc.family)) return 'fp4';
  if (acc.precisions.includes('fp8')) return 'fp8';
  if (acc.precisions.includes('int8')) return 'int8';
  return 'bf16';
}

/** KV cache in fp8 where the chip has it, else int8, else bf16. */
export function kvPrecisionFor(acc: AcceleratorSpec): Precision {
  if (acc.precisions.includes('fp8')) return 'fp8';
  if (acc.precisions.includes('int8')) return 'int8';
  return 'bf16';
}
