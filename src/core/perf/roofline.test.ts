import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../catalogue/find-accelerator.js';
import { resolveModel } from '../../config/model-registry.js';
import { calibrationFor } from './calibration.js';
import { makeDeployment } from './deployment.js';
import type { Efficiencies } from './efficiency.js';
import { DECODE_BATCHES, PREFILL_CHUNKS, rooflineOf } from './roofline.js';
import { compileStepModel } from './step-time.js';

/** Perfect hardware use and no fixed costs. */
const IDEAL: Efficiencies = {
  gemmCompute: 1, memory: 1, attentionCompute: 1, comm: 1, commLatencyUs: 0, a2aLatencyUs: 0, moeImbalance: 1,
  stepOverheadMs: 0, prefillOverheadMs: 0, perSequenceUs: 0, perLayerUs: 0, requestOverheadMs: 0,
};

const llama8 = resolveModel('meta-llama/Llama-3.1-8B').spec;
const h200 = getAccelerator('h200-sxm');
const d = makeDeployment({ model: llama8, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8', kv: 'fp8' } });

describe('rooflineOf', () => {
  it('uses the fp8 peak and the HBM bandwidth of the H200: ridge = 1.979e15 / 4.8e12 = 412 FLOP/byte', () => {
    const r = rooflineOf(d, compileStepModel(d, IDEAL));
    expect(r.peakFlopsPerSecond).toBe(1.979e15);
    expect(r.memoryBytesPerSecond).toBe(4.8e12);
    expect(r.ridgeFlopsPerByte).toBeCloseTo(412.3, 1);
    expect(r.points.filter((p) => p.phase === 'decode').map((p) => p.batch)).toEqual([...DECODE_BATCHES]);
    expect(r.points.filter((p) => p.phase === 'prefill').map((p) => p.tokens)).toEqual([...PREFILL_CHUNKS]);
  });

  it('attainable = min(peak, intensity x bandwidth); intensity grows with the batch; prefill is compute-bound', () => {
    const r = rooflineOf(d, compileStepModel(d, IDEAL));
    for (const p of r.points) expect(p.attainableFlopsPerSecond).toBe(Math.min(r.peakFlopsPerSecond, p.flopsPerByte * r.memoryBytesPerSecond));
    const decode = r.points.filter((p) => p.phase === 'decode');
    for (let i = 1; i < decode.length; i++) expect(decode[i]!.flopsPerByte).toBeGreaterThan(decode[i - 1]!.flopsPerByte);
    // fp8 weights at batch 1: about 2 FLOPs per weight byte (the bf16 LM head and the KV pull it lower).
    expect(decode[0]!.flopsPerByte).toBeGreaterThan(1.5);
    expect(decode[0]!.flopsPerByte).toBeLessThan(2);
    const bigPrefill = r.points.at(-1)!;
    expect(bigPrefill.flopsPerByte).toBeGreaterThan(r.ridgeFlopsPerByte);
    expect(bigPrefill.attainableFlopsPerSecond).toBe(r.peakFlopsPerSecond);
  });

  it('the ideal model never beats the roofline; the calibrated one is slower still', () => {
    const ideal = rooflineOf(d, compileStepModel(d, IDEAL));
    const calibrated = rooflineOf(d, compileStepModel(d, calibrationFor(h200, 'vllm').efficiencies));
    ideal.points.forEach((p, i) => {
      // The step-time roof is a smooth max (up to 1.26x the larger term), and attention runs at the bf16 peak: never above.
      expect(p.predictedFlopsPerSecond).toBeLessThanOrEqual(p.attainableFlopsPerSecond * 1.0001);
      expect(calibrated.points[i]!.predictedFlopsPerSecond).toBeLessThan(p.predictedFlopsPerSecond);
      expect(p.predictedFlopsPerSecond).toBeGreaterThan(0);
    });
    // Batch-1 decode is weight streaming: the ideal model reaches most of the memory roof.
    expect(ideal.points[0]!.predictedFlopsPerSecond / ideal.points[0]!.attainableFlopsPerSecond).toBeGreaterThan(0.9);
  });

  it('leaves out decode batches whose KV does not fit', () => {
    const r = rooflineOf(d, compileStepModel(d, IDEAL), { kvCapacityTokens: 20_000 });
    expect(r.points.filter((p) => p.phase === 'decode').map((p) => p.batch)).toEqual([1, 2, 4, 8]);
  });
});
