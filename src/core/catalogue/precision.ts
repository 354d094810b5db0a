/** @module Numeric precisions and their storage sizes. */

export const PRECISIONS = ['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Compute precisions for which accelerators publish a peak (fp16 runs at the bf16 rate, int4 at the fp4 rate). */
export type PeakPrecision = 'bf16' | 'fp8' | 'int8' | 'fp4';

/**
 * Bytes per stored element, including block-scale overhead for 4-bit formats
 * (NVFP4/MXFP4: one 8-bit scale per 16 or 32 values; we use 1/16).
 */
export const BYTES_PER_ELEMENT: Readonly<Record<Precision, number>> = {
  fp32: 4,
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  fp4: 0.5 + 1 / 16,
  int4: 0.5 + 1 / 16,
};

/** The peak table to use for GEMMs whose weights and activations run in `p`. */
export function peakPrecisionFor(p: Precision): PeakPrecision {
  switch (p) {
    case 'fp32':
    case 'bf16':
    case 'fp16':
      return 'bf16';
    case 'fp8':
      return 'fp8';
    case 'int8':
      return 'int8';
    case 'fp4':
    case 'int4':
      return 'fp4';
  }
}

export function isPrecision(s: string): s is Precision {
  return (PRECISIONS as readonly string[]).includes(s);
}
