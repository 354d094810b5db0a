/** @module The shape of one accelerator in the catalogue. */
import type { Fact } from './fact.js';
import type { PeakPrecision, Precision } from './precision.js';

export const ENGINE_IDS = ['vllm', 'sglang', 'trtllm', 'mindie', 'generic'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export const VENDORS = [
  'Nvidia', 'AMD', 'Huawei', 'Cambricon', 'Moore Threads', 'MetaX', 'Kunlunxin', 'Hygon', 'Biren', 'ByteDance',
] as const;
export type Vendor = (typeof VENDORS)[number];

/**
 * Calibration family: accelerators whose software stack and micro-architecture
 * behave alike, so efficiencies fitted on one member transfer to the others.
 */
export const ACCELERATOR_FAMILIES = [
  'ampere', 'hopper', 'blackwell', 'blackwell-ultra', 'blackwell-workstation',
  'cdna3', 'cdna4', 'ascend', 'cambricon', 'moore-threads', 'metax', 'kunlun', 'hygon', 'biren', 'inhouse',
] as const;
export type AcceleratorFamily = (typeof ACCELERATOR_FAMILIES)[number];

export interface AcceleratorSpec {
  /** Kebab-case id, e.g. `h200-sxm`. */
  readonly id: string;
  readonly name: string;
  readonly vendor: Vendor;
  readonly family: AcceleratorFamily;
  /** Other accepted ids, e.g. AIConfigurator's `h200_sxm`. */
  readonly aliases: readonly string[];
  /** Device memory, bytes. */
  readonly memoryBytes: Fact<number>;
  /** Memory type, e.g. "HBM3e". */
  readonly memoryType: Fact<string>;
  /** Device memory bandwidth, bytes per second. */
  readonly memoryBandwidthBytesPerSecond: Fact<number>;
  /** Dense peak throughput per precision, FLOP/s (int8: OP/s). Vendors' sparse figures are halved. */
  readonly peakFlopsPerSecond: Readonly<Record<PeakPrecision, Fact<number>>>;
  /** Scale-up interconnect (NVLink, HCCS, MLU-Link, ...). */
  readonly scaleUp: {
    readonly name: Fact<string>;
    /** Per-chip bandwidth, bytes per second, one direction. */
    readonly bandwidthBytesPerSecond: Fact<number>;
    /** Chips in one scale-up domain. */
    readonly domainSize: Fact<number>;
  };
  /** Scale-out network between scale-up domains. */
  readonly scaleOut: {
    readonly name: Fact<string>;
    /** Per-chip bandwidth, bytes per second, one direction. */
    readonly bandwidthBytesPerSecond: Fact<number>;
  };
  /** Board power, watts. */
  readonly tdpWatts: Fact<number>;
  /** Price per chip, USD. */
  readonly priceUsd: Fact<number>;
  /** When the price estimate was made, YYYY-MM. */
  readonly priceDate: string;
  /** First availability, YYYY or YYYY-MM or YYYY-Qn. */
  readonly availableFrom: Fact<string>;
  /** Precisions the hardware runs natively. */
  readonly precisions: readonly Precision[];
  /** Serving engines known to run on it. */
  readonly engines: readonly EngineId[];
  /** Export / import status for China in 2026, as reported. */
  readonly exportStatus: string;
  /** Free-form caveats (uncertain fields, placeholders). */
  readonly notes?: string;
}
