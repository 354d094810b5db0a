import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { attentionShapeFor, kvBytesForSequence, kvBytesPerToken, kvBytesPerTokenPerLayer, parameterBreakdown, weightBytes } from './model-size.js';
import { parseModelConfig } from './parse-model-config.js';
import { BYTES_PER_ELEMENT } from './precision.js';

const dataDir = fileURLToPath(new URL('../../../data/model-configs/', import.meta.url));
const shipped = (stem: string) =>
  parseModelConfig(JSON.parse(readFileSync(`${dataDir}${stem}_config.json`, 'utf8').replace(/\bInfinity\b/g, '1e999')), stem.replace('--', '/'));

/** |actual / expected - 1| <= tolerance. */
function near(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

const llama70 = shipped('meta-llama--Meta-Llama-3.1-70B');
const llama8 = shipped('meta-llama--Meta-Llama-3.1-8B');
const dsv3 = shipped('deepseek-ai--DeepSeek-V3');
const gptoss = shipped('openai--gpt-oss-120b');

describe('parameterBreakdown', () => {
  it('counts Llama-3.1-70B exactly', () => {
    const p = parameterBreakdown(llama70);
    // q, o: 8192 x 8192 each; k, v: 8192 x (8 x 128) each.
    expect(p.attentionParamsPerLayer).toBe(2 * 8192 * 8192 + 2 * 8192 * 1024);
    expect(p.denseMlpParamsPerLayer).toBe(3 * 8192 * 28672);
    expect(p.embeddingParams).toBe(128256 * 8192);
    expect(p.lmHeadParams).toBe(128256 * 8192);
    expect(p.totalParams).toBe(80 * (2 * 8192 * 8192 + 2 * 8192 * 1024 + 3 * 8192 * 28672) + 2 * 128256 * 8192); // 70.55e9
    near(p.totalParams, 70.6e9, 0.002);
    // Active: everything but the embedding lookup.
    expect(p.activeParams).toBe(p.totalParams - p.embeddingParams);
  });

  it('counts Llama-3.1-8B at about 8.0e9', () => {
    near(parameterBreakdown(llama8).totalParams, 8.03e9, 0.002);
  });

  it('counts DeepSeek-V3 at 671e9 total, about 37e9 active, without the MTP layer', () => {
    const p = parameterBreakdown(dsv3);
    // MLA: q_a 7168x1536, q_b 1536x(128x192), kv_a 7168x576, kv_b 512x(128x256), o (128x128)x7168.
    expect(p.attentionParamsPerLayer).toBe(7168 * 1536 + 1536 * 128 * 192 + 7168 * 576 + 512 * 128 * 256 + 128 * 128 * 7168);
    expect(p.routedExpertParams).toBe(3 * 7168 * 2048);
    expect(p.numMoeLayers).toBe(58);
    expect(p.numDenseMlpLayers).toBe(3);
    near(p.totalParams, 671e9, 0.002);
    near(p.activeParams, 37e9, 0.02);
  });

  it('counts Mixtral-8x7B at 46.7e9 total and about 12.9e9 active', () => {
    const p = parameterBreakdown(shipped('mistralai--Mixtral-8x7B-v0.1'));
    near(p.totalParams, 46.7e9, 0.003);
    near(p.activeParams, 12.9e9, 0.015);
  });

  it('counts Qwen3-235B-A22B at 235e9 / 22e9', () => {
    const p = parameterBreakdown(shipped('Qwen--Qwen3-235B-A22B'));
    near(p.totalParams, 235e9, 0.005);
    near(p.activeParams, 22e9, 0.025);
  });

  it('counts gpt-oss-120b at about 117e9 total and 5.1e9 active (OpenAI: 116.83B / 5.13B)', () => {
    const p = parameterBreakdown(gptoss);
    near(p.totalParams, 116.83e9, 0.005);
    near(p.activeParams, 5.13e9, 0.01);
    expect(p.numAttentionLayers).toBe(36);
  });

  it('counts hybrid models: linear mixers, separate MLP layers, latent MoE', () => {
    const nano = parameterBreakdown(shipped('nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16'));
    expect(nano).toMatchObject({ numAttentionLayers: 6, numLinearLayers: 23, numMoeLayers: 23, numDenseMlpLayers: 0 });
    near(nano.totalParams, 31.6e9, 0.01);
    near(nano.activeParams, 3.2e9, 0.03);
    const h56 = parameterBreakdown(shipped('nvidia--Nemotron-H-56B-Base-8K'));
    expect(h56).toMatchObject({ numAttentionLayers: 10, numLinearLayers: 54, numDenseMlpLayers: 54, numMoeLayers: 0 });
    expect(h56.denseMlpParamsPerLayer).toBe(2 * 8192 * 32768); // relu2: up and down only
    near(h56.totalParams, 56e9, 0.015);
    const qwen35 = parameterBreakdown(shipped('Qwen--Qwen3.5-397B-A17B'));
    expect(qwen35).toMatchObject({ numAttentionLayers: 15, numLinearLayers: 45 });
    near(qwen35.totalParams, 397e9, 0.01);
    near(qwen35.activeParams, 17e9, 0.05);
  });

  it('counts tied embeddings once in the total', () => {
    const tied = parseModelConfig({ hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 4, vocab_size: 100, intermediate_size: 128, max_position_embeddings: 16, tie_word_embeddings: true }, 't');
    const p = parameterBreakdown(tied);
    expect(p.lmHeadParams).toBe(6400);
    expect(p.totalParams).toBe(6400 + 4 * 64 * 64 + 3 * 64 * 128);
    expect(p.activeParams).toBe(p.totalParams);
  });

  it('gives positive totals with active <= total for every kind of layer', () => {
    for (const s of [llama70, dsv3, gptoss, shipped('deepseek-ai--DeepSeek-V4-Pro'), shipped('moonshotai--Kimi-K3'), shipped('google--gemma-4-26B-A4B')]) {
      const p = parameterBreakdown(s);
      expect(p.activeParams).toBeGreaterThan(0);
      expect(p.activeParams).toBeLessThanOrEqual(p.totalParams);
    }
  });
});

describe('weightBytes', () => {
  it('is params x bytes at bf16', () => {
    expect(weightBytes(llama70, 'bf16')).toBe(parameterBreakdown(llama70).totalParams * 2);
  });

  it('keeps embedding and LM head at bf16 at 8 bits and below', () => {
    const p = parameterBreakdown(llama70);
    const emb = p.embeddingParams + p.lmHeadParams;
    expect(weightBytes(llama70, 'fp8')).toBe(emb * 2 + (p.totalParams - emb) * 1);
    expect(weightBytes(llama70, 'fp4')).toBeCloseTo(emb * 2 + (p.totalParams - emb) * BYTES_PER_ELEMENT.fp4, 0);
    expect(weightBytes(llama70, 'fp8', { embeddingPrecision: 'fp8' })).toBe(p.totalParams);
  });

  it('prices routed experts at their own precision when asked', () => {
    const p = parameterBreakdown(dsv3);
    const routed = p.numMoeLayers * 256 * p.routedExpertParams;
    const mixed = weightBytes(dsv3, 'fp8', { expertPrecision: 'fp4' });
    expect(mixed).toBeCloseTo(weightBytes(dsv3, 'fp8') - routed * (1 - BYTES_PER_ELEMENT.fp4), 0);
  });
});

describe('KV cache', () => {
  it('is 2 x kv heads x head dim per layer for GQA (Llama-3.1-70B: 327,680 B/token at bf16)', () => {
    expect(kvBytesPerTokenPerLayer(llama70, 'bf16')).toBe(2 * 8 * 128 * 2);
    expect(kvBytesPerToken(llama70, 'bf16')).toBe(80 * 2 * 8 * 128 * 2);
    expect(kvBytesPerToken(llama70, 'bf16')).toBe(327_680);
    expect(kvBytesPerToken(llama70, 'fp8')).toBe(163_840);
  });

  it('is kv_lora_rank + rope dim per layer for MLA (DeepSeek-V3: 70,272 B/token at bf16)', () => {
    expect(kvBytesPerTokenPerLayer(dsv3, 'bf16')).toBe((512 + 64) * 2);
    expect(kvBytesPerToken(dsv3, 'bf16')).toBe(70_272);
  });

  it('grows linearly for full-attention models', () => {
    expect(kvBytesForSequence(llama70, 1000, 'bf16')).toBe(1000 * 327_680);
    expect(kvBytesForSequence(llama70, 0, 'bf16')).toBe(0);
  });

  it('caps sliding layers at the window (gpt-oss: 18 sliding layers of 128 tokens)', () => {
    const perLayer = kvBytesPerTokenPerLayer(gptoss, 'bf16');
    expect(perLayer).toBe(2 * 8 * 64 * 2);
    expect(kvBytesPerToken(gptoss, 'bf16')).toBe(36 * perLayer);
    expect(kvBytesForSequence(gptoss, 100, 'bf16')).toBe(36 * 100 * perLayer);
    expect(kvBytesForSequence(gptoss, 100_000, 'bf16')).toBe((18 * 100_000 + 18 * 128) * perLayer);
  });

  it('gives linear layers no per-token KV but a constant state at the declared state dtype (Qwen3.5)', () => {
    const s = shipped('Qwen--Qwen3.5-397B-A17B');
    const perLayer = kvBytesPerTokenPerLayer(s, 'bf16');
    expect(perLayer).toBe(2 * 2 * 256 * 2);
    expect(kvBytesPerToken(s, 'bf16')).toBe(15 * perLayer); // the 45 linear layers add nothing per token
    const state = 45 * s.linearStateElementsPerLayer * 4; // mamba_ssm_dtype float32
    expect(kvBytesForSequence(s, 0, 'bf16')).toBe(state);
    expect(kvBytesForSequence(s, 10_000, 'bf16')).toBe(state + 10_000 * 15 * perLayer);
  });

  it('uses per-kind shapes (Gemma-4: shared K/V on global layers) and per-layer compression (DeepSeek-V4)', () => {
    const gemma = shipped('nvidia--Gemma-4-31B-IT-NVFP4');
    expect(kvBytesPerTokenPerLayer(gemma, 'bf16', 'full')).toBe(4 * 512 * 2);
    expect(kvBytesPerTokenPerLayer(gemma, 'bf16', 'sliding')).toBe(2 * 16 * 256 * 2);
    expect(attentionShapeFor(llama70, 'sliding')).toMatchObject({ numKeyValueHeads: 8, headDim: 128, valueHeadDim: 128 });
    const v4 = shipped('deepseek-ai--DeepSeek-V4-Flash');
    const ratios = v4.kvCompressionRatios!;
    const entries = (ctx: number) =>
      v4.layerAttention.reduce((n, k, i) => n + (k === 'sliding' ? Math.min(ctx, 128) : Math.ceil(ctx / ratios[i]!)), 0);
    expect(kvBytesForSequence(v4, 1_000_000, 'fp8')).toBe(entries(1_000_000) * 512);
  });

  it('rejects a negative context', () => {
    expect(() => kvBytesForSequence(llama70, -1, 'bf16')).toThrow(InvalidInputError);
  });
});
