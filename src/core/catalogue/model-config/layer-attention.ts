/** @module Layer structure: each decoder block's token mixer (full, sliding, linear) and feed-forward kind, from the many per-architecture spellings, and the sliding window. */
import type { LayerAttentionKind } from '../model-spec.js';
import { moeLayersOf } from './moe-fields.js';
import { type Fields, isObj } from './read-fields.js';

/** What one decoder block holds: a token mixer, a feed-forward part, or both. */
export interface Block {
  mixer?: LayerAttentionKind;
  ffn?: 'dense' | 'moe';
  /** Dense MLP width of this block when it varies per layer (Nemotron-NAS). */
  intermediate?: number;
  kvCompression?: number;
}

/** `layer_types` entries by name: the mixer kind each stands for. */
const LAYER_TYPE_NAMES: Readonly<Record<string, LayerAttentionKind>> = {
  full_attention: 'full',
  global_attention: 'full',
  attention: 'full',
  full: 'full',
  deepseek_sparse_attention: 'full',
  sliding_attention: 'sliding',
  sliding_window_attention: 'sliding',
  local_attention: 'sliding',
  chunked_attention: 'sliding',
  sliding: 'sliding',
  linear_attention: 'linear',
  mamba: 'linear',
  linear: 'linear',
};

/** Decides, per decoder block, its mixer kind and whether its feed-forward part is dense or MoE. */
export function layerBlocks(c: Fields, modelType: string, isMoe: boolean, isDeepseekV4: boolean, notes: string[]): Block[] {
  // Nemotron-H: one letter (or word) per block; mixer and feed-forward blocks are separate layers.
  const pattern = c.str('hybrid_override_pattern');
  const blockTypes = c.array('layers_block_type');
  if (pattern !== undefined || blockTypes !== undefined) {
    const key = pattern !== undefined ? 'hybrid_override_pattern' : 'layers_block_type';
    const items: unknown[] = pattern !== undefined ? [...pattern] : [...blockTypes!];
    const n = c.posInt(['num_hidden_layers', 'n_layer', 'n_layers', 'num_layers']) ?? items.length;
    if (items.length !== n) c.failWith(key, `${n} entries (num_hidden_layers)`, `${items.length}`);
    const byName: Readonly<Record<string, Block>> = {
      M: { mixer: 'linear' }, mamba: { mixer: 'linear' },
      '*': { mixer: 'full' }, attention: { mixer: 'full' },
      '-': { ffn: 'dense' }, mlp: { ffn: 'dense' },
      E: { ffn: 'moe' }, moe: { ffn: 'moe' },
    };
    return items.map((v, i) => {
      const b = typeof v === 'string' ? byName[v] : undefined;
      if (!b) c.fail(`${key}[${i}]`, "one of M (mamba), * (attention), - (mlp), E (moe)", v);
      return { ...b };
    });
  }

  const numLayers = c.requirePosInt(['num_hidden_layers', 'n_layer', 'n_layers', 'num_layers']);
  const ffnKinds = moeLayersOf(c, numLayers, isMoe, modelType);

  // Nemotron-NAS (DeciLM): per-layer attention and MLP configs, some skipped.
  const blockConfigs = c.list('block_configs', numLayers, 'an object with attention and ffn', (v) => (isObj(v) ? v : undefined));
  if (blockConfigs) {
    const hidden = c.requirePosInt('hidden_size');
    let replaced = 0;
    const blocks = blockConfigs.map((bc): Block => {
      const attn = isObj(bc.attention) ? bc.attention : {};
      const ffn = isObj(bc.ffn) ? bc.ffn : {};
      const b: Block = {};
      if (attn.replace_with_linear === true || ffn.replace_with_linear === true) replaced++;
      if (attn.no_op !== true && attn.replace_with_linear !== true) b.mixer = typeof attn.window_length === 'number' ? 'sliding' : 'full';
      if (ffn.no_op !== true && ffn.replace_with_linear !== true && typeof ffn.ffn_mult === 'number') {
        b.ffn = 'dense';
        b.intermediate = nasIntermediateSize(ffn.ffn_mult, hidden);
      }
      return b;
    });
    notes.push('Nemotron-NAS: attention-free layers have no KV; numLayers counts attention layers, ffnLayerCount the MLPs');
    if (replaced > 0) notes.push(`${replaced} NAS sub-block(s) replaced by a single linear layer not counted`);
    return blocks;
  }

  const mixers = mixerKinds(c, numLayers, modelType, isDeepseekV4, notes);
  return mixers.map((m, i) => ({ mixer: m.kind, ffn: ffnKinds[i]!, ...(m.kvCompression !== undefined && { kvCompression: m.kvCompression }) }));
}

/** DeciLM's `_ffn_mult_to_intermediate_size`: 2/3 of ffn_mult x hidden, rounded up to a multiple of 256. */
function nasIntermediateSize(ffnMult: number, hidden: number): number {
  const size = Math.trunc((2 * ffnMult * hidden) / 3);
  return size % 256 === 0 ? size : size + 256 - (size % 256);
}

/** KV heads of a Nemotron-NAS model, from the first block_configs entry that groups its attention heads. */
export function kvHeadsFromBlocks(c: Fields, numHeads: number): number | undefined {
  const bcs = c.array('block_configs');
  if (!bcs) return undefined;
  const groups = bcs
    .map((bc) => (isObj(bc) && isObj(bc.attention) ? bc.attention.n_heads_in_group : undefined))
    .filter((g): g is number => typeof g === 'number' && g > 0);
  const g = groups[0];
  return g === undefined ? undefined : Math.max(1, Math.round(numHeads / g));
}

