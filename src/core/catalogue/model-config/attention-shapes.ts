/** @module Attention head geometry: the head dim, and full/sliding head shapes where they differ from the plain one (DeepSeek-V4, swa_*, Gemma-4 global_*). */
import type { AttentionShape, ModelSpec } from '../model-spec.js';
import type { Fields } from './read-fields.js';

/** The attention head dim of a non-MLA model: declared, or hidden_size / num_attention_heads. */
export function headDimOf(c: Fields, hiddenSize: number, numHeads: number): number {
  const headDim = c.posInt(['head_dim', 'attention_head_dim']) ?? hiddenSize / numHeads;
  if (!Number.isInteger(headDim)) c.fail('head_dim', `a positive integer (hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads})`, c.obj['head_dim']);
  return headDim;
}

/** Full- and sliding-layer head shapes, or undefined when both are the plain shape the top-level fields give. */
export function attentionShapesOf(
  c: Fields,
  base: { numHeads: number; numKeyValueHeads: number; headDim: number },
  isDeepseekV4: boolean,
  notes: string[],
): ModelSpec['attentionShapes'] {
  const plain: AttentionShape = {
    numAttentionHeads: base.numHeads,
    numKeyValueHeads: base.numKeyValueHeads,
    headDim: base.headDim,
    valueHeadDim: c.posInt('v_head_dim') ?? base.headDim,
    sharedKeyValue: false,
    outputGate: c.bool('attn_output_gate') === true || c.bool('attention_output_gate') === true,
    qLoraRank: 0,
    oLoraRank: 0,
    oGroups: 1,
  };
  let full = plain;
  let sliding = plain;
  if (isDeepseekV4) {
    const oLoraRank = c.count('o_lora_rank') ?? 0;
    full = sliding = {
      ...plain,
      valueHeadDim: base.headDim,
      sharedKeyValue: true,
      qLoraRank: c.count('q_lora_rank') ?? 0,
      oLoraRank,
      oGroups: oLoraRank > 0 ? (c.posInt('o_groups') ?? 1) : 1,
    };
  }
  if (c.raw('swa_num_key_value_heads', 'swa_head_dim', 'swa_num_attention_heads')) {
    const swaHead = c.posInt('swa_head_dim') ?? plain.headDim;
    sliding = {
      ...plain,
      numAttentionHeads: c.posInt('swa_num_attention_heads') ?? plain.numAttentionHeads,
      numKeyValueHeads: c.posInt('swa_num_key_value_heads') ?? plain.numKeyValueHeads,
      headDim: swaHead,
      valueHeadDim: c.posInt('swa_v_head_dim') ?? swaHead,
    };
  }
  if (c.raw('global_head_dim', 'num_global_key_value_heads')) {
    // Gemma-4: the top-level fields describe the sliding layers; global_* the full ones.
    const kEqV = c.bool('attention_k_eq_v') === true;
    const globalHead = c.posInt('global_head_dim') ?? plain.headDim;
    full = {
      ...plain,
      numKeyValueHeads: c.posInt('num_global_key_value_heads') ?? plain.numKeyValueHeads,
      headDim: globalHead,
      valueHeadDim: globalHead,
      sharedKeyValue: kEqV,
    };
    if (kEqV) notes.push('attention_k_eq_v: full-attention layers cache one tensor per KV head (keys double as values)');
    const perLayerInput = c.int('hidden_size_per_layer_input', 0) ?? 0;
    if (perLayerInput > 0) notes.push('per-layer input embeddings (hidden_size_per_layer_input) not counted');
  }
  const same = (a: AttentionShape) => JSON.stringify(a) === JSON.stringify({ ...plain, valueHeadDim: base.headDim, outputGate: false });
  if (same(full) && same(sliding)) return undefined;
  if (full.outputGate) notes.push('attention output gate counted as a second query-sized projection');
  return { full, sliding };
}
