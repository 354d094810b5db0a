/** @module Linear mixers (Gated DeltaNet, Mamba-2, Kimi delta, MiniMax lightning): geometry, recurrent state per layer and sequence, and its dtype. */
import type { LinearMixerSpec } from '../model-spec.js';
import type { Precision } from '../precision.js';
import type { Fields } from './read-fields.js';
import { torchDtype } from './torch-dtype.js';

/** The linear mixer of a config that declares linear layers, its state size per layer and sequence, and the state dtype. */
export function linearMixerFields(
  c: Fields,
  numHeads: number,
  headDim: number,
  modelType: string,
  notes: string[],
): { linearMixer: LinearMixerSpec; linearStateElementsPerLayer: number; linearStatePrecision: Precision | undefined } {
  const linearMixer = linearMixerOf(c, numHeads, headDim, modelType);
  const linearStateElementsPerLayer = linearStateElements(linearMixer);
  const dtype = c.str('mamba_ssm_dtype', 'mamba_ssm_cache_dtype', 'ssm_state_dtype', 'linear_state_dtype');
  const linearStatePrecision = dtype === undefined ? undefined : torchDtype(dtype);
  if (dtype === undefined) notes.push('recurrent state dtype not declared; linear-layer state counted at bf16');
  else if (linearStatePrecision === undefined) notes.push(`unrecognised state dtype '${dtype}'; linear-layer state counted at bf16`);
  notes.push(
    linearMixer.kind === 'mamba2'
      ? 'Mamba layers modelled as linear mixers (constant state, no KV per token)'
      : `${linearMixer.kind} layers modelled as linear mixers (constant state, no KV per token); conv state counted at the state dtype`,
  );
  return { linearMixer, linearStateElementsPerLayer, linearStatePrecision };
}

/** Which linear mixer the config describes, read from the fields that family uses. */
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
