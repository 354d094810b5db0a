/**
 * @module The catalogue's models as records (`tokenfleet catalog models
 * --json`, and the dashboard's /api/catalogue/models): each parsed config
 * with its derived sizes, and the configs that could not be parsed.
 */
import { kvBytesPerToken, parameterBreakdown, weightBytes } from '../core/catalogue/model-size.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { listBuiltinModels, loadModelConfigDir, resolveModel } from './model-registry.js';

/** A model's derived figures: attention kind, MoE shape, parameters, weight and KV bytes. */
export function modelSummary(spec: ModelSpec): Record<string, unknown> {
  const p = parameterBreakdown(spec);
  const attention = spec.mla ? 'MLA' : spec.numKeyValueHeads === spec.numAttentionHeads ? 'MHA' : 'GQA';
  const kinds = new Set(spec.layerAttention);
  return {
    id: spec.id,
    modelType: spec.modelType,
    attention: kinds.size > 1 ? `${attention} + ${[...kinds].filter((k) => k !== 'full').join('/')}` : attention,
    moe: spec.moe ? `${spec.moe.numExperts}e top${spec.moe.topK}${spec.moe.numSharedExperts ? ` +${spec.moe.numSharedExperts}s` : ''}` : 'dense',
    layers: spec.numLayers,
    totalParams: p.totalParams,
    activeParams: p.activeParams,
    weightBytesBf16: weightBytes(spec, 'bf16'),
    weightBytesFp8: weightBytes(spec, 'fp8'),
    kvBytesPerTokenBf16: kvBytesPerToken(spec, 'bf16'),
    declaredWeightPrecision: spec.declaredWeightPrecision ?? null,
    parseNotes: spec.parseNotes,
  };
}

/** Every built-in model (or those of `modelConfigsDir`), summarised; configs that fail to parse are listed as `id: reason`. */
export function listModelSummaries(modelConfigsDir?: string): { models: Record<string, unknown>[]; failures: string[] } {
  const entries = modelConfigsDir ? [...loadModelConfigDir(modelConfigsDir).entries()].map(([id, e]) => ({ id, file: e.file })) : listBuiltinModels();
  const models: Record<string, unknown>[] = [];
  const failures: string[] = [];
  for (const e of entries) {
    try {
      models.push({ ...modelSummary(resolveModel(e.file).spec), id: e.id, file: e.file });
    } catch (err) {
      failures.push(`${e.id}: ${(err as Error).message}`);
    }
  }
  return { models, failures };
}
