import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { parseModelConfig } from './parse-model-config.js';

const dataDir = fileURLToPath(new URL('../../../data/model-configs/', import.meta.url));

/** Parses a shipped config (and its hf_quant_config when present) straight from the data folder. */
function shipped(stem: string) {
  const read = (name: string) => JSON.parse(readFileSync(dataDir + name, 'utf8').replace(/\bInfinity\b/g, '1e999')) as unknown;
  const quant = `${stem}_hf_quant_config.json`;
  return parseModelConfig(read(`${stem}_config.json`), stem.replace('--', '/'), {
    where: `${stem}_config.json`,
    ...(existsSync(dataDir + quant) && { quantConfig: read(quant) }),
  });
}

const llamaLike = { model_type: 'llama', hidden_size: 4096, num_hidden_layers: 2, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 1000, intermediate_size: 11008, max_position_embeddings: 8192 };

describe('parseModelConfig: dense', () => {
  it('reads Llama-3.1-70B: GQA, head dim from hidden / heads, gated MLP', () => {
    const s = shipped('meta-llama--Meta-Llama-3.1-70B');
    expect(s).toMatchObject({ hiddenSize: 8192, numLayers: 80, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128, intermediateSize: 28672, vocabSize: 128256, gatedMlp: true, tieWordEmbeddings: false, maxPositionEmbeddings: 131072 });
    expect(s.layerAttention.every((k) => k === 'full')).toBe(true);
    expect(s.moe).toBeUndefined();
    expect(s.linearStateElementsPerLayer).toBe(0);
  });

  it('takes the text model of a multimodal config (Qwen3-VL)', () => {
    const s = shipped('Qwen--Qwen3-VL-8B-Instruct');
    expect(s).toMatchObject({ modelType: 'qwen3_vl_text', hiddenSize: 4096, numLayers: 36, numKeyValueHeads: 8, headDim: 128, vocabSize: 151936 });
    expect(s.parseNotes.join(' ')).toMatch(/text_config/);
  });

  it('falls back to the top-level tie_word_embeddings of a multimodal config', () => {
    expect(shipped('Qwen--Qwen3-VL-2B-Instruct').tieWordEmbeddings).toBe(true);
  });

  it('averages the per-layer MLP widths of Nemotron-NAS and counts only attention layers', () => {
    const s = shipped('nvidia--Llama-3_3-Nemotron-Super-49B-v1');
    expect(s.numLayers).toBe(49);
    expect(s.ffnLayerCount).toBe(80);
    expect(s.numKeyValueHeads).toBe(8);
  });
});

describe('parseModelConfig: MoE', () => {
  it('reads DeepSeek-V3: MLA, 3 leading dense layers, shared expert, fp8', () => {
    const s = shipped('deepseek-ai--DeepSeek-V3');
    expect(s.mla).toEqual({ kvLoraRank: 512, qLoraRank: 1536, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 });
    expect(s.headDim).toBe(192);
    expect(s.moe).toEqual({ numExperts: 256, topK: 8, expertIntermediateSize: 2048, numSharedExperts: 1, sharedExpertIntermediateSize: 2048, moeLayerCount: 58 });
    expect(s.intermediateSize).toBe(18432);
    expect(s.declaredWeightPrecision).toBe('fp8');
    expect(s.parseNotes.join(' ')).toMatch(/MTP/);
  });

  it('notes that DeepSeek-V3.2 sparse attention is modelled as dense MLA', () => {
    expect(shipped('deepseek-ai--DeepSeek-V3.2').parseNotes.join(' ')).toMatch(/DSA\) modelled as dense MLA/);
  });

  it('reads Mixtral: every layer MoE, expert width from intermediate_size, no shared expert', () => {
    const s = shipped('mistralai--Mixtral-8x7B-v0.1');
    expect(s.moe).toEqual({ numExperts: 8, topK: 2, expertIntermediateSize: 14336, numSharedExperts: 0, sharedExpertIntermediateSize: 0, moeLayerCount: 32 });
  });

  it('reads Llama-4 Maverick: MoE every second layer with a shared expert, dense layers use intermediate_size_mlp, chunked attention', () => {
    const s = shipped('meta-llama--Llama-4-Maverick-17B-128E-Instruct');
    expect(s.moe).toMatchObject({ numExperts: 128, topK: 1, numSharedExperts: 1, sharedExpertIntermediateSize: 8192, moeLayerCount: 24 });
    expect(s.intermediateSize).toBe(16384);
    expect(s.slidingWindowTokens).toBe(8192);
    expect(s.layerAttention.filter((k) => k === 'full')).toHaveLength(12);
  });

  it('reads MoE layer lists (moe_layer_freq as a list, mlp_layer_types)', () => {
    expect(shipped('MiniMaxAI--MiniMax-M3').moe?.moeLayerCount).toBe(57);
    expect(shipped('XiaomiMiMo--MiMo-V2-Flash').moe?.moeLayerCount).toBe(47);
    expect(shipped('zai-org--GLM-5.2').moe?.moeLayerCount).toBe(75);
  });

  it('honours decoder_sparse_step and mlp_only_layers', () => {
    const cfg = { ...llamaLike, num_hidden_layers: 8, num_experts: 4, num_experts_per_tok: 2, moe_intermediate_size: 512, decoder_sparse_step: 2, mlp_only_layers: [1] };
    const s = parseModelConfig(cfg, 'x');
    expect(s.moe?.moeLayerCount).toBe(3); // layers 3, 5, 7 (1 is forced dense)
  });

  it('models the dense MLP beside Gemma-4 experts as a shared expert', () => {
    const s = shipped('google--gemma-4-26B-A4B');
    expect(s.moe).toMatchObject({ numExperts: 128, topK: 8, expertIntermediateSize: 704, numSharedExperts: 1, sharedExpertIntermediateSize: 2112, moeLayerCount: 30 });
  });
});

