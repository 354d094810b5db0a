import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { DRIFTING_HARNESS, GAP_TRTLLM_HARNESS, LOCKSTEP_HARNESS, SILICON_HARNESS } from '../sim/benchmark-harness.js';
import { LOCKSTEP_BEFORE_SGLANG, releaseBefore, harnessOf, predictRow, type ModelResolver } from './predict-rows.js';
import { parseSiliconCsv } from './silicon-row.js';

const header = 'id,silicon_data_source,backend,backend_version,model_path,system,mode,isl,osl,batch_size';
function row(source: string, backend: string, mode = 'agg', version = '0.5.1.post1') {
  return parseSiliconCsv(`${header}\nr1,"${source}",${backend},${version},Qwen/Qwen3-32B,h100_sxm,${mode},1024,128,16\n`, 'rows.csv')[0]!;
}
const gap = 'source_file=/data/aic-auto-gap-analysis/data/h100_sxm/sglang/0.5.1/qwen3_32b.csv; silicon_concurrency=16';
const inferenceMax = 'source_file=2026-03-25.csv; model=Qwen3-32B; silicon_concurrency=16; image=lmsysorg/sglang:v0.5.9';

describe('harnessOf: the benchmark harness simulated for a silicon row', () => {
  it('fixed lengths in lock-step for gap-analysis runs on a prefill-first engine (SGLang) before 0.5.6', () => {
    expect(harnessOf(row(gap, 'sglang'))).toBe(LOCKSTEP_HARNESS);
    expect(LOCKSTEP_HARNESS.lengthRange).toEqual([1, 1]);
    expect(harnessOf(row(gap, 'sglang', 'agg', '0.5.6.post2'))).toBe(SILICON_HARNESS);
    expect(harnessOf(row(gap, 'sglang', 'agg', 'nightly-dev'))).toBe(SILICON_HARNESS);
  });

  it('compares dotted releases', () => {
    expect(releaseBefore('0.5.1.post1', LOCKSTEP_BEFORE_SGLANG)).toBe(true);
    expect(releaseBefore('0.4', LOCKSTEP_BEFORE_SGLANG)).toBe(true);
    expect(releaseBefore('v0.5.5', LOCKSTEP_BEFORE_SGLANG)).toBe(true);
    expect(releaseBefore('0.5.6', LOCKSTEP_BEFORE_SGLANG)).toBe(false);
    expect(releaseBefore('0.5.10', LOCKSTEP_BEFORE_SGLANG)).toBe(false);
    expect(releaseBefore('1.0.0', LOCKSTEP_BEFORE_SGLANG)).toBe(false);
    expect(releaseBefore('nightly-dev', LOCKSTEP_BEFORE_SGLANG)).toBe(false);
    expect(releaseBefore('', LOCKSTEP_BEFORE_SGLANG)).toBe(false);
  });

  it('the [0.8, 1] spread, drifting apart after a burst weighed as 1 of 10 requests, for aggregated mixed-batching engines', () => {
    expect(harnessOf(row(gap, 'vllm'))).toBe(DRIFTING_HARNESS);
    expect(harnessOf(row(inferenceMax, 'trtllm'))).toBe(DRIFTING_HARNESS);
    expect(DRIFTING_HARNESS.lengthRange).toEqual([0.8, 1]);
    expect(DRIFTING_HARNESS.benchmarkRequestsPerClient).toBe(10);
  });

  it('a burst weighed as 1 of 5 requests for gap-analysis runs on TensorRT-LLM, whose fixed-length clients regroup partly', () => {
    expect(harnessOf(row(gap, 'trtllm'))).toBe(GAP_TRTLLM_HARNESS);
    expect(harnessOf(row(gap, 'trtllm', 'disagg'))).toBe(SILICON_HARNESS);
    expect(GAP_TRTLLM_HARNESS.lengthRange).toEqual([0.8, 1]);
    expect(GAP_TRTLLM_HARNESS.benchmarkRequestsPerClient).toBe(5);
  });

  it('the [0.8, 1] spread with the simulated burst weight for prefill-first engines and disaggregated rows', () => {
    expect(harnessOf(row(inferenceMax, 'sglang'))).toBe(SILICON_HARNESS);
    expect(harnessOf(row('', 'sglang'))).toBe(SILICON_HARNESS);
    expect(harnessOf(row(inferenceMax, 'trtllm', 'disagg'))).toBe(SILICON_HARNESS);
    expect(SILICON_HARNESS.lengthRange).toEqual([0.8, 1]);
    expect(SILICON_HARNESS.benchmarkRequestsPerClient).toBe(SILICON_HARNESS.requestsPerClient);
  });
});

describe('predictRow', () => {
  const resolve: ModelResolver = (name) => {
    const r = resolveModel(name);
    return { spec: r.spec, file: r.file, matchedBy: r.matchedBy };
  };
  const cols = 'id,silicon_data_source,backend,model_path,system,mode,isl,osl,batch_size,tp_size';
  const one = (id: string, source: string, batch: number) =>
    parseSiliconCsv(`${cols}\n${id},"${source}",trtllm,Qwen/Qwen3-32B,gb200,agg,2000,500,${batch},2\n`, 'rows.csv')[0]!;

  it('a row whose concurrency is k x batch_size is k replicas of batch_size clients each, not one replica of all clients', () => {
    const spread = predictRow(one('r1', 'silicon_concurrency=128', 64), resolve);
    const single = predictRow(one('r2', 'silicon_concurrency=64', 64), resolve);
    expect(spread.error).toBe('');
    expect(spread.ttftMs).toBeCloseTo(single.ttftMs, 6);
    expect(spread.tpotMs).toBeCloseTo(single.tpotMs, 6);
  });

  it('at high load the clients\' first burst no longer dominates TTFT (10 requests per client, 3 simulated)', () => {
    const row = parseSiliconCsv(`${cols}\nr3,"source_file=2026-04-06.csv; silicon_concurrency=64",trtllm,meta-llama/Llama-3.1-70B,b200_sxm,agg,8192,1024,64,2\n`, 'rows.csv')[0]!;
    const weighted = predictRow(row, resolve);
    const saved = DRIFTING_HARNESS.benchmarkRequestsPerClient;
    (DRIFTING_HARNESS as { benchmarkRequestsPerClient: number }).benchmarkRequestsPerClient = DRIFTING_HARNESS.requestsPerClient;
    try {
      const burstHeavy = predictRow(row, resolve);
      expect(weighted.ttftMs).toBeLessThan(0.6 * burstHeavy.ttftMs);
    } finally {
      (DRIFTING_HARNESS as { benchmarkRequestsPerClient: number }).benchmarkRequestsPerClient = saved;
    }
  });
});
