/**
 * @module Writes the multi-period procurement model as CPLEX LP text for
 * HiGHS, with metadata mapping every column and row back to the plan. Pure.
 *
 * Units: money in USD, power in watts, fleet in chips (accelerators), rates in
 * tokens per second. Periods are quarters, in the order of `input.periods`.
 *
 * Columns
 * - `buy_<p>_<s>_<a>`: servers of `unitsPerServer` chips of `a` ordered in
 *   period p for site s; integer >= 0. Written only where the order is possible
 *   (offered from p, not banned or blocked in p, imported chips only at sites
 *   that accept them) and useful (delivered within the horizon).
 * - `alloc_<p>_<s>_<a>_<w>`: chips of a at s serving workload w in p;
 *   continuous >= 0, only where the configuration search found a capacity > 0.
 * - `unmet_<p>_<w>`: tokens/s of w's provisioning target not served; >= 0.
 *
 * Installed chips are an expression, not a column:
 *   installed[p,s,a] = initial fleet serving in p (not retired before p)
 *                    + unitsPerServer x sum of buy[q,s,a] with q + leadTime <= p.
 *
 * Rows (constants moved to the right-hand side; rows without columns omitted)
 * - `demand_<p>_<w>`: sum cap[w,a] alloc[p,s,a,w] + unmet[p,w] >= average x peakFactor.
 * - `capacity_<p>_<s>_<a>`: sum_w alloc[p,s,a,w] <= installed[p,s,a].
 * - `power_<p>_<s>`: sum_a installed x powerWatts x pue <= powerMw x 1e6.
 * - `space_<p>_<s>` (sites with maxAccelerators): sum_a installed <= maxAccelerators.
 * - `supply_<p>_<a>` (finite supply): sum_s chips bought <= cap, where the cap
 *   is supplyUnits[p] after the gates: US `banned` or China `blocked` -> 0 (no
 *   column at all), `capped` -> min(supply, usCapUnits), `conditional` ->
 *   (capped) supply x chinaFillRate. No supply figure and no cap: unlimited.
 * - `budget_<id>`: sum over buys in the budget's periods (and vendors) of
 *   chips x priceUsd x (1 + revenueShare of the order's period) <= usd.
 *
 * Objective
 * - min-cost (USD): capex (chips x price incl. revenue share, in the order's
 *   period) + energy (installed x powerWatts x pue x hours x USD/kWh / 1000)
 *   + hosting (installed x hostingUsdPerAcceleratorMonth x 3 per quarter)
 *   + unmet x hours x 3600 / 1e6 x unmetPenaltyUsdPerMillionTokens. The
 *   installed fleet's running cost is the objective's constant.
 * - max-served (million tokens): maximise sum over p,w of (target - unmet) x
 *   hours x 3600 / 1e6, minus `costWeight` x the min-cost cost terms above
 *   (without the penalty) as a tie-breaker. The weight is chosen so that the
 *   whole-horizon cost of one chip weighs at most 1e-3 of what the least
 *   productive chip serves in the shortest period.
 * - max-served, second stage (`unmetCapMillionTokens`): a tie-breaker cannot
 *   act inside the MIP gap (at 1e-4 of the tokens served, a whole fleet of
 *   useless chips fits), so the solver then minimises the cost (no penalty)
 *   subject to `served_floor`: sum of unmet x hours x 3600 / 1e6 <= the cap.
 *
 * The pieces live beside this file: plan-model-columns.ts, plan-model-rows.ts,
 * plan-objective.ts, offer-gates.ts, lp-writer.ts and lp-name-registry.ts.
 */
import { checkPlanInput } from './check-plan-input.js';
import { NameRegistry } from './lp-name-registry.js';
import { chunk, formatTerms, num, oneLine } from './lp-writer.js';
import type { ConfigCapacity, PlanInput } from './plan-input.js';
import { planColumns, type ColumnMeta, type FleetTerm } from './plan-model-columns.js';
import { planObjective } from './plan-objective.js';
import { planRows, type RowMeta } from './plan-model-rows.js';

export type { AllocColumn, BuyColumn, ColumnMeta, FleetTerm, UnmetColumn } from './plan-model-columns.js';
export type { RowMeta } from './plan-model-rows.js';
export { priceUsdPerChip, supplyCapChips } from './offer-gates.js';
export { periodPosition } from './period-position.js';

export interface PlanModel {
  readonly lp: string;
  readonly columns: readonly ColumnMeta[];
  readonly rows: readonly RowMeta[];
  readonly fleet: readonly FleetTerm[];
  readonly sense: 'minimize' | 'maximize';
  /** Unit of the objective: USD (min-cost) or million tokens served (max-served). */
  readonly objectiveUnit: 'USD' | 'million tokens';
  /** Weight of one USD of cost in the objective: 1 (min-cost) or the tie-breaker weight (max-served). */
  readonly costWeight: number;
}

export interface BuildPlanModelOptions {
  /**
   * Write buy columns as continuous with these lower bounds (servers, by column
   * name) instead of as integers: the LP re-solve that prices the rows around a
   * MIP plan.
   */
  readonly purchaseFloors?: ReadonlyMap<string, number>;
  /**
   * Write the second stage of max-served: minimise cost with the unmet
   * demand, in million tokens over the horizon, at most this.
   */
  readonly unmetCapMillionTokens?: number;
}

/** Builds the MIP (or, with `purchaseFloors`, its LP re-solve) for `input`. */
export function buildPlanModel(
  input: PlanInput,
  capacities: readonly ConfigCapacity[],
  options: BuildPlanModelOptions = {},
): PlanModel {
  checkPlanInput(input);
  const chipsPerServer = input.unitsPerServer;
  const secondStage = options.unmetCapMillionTokens;
  const maxServed = input.objective.kind === 'max-served' && secondStage === undefined;

  // Names are taken in this order (columns, then rows), which fixes the `_2` suffixes.
  const names = new NameRegistry();
  const columns = planColumns(input, capacities, names);
  const { buys, allocs, unmets, fleet } = columns;
  const rows = planRows(input, columns, names, secondStage);
  const objective = planObjective(input, columns, maxServed, secondStage);

  const floors = options.purchaseFloors;
  const lines: string[] = [
    `\\ tokenfleet plan '${oneLine(input.name)}': ${input.objective.kind}${secondStage === undefined ? '' : ' (least cost at the tokens served)'}, objective in ${maxServed ? 'million tokens served' : 'USD'}`,
    '\\ buy: servers ordered (x' + String(chipsPerServer) + ' chips); alloc: chips serving a workload; unmet: tokens/s not served',
    maxServed ? 'Maximize' : 'Minimize',
    ` obj: ${formatTerms(objective.terms.filter(([c]) => c !== 0), objective.constant)}`,
    'Subject To',
    ...rows.rows.map((r, i) => ` ${r.name}: ${formatTerms(rows.terms[i]!)} ${r.sense} ${num(r.rhs)}`),
  ];
  if (floors !== undefined) {
    lines.push('Bounds', ...buys.map((b) => ` ${b.name} >= ${num(floors.get(b.name) ?? 0)}`));
  }
  if (floors === undefined && buys.length > 0) {
    lines.push('Generals', ...chunk(buys.map((b) => b.name), 8).map((c) => ` ${c.join(' ')}`));
  }
  lines.push('End', '');

  return {
    lp: lines.join('\n'),
    columns: [...buys, ...allocs, ...unmets],
    rows: rows.rows,
    fleet,
    sense: maxServed ? 'maximize' : 'minimize',
    objectiveUnit: maxServed ? 'million tokens' : 'USD',
    costWeight: objective.costWeight,
  };
}