describe('parseModelConfig: sliding, hybrid and linear attention', () => {
  it('reads gpt-oss alternating sliding/full layers from layer_types', () => {
    const s = shipped('openai--gpt-oss-120b');
    expect(s.slidingWindowTokens).toBe(128);
    expect(s.layerAttention.slice(0, 4)).toEqual(['sliding', 'full', 'sliding', 'full']);
    expect(s.layerAttention.filter((k) => k === 'sliding')).toHaveLength(18);
  });

  it('reads Qwen3.5 Gated DeltaNet layers as linear with their state size and fp32 state', () => {
    const s = shipped('Qwen--Qwen3.5-397B-A17B');
    expect(s.layerAttention.filter((k) => k === 'linear')).toHaveLength(45);
    expect(s.layerAttention[3]).toBe('full');
    expect(s.linearMixer).toEqual({ kind: 'gated-deltanet', numKeyHeads: 16, numValueHeads: 64, keyHeadDim: 128, valueHeadDim: 128, convKernel: 4 });
    // 64 value heads x 128 x 128 state + conv window (2*16*128 + 64*128) x 3 taps.
    expect(s.linearStateElementsPerLayer).toBe(64 * 128 * 128 + (2 * 16 * 128 + 64 * 128) * 3);
    expect(s.linearStatePrecision).toBe('fp32');
    expect(s.attentionShapes?.full?.outputGate).toBe(true);
  });

  it('reads Nemotron-H: Mamba/attention/MLP blocks as separate layers', () => {
    const s = shipped('nvidia--Nemotron-H-56B-Base-8K');
    expect(s.numLayers).toBe(64); // 54 Mamba + 10 attention
    expect(s.layerAttention.filter((k) => k === 'full')).toHaveLength(10);
    expect(s.ffnLayerCount).toBe(54);
    expect(s.gatedMlp).toBe(false); // relu2
    expect(s.linearMixer).toMatchObject({ kind: 'mamba2', numHeads: 256, headDim: 64, stateSize: 256, numGroups: 8 });
    expect(s.linearStateElementsPerLayer).toBe(256 * 64 * 256 + (256 * 64 + 2 * 8 * 256) * 3);
    expect(s.parseNotes.join(' ')).toMatch(/Mamba layers modelled as linear mixers/);
  });

  it('reads the Nemotron-3 layers_block_type list and latent MoE', () => {
    const s = shipped('nvidia--NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16');
    expect(s.numLayers).toBe(60);
    expect(s.moe).toMatchObject({ numExperts: 512, topK: 22, latentSize: 2048, moeLayerCount: 48 });
  });

  it('reads per-kind attention shapes (MiMo-V2-Flash swa_*, Gemma-4 global_*)', () => {
    const mimo = shipped('XiaomiMiMo--MiMo-V2-Flash');
    expect(mimo.attentionShapes?.full).toMatchObject({ numKeyValueHeads: 4, headDim: 192, valueHeadDim: 128 });
    expect(mimo.attentionShapes?.sliding).toMatchObject({ numKeyValueHeads: 8, headDim: 192, valueHeadDim: 128 });
    const gemma = shipped('nvidia--Gemma-4-31B-IT-NVFP4');
    expect(gemma.attentionShapes?.full).toMatchObject({ numKeyValueHeads: 4, headDim: 512, sharedKeyValue: true });
    expect(gemma.attentionShapes?.sliding).toMatchObject({ numKeyValueHeads: 16, headDim: 256, sharedKeyValue: false });
  });

  it('reads DeepSeek-V4 compressed attention per layer', () => {
    const s = shipped('deepseek-ai--DeepSeek-V4-Flash');
    expect(s.layerAttention.slice(0, 4)).toEqual(['sliding', 'sliding', 'full', 'full']);
    expect(s.kvCompressionRatios?.slice(0, 4)).toEqual([1, 1, 4, 128]);
    expect(s.attentionShapes?.full).toMatchObject({ numKeyValueHeads: 1, headDim: 512, sharedKeyValue: true, qLoraRank: 1024, oLoraRank: 1024, oGroups: 8 });
    expect(s.declaredWeightPrecision).toBe('fp4'); // expert_dtype fp4 beside fp8
  });

  it('applies the Qwen2 sliding rule and the Mistral all-sliding convention', () => {
    const qwen = parseModelConfig({ ...llamaLike, num_hidden_layers: 4, use_sliding_window: true, sliding_window: 4096, max_window_layers: 2 }, 'q');
    expect(qwen.layerAttention).toEqual(['full', 'full', 'sliding', 'sliding']);
    const mistral = parseModelConfig({ ...llamaLike, sliding_window: 4096 }, 'm');
    expect(mistral.layerAttention).toEqual(['sliding', 'sliding']);
    expect(mistral.parseNotes.join(' ')).toMatch(/Mistral/);
    expect(parseModelConfig({ ...llamaLike, sliding_window: 4096, use_sliding_window: false }, 'x').layerAttention).toEqual(['full', 'full']);
  });
});

