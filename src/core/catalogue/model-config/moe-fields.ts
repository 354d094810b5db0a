/** @module MoE fields: routed-expert count, which decoder layers are MoE, and the expert geometry (shared, latent, hash-routed). */
import type { MoeSpec } from '../model-spec.js';
import type { Fields } from './read-fields.js';

/** Routed-expert count (0 when none declared) and whether the model is MoE at all. */
export function routedExperts(c: Fields): { numExperts: number; isMoe: boolean } {
  const numExperts = c.posInt(['n_routed_experts', 'num_experts', 'num_local_experts', 'moe_num_experts']) ?? 0;
  const isMoe = numExperts > 1 && c.bool('enable_moe_block') !== false;
  return { numExperts, isMoe };
}

/** Which decoder layers carry a MoE block; the rest carry a dense MLP. */
export function moeLayersOf(c: Fields, numLayers: number, isMoe: boolean, modelType: string): ('dense' | 'moe')[] {
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

/** The MoE geometry: top-k, expert widths, shared experts (Llama 4, Gemma-4's dense MLP beside the experts) and a latent width. */
export function moeSpecOf(
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
