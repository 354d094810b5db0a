/**
 * @module The rates of an accelerator the step-time model needs, with the
 * documented fallbacks used where the catalogue has no figure.
 */
import type { AcceleratorSpec } from '../catalogue/accelerator-spec.js';
import type { PeakPrecision, Precision } from '../catalogue/precision.js';
import { peakPrecisionFor } from '../catalogue/precision.js';
import { TokenfleetError } from '../errors.js';

/** The accelerator lacks a figure the model cannot do without. */
export class UnsupportedError extends TokenfleetError {
  override readonly exitCode = 2;
}

export interface HardwareRates {
  /** Memory bandwidth, bytes/s. */
  readonly memoryBandwidth: number;
  /** Dense bf16 peak, FLOP/s. */
  readonly bf16Flops: number;
  /** Scale-up bandwidth per chip per direction, bytes/s. */
  readonly scaleUpBandwidth: number;
  /** Chips in a scale-up domain. */
  readonly scaleUpDomain: number;
  /** Scale-out bandwidth per chip per direction, bytes/s. */
  readonly scaleOutBandwidth: number;
  /** Assumptions made to fill gaps (shown with predictions). */
  readonly assumptions: readonly string[];
}

/** PCIe Gen5 x16, one direction: the floor when no interconnect figure exists (ASSUMPTION). */
const PCIE5_BYTES_PER_SECOND = 64e9;
/** 400 Gb/s NIC per chip, one direction: the default scale-out (ASSUMPTION). */
const DEFAULT_SCALE_OUT_BYTES_PER_SECOND = 50e9;

export function hardwareRates(acc: AcceleratorSpec): HardwareRates {
  const assumptions: string[] = [];
  const bw = acc.memoryBandwidthBytesPerSecond.value;
  if (bw === null) throw new UnsupportedError(`the memory bandwidth of ${acc.id} is unknown; set it with an accelerator override`);
  let bf16 = acc.peakFlopsPerSecond.bf16.value;
  if (bf16 === null) {
    const fp8 = acc.peakFlopsPerSecond.fp8.value;
    const int8 = acc.peakFlopsPerSecond.int8.value;
    if (fp8 !== null) {
      bf16 = fp8 / 2;
      assumptions.push(`${acc.id}: bf16 peak unknown, assumed half the fp8 peak`);
    } else if (int8 !== null) {
      bf16 = int8 / 2;
      assumptions.push(`${acc.id}: bf16 peak unknown, assumed half the int8 peak`);
    } else {
      throw new UnsupportedError(`no compute peak of ${acc.id} is known; set one with an accelerator override`);
    }
  }
  let up = acc.scaleUp.bandwidthBytesPerSecond.value;
  if (up === null) {
    up = PCIE5_BYTES_PER_SECOND;
    assumptions.push(`${acc.id}: scale-up bandwidth unknown, assumed PCIe Gen5 x16 (64 GB/s)`);
  }
  const domain = acc.scaleUp.domainSize.value ?? 8;
  const out = acc.scaleOut.bandwidthBytesPerSecond.value ?? DEFAULT_SCALE_OUT_BYTES_PER_SECOND;
  return { memoryBandwidth: bw, bf16Flops: bf16, scaleUpBandwidth: up, scaleUpDomain: domain, scaleOutBandwidth: out, assumptions };
}

/**
 * Peak FLOP/s for GEMMs in precision `p`. A precision the chip lacks runs as
 * weight-only quantisation at the next wider rate it has (fp8 -> bf16); fp4
 * weights on a chip without fp4 units compute at `fp4Fallback`: 'fp8' where
 * the engine quantises the activations to fp8 (W4A8), 'bf16' for weight-only
 * kernels (W4A16).
 */
export function gemmPeak(acc: AcceleratorSpec, rates: HardwareRates, p: Precision, fp4Fallback: 'fp8' | 'bf16' = 'fp8'): number {
  const order: readonly PeakPrecision[] = ['fp4', 'fp8', 'int8', 'bf16'];
  const want = peakPrecisionFor(p);
  const start = order.indexOf(want);
  for (let i = start; i < order.length; i++) {
    const key = order[i]!;
    if (key === 'int8' && want !== 'int8') continue;
    if (key === 'fp8' && want === 'fp4' && fp4Fallback === 'bf16') continue;
    if (key === 'bf16') return rates.bf16Flops;
    const v = acc.peakFlopsPerSecond[key].value;
    if (v !== null && acc.precisions.includes(key === 'fp4' ? 'fp4' : key)) return v;
  }
  return rates.bf16Flops;
}