describe('parseModelConfig: declared quantisation', () => {
  it('maps quant_method and hf_quant_config algorithms to precisions', () => {
    expect(shipped('openai--gpt-oss-120b').declaredWeightPrecision).toBe('fp4'); // mxfp4
    expect(shipped('Qwen--Qwen3-32B').declaredWeightPrecision).toBeUndefined();
    const nvfp4 = shipped('nvidia--Qwen3-235B-A22B-NVFP4'); // declared only in the sibling hf_quant_config.json
    expect(nvfp4.declaredWeightPrecision).toBe('fp4');
    expect(nvfp4.declaredKvCachePrecision).toBe('fp8');
    expect(shipped('nvidia--Llama-3.1-70B-Instruct-FP8').declaredWeightPrecision).toBe('fp8');
    expect(shipped('moonshotai--Kimi-K3').declaredWeightPrecision).toBe('fp4'); // compressed-tensors mxfp4 in text_config
  });

  it('declares the narrowest precision of a mixed checkpoint and says so', () => {
    const s = shipped('nvidia--Qwen3.6-27B-NVFP4');
    expect(s.declaredWeightPrecision).toBe('fp4');
    expect(s.parseNotes.join(' ')).toMatch(/mixed-precision checkpoint \(fp8, fp4\)/);
  });

  it('reads compressed-tensors integer groups and a bare hf_quant_config', () => {
    const ct = { ...llamaLike, quantization_config: { quant_method: 'compressed-tensors', config_groups: { g: { weights: { num_bits: 4, type: 'int' } } } } };
    expect(parseModelConfig(ct, 'x').declaredWeightPrecision).toBe('int4');
    const hf = { quantization: { quant_algo: 'W4A8_AWQ', kv_cache_quant_algo: 'FP8' } };
    expect(parseModelConfig(llamaLike, 'x', { quantConfig: hf })).toMatchObject({ declaredWeightPrecision: 'int4', declaredKvCachePrecision: 'fp8' });
  });
});

describe('parseModelConfig: malformed input', () => {
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      return (e as Error).message;
    }
    throw new Error('did not throw');
  };

  it('names the file and the missing field', () => {
    const { hidden_size: _, ...noHidden } = llamaLike;
    expect(message(() => parseModelConfig(noHidden, 'x', { where: 'llama.json' }))).toBe('llama.json: hidden_size: expected a positive integer, got nothing');
  });

  it('names a bad value', () => {
    expect(message(() => parseModelConfig({ ...llamaLike, hidden_size: 'abc' }, 'x', { where: 'deepseek.json' }))).toBe('deepseek.json: hidden_size: expected a positive integer, got "abc"');
    expect(message(() => parseModelConfig({ ...llamaLike, num_attention_heads: -8 }, 'x', { where: 'c.json' }))).toBe('c.json: num_attention_heads: expected a positive integer, got -8');
  });

  it('uses dotted paths inside text_config', () => {
    expect(message(() => parseModelConfig({ text_config: { ...llamaLike, num_key_value_heads: 0 } }, 'x', { where: 'vl.json' }))).toBe(
      'vl.json: text_config.num_key_value_heads: expected a positive integer, got 0',
    );
  });

  it('rejects a config that is not an object', () => {
    expect(message(() => parseModelConfig([1, 2], 'x', { where: 'a.json' }))).toBe('a.json: expected a JSON object (a Hugging Face config.json), got an array');
    expect(message(() => parseModelConfig(null, 'x'))).toMatch(/^x: expected a JSON object/);
  });

  it('rejects layer lists of the wrong length or with unknown entries', () => {
    expect(message(() => parseModelConfig({ ...llamaLike, layer_types: ['full_attention'] }, 'x', { where: 'a.json' }))).toBe(
      'a.json: layer_types: expected 2 entries (one per layer), got 1',
    );
    expect(message(() => parseModelConfig({ ...llamaLike, layer_types: ['full_attention', 'weird'] }, 'x'))).toMatch(/layer_types\[1\]: expected one of .* got "weird"/);
  });

  it('requires a sliding window when layers are sliding, and more KV heads than query heads is an error', () => {
    expect(message(() => parseModelConfig({ ...llamaLike, layer_types: ['sliding_attention', 'full_attention'] }, 'x'))).toMatch(/sliding_window: expected a positive integer/);
    expect(message(() => parseModelConfig({ ...llamaLike, num_key_value_heads: 64 }, 'x'))).toMatch(/num_key_value_heads: expected at most num_attention_heads \(32\), got 64/);
  });
});
