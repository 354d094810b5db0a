/**
 * @module The roofline of a deployment: for decode steps (batch 1..256 at a
 * fixed context) and prefill chunks (128..8192 tokens), the arithmetic
 * intensity of the step (FLOP per byte moved, operation-totals.ts), the
 * FLOP/s the roofline allows at that intensity (min(peak, intensity x
 * bandwidth)) and the FLOP/s the calibrated step-time model predicts
 * (FLOPs / predicted step time). All per device.
 */
import { getEngine } from '../catalogue/engines.js';
import type { Deployment } from './deployment.js';
import { gemmPeak } from './hardware-rates.js';
import { operationTotals } from './operation-totals.js';
import { batchOf, type StepModel } from './step-time.js';

export interface RooflinePoint {
  readonly phase: 'decode' | 'prefill';
  /** Sequences in the step. */
  readonly batch: number;
  /** New tokens in the step: the batch when decoding, the chunk when prefilling. */
  readonly tokens: number;
  /** Context of each decoding sequence, or the prefill chunk, tokens. */
  readonly contextTokens: number;
  readonly flopsPerByte: number;
  /** min(peak, intensity x bandwidth), FLOP/s. */
  readonly attainableFlopsPerSecond: number;
  /** FLOPs / predicted step time, FLOP/s. */
  readonly predictedFlopsPerSecond: number;
  /** Predicted step time, ms. */
  readonly stepMs: number;
}

export interface Roofline {
  /** GEMM peak at the weights' precision, FLOP/s. */
  readonly peakFlopsPerSecond: number;
  /** Memory bandwidth, bytes/s. */
  readonly memoryBytesPerSecond: number;
  /** Intensity where the two roofs meet, FLOP/byte. */
  readonly ridgeFlopsPerByte: number;
  readonly points: readonly RooflinePoint[];
}

export const DECODE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
export const PREFILL_CHUNKS = [128, 256, 512, 1024, 2048, 4096, 8192] as const;

export interface RooflineOptions {
  /** Context of each decoding sequence, tokens; default 2048. */
  readonly decodeContextTokens?: number;
  /** Tokens the KV cache holds; decode batches that would not fit are left out. Default: no limit. */
  readonly kvCapacityTokens?: number;
}

export function rooflineOf(d: Deployment, model: StepModel, opts: RooflineOptions = {}): Roofline {
  const ctx = opts.decodeContextTokens ?? 2048;
  const capacity = opts.kvCapacityTokens ?? Number.POSITIVE_INFINITY;
  const peak = gemmPeak(d.accelerator, model.rates, d.precision.weights, getEngine(d.engine).fp4WithoutFp4Units);
  const bw = model.rates.memoryBandwidth;
  const point = (phase: RooflinePoint['phase'], batch: number, tokens: number, contextTokens: number, shape: ReturnType<typeof batchOf>): RooflinePoint => {
    const { flops, bytes } = operationTotals(d, shape);
    const stepMs = model.stepTimeMs(shape);
    const intensity = flops / bytes;
    return { phase, batch, tokens, contextTokens, flopsPerByte: intensity, attainableFlopsPerSecond: Math.min(peak, intensity * bw), predictedFlopsPerSecond: flops / (stepMs / 1000), stepMs };
  };
  const points: RooflinePoint[] = [];
  for (const batch of DECODE_BATCHES) {
    if (batch * (ctx + 1) > capacity) break;
    points.push(point('decode', batch, batch, ctx, batchOf([], new Array<number>(batch).fill(ctx))));
  }
  for (const chunk of PREFILL_CHUNKS) {
    if (chunk > capacity) break;
    points.push(point('prefill', 1, chunk, chunk, batchOf([{ tokens: chunk }], [])));
  }
  return { peakFlopsPerSecond: peak, memoryBytesPerSecond: bw, ridgeFlopsPerByte: peak / bw, points };
}
