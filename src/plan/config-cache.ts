/**
 * @module A cache of configuration-search results, keyed so that a change of
 * the workload, the engine, the calibration, the accelerator's catalogue entry
 * or the model's config makes a new key (old entries are never reused, only
 * left behind). Values are plain JSON, so a file-backed cache can hold them.
 */
import type { AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { CALIBRATIONS } from '../core/perf/calibration-data.js';
import { fnv1a } from '../predict/holdout.js';
import type { ConfigCapacity, WorkloadClass } from './plan-input.js';

export interface ConfigCache {
  get(key: string): ConfigCapacity | undefined;
  set(key: string, value: ConfigCapacity): void;
}

/** A cache held in memory for the life of the object. */
export function memoryCache(): ConfigCache {
  const entries = new Map<string, ConfigCapacity>();
  return {
    get: (key) => entries.get(key),
    set: (key, value) => void entries.set(key, value),
  };
}

/**
 * Version of the search procedure (layouts tried, concurrency search, throughput
 * formula). Bump it whenever the configuration search (config-search.ts and the files it uses: candidate-layouts, concurrency-search, precision-choice) would return different results
 * for the same inputs, so that cached results from the old procedure are not reused (5: TensorRT-LLM reserves whole
 * sequences in KV, fp4 weights on chips without fp4 units compute at the engine's fallback rate).
 */
export const CONFIG_SEARCH_VERSION = 5;

let calibrationsHash: number | undefined;

function hex(h: number): string {
  return h.toString(16).padStart(8, '0');
}

/**
 * Short hash (FNV-1a, 8 hex digits) of what a search result depends on besides
 * the workload and the engine: the fitted calibrations, the accelerator's whole
 * catalogue entry (numbers, sources, precisions), the model's parsed config
 * (its id included) and the search version. Changes to the performance model's
 * code itself are not seen: bump CONFIG_SEARCH_VERSION for those.
 */
export function calibrationVersion(accelerator: AcceleratorSpec, model: ModelSpec): string {
  calibrationsHash ??= fnv1a(JSON.stringify(CALIBRATIONS));
  return hex(fnv1a(JSON.stringify([CONFIG_SEARCH_VERSION, hex(calibrationsHash), accelerator, model])));
}

/**
 * Key of one (workload, accelerator, engine) search. Every workload field is in
 * it, the id too, since the cached value names its workload; an overridden memory
 * utilization and the workload's speculative decoding too (each left out when unset,
 * so that keys written before they existed still match).
 */
export function cacheKey(workload: WorkloadClass, accelerator: string, engine: EngineId, version: string, memoryUtilization?: number): string {
  const { id, model, inputTokens, outputTokens, slo, speculative } = workload;
  return JSON.stringify([
    id, model, inputTokens, outputTokens, workload.prefixHitRate ?? 0, slo.ttftMs, slo.tpotMs, accelerator, engine, version,
    ...(memoryUtilization !== undefined ? [memoryUtilization] : []),
    // Tagged, so that it cannot be mistaken for a memory utilization.
    ...(speculative !== undefined ? [{ speculative: [speculative.draftTokens, speculative.acceptanceRate] }] : []),
  ]);
}
