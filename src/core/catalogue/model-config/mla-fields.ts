/** @module Multi-head latent attention (DeepSeek MLA) fields: the compressed KV and query ranks and the split query/key head. */
import type { MlaSpec } from '../model-spec.js';
import type { Fields } from './read-fields.js';

/** The MLA geometry of a config that declares `kv_lora_rank`, and its query/key head dim (nope + rope). */
export function mlaSpecOf(c: Fields, kvLoraRank: number, notes: string[]): { mla: MlaSpec; headDim: number } {
  const qkNopeHeadDim = c.requirePosInt('qk_nope_head_dim');
  const qkRopeHeadDim = c.requirePosInt('qk_rope_head_dim');
  const mla: MlaSpec = {
    kvLoraRank,
    qLoraRank: c.count('q_lora_rank') ?? 0,
    qkNopeHeadDim,
    qkRopeHeadDim,
    vHeadDim: c.posInt('v_head_dim') ?? qkNopeHeadDim,
  };
  // For MLA the query/key head is nope + rope; hidden/heads means nothing here.
  const headDim = qkNopeHeadDim + qkRopeHeadDim;
  if (c.raw('index_topk')) notes.push('DeepSeek sparse attention (DSA) modelled as dense MLA; lightning-indexer weights and its key cache not counted');
  return { mla, headDim };
}
