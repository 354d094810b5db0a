/**
 * @module The JSON of a plan (`tokenfleet plan --json`, and the dashboard's
 * plan summary): the base result with the configurations and search
 * statistics, and each variant's result.
 */
import type { ConfigCapacity, PlanInput } from './plan-input.js';
import type { PlanResult } from './plan-result.js';

/** One solved plan: the scenario as written (base) or a variant. */
export interface SolvedPlan {
  readonly name: string;
  readonly description: string;
  readonly input: PlanInput;
  readonly result: PlanResult;
}

function resultJson(r: PlanResult): Record<string, unknown> {
  if (!r.found) return { status: r.status, explanation: r.explanation, solveSeconds: r.solveSeconds };
  return {
    status: r.status,
    objective: r.objectiveUsd,
    objectiveKind: r.objectiveKind,
    servedMillionTokens: r.servedMillionTokens,
    mipGap: r.mipGap,
    solveSeconds: r.solveSeconds,
    model: r.model,
    periods: r.periods,
    binding: r.binding,
    allocations: r.allocations,
  };
}

export function planJson(base: SolvedPlan, variants: readonly SolvedPlan[], configs: readonly ConfigCapacity[], stats: { searchSeconds: number; cacheHits: number }): Record<string, unknown> {
  return {
    ...resultJson(base.result),
    configs,
    configSearch: stats,
    variants: variants.map((v) => ({ name: v.name, description: v.description, ...resultJson(v.result) })),
  };
}
