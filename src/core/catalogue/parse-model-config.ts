/**
 * @module Reads a Hugging Face `config.json` (dense MHA/GQA, MoE, MLA, sliding/hybrid/linear
 * attention, Mamba hybrids, multimodal wrappers, declared quantisation) into a ModelSpec.
 * Pure: the caller reads the files. Every approximation lands in `parseNotes`.
 */
import { InvalidInputError } from '../errors.js';
import type {
  AttentionShape,
  LayerAttentionKind,
  LinearMixerSpec,
  MlaSpec,
  ModelSpec,
  MoeSpec,
} from './model-spec.js';
import type { Precision } from './precision.js';

export interface ParseModelConfigOptions {
  /** Where the config came from (a file name), prefixed to error messages. */
  readonly where?: string;
  /** Parsed sibling `hf_quant_config.json` (ModelOpt), which takes precedence over `quantization_config`. */
  readonly quantConfig?: unknown;
}

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Typed access to one JSON object, with errors that name the file and the dotted field. */
class Fields {
  constructor(
    readonly obj: Obj,
    private readonly prefix: string,
    private readonly where: string,
  ) {}

  fail(key: string, expected: string, got: unknown): never {
    return this.failWith(key, expected, show(got));
  }

  /** Like fail, with `got` already worded. */
  failWith(key: string, expected: string, got: string): never {
    throw new InvalidInputError(`${this.prefix}${key}: expected ${expected}, got ${got}`, this.where);
  }

  /** The value of the first present (non-null) key. */
  raw(...keys: string[]): { key: string; value: unknown } | undefined {
    for (const key of keys) {
      const value = this.obj[key];
      if (value !== undefined && value !== null) return { key, value };
    }
    return undefined;
  }

  int(keys: string | string[], min: number): number | undefined {
    const names = typeof keys === 'string' ? [keys] : keys;
    const r = this.raw(...names);
    if (!r) return undefined;
    if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value < min) {
      this.fail(r.key, min > 0 ? 'a positive integer' : 'a non-negative integer', r.value);
    }
    return r.value;
  }

  posInt(keys: string | string[]): number | undefined {
    return this.int(keys, 1);
  }

  /** A non-negative integer (0 allowed: counts such as n_shared_experts). */
  count(keys: string | string[]): number | undefined {
    return this.int(keys, 0);
  }

  requirePosInt(keys: string | string[]): number {
    const v = this.posInt(keys);
    if (v === undefined) this.fail(typeof keys === 'string' ? keys : keys[0]!, 'a positive integer', undefined);
    return v;
  }

  bool(key: string): boolean | undefined {
    const r = this.raw(key);
    if (!r) return undefined;
    if (typeof r.value !== 'boolean') this.fail(key, 'true or false', r.value);
    return r.value;
  }

  str(...keys: string[]): string | undefined {
    const r = this.raw(...keys);
    if (!r) return undefined;
    if (typeof r.value !== 'string') this.fail(r.key, 'a string', r.value);
    return r.value;
  }

  array(key: string): readonly unknown[] | undefined {
    const r = this.raw(key);
    if (!r) return undefined;
    if (!Array.isArray(r.value)) this.fail(key, 'an array', r.value);
    return r.value;
  }

  /** An array of `length` elements mapped by `f` (which returns undefined for a bad element). */
  list<T>(key: string, length: number, what: string, f: (v: unknown) => T | undefined, allowLonger = false): T[] | undefined {
    const a = this.array(key);
    if (!a) return undefined;
    if (a.length < length || (!allowLonger && a.length > length)) {
      this.failWith(key, `${length} entries (one per layer)`, `${a.length}`);
    }
    return a.slice(0, length).map((v, i) => {
      const t = f(v);
      if (t === undefined) this.fail(`${key}[${i}]`, what, v);
      return t;
    });
  }

  child(key: string): Fields | undefined {
    const r = this.raw(key);
    if (!r) return undefined;
    if (!isObj(r.value)) this.fail(key, 'an object', r.value);
    return new Fields(r.value, `${this.prefix}${key}.`, this.where);
  }
}

/** What one decoder block holds: a token mixer, a feed-forward part, or both. */
interface Block {
  mixer?: LayerAttentionKind;
  ffn?: 'dense' | 'moe';
  /** Dense MLP width of this block when it varies per layer (Nemotron-NAS). */
  intermediate?: number;
  kvCompression?: number;
}

