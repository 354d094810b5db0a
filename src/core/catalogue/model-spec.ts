/** @module The shape of a transformer model as tokenfleet reasons about it, parsed from a Hugging Face config.json. */
import type { Precision } from './precision.js';

/** How one decoder layer attends. `linear` covers linear attention / state-space mixers (Gated DeltaNet, Mamba): constant state, no KV per token. */
export type LayerAttentionKind = 'full' | 'sliding' | 'linear';

export interface MlaSpec {
  readonly kvLoraRank: number;
  /** 0 when queries are not low-rank compressed. */
  readonly qLoraRank: number;
  readonly qkNopeHeadDim: number;
  readonly qkRopeHeadDim: number;
  readonly vHeadDim: number;
}

export interface MoeSpec {
  /** Routed experts per MoE layer. */
  readonly numExperts: number;
  /** Routed experts per token. */
  readonly topK: number;
  /** Intermediate size of one routed expert. */
  readonly expertIntermediateSize: number;
  /** Shared (always active) experts per MoE layer. */
  readonly numSharedExperts: number;
  /** Intermediate size of one shared expert. */
  readonly sharedExpertIntermediateSize: number;
  /** Number of decoder layers that are MoE (the others have a dense MLP). */
  readonly moeLayerCount: number;
  /**
   * Width the routed experts work at when the MoE block first projects the hidden state down
   * (latent MoE: Nemotron-3 `moe_latent_size`, Kimi `routed_expert_hidden_size`); absent: hiddenSize.
   */
  readonly latentSize?: number;
}

/**
 * Geometry of the attention layers of one kind, for models whose layers depart from the
 * plain MHA/GQA reading of the top-level fields. Not used for MLA layers (see MlaSpec).
 */
export interface AttentionShape {
  readonly numAttentionHeads: number;
  readonly numKeyValueHeads: number;
  /** Query/key head dimension, elements. */
  readonly headDim: number;
  /** Value head dimension, elements (MiMo-V2-Flash: 128 against a 192 key head). */
  readonly valueHeadDim: number;
  /**
   * One cached vector per KV head serves as both key and value (Gemma-4 `attention_k_eq_v`,
   * DeepSeek-V4 shared-KV MQA): no value projection, and half the KV of separate K and V.
   */
  readonly sharedKeyValue: boolean;
  /** The query projection also yields a sigmoid output gate (Qwen3.5/Qwen3-Next `attn_output_gate`). */
  readonly outputGate: boolean;
  /** Rank of a low-rank query projection (DeepSeek-V4 `q_lora_rank`); 0: full rank. */
  readonly qLoraRank: number;
  /** Rank of a grouped low-rank output projection (DeepSeek-V4 `o_lora_rank`); 0: full rank. */
  readonly oLoraRank: number;
  /** Groups of that output projection (`o_groups`); 1 when oLoraRank is 0. */
  readonly oGroups: number;
}

/** The mixer of `linear` layers: a recurrent layer with constant per-sequence state. */
export type LinearMixerSpec =
  /** Gated DeltaNet (Qwen3-Next, Qwen3.5 `linear_*` fields). */
  | {
      readonly kind: 'gated-deltanet';
      readonly numKeyHeads: number;
      readonly numValueHeads: number;
      readonly keyHeadDim: number;
      readonly valueHeadDim: number;
      /** Short causal convolution width, taps. */
      readonly convKernel: number;
    }
  /** Mamba-2 (Nemotron-H `mamba_*`, `ssm_state_size`, `n_groups`). */
  | {
      readonly kind: 'mamba2';
      readonly numHeads: number;
      readonly headDim: number;
      readonly stateSize: number;
      readonly numGroups: number;
      readonly convKernel: number;
    }
  /** Kimi Delta Attention (Kimi Linear `linear_attn_config`). */
  | {
      readonly kind: 'kimi-delta';
      readonly numHeads: number;
      readonly headDim: number;
      readonly convKernel: number;
      /** Per-channel forget gate projected at full rank (`use_full_rank_gate`) rather than through a head_dim bottleneck. */
      readonly fullRankGate: boolean;
    }
  /** Lightning (linear softmax-free) attention (MiniMax `attn_type_list` 0). */
  | {
      readonly kind: 'lightning';
      readonly numHeads: number;
      readonly headDim: number;
    };

