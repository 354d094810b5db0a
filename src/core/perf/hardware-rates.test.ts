import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../catalogue/find-accelerator.js';
import { getEngine } from '../catalogue/engines.js';
import { gemmPeak, hardwareRates } from './hardware-rates.js';

describe('gemmPeak: the rate of a GEMM in a precision the chip may lack', () => {
  const h100 = getAccelerator('h100-sxm');
  const b200 = getAccelerator('b200-sxm');
  const h100Rates = hardwareRates(h100);

  it('fp4 weights on Hopper (no fp4 units) compute at bf16 with weight-only kernels, at fp8 with W4A8 kernels', () => {
    expect(gemmPeak(h100, h100Rates, 'fp4', 'bf16')).toBe(h100.peakFlopsPerSecond.bf16.value);
    expect(gemmPeak(h100, h100Rates, 'fp4', 'fp8')).toBe(h100.peakFlopsPerSecond.fp8.value);
    // vLLM and SGLang dequantise MXFP4 to bf16 on Hopper; TensorRT-LLM quantises the activations to fp8.
    expect(getEngine('vllm').fp4WithoutFp4Units).toBe('bf16');
    expect(getEngine('sglang').fp4WithoutFp4Units).toBe('bf16');
    expect(getEngine('trtllm').fp4WithoutFp4Units).toBe('fp8');
  });

  it('a chip with fp4 units runs fp4 at its fp4 peak whatever the fallback', () => {
    const rates = hardwareRates(b200);
    expect(gemmPeak(b200, rates, 'fp4', 'bf16')).toBe(b200.peakFlopsPerSecond.fp4.value);
    expect(gemmPeak(b200, rates, 'fp4', 'fp8')).toBe(b200.peakFlopsPerSecond.fp4.value);
  });

  it('fp8 on a chip without fp8 units runs at bf16', () => {
    const a100 = getAccelerator('a100-80g');
    expect(gemmPeak(a100, hardwareRates(a100), 'fp8')).toBe(a100.peakFlopsPerSecond.bf16.value);
  });
});