const TEXT_CONFIG_KEYS = ['text_config', 'llm_config', 'language_config'] as const;

/** Model types whose MLP is a plain two-matrix one (everything else modern is gated). */
const NON_GATED_MODEL_TYPES = new Set(['gpt2', 'gpt_bigcode', 'gpt_neox', 'gptj', 'opt', 'bloom', 'falcon', 'phi', 'starcoder2', 'mpt', 'nemotron', 'nemotron_h']);
const NON_GATED_ACTIVATIONS = new Set(['relu2', 'squared_relu', 'squared-relu']);
const KNOWN_ACTIVATIONS = new Set(['silu', 'swish', 'swiglu', 'swigluoai', 'gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'geglu', 'relu', ...NON_GATED_ACTIVATIONS]);

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

/**
 * Parses a Hugging Face model config into a ModelSpec. Multimodal configs use their text model
 * (`text_config`). Throws InvalidInputError naming `opts.where`, the field, and what was expected.
 */
export function parseModelConfig(json: unknown, id: string, opts: ParseModelConfigOptions = {}): ModelSpec {
  const where = opts.where ?? id;
  if (!isObj(json)) {
    const kind = Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json;
    throw new InvalidInputError(`expected a JSON object (a Hugging Face config.json), got ${kind}`, where);
  }
  const notes: string[] = [];
  const root = new Fields(json, '', where);
  let c = root;
  for (const key of TEXT_CONFIG_KEYS) {
    const child = root.child(key);
    if (child) {
      c = child;
      notes.push(`multimodal config: the text model (${key}) only; vision/audio encoders not counted`);
      break;
    }
  }
  /** Fields that wrappers keep at the top level. */
  const either = <T>(f: (x: Fields) => T | undefined): T | undefined => f(c) ?? (c === root ? undefined : f(root));

  const modelType = either((x) => x.str('model_type')) ?? 'unknown';
  const archs = (either((x) => x.array('architectures')) ?? []).filter((a): a is string => typeof a === 'string');
  const isDeepseekV4 = modelType === 'deepseek_v4' || archs.some((a) => /deepseekv4/i.test(a));
  const hiddenSize = c.requirePosInt(['hidden_size', 'n_embd', 'd_model']);
  const vocabSize = either((x) => x.posInt(['vocab_size', 'padded_vocab_size'])) ?? c.requirePosInt('vocab_size');
  const numHeads = c.requirePosInt(['num_attention_heads', 'n_head', 'n_heads', 'num_heads']);
  const maxPositionEmbeddings = c.requirePosInt(['max_position_embeddings', 'n_positions', 'max_sequence_length', 'seq_length']);

  // ---- MoE geometry (which layers are MoE is decided with the layer structure below) ----
  const numExperts = c.posInt(['n_routed_experts', 'num_experts', 'num_local_experts', 'moe_num_experts']) ?? 0;
  const isMoe = numExperts > 1 && c.bool('enable_moe_block') !== false;

  // ---- Layer structure ----
  const blocks = layerBlocks(c, modelType, isMoe, isDeepseekV4, notes);
  const mixerBlocks = blocks.filter((b) => b.mixer !== undefined);
  const layerAttention = mixerBlocks.map((b) => b.mixer!);
  const numLayers = layerAttention.length;
  if (numLayers === 0) c.fail('num_hidden_layers', 'at least one attention or linear-attention layer', 0);
  const ffnBlocks = blocks.filter((b) => b.ffn !== undefined);
  const separateFfn = ffnBlocks.length !== numLayers || blocks.some((b) => b.mixer === undefined || b.ffn === undefined);

  const hasSliding = layerAttention.includes('sliding');
  let slidingWindowTokens: number | undefined;
  if (hasSliding) {
    const chunked = modelType.startsWith('llama4') ? c.posInt('attention_chunk_size') : undefined;
    slidingWindowTokens = chunked ?? (c.count(['sliding_window', 'sliding_window_size']) || undefined);
    if (slidingWindowTokens === undefined) c.fail('sliding_window', 'a positive integer (the config declares sliding-window layers)', c.obj['sliding_window']);
  }

  // ---- Attention ----
  const kvLoraRank = c.posInt('kv_lora_rank');
  let mla: MlaSpec | undefined;
  let headDim: number;
  const numKeyValueHeads = c.posInt(['num_key_value_heads', 'num_kv_heads', 'n_head_kv']) ?? kvHeadsFromBlocks(c, numHeads) ?? numHeads;
  if (numKeyValueHeads > numHeads) c.fail('num_key_value_heads', `at most num_attention_heads (${numHeads})`, numKeyValueHeads);
  if (kvLoraRank !== undefined) {
    const qkNopeHeadDim = c.requirePosInt('qk_nope_head_dim');
    const qkRopeHeadDim = c.requirePosInt('qk_rope_head_dim');
    mla = {
      kvLoraRank,
      qLoraRank: c.count('q_lora_rank') ?? 0,
      qkNopeHeadDim,
      qkRopeHeadDim,
      vHeadDim: c.posInt('v_head_dim') ?? qkNopeHeadDim,
    };
    // For MLA the query/key head is nope + rope; hidden/heads means nothing here.
    headDim = qkNopeHeadDim + qkRopeHeadDim;
    if (c.raw('index_topk')) notes.push('DeepSeek sparse attention (DSA) modelled as dense MLA; lightning-indexer weights and its key cache not counted');
  } else {
    headDim = c.posInt(['head_dim', 'attention_head_dim']) ?? hiddenSize / numHeads;
    if (!Number.isInteger(headDim)) c.fail('head_dim', `a positive integer (hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads})`, c.obj['head_dim']);
  }
  const attentionShapes = mla ? undefined : attentionShapesOf(c, { numHeads, numKeyValueHeads, headDim }, isDeepseekV4, notes);
  if (isDeepseekV4) {
    notes.push(
      'DeepSeek-V4 compressed attention: full layers keep one shared-KV entry per compress_ratios[i] tokens, ratio-0 layers are sliding-window; the compressors, the indexer, the sliding branch of compressed layers and hyper-connections (hc_mult) are not counted',
    );
  }
  const sparse = c.child('sparse_attention_config');
  if (sparse && sparse.bool('use_sparse_attention') !== false) notes.push('block-sparse attention (sparse_attention_config) modelled as dense attention; its index weights not counted');

  // ---- Linear mixers ----
  const hasLinear = layerAttention.includes('linear');
  const linearMixer = hasLinear ? linearMixerOf(c, numHeads, headDim, modelType) : undefined;
  const linearStateElementsPerLayer = linearMixer ? linearStateElements(linearMixer) : 0;
  let linearStatePrecision: Precision | undefined;
  if (linearMixer) {
    const dtype = c.str('mamba_ssm_dtype', 'mamba_ssm_cache_dtype', 'ssm_state_dtype', 'linear_state_dtype');
    linearStatePrecision = dtype === undefined ? undefined : torchDtype(dtype);
    if (dtype === undefined) notes.push('recurrent state dtype not declared; linear-layer state counted at bf16');
    else if (linearStatePrecision === undefined) notes.push(`unrecognised state dtype '${dtype}'; linear-layer state counted at bf16`);
    notes.push(
      linearMixer.kind === 'mamba2'
        ? 'Mamba layers modelled as linear mixers (constant state, no KV per token)'
        : `${linearMixer.kind} layers modelled as linear mixers (constant state, no KV per token); conv state counted at the state dtype`,
    );
  }

  // ---- MLP / MoE ----
  const activation = c.str('hidden_act', 'hidden_activation', 'mlp_hidden_act', 'activation_function');
  const gatedMlp = !(NON_GATED_MODEL_TYPES.has(modelType) || (activation !== undefined && NON_GATED_ACTIVATIONS.has(activation)));
  if (activation === undefined) notes.push(`hidden_act not declared; assumed a ${gatedMlp ? 'gated (SwiGLU)' : 'plain'} MLP`);
  else if (!KNOWN_ACTIVATIONS.has(activation)) notes.push(`unrecognised activation '${activation}'; assumed a ${gatedMlp ? 'gated' : 'plain'} MLP`);

  const numDense = ffnBlocks.filter((b) => b.ffn === 'dense').length;
  const moeLayerCount = ffnBlocks.length - numDense;
  if (moeLayerCount > 0 && !isMoe) {
    c.fail('n_routed_experts', 'more than one expert (the layer pattern declares MoE blocks)', c.raw('n_routed_experts', 'num_experts')?.value);
  }
  let intermediateSize = 0;
  if (numDense > 0) {
    const perLayer = ffnBlocks.filter((b) => b.ffn === 'dense' && b.intermediate !== undefined);
    if (perLayer.length > 0) {
      const sum = perLayer.reduce((s, b) => s + b.intermediate!, 0);
      intermediateSize = Math.round(sum / perLayer.length);
      notes.push(`per-layer MLP widths (block_configs) averaged to intermediate_size ${intermediateSize}`);
    } else {
      intermediateSize =
        c.posInt(['dense_intermediate_size', 'intermediate_size_mlp']) ??
        c.posInt(['intermediate_size', 'n_inner', 'ffn_hidden_size']) ??
        (modelType === 'gpt2' ? 4 * hiddenSize : c.requirePosInt('intermediate_size'));
    }
  } else {
    intermediateSize = c.posInt(['intermediate_size', 'dense_intermediate_size']) ?? 0;
  }

  let moe: MoeSpec | undefined;
  if (isMoe && moeLayerCount > 0) {
    moe = moeSpecOf(c, { numExperts, moeLayerCount, hiddenSize, modelType, intermediateSize }, notes);
  }

  // ---- Quantisation, MTP, embeddings ----
  const quant = declaredQuantisation(root, c, opts.quantConfig, notes);
  const mtp = c.count(['num_nextn_predict_layers', 'mtp_num_hidden_layers', 'num_mtp_modules']);
  if (mtp) notes.push(`${mtp} multi-token-prediction (MTP/nextn) layer(s) not counted`);
  const tie = either((x) => x.bool('tie_word_embeddings'));
  if (tie === undefined) notes.push('tie_word_embeddings not declared; assumed untied');

  const kvCompressionRatios = mixerBlocks.some((b) => (b.kvCompression ?? 1) !== 1) ? mixerBlocks.map((b) => b.kvCompression ?? 1) : undefined;

  return {
    id,
    modelType,
    hiddenSize,
    numLayers,
    numAttentionHeads: numHeads,
    numKeyValueHeads,
    headDim,
    vocabSize,
    intermediateSize,
    gatedMlp,
    tieWordEmbeddings: tie ?? false,
    layerAttention,
    ...(slidingWindowTokens !== undefined && { slidingWindowTokens }),
    ...(mla && { mla }),
    ...(moe && { moe }),
    linearStateElementsPerLayer,
    maxPositionEmbeddings,
    ...(quant.weight && { declaredWeightPrecision: quant.weight }),
    ...(quant.kv && { declaredKvCachePrecision: quant.kv }),
    ...(attentionShapes && { attentionShapes }),
    ...(kvCompressionRatios && { kvCompressionRatios }),
    ...(linearMixer && { linearMixer }),
    ...(linearStatePrecision && { linearStatePrecision }),
    ...(separateFfn && { ffnLayerCount: ffnBlocks.length }),
    parseNotes: notes,
  };
}

/** Decides, per decoder block, its mixer kind and whether its feed-forward part is dense or MoE. */
function layerBlocks(c: Fields, modelType: string, isMoe: boolean, isDeepseekV4: boolean, notes: string[]): Block[] {
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

function kvHeadsFromBlocks(c: Fields, numHeads: number): number | undefined {
  const bcs = c.array('block_configs');
  if (!bcs) return undefined;
  const groups = bcs
    .map((bc) => (isObj(bc) && isObj(bc.attention) ? bc.attention.n_heads_in_group : undefined))
    .filter((g): g is number => typeof g === 'number' && g > 0);
  const g = groups[0];
  return g === undefined ? undefined : Math.max(1, Math.round(numHeads / g));
}

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

/** Which decoder layers carry a MoE block; the rest carry a dense MLP. */
function moeLayersOf(c: Fields, numLayers: number, isMoe: boolean, modelType: string): ('dense' | 'moe')[] {
  if (!isMoe) return Array.from({ length: numLayers }, () => 'dense');
  const explicit =
    c.list('mlp_layer_types', numLayers, "'dense' or 'sparse'", (v) => (v === 'dense' ? 'dense' : v === 'sparse' || v === 'moe' ? 'moe' : undefined)) ??
    (Array.isArray(c.obj['moe_layer_freq'])
      ? c.list('moe_layer_freq', numLayers, '0 (dense) or 1 (MoE)', (v) => (v === 0 ? 'dense' : v === 1 ? 'moe' : undefined))
      : undefined);
  if (explicit) return explicit as ('dense' | 'moe')[];
  const moeLayers = c.array('moe_layers');
  if (moeLayers) {
    const set = new Set(moeLayers);
    return Array.from({ length: numLayers }, (_, i) => (set.has(i) ? 'moe' : 'dense'));
  }
  const firstDense = c.int('first_k_dense_replace', 0) ?? 0;
  const freq = c.posInt('moe_layer_freq') ?? 1;
  const sparseStep = c.posInt('decoder_sparse_step') ?? 1;
  const interleave = modelType.startsWith('llama4') ? (c.posInt('interleave_moe_layer_step') ?? 1) : 1;
  const mlpOnly = new Set((c.array('mlp_only_layers') ?? []).filter((v) => typeof v === 'number'));
  return Array.from({ length: numLayers }, (_, i) => {
    const moe =
      i >= firstDense && i % freq === 0 && (i + 1) % sparseStep === 0 && (i + 1) % interleave === 0 && !mlpOnly.has(i);
    return moe ? 'moe' : 'dense';
  });
}

function moeSpecOf(
  c: Fields,
  m: { numExperts: number; moeLayerCount: number; hiddenSize: number; modelType: string; intermediateSize: number },
  notes: string[],
): MoeSpec {
  const topK = c.requirePosInt(['num_experts_per_tok', 'experts_per_token', 'num_experts_per_token', 'top_k_experts', 'moe_top_k', 'num_selected_experts']);
  if (topK > m.numExperts) c.fail('num_experts_per_tok', `at most the ${m.numExperts} experts`, topK);
  const expertIntermediateSize = c.posInt(['moe_intermediate_size', 'expert_intermediate_size']) ?? c.requirePosInt('intermediate_size');
  let sharedSize = c.int(['shared_expert_intermediate_size', 'moe_shared_expert_intermediate_size', 'shared_intermediate_size', 'share_expert_dim'], 0);
  let numShared = c.int(['n_shared_experts', 'num_shared_experts'], 0);
  if (m.modelType.startsWith('llama4')) numShared ??= 1;
  if (c.bool('enable_moe_block') === true) {
    // Gemma-4 runs a dense MLP beside the routed experts in every layer.
    numShared = 1;
    sharedSize = m.intermediateSize || c.requirePosInt('intermediate_size');
    notes.push('dense MLP running beside the MoE block modelled as one shared expert');
  }
  numShared ??= sharedSize !== undefined && sharedSize > 0 ? 1 : 0;
  sharedSize ??= expertIntermediateSize;
  if (sharedSize === 0) numShared = 0;
  const latent = c.count(['moe_latent_size', 'routed_expert_hidden_size']) || undefined;
  const latentSize = latent !== undefined && latent < m.hiddenSize ? latent : undefined;
  if (latentSize) notes.push(`latent MoE: routed experts work at width ${latentSize}; the down/up projections count as always-active weights`);
  const hashLayers = c.count('num_hash_layers');
  if (hashLayers) notes.push(`the first ${hashLayers} MoE layers route by token hash; costed like learned routing`);
  return {
    numExperts: m.numExperts,
    topK,
    expertIntermediateSize,
    numSharedExperts: numShared,
    sharedExpertIntermediateSize: numShared > 0 ? sharedSize : 0,
    moeLayerCount: m.moeLayerCount,
    ...(latentSize !== undefined && { latentSize }),
  };
}

function attentionShapesOf(
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

function linearMixerOf(c: Fields, numHeads: number, headDim: number, modelType: string): LinearMixerSpec {
  const kimi = c.child('linear_attn_config');
  if (kimi) {
    return {
      kind: 'kimi-delta',
      numHeads: kimi.posInt('num_heads') ?? numHeads,
      headDim: kimi.posInt('head_dim') ?? headDim,
      convKernel: kimi.posInt('short_conv_kernel_size') ?? 4,
      fullRankGate: kimi.bool('use_full_rank_gate') === true,
    };
  }
  if (c.raw('linear_num_value_heads', 'linear_num_key_heads')) {
    const keyHeadDim = c.requirePosInt('linear_key_head_dim');
    return {
      kind: 'gated-deltanet',
      numKeyHeads: c.requirePosInt('linear_num_key_heads'),
      numValueHeads: c.requirePosInt('linear_num_value_heads'),
      keyHeadDim,
      valueHeadDim: c.posInt('linear_value_head_dim') ?? keyHeadDim,
      convKernel: c.posInt('linear_conv_kernel_dim') ?? 4,
    };
  }
  if (c.raw('mamba_num_heads', 'ssm_state_size', 'mamba_head_dim')) {
    const hidden = c.requirePosInt('hidden_size');
    const mambaHeadDim = c.posInt('mamba_head_dim') ?? 64;
    const expand = c.posInt('expand') ?? 2;
    return {
      kind: 'mamba2',
      numHeads: c.posInt('mamba_num_heads') ?? (expand * hidden) / mambaHeadDim,
      headDim: mambaHeadDim,
      stateSize: c.requirePosInt('ssm_state_size'),
      numGroups: c.posInt('n_groups') ?? 1,
      convKernel: c.posInt('conv_kernel') ?? 4,
    };
  }
  if (modelType.startsWith('minimax')) return { kind: 'lightning', numHeads, headDim };
  return c.fail('linear_num_value_heads', 'the linear-attention geometry (the config declares linear layers)', undefined);
}

/** Recurrent state of one linear layer for one sequence, elements (state matrix plus conv window). */
export function linearStateElements(m: LinearMixerSpec): number {
  switch (m.kind) {
    case 'gated-deltanet': {
      const convDim = 2 * m.numKeyHeads * m.keyHeadDim + m.numValueHeads * m.valueHeadDim;
      return m.numValueHeads * m.keyHeadDim * m.valueHeadDim + convDim * (m.convKernel - 1);
    }
    case 'mamba2': {
      const convDim = m.numHeads * m.headDim + 2 * m.numGroups * m.stateSize;
      return m.numHeads * m.headDim * m.stateSize + convDim * (m.convKernel - 1);
    }
    case 'kimi-delta':
      return m.numHeads * m.headDim * m.headDim + 3 * m.numHeads * m.headDim * (m.convKernel - 1);
    case 'lightning':
      return m.numHeads * m.headDim * m.headDim;
  }
}

function torchDtype(s: string): Precision | undefined {
  const t = s.replace(/^torch\./, '').toLowerCase();
  if (t === 'float32' || t === 'fp32') return 'fp32';
  if (t === 'bfloat16' || t === 'bf16') return 'bf16';
  if (t === 'float16' || t === 'fp16' || t === 'half') return 'fp16';
  return undefined;
}

/** Precision named by a ModelOpt quant_algo or similar tag (NVFP4, W4A8_AWQ, FP8_BLOCK_SCALES...). */
function precisionFromAlgo(algo: string): Precision | undefined {
  const a = algo.toUpperCase();
  if (/NVFP4|MXFP4|FP4/.test(a)) return 'fp4';
  if (/INT4|W4A|AWQ|GPTQ/.test(a)) return 'int4';
  if (/FP8|MXFP8/.test(a)) return 'fp8';
  if (/INT8|W8A|SQ/.test(a)) return 'int8';
  return undefined;
}

const BITS_ORDER: readonly Precision[] = ['fp4', 'int4', 'fp8', 'int8', 'fp16', 'bf16', 'fp32'];
const narrowest = (ps: readonly Precision[]): Precision | undefined =>
  [...ps].sort((a, b) => BITS_ORDER.indexOf(a) - BITS_ORDER.indexOf(b))[0];

function precisionFromBits(bits: unknown, type: unknown): Precision | undefined {
  if (bits === 4) return type === 'int' ? 'int4' : 'fp4';
  if (bits === 8) return type === 'int' ? 'int8' : 'fp8';
  return undefined;
}

function kvPrecisionOf(v: unknown): Precision | undefined {
  if (typeof v === 'string') return precisionFromAlgo(v);
  if (isObj(v)) return precisionFromBits(v.num_bits, v.type);
  return undefined;
}

/** Weight and KV precisions the checkpoint declares, from hf_quant_config.json or quantization_config. */
function declaredQuantisation(root: Fields, c: Fields, hfQuant: unknown, notes: string[]): { weight?: Precision; kv?: Precision } {
  let q: Obj | undefined;
  let source: string;
  if (isObj(hfQuant) && isObj(hfQuant.quantization)) {
    q = hfQuant.quantization;
    source = 'hf_quant_config.json';
  } else {
    const qc = root.obj.quantization_config ?? c.obj.quantization_config;
    if (qc !== undefined && qc !== null && !isObj(qc)) root.fail('quantization_config', 'an object', qc);
    q = qc ?? undefined;
    source = 'quantization_config';
  }
  const expertDtype = c.str('expert_dtype');
  const expertPrecision = expertDtype === undefined ? undefined : (precisionFromAlgo(expertDtype) ?? torchDtype(expertDtype));
  if (!q) {
    if (expertPrecision) notes.push(`experts stored at ${expertPrecision} (expert_dtype)`);
    return expertPrecision ? { weight: expertPrecision } : {};
  }
  if (expertPrecision) notes.push(`experts stored at ${expertPrecision} (expert_dtype)`);

  const method = typeof q.quant_method === 'string' ? q.quant_method.toLowerCase() : undefined;
  const algo = typeof q.quant_algo === 'string' ? q.quant_algo : undefined;
  const candidates: Precision[] = [];
  const add = (p: Precision | undefined) => {
    if (p) candidates.push(p);
  };
  if (method) {
    const bits = typeof q.bits === 'number' ? q.bits : typeof q.w_bit === 'number' ? q.w_bit : 4;
    const intBits: Precision = bits === 8 ? 'int8' : 'int4';
    const byMethod: Readonly<Record<string, Precision | undefined>> = {
      fp8: 'fp8', fbgemm_fp8: 'fp8', ptpc_fp8: 'fp8', mxfp8: 'fp8', mxfp4: 'fp4', nvfp4: 'fp4', fp4: 'fp4',
      awq: intBits, gptq: intBits, autoround: intBits, awq_marlin: intBits, gptq_marlin: intBits,
      bitsandbytes: q.load_in_4bit === true ? 'int4' : q.load_in_8bit === true ? 'int8' : undefined,
    };
    add(byMethod[method]);
  }
  if (algo && algo.toUpperCase() === 'MIXED_PRECISION' && isObj(q.quantized_layers)) {
    for (const layer of Object.values(q.quantized_layers)) {
      add(isObj(layer) && typeof layer.quant_algo === 'string' ? precisionFromAlgo(layer.quant_algo) : undefined);
    }
  } else if (algo) {
    add(precisionFromAlgo(algo));
  }
  if (typeof q.moe_quant_algo === 'string') add(precisionFromAlgo(q.moe_quant_algo));
  if (isObj(q.config_groups) && (method === 'compressed-tensors' || candidates.length === 0)) {
    for (const g of Object.values(q.config_groups)) {
      if (!isObj(g)) continue;
      const fmt = typeof g.format === 'string' ? precisionFromAlgo(g.format) : undefined;
      add(fmt ?? (isObj(g.weights) ? precisionFromBits(g.weights.num_bits, g.weights.type) : undefined));
    }
  }
  add(expertPrecision);
  const mixed = new Set(candidates).size > 1;

  const weight = narrowest(candidates);
  if (!weight) notes.push(`unrecognised quantisation (${source}: ${method ?? algo ?? 'no quant_method'}); weight precision not declared`);
  else if (mixed) notes.push(`mixed-precision checkpoint (${[...new Set(candidates)].join(', ')}); declared the narrowest, which holds the bulk (MLP/expert) weights`);
  const excluded = [q.modules_to_not_convert, q.ignore, q.exclude_modules].flatMap((v) => (Array.isArray(v) ? v : []));
  const attentionModule = /(self_attn|attn)(\*|\.\*|$)|(self_attn|attn)\.[a-z_]*(q|k|v|o|a|b)_proj/;
  if (excluded.some((m) => typeof m === 'string' && attentionModule.test(m))) notes.push('attention weights excluded from quantisation (kept at bf16)');
  const kv = kvPrecisionOf(q.kv_cache_quant_algo) ?? kvPrecisionOf(q.kv_cache_scheme);
  return { ...(weight && { weight }), ...(kv && { kv }) };
}
