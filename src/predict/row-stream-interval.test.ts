import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { DEEPSEEK_TRTLLM_STREAM_INTERVAL, rowStreamInterval } from './row-stream-interval.js';
import { parseSiliconCsv } from './silicon-row.js';

const header = 'id,silicon_data_source,backend,backend_version,model_path,system,mode,isl,osl,batch_size,tp_size,moe_tp_size,moe_ep_size,gemm_quant_mode,moe_quant_mode';
function row(opts: { backend?: string; model?: string; mode?: string; isl?: number }) {
  const { backend = 'trtllm', model = 'deepseek-ai/DeepSeek-R1', mode = 'agg', isl = 1024 } = opts;
  return parseSiliconCsv(`${header}\nr1,"source_file=2026-03-25.csv; silicon_concurrency=4",${backend},1.2.0rc6.post2,${model},b200_sxm,${mode},${isl},1024,4,8,8,1,fp8,fp8\n`, 'rows.csv')[0]!;
}
const deepseekR1 = resolveModel('deepseek-ai/DeepSeek-R1').spec;
const deepseekV3 = resolveModel('deepseek-ai/DeepSeek-V3').spec;
const llama = resolveModel('meta-llama/Llama-3.1-70B').spec;
const gptOss = resolveModel('openai/gpt-oss-120b').spec;

describe('rowStreamInterval: the first token held for 10 iterations on aggregated TensorRT-LLM DeepSeek rows', () => {
  it('is 10 for aggregated TensorRT-LLM rows of the DeepSeek-V3 architecture, 1 everywhere else', () => {
    expect(DEEPSEEK_TRTLLM_STREAM_INTERVAL).toBe(10);
    expect(rowStreamInterval(row({}), deepseekR1)).toBe(10);
    expect(rowStreamInterval(row({ model: 'deepseek-ai/DeepSeek-V3' }), deepseekV3)).toBe(10);
    expect(rowStreamInterval(row({ mode: 'disagg' }), deepseekR1)).toBe(1);
    expect(rowStreamInterval(row({ backend: 'sglang' }), deepseekR1)).toBe(1);
    expect(rowStreamInterval(row({ backend: 'vllm' }), deepseekR1)).toBe(1);
    expect(rowStreamInterval(row({ model: 'meta-llama/Llama-3.1-70B' }), llama)).toBe(1);
    expect(rowStreamInterval(row({ model: 'openai/gpt-oss-120b' }), gptOss)).toBe(1);
  });
});
