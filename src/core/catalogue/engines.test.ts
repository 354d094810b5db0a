import { describe, expect, it } from 'vitest';
import { defaultTokenBudget, getEngine } from './engines.js';
import { getAccelerator } from './find-accelerator.js';

describe('defaultTokenBudget', () => {
  const memoryOf = (id: string) => getAccelerator(id).memoryBytes.value;

  it("SGLang sizes chunked_prefill_size by GPU memory: 8192 below 160 GiB (H100, H200), 16384 from there (B200, GB200, B300)", () => {
    const sglang = getEngine('sglang');
    expect(defaultTokenBudget(sglang, memoryOf('h100-sxm'))).toBe(8192);
    expect(defaultTokenBudget(sglang, memoryOf('h200-sxm'))).toBe(8192);
    expect(defaultTokenBudget(sglang, memoryOf('b200-sxm'))).toBe(16384);
    expect(defaultTokenBudget(sglang, memoryOf('gb200'))).toBe(16384);
    expect(defaultTokenBudget(sglang, memoryOf('b300-sxm'))).toBe(16384);
  });

  it('engines without a memory-dependent default, and unknown memory, keep the base budget', () => {
    expect(defaultTokenBudget(getEngine('vllm'), memoryOf('b200-sxm'))).toBe(8192);
    expect(defaultTokenBudget(getEngine('trtllm'), memoryOf('b300-sxm'))).toBe(8192);
    expect(defaultTokenBudget(getEngine('sglang'), null)).toBe(8192);
  });
});
