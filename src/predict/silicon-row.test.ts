import { describe, expect, it } from 'vitest';
import { parseSiliconCsv, rowParallel, rowPrecision, rowReplicas } from './silicon-row.js';

const header = 'id,backend,model_path,system,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size';
function row(id: string, layout: string) {
  return parseSiliconCsv(`${header}\n${id},sglang,deepseek-ai/DeepSeek-V3,b200_sxm,agg,1024,1024,16,${layout}\n`, 'rows.csv')[0]!;
}

describe('rowParallel: the real layout behind the sizes a row records', () => {
  it('takes the real GPU count from the id when the sizes hold its square', () => {
    const p = rowParallel(row('dsr1_b200_fp8_agg_c16_tp8_ep8_3', '64,1,1,8,8'), '');
    expect(p).toMatchObject({ tp: 8, dp: 1, ep: 8, moeTp: 1, squared: true });
  });

  it('without a layout in the id, reads a square larger than one scale-up domain with moe_ep_size = its root as squared', () => {
    expect(rowParallel(row('dsr1_b200_sglang_fp4_agg_c16_cfg201', '64,1,1,8,8'), '', { scaleUpDomain: 8 })).toMatchObject({ tp: 8, dp: 1, ep: 8, moeTp: 1, squared: true });
    expect(rowParallel(row('dsr1_b200_sglang_fp4_agg_c16_cfg202', '1,1,16,4,4'), '', { scaleUpDomain: 8 })).toMatchObject({ tp: 1, dp: 4, ep: 4, moeTp: 1, squared: true });
  });

  it('keeps sizes that fit one scale-up domain, or whose expert parallelism is not the root, as recorded', () => {
    // TP4 with MoE TP2 x EP2 is a real layout on 4 GPUs of one node.
    expect(rowParallel(row('qwen3_5_b300_sglang_fp4_agg_c4_cfg736', '4,1,1,2,2'), '', { scaleUpDomain: 8 })).toMatchObject({ tp: 4, ep: 2, moeTp: 2, squared: false });
    // 36 GPUs of a 72-GPU NVLink domain, experts tensor-parallel.
    expect(rowParallel(row('dsr1_gb200_trtllm_fp4_agg_c8_cfg9', '36,1,1,36,1'), '', { scaleUpDomain: 72 })).toMatchObject({ tp: 36, ep: 1, squared: false });
    // Without the domain nothing is guessed.
    expect(rowParallel(row('dsr1_b200_sglang_fp4_agg_c16_cfg201', '64,1,1,8,8'), '')).toMatchObject({ tp: 64, squared: false });
  });

  it('reads a MoE group larger than the attention TP, with no DP size, as attention DP over its GPUs', () => {
    // vLLM flattens MoE TP over DP x TP ranks: TP1 with MoE TP4 is DP4 on four GPUs, TP2 with MoE TP4 is DP2 x TP2.
    expect(rowParallel(row('qwen3_235b_h200_vllm_agg_c5_tp1_epnone_10', '1,1,,4,1'), '')).toMatchObject({ tp: 1, dp: 4, moeTp: 4, ep: 1 });
    expect(rowParallel(row('qwen3_235b_h200_vllm_agg_c11_tp2_epnone_13', '2,1,,4,1'), '')).toMatchObject({ tp: 2, dp: 2, moeTp: 4, ep: 1 });
    expect(rowParallel(row('qwen3_235b_h200_vllm_agg_c16_tp2_epnone_16', '2,1,,1,2'), '')).toMatchObject({ tp: 2, dp: 1, moeTp: 1, ep: 2 });
  });
});

describe('rowReplicas: aggregated replicas behind one router', () => {
  const cols = 'id,silicon_data_source,backend,model_path,system,mode,isl,osl,batch_size,tp_size,attention_dp_size';
  const r = (source: string, batch: string, dp = '', mode = 'agg') =>
    parseSiliconCsv(`${cols}\nq,"${source}",trtllm,Qwen/Qwen3-32B,gb200,${mode},2000,500,${batch},2,${dp}\n`, 'rows.csv')[0]!;

  it('reads a total concurrency that is k x batch_size as k replicas', () => {
    expect(rowReplicas(r('silicon_concurrency=128', '64'))).toBe(2);
    expect(rowReplicas(r('silicon_concurrency=16', '4'))).toBe(4);
  });

  it('is one replica when the concurrency is the batch, not a multiple of it, per DP rank, or unrecorded', () => {
    expect(rowReplicas(r('silicon_concurrency=64', '64'))).toBe(1);
    expect(rowReplicas(r('silicon_concurrency=100', '64'))).toBe(1);
    expect(rowReplicas(r('silicon_concurrency=128', '16', '8'))).toBe(1);
    expect(rowReplicas(r('', '64'))).toBe(1);
    expect(rowReplicas(r('silicon_concurrency=128', '64', '', 'disagg'))).toBe(1);
  });
});

describe('rowPrecision: weights from the row, the KV cache as each engine runs a quantised checkpoint', () => {
  const precisionRow = (backend: string, precision: string) =>
    parseSiliconCsv(`id,backend,model_path,system,precision,mode,isl,osl,batch_size,tp_size\nr,${backend},meta-llama/Llama-3.1-70B,h200_sxm,${precision},agg,1024,1024,16,1\n`, 'rows.csv')[0]!;

  it('gives fp8 weights an fp8 KV cache on TensorRT-LLM and vLLM, a bf16 one on SGLang', () => {
    expect(rowPrecision(precisionRow('trtllm', 'fp8'), 'bf16')).toEqual({ weights: 'fp8', moeWeights: 'fp8', kv: 'fp8' });
    expect(rowPrecision(precisionRow('vllm', 'fp8'), 'bf16')).toEqual({ weights: 'fp8', moeWeights: 'fp8', kv: 'fp8' });
    expect(rowPrecision(precisionRow('sglang', 'fp8'), 'bf16')).toEqual({ weights: 'fp8', moeWeights: 'fp8', kv: 'bf16' });
  });

  it('keeps a bf16 cache for bf16 weights on every engine', () => {
    for (const backend of ['trtllm', 'vllm', 'sglang']) expect(rowPrecision(precisionRow(backend, 'bf16'), 'bf16').kv).toBe('bf16');
  });
});
