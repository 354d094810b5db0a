import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { predictRow, type ModelResolver } from './predict-rows.js';
import { MTP_DRAFT, rowRelease, rowSpeculative } from './row-speculative.js';
import { parseSiliconCsv } from './silicon-row.js';

const header = 'id,silicon_data_source,backend,backend_version,model_path,system,mode,isl,osl,batch_size,tp_size,moe_tp_size,moe_ep_size,gemm_quant_mode,moe_quant_mode';
const source = (image: string) => `source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=4; image=nvcr.io#nvidia/tensorrt-llm/release:${image}`;
function row(opts: { image: string; version?: string; backend?: string; model?: string }) {
  const { image, version = image, backend = 'trtllm', model = 'deepseek-ai/DeepSeek-R1' } = opts;
  return parseSiliconCsv(`${header}\nr1,"${source(image)}",${backend},${version},${model},b200_sxm,agg,1024,1024,4,8,8,1,fp8,fp8\n`, 'rows.csv')[0]!;
}
const resolve: ModelResolver = (name) => resolveModel(name);
const deepseek = resolveModel('deepseek-ai/DeepSeek-R1').spec;
const llama = resolveModel('meta-llama/Llama-3.1-70B').spec;

describe('rowSpeculative: MTP drafting shown by the release, not stated by the row', () => {
  it('reads the MTP layer count from the config', () => {
    expect(deepseek.mtpLayers).toBe(1);
    expect(llama.mtpLayers).toBeUndefined();
  });

  it('drafts one MTP token for TensorRT-LLM 1.2.0rc6.post3 rows of a model with an MTP layer, and nowhere else', () => {
    expect(rowSpeculative(row({ image: '1.2.0rc6.post3' }), deepseek)).toEqual(MTP_DRAFT);
    expect(MTP_DRAFT).toEqual({ draftTokens: 1, acceptanceRate: 0.85 });
    expect(rowSpeculative(row({ image: '1.2.0rc6.post2' }), deepseek)).toBeUndefined();
    expect(rowSpeculative(row({ image: '1.2.0rc6.post3', backend: 'sglang' }), deepseek)).toBeUndefined();
    expect(rowSpeculative(row({ image: '1.2.0rc6.post3' }), llama)).toBeUndefined();
  });

  it('takes the release from the image tag when backend_version is empty', () => {
    const r = row({ image: '1.2.0rc6.post3', version: '' });
    expect(rowRelease(r)).toBe('1.2.0rc6.post3');
    expect(rowSpeculative(r, deepseek)).toEqual(MTP_DRAFT);
    expect(rowRelease(parseSiliconCsv(`${header}\nr2,"db-dump/2026-04-27; nvcr.io/nvidia/tensorrt-llm/release:1.1.0rc2.post2",trtllm,,m,b200_sxm,agg,1,1,1,1,1,1,,\n`, 'x.csv')[0]!)).toBe('1.1.0rc2.post2');
  });

  it('predicts the MTP run with a lower TPOT and the same TTFT as the same configuration without it, as measured (TPOT 0.43-0.80x)', () => {
    const withMtp = predictRow(row({ image: '1.2.0rc6.post3' }), resolve);
    const without = predictRow(row({ image: '1.2.0rc6.post2' }), resolve);
    expect(withMtp.error).toBe('');
    expect(without.error).toBe('');
    const ratio = withMtp.tpotMs / without.tpotMs;
    expect(ratio).toBeGreaterThan(0.43);
    expect(ratio).toBeLessThan(0.8);
    expect(withMtp.ttftMs / without.ttftMs).toBeGreaterThan(0.8);
    expect(withMtp.ttftMs / without.ttftMs).toBeLessThan(1.25);
  });
});
