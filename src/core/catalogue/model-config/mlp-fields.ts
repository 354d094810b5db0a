/** @module Dense MLP fields: whether the MLP is gated (from the model type and activation) and its width. */
import type { Block } from './layer-attention.js';
import type { Fields } from './read-fields.js';

/** Model types whose MLP is a plain two-matrix one (everything else modern is gated). */
const NON_GATED_MODEL_TYPES = new Set(['gpt2', 'gpt_bigcode', 'gpt_neox', 'gptj', 'opt', 'bloom', 'falcon', 'phi', 'starcoder2', 'mpt', 'nemotron', 'nemotron_h']);
const NON_GATED_ACTIVATIONS = new Set(['relu2', 'squared_relu', 'squared-relu']);
const KNOWN_ACTIVATIONS = new Set(['silu', 'swish', 'swiglu', 'swigluoai', 'gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'geglu', 'relu', ...NON_GATED_ACTIVATIONS]);

/** Whether the MLP is gated (three matrices, SwiGLU-like) rather than plain (two). */
export function gatedMlpOf(c: Fields, modelType: string, notes: string[]): boolean {
  const activation = c.str('hidden_act', 'hidden_activation', 'mlp_hidden_act', 'activation_function');
  const gatedMlp = !(NON_GATED_MODEL_TYPES.has(modelType) || (activation !== undefined && NON_GATED_ACTIVATIONS.has(activation)));
  if (activation === undefined) notes.push(`hidden_act not declared; assumed a ${gatedMlp ? 'gated (SwiGLU)' : 'plain'} MLP`);
  else if (!KNOWN_ACTIVATIONS.has(activation)) notes.push(`unrecognised activation '${activation}'; assumed a ${gatedMlp ? 'gated' : 'plain'} MLP`);
  return gatedMlp;
}

/**
 * Width of the dense MLP: the per-layer widths averaged (Nemotron-NAS), the declared one, or 4 x hidden for
 * GPT-2. Without dense layers, whatever intermediate_size says (0 if nothing).
 */
export function denseIntermediateSize(c: Fields, ffnBlocks: readonly Block[], modelType: string, hiddenSize: number, notes: string[]): number {
  const numDense = ffnBlocks.filter((b) => b.ffn === 'dense').length;
  if (numDense === 0) return c.posInt(['intermediate_size', 'dense_intermediate_size']) ?? 0;
  const perLayer = ffnBlocks.filter((b) => b.ffn === 'dense' && b.intermediate !== undefined);
  if (perLayer.length > 0) {
    const sum = perLayer.reduce((s, b) => s + b.intermediate!, 0);
    const intermediateSize = Math.round(sum / perLayer.length);
    notes.push(`per-layer MLP widths (block_configs) averaged to intermediate_size ${intermediateSize}`);
    return intermediateSize;
  }
  return (
    c.posInt(['dense_intermediate_size', 'intermediate_size_mlp']) ??
    c.posInt(['intermediate_size', 'n_inner', 'ffn_hidden_size']) ??
    (modelType === 'gpt2' ? 4 * hiddenSize : c.requirePosInt('intermediate_size'))
  );
}