export interface ModelSpec {
  /** Id, e.g. `deepseek-ai/DeepSeek-R1`. */
  readonly id: string;
  /** `model_type` from the config. */
  readonly modelType: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numAttentionHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  /** Intermediate size of the dense MLP layers. */
  readonly intermediateSize: number;
  /** True when the MLP is gated (SwiGLU/GeGLU: three matrices), false for a plain two-matrix MLP. */
  readonly gatedMlp: boolean;
  readonly tieWordEmbeddings: boolean;
  /** Attention kind per decoder layer; length numLayers. */
  readonly layerAttention: readonly LayerAttentionKind[];
  /** Sliding window in tokens for `sliding` layers, if any. */
  readonly slidingWindowTokens?: number;
  /** Present for DeepSeek/Kimi-style multi-head latent attention. */
  readonly mla?: MlaSpec;
  /** Present for mixture-of-experts models. */
  readonly moe?: MoeSpec;
  /** Per-layer size of the constant recurrent state of `linear` layers, in elements (0 when none). */
  readonly linearStateElementsPerLayer: number;
  /** Maximum context, tokens. */
  readonly maxPositionEmbeddings: number;
  /**
   * Weight precision the config declares (quantization_config or a sibling hf_quant_config.json), if
   * any: the precision of the bulk of the weights (the routed experts of a MoE checkpoint that keeps
   * attention at a higher precision; parseNotes say when the checkpoint is mixed).
   */
  readonly declaredWeightPrecision?: Precision;
  /** KV-cache precision the quantisation config declares (`kv_cache_quant_algo`, `kv_cache_scheme`), if any. */
  readonly declaredKvCachePrecision?: Precision;
  /**
   * Per-kind attention geometry, present only where some layer kind departs from the top-level
   * fields (per-kind head counts or head dims, shared K/V, output gate, low-rank q/o). Resolve a
   * layer's shape with `attentionShapeFor(spec, kind)` from model-size.ts.
   */
  readonly attentionShapes?: { readonly full?: AttentionShape; readonly sliding?: AttentionShape };
  /**
   * Per-layer KV compression (length numLayers): a `full` layer stores one KV entry per this many
   * tokens (DeepSeek-V4 `compress_ratios`); 1 for uncompressed and for non-full layers. Absent: all 1.
   */
  readonly kvCompressionRatios?: readonly number[];
  /** The mixer of `linear` layers; present when any layer is `linear`. */
  readonly linearMixer?: LinearMixerSpec;
  /** Precision the recurrent state of `linear` layers is kept at (`mamba_ssm_dtype`, `mamba_ssm_cache_dtype`); absent: bf16. */
  readonly linearStatePrecision?: Precision;
  /**
   * Layers that carry a feed-forward block (dense MLP or MoE), when not every layer in
   * `layerAttention` does: Nemotron-H interleaves mixer-only and MLP-only blocks, and
   * Nemotron-NAS skips attention in some layers. Then numLayers and layerAttention count the
   * attention/linear mixer layers only. Absent: numLayers. Dense-MLP layers are
   * (ffnLayerCount ?? numLayers) - (moe?.moeLayerCount ?? 0).
   */
  readonly ffnLayerCount?: number;
  /**
   * Multi-token-prediction (MTP/nextn) layers the checkpoint ships (`num_nextn_predict_layers`): a drafter for
   * speculative decoding that engines can run (DeepSeek-V3/R1: 1). Not counted in the sizes. Absent: none.
   */
  readonly mtpLayers?: number;
  /** Free-form notes on approximations made while parsing. */
  readonly parseNotes: readonly string[];
}
