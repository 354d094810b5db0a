/**
 * @module Reads a Hugging Face `config.json` (dense MHA/GQA, MoE, MLA, sliding/hybrid/linear
 * attention, Mamba hybrids, multimodal wrappers, declared quantisation) into a ModelSpec.
 * Pure: the caller reads the files. Every approximation lands in `parseNotes`.
 */
import { InvalidInputError } from '../errors.js';
import { attentionShapesOf, headDimOf } from './model-config/attention-shapes.js';
import { declaredQuantisation } from './model-config/detect-quantisation.js';
import { kvHeadsFromBlocks, layerBlocks, slidingWindowTokensOf } from './model-config/layer-attention.js';
import { linearMixerFields } from './model-config/linear-mixer.js';
import { mlaSpecOf } from './model-config/mla-fields.js';
import { denseIntermediateSize, gatedMlpOf } from './model-config/mlp-fields.js';
import { moeSpecOf, routedExperts } from './model-config/moe-fields.js';
import { Fields, isObj } from './model-config/read-fields.js';
import type { ModelSpec, MoeSpec } from './model-spec.js';

export { linearStateElements } from './model-config/linear-mixer.js';

export interface ParseModelConfigOptions {
  /** Where the config came from (a file name), prefixed to error messages. */
  readonly where?: string;
  /** Parsed sibling `hf_quant_config.json` (ModelOpt), which takes precedence over `quantization_config`. */
  readonly quantConfig?: unknown;
}

const TEXT_CONFIG_KEYS = ['text_config', 'llm_config', 'language_config'] as const;

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
  const { numExperts, isMoe } = routedExperts(c);

  // ---- Layer structure ----
  const blocks = layerBlocks(c, modelType, isMoe, isDeepseekV4, notes);
  const mixerBlocks = blocks.filter((b) => b.mixer !== undefined);
  const layerAttention = mixerBlocks.map((b) => b.mixer!);
  const numLayers = layerAttention.length;
  if (numLayers === 0) c.fail('num_hidden_layers', 'at least one attention or linear-attention layer', 0);
  const ffnBlocks = blocks.filter((b) => b.ffn !== undefined);
  const separateFfn = ffnBlocks.length !== numLayers || blocks.some((b) => b.mixer === undefined || b.ffn === undefined);
  const slidingWindowTokens = layerAttention.includes('sliding') ? slidingWindowTokensOf(c, modelType) : undefined;

  // ---- Attention ----
  const kvLoraRank = c.posInt('kv_lora_rank');
  const numKeyValueHeads = c.posInt(['num_key_value_heads', 'num_kv_heads', 'n_head_kv']) ?? kvHeadsFromBlocks(c, numHeads) ?? numHeads;
  if (numKeyValueHeads > numHeads) c.fail('num_key_value_heads', `at most num_attention_heads (${numHeads})`, numKeyValueHeads);
  const latent = kvLoraRank !== undefined ? mlaSpecOf(c, kvLoraRank, notes) : undefined;
  const mla = latent?.mla;
  const headDim = latent ? latent.headDim : headDimOf(c, hiddenSize, numHeads);
  const attentionShapes = mla ? undefined : attentionShapesOf(c, { numHeads, numKeyValueHeads, headDim }, isDeepseekV4, notes);
  if (isDeepseekV4) {
    notes.push(
      'DeepSeek-V4 compressed attention: full layers keep one shared-KV entry per compress_ratios[i] tokens, ratio-0 layers are sliding-window; the compressors, the indexer, the sliding branch of compressed layers and hyper-connections (hc_mult) are not counted',
    );
  }
  const sparse = c.child('sparse_attention_config');
  if (sparse && sparse.bool('use_sparse_attention') !== false) notes.push('block-sparse attention (sparse_attention_config) modelled as dense attention; its index weights not counted');

  // ---- Linear mixers ----
  const linear = layerAttention.includes('linear') ? linearMixerFields(c, numHeads, headDim, modelType, notes) : undefined;
  const linearMixer = linear?.linearMixer;
  const linearStatePrecision = linear?.linearStatePrecision;

  // ---- MLP / MoE ----
  const gatedMlp = gatedMlpOf(c, modelType, notes);
  const moeLayerCount = ffnBlocks.filter((b) => b.ffn === 'moe').length;
  if (moeLayerCount > 0 && !isMoe) {
    c.fail('n_routed_experts', 'more than one expert (the layer pattern declares MoE blocks)', c.raw('n_routed_experts', 'num_experts')?.value);
  }
  const intermediateSize = denseIntermediateSize(c, ffnBlocks, modelType, hiddenSize, notes);
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
    linearStateElementsPerLayer: linear?.linearStateElementsPerLayer ?? 0,
    maxPositionEmbeddings,
    ...(quant.weight && { declaredWeightPrecision: quant.weight }),
    ...(quant.kv && { declaredKvCachePrecision: quant.kv }),
    ...(attentionShapes && { attentionShapes }),
    ...(kvCompressionRatios && { kvCompressionRatios }),
    ...(linearMixer && { linearMixer }),
    ...(linearStatePrecision && { linearStatePrecision }),
    ...(separateFfn && { ffnLayerCount: ffnBlocks.length }),
    ...(mtp && { mtpLayers: mtp }),
    parseNotes: notes,
  };
}
