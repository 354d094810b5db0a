/**
 * @module A plan job: what `tokenfleet plan FILE --all-variants --json` does
 * (configuration search through the file cache, one HiGHS solve per plan),
 * returning the plan's chart data and its JSON summary. CPU-heavy: runs in
 * the job worker, never on the gateway's event loop.
 */
import { openFileConfigCache } from '../../config/file-config-cache.js';
import { parsePlanScenario, toPlanInputs } from '../../config/plan-scenario.js';
import { searchAll } from '../../plan/config-search.js';
import { loadSolver } from '../../plan/highs-solver.js';
import { toPlanChartData, type PlanChartData } from '../../plan/plan-charts.js';
import type { AcceleratorOffer } from '../../plan/plan-input.js';
import { planJson, type SolvedPlan } from '../../plan/plan-json.js';
import { solvePlan } from '../../plan/solve-plan.js';
import type { JobProgress, PlanJobRequest } from './job-types.js';

export interface PlanJobResult {
  readonly scenarioName: string;
  readonly charts: PlanChartData;
  /** The `tokenfleet plan --json` object. */
  readonly summary: Record<string, unknown>;
}

export async function runPlanJob(r: PlanJobRequest, onProgress: (p: JobProgress) => void): Promise<PlanJobResult> {
  const scenario = parsePlanScenario(r.scenarioYaml, r.scenarioFile);
  const inputs = toPlanInputs(scenario, r.variants);
  // Every offer of the base and of the variants (a variant may add one), searched once each.
  const offers = new Map<string, Pick<AcceleratorOffer, 'accelerator' | 'engine'>>();
  for (const input of [inputs.base, ...inputs.variants.map((v) => v.input)]) {
    for (const offer of input.offers) offers.set(`${offer.accelerator}/${offer.engine}`, offer);
  }
  const cache = openFileConfigCache(r.cacheFile);
  const searchTotal = inputs.base.workloads.length * offers.size;
  onProgress({ done: 0, total: searchTotal, label: 'configuration search' });
  const searchStarted = performance.now();
  const capacities = searchAll(inputs.base.workloads, [...offers.values()], {
    cache,
    ...(inputs.base.memoryUtilization !== undefined && { memoryUtilization: inputs.base.memoryUtilization }),
    onProgress: (done, total) => onProgress({ done, total, label: 'configuration search' }),
  });
  cache.save();
  const searchSeconds = (performance.now() - searchStarted) / 1000;

  const plans = [{ name: 'base', description: 'the scenario as written', input: inputs.base }, ...inputs.variants];
  const solved: SolvedPlan[] = [];
  for (const [i, p] of plans.entries()) {
    onProgress({ done: i, total: plans.length, label: `solving ${p.name}` });
    // A fresh HiGHS instance per plan: its WebAssembly memory only grows.
    const result = await solvePlan(p.input, capacities, await loadSolver({ fresh: true }), { timeLimitSeconds: r.timeLimitSeconds });
    solved.push({ ...p, result });
  }
  onProgress({ done: plans.length, total: plans.length, label: 'done' });
  const [base, ...variants] = solved;
  return {
    scenarioName: scenario.name,
    charts: toPlanChartData(scenario.name, base!, variants, capacities),
    summary: planJson(base!, variants, capacities, { searchSeconds, cacheHits: cache.hits }),
  };
}
