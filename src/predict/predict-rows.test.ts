import { describe, expect, it } from 'vitest';
import { LOCKSTEP_HARNESS, SILICON_HARNESS, harnessOf } from './predict-rows.js';
import { parseSiliconCsv } from './silicon-row.js';

const header = 'id,silicon_data_source,backend,model_path,system,mode,isl,osl,batch_size';
function row(source: string, backend: string) {
  return parseSiliconCsv(`${header}\nr1,"${source}",${backend},Qwen/Qwen3-32B,h100_sxm,agg,1024,128,16\n`, 'rows.csv')[0]!;
}
const gap = 'source_file=/data/aic-auto-gap-analysis/data/h100_sxm/sglang/0.5.1/qwen3_32b.csv; silicon_concurrency=16';
const inferenceMax = 'source_file=2026-03-25.csv; model=Qwen3-32B; silicon_concurrency=16; image=lmsysorg/sglang:v0.5.9';

describe('harnessOf: the benchmark harness simulated for a silicon row', () => {
  it('fixed lengths in lock-step for gap-analysis runs on a prefill-first engine (SGLang)', () => {
    expect(harnessOf(row(gap, 'sglang'))).toBe(LOCKSTEP_HARNESS);
    expect(LOCKSTEP_HARNESS.lengthRange).toEqual([1, 1]);
  });

  it('the [0.8, 1] spread for gap-analysis runs on mixed-batching engines, whose clients drift apart', () => {
    expect(harnessOf(row(gap, 'trtllm'))).toBe(SILICON_HARNESS);
    expect(harnessOf(row(gap, 'vllm'))).toBe(SILICON_HARNESS);
  });

  it('the [0.8, 1] spread for the other sources, whatever the engine', () => {
    expect(harnessOf(row(inferenceMax, 'sglang'))).toBe(SILICON_HARNESS);
    expect(harnessOf(row('', 'sglang'))).toBe(SILICON_HARNESS);
    expect(SILICON_HARNESS.lengthRange).toEqual([0.8, 1]);
  });
});