/** The mixer kind of each of `numLayers` layers, with the KV compression ratio where one applies (DeepSeek-V4). */
function mixerKinds(c: Fields, numLayers: number, modelType: string, isDeepseekV4: boolean, notes: string[]): { kind: LayerAttentionKind; kvCompression?: number }[] {
  const all = (kind: LayerAttentionKind) => Array.from({ length: numLayers }, () => ({ kind }));
  const isNum = (v: unknown): v is number => typeof v === 'number';

  // Kimi Linear: 1-based lists of KDA and full-attention (MLA) layers.
  const kimi = c.child('linear_attn_config');
  if (kimi) {
    const kda = new Set((kimi.array('kda_layers') ?? []).filter(isNum));
    const full = new Set((kimi.array('full_attn_layers') ?? []).filter(isNum));
    const unlisted = Array.from({ length: numLayers }, (_, i) => i + 1).filter((n) => !kda.has(n) && !full.has(n));
    if (unlisted.length > 0) notes.push(`${unlisted.length} layer(s) in neither kda_layers nor full_attn_layers; taken as full attention`);
    return Array.from({ length: numLayers }, (_, i) => ({ kind: kda.has(i + 1) ? ('linear' as const) : ('full' as const) }));
  }

  const layerTypes = c.list('layer_types', numLayers, `one of ${Object.keys(LAYER_TYPE_NAMES).join(', ')}`, (v) =>
    typeof v === 'string' ? LAYER_TYPE_NAMES[v] : undefined,
  );
  if (layerTypes) {
    if (c.array('layer_types')!.includes('chunked_attention')) notes.push('chunked attention modelled as a sliding window of one chunk');
    return layerTypes.map((kind) => ({ kind }));
  }

  // MiMo-V2: 1 = sliding-window layer, 0 = full attention.
  const hybrid = c.list('hybrid_layer_pattern', numLayers, '0 (full) or 1 (sliding)', (v) => (v === 0 ? 'full' : v === 1 ? 'sliding' : undefined));
  if (hybrid) return hybrid.map((kind) => ({ kind: kind as LayerAttentionKind }));

  // MiniMax: 0 = lightning (linear) attention, 1 = softmax attention.
  const minimax = c.list('attn_type_list', numLayers, '0 (linear) or 1 (full)', (v) => (v === 0 ? 'linear' : v === 1 ? 'full' : undefined));
  if (minimax) return minimax.map((kind) => ({ kind: kind as LayerAttentionKind }));

  // DeepSeek-V4: ratio 0 = sliding-window only; otherwise compressed full attention. Extra entries belong to MTP layers.
  if (isDeepseekV4) {
    const ratios = c.list('compress_ratios', numLayers, 'a non-negative integer', (v) => (isNum(v) && Number.isInteger(v) && v >= 0 ? v : undefined), true);
    if (ratios) return ratios.map((r) => (r === 0 ? { kind: 'sliding' as const } : { kind: 'full' as const, kvCompression: r }));
    notes.push('DeepSeek-V4 without compress_ratios: all layers taken as uncompressed full attention');
    return all('full');
  }

  const interval = c.posInt('full_attention_interval');
  if (interval !== undefined) return Array.from({ length: numLayers }, (_, i) => ({ kind: (i + 1) % interval === 0 ? 'full' : 'linear' }));

  // Llama 4: RoPE layers use chunked local attention, every 4th (NoPE) layer is global.
  if (modelType.startsWith('llama4') && c.posInt('attention_chunk_size') !== undefined) {
    const noRope = c.list('no_rope_layers', numLayers, '0 or 1', (v) => (v === 0 || v === 1 ? v : undefined));
    notes.push('chunked local attention (attention_chunk_size) modelled as a sliding window of one chunk');
    return Array.from({ length: numLayers }, (_, i) => {
      const usesRope = noRope ? noRope[i] === 1 : (i + 1) % 4 !== 0;
      return { kind: usesRope ? 'sliding' : 'full' };
    });
  }

  const window = c.count(['sliding_window', 'sliding_window_size']) || undefined;
  const useSliding = c.bool('use_sliding_window');
  if (window === undefined || useSliding === false) return all('full');
  const every = c.posInt(['sliding_window_pattern', 'sliding_window_layers_interval']);
  if (every !== undefined) return Array.from({ length: numLayers }, (_, i) => ({ kind: (i + 1) % every === 0 ? 'full' : 'sliding' }));
  if (modelType === 'gemma2' || modelType === 'gpt_oss') return Array.from({ length: numLayers }, (_, i) => ({ kind: i % 2 === 0 ? 'sliding' : 'full' }));
  if (useSliding === true) {
    // Qwen2 convention: the first max_window_layers layers keep full attention.
    const maxWindowLayers = c.int('max_window_layers', 0) ?? 0;
    return Array.from({ length: numLayers }, (_, i) => ({ kind: i >= maxWindowLayers ? 'sliding' : 'full' }));
  }
  notes.push('sliding_window declared without a layer pattern: every layer taken as sliding-window (Mistral convention)');
  return all('sliding');
}

/** Tokens a sliding-window layer attends to (a Llama 4 chunk counts as a window); call only when some layer is sliding. */
export function slidingWindowTokensOf(c: Fields, modelType: string): number {
  const chunked = modelType.startsWith('llama4') ? c.posInt('attention_chunk_size') : undefined;
  const slidingWindowTokens = chunked ?? (c.count(['sliding_window', 'sliding_window_size']) || undefined);
  if (slidingWindowTokens === undefined) c.fail('sliding_window', 'a positive integer (the config declares sliding-window layers)', c.obj['sliding_window']);
  return slidingWindowTokens;
}
