/**
 * @module Solves the procurement model and reads the plan back: the MIP for
 * purchases (for max-served, a second MIP for the least cost at the tokens
 * served by the first), then an LP around its purchases for shadow prices.
 * Pure apart from the injected solver and clock.
 *
 * Shadow prices: fixing the purchases exactly would leave budget and supply
 * rows with only fixed columns, so their duals would be zero however tight
 * they are. The LP instead keeps each purchase at least at the MIP's value and
 * lets it grow continuously: its duals say what one more unit of a limit (a
 * dollar, a watt, a chip of supply) is worth around the plan.
 */
import { buildPlanModel, periodPosition, type ColumnMeta, type PlanModel, type RowMeta } from './to-lp-format.js';
import type { SolveOptions, Solver, RawSolution } from './highs-solver.js';
import type { ConfigCapacity, PlanInput } from './plan-input.js';
import type { BindingConstraint, NoPlan, PeriodPlan, PlanResult, WorkloadAllocation, ModelSize } from './plan-result.js';

export interface SolvePlanOptions {
  /** Wall-clock limit of each solve, seconds (default 60). */
  readonly timeLimitSeconds?: number;
  /** Relative MIP gap at which to stop (default 1e-4). */
  readonly mipRelGap?: number;
  /** Clock in milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

/** Smallest |dual| counted as binding. */
const DUAL_TOLERANCE = 1e-9;
/** Relative slack under which a row counts as at its limit. */
const ACTIVE_TOLERANCE = 1e-6;

export function solvePlan(
  input: PlanInput,
  capacities: readonly ConfigCapacity[],
  solver: Solver,
  options: SolvePlanOptions = {},
): PlanResult {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const seconds = (): number => (now() - started) / 1000;
  const contradictions = findContradictions(input);
  if (contradictions.length > 0) {
    return { found: false, status: 'infeasible', explanation: `the input contradicts itself: ${contradictions.join('; ')}`, solveSeconds: seconds() };
  }

  const model = buildPlanModel(input, capacities);
  const size: ModelSize = {
    columns: model.columns.length,
    integerColumns: model.columns.filter((c) => c.kind === 'buy').length,
    rows: model.rows.length,
  };
  const solveOptions: SolveOptions = { timeLimitSeconds: options.timeLimitSeconds ?? 60, mipRelGap: options.mipRelGap ?? 1e-4 };
  const first = solver.solve(model.lp, solveOptions);
  if (!first.hasSolution) return { ...noPlan(first, solveOptions), solveSeconds: seconds(), model: size };
  const mip = model.sense === 'maximize' ? leastCostAtServed(input, capacities, solver, solveOptions, model, first) : first;

  const servers = new Map<string, number>();
  for (const c of model.columns) {
    if (c.kind === 'buy') servers.set(c.name, Math.max(0, Math.round(mip.columnValues.get(c.name) ?? 0)));
  }
  const priced = solver.solve(buildPlanModel(input, capacities, { purchaseFloors: servers }).lp, { timeLimitSeconds: solveOptions.timeLimitSeconds });
  const binding = priced.status === 'optimal' ? bindingRows(model, priced) : [];

  const value = (name: string): number => Math.max(0, mip.columnValues.get(name) ?? 0);
  const periods = periodPlans(input, model, servers, value);
  const allocations = workloadAllocations(input, model.columns, value);
  const capexUsd = periods.reduce((s, p) => s + p.capexUsd, 0);
  const opexUsd = periods.reduce((s, p) => s + p.opexUsd, 0);
  const hoursOf = new Map(input.periods.map((p) => [p.id, p.hours]));
  const millionTokens = (tokensPerSecond: number, period: string): number => (tokensPerSecond * (hoursOf.get(period) ?? 0) * 3600) / 1e6;
  const unmetMillionTokens = allocations.reduce((s, a) => s + millionTokens(a.unmetTokensPerSecond, a.period), 0);
  const servedMillionTokens = allocations.reduce((s, a) => s + millionTokens(a.demandTokensPerSecond - a.unmetTokensPerSecond, a.period), 0);
  const minCost = input.objective.kind === 'min-cost';
  return {
    found: true,
    status: first.status === 'optimal' && mip.status === 'optimal' ? 'optimal' : 'time-limit',
    objectiveKind: input.objective.kind,
    objectiveUsd: capexUsd + opexUsd + (minCost ? unmetMillionTokens * input.objective.unmetPenaltyUsdPerMillionTokens : 0),
    servedMillionTokens,
    mipGap: first.mipGap,
    solveSeconds: seconds(),
    periods,
    binding,
    allocations,
    model: size,
  };
}

/**
 * Second stage of max-served: the cheapest plan that leaves no more demand
 * unmet than the first stage did; the first stage's plan if it finds none.
 */
function leastCostAtServed(
  input: PlanInput,
  capacities: readonly ConfigCapacity[],
  solver: Solver,
  options: SolveOptions,
  model: PlanModel,
  first: RawSolution,
): RawSolution {
  const hoursOf = new Map(input.periods.map((p) => [p.id, p.hours]));
  const unmet = model.columns.reduce(
    (s, c) => s + (c.kind === 'unmet' ? (Math.max(0, first.columnValues.get(c.name) ?? 0) * (hoursOf.get(c.period) ?? 0) * 3600) / 1e6 : 0),
    0,
  );
  // Room for the solver's feasibility tolerance only: the stage-two cost does not care where unmet demand falls.
  const cap = unmet * (1 + 1e-9) + 1e-6;
  const second = solver.solve(buildPlanModel(input, capacities, { unmetCapMillionTokens: cap }).lp, options);
  return second.hasSolution ? second : { ...first, status: 'time-limit' };
}

/**
 * Contradictions in the input that no purchase can repair (the model would be
 * infeasible): an initial fleet over a site's power or space, a negative
 * budget or supply.
 */
export function findContradictions(input: PlanInput): string[] {
  const found: string[] = [];
  const position = periodPosition(input);
  const offers = new Map(input.offers.map((o) => [o.accelerator, o]));
  for (const [p, period] of input.periods.entries()) {
    for (const site of input.sites) {
      const serving = input.installed.filter(
        (f) => f.site === site.id && (f.retiresAfter === undefined || position(f.retiresAfter) >= p),
      );
      const watts = serving.reduce((s, f) => s + f.units * (offers.get(f.accelerator)?.powerWatts ?? 0) * site.pue, 0);
      if (watts > site.powerMw * 1e6 * (1 + ACTIVE_TOLERANCE)) {
        found.push(`power ${site.id} ${period.id}: the installed fleet already draws ${significant(watts / 1e6)} MW of ${site.powerMw} MW; raise powerMw or retire chips earlier`);
      }
      const chips = serving.reduce((s, f) => s + f.units, 0);
      if (site.maxAccelerators !== undefined && chips > site.maxAccelerators) {
        found.push(`space ${site.id} ${period.id}: the installed fleet already holds ${chips} chips of at most ${site.maxAccelerators}; raise maxAccelerators or retire chips earlier`);
      }
    }
  }
  for (const b of input.budgets) if (b.usd < 0) found.push(`budget ${b.id} is negative (${b.usd} USD)`);
  for (const o of input.offers) {
    for (const [period, units] of Object.entries(o.supplyUnits)) {
      if (units < 0) found.push(`supply ${o.accelerator} ${period} is negative (${units} chips)`);
    }
  }
  return found;
}

function noPlan(mip: RawSolution, options: SolveOptions): Omit<NoPlan, 'solveSeconds'> {
  switch (mip.status) {
    case 'infeasible':
      return {
        found: false,
        status: 'infeasible',
        explanation: `HiGHS found no plan that meets every constraint (${mip.detail}), though unmet demand is allowed and no contradiction in the fleet, budgets or supply was detected; write the model with buildPlanModel and look for a conflicting power, space, supply or budget row`,
      };
    case 'unbounded':
      return {
        found: false,
        status: 'unbounded',
        explanation: `the objective improves without limit (${mip.detail}); check for negative prices, power, electricity or hosting costs, or a negative unmet-demand penalty`,
      };
    case 'time-limit':
    case 'optimal':
      return {
        found: false,
        status: 'time-limit',
        explanation: `no plan was found within ${options.timeLimitSeconds} s (${mip.detail}); raise the time limit or loosen the MIP gap`,
      };
    case 'error':
      return { found: false, status: 'error', explanation: mip.detail };
    default: {
      const never: never = mip.status;
      return never;
    }
  }
}

function bindingRows(model: PlanModel, lp: RawSolution): BindingConstraint[] {
  const direction = model.sense === 'maximize' ? 1 : -1;
  const binding: BindingConstraint[] = [];
  for (const row of model.rows) {
    // Lowering a target when maximising tokens served only relabels unmet tokens: no price to report.
    if (row.kind === 'demand' && model.sense === 'maximize') continue;
    const dual = lp.rowDuals.get(row.name);
    const activity = lp.rowValues.get(row.name);
    if (dual === undefined || activity === undefined || Math.abs(dual) <= DUAL_TOLERANCE) continue;
    if (Math.abs(activity - row.rhs) > ACTIVE_TOLERANCE * Math.max(1, Math.abs(row.rhs))) continue;
    binding.push({
      constraint: row.label,
      kind: row.kind,
      ...(periodOf(row) === undefined ? {} : { period: periodOf(row) }),
      shadowPrice: dual * (row.sense === '<=' ? 1 : -1) * direction,
      unit: `${model.objectiveUnit} per ${PER_UNIT[row.rhsUnit]}`,
    });
  }
  return binding.sort((a, b) => Math.abs(b.shadowPrice) - Math.abs(a.shadowPrice) || a.constraint.localeCompare(b.constraint));
}

/** A row's right-hand-side unit after "per". */
const PER_UNIT: Record<RowMeta['rhsUnit'], string> = { 'tokens/s': 'token/s', chips: 'chip', W: 'W', USD: 'USD', 'million tokens': 'million tokens' };

function periodOf(row: RowMeta): string | undefined {
  return row.kind === 'budget' || row.kind === 'served' ? undefined : row.period;
}

function periodPlans(input: PlanInput, model: PlanModel, servers: ReadonlyMap<string, number>, value: (name: string) => number): PeriodPlan[] {
  const offers = new Map(input.offers.map((o) => [o.accelerator, o]));
  const sites = new Map(input.sites.map((s) => [s.id, s]));
  const buys = new Map(model.columns.flatMap((c) => (c.kind === 'buy' ? [[c.name, c] as const] : [])));
  return input.periods.map((period) => {
    const purchases: Record<string, Record<string, number>> = {};
    let capexUsd = 0;
    for (const b of buys.values()) {
      const chips = (servers.get(b.name) ?? 0) * b.chipsPerServer;
      if (b.period !== period.id || chips === 0) continue;
      add(purchases, b.site, b.accelerator, chips);
      capexUsd += chips * b.priceUsdPerChip;
    }
    const installed: Record<string, Record<string, number>> = {};
    const powerMw: Record<string, number> = Object.fromEntries(input.sites.map((s) => [s.id, 0]));
    let energyUsd = 0;
    let hostingUsd = 0;
    for (const f of model.fleet) {
      if (f.period !== period.id) continue;
      const chips = f.initialChips + f.buyColumns.reduce((s, b) => s + (servers.get(b) ?? 0) * input.unitsPerServer, 0);
      if (chips === 0) continue;
      const site = sites.get(f.site)!;
      const watts = chips * offers.get(f.accelerator)!.powerWatts * site.pue;
      add(installed, f.site, f.accelerator, chips);
      powerMw[f.site] = (powerMw[f.site] ?? 0) + watts / 1e6;
      energyUsd += (watts * period.hours * site.electricityUsdPerKwh) / 1000;
      hostingUsd += chips * site.hostingUsdPerAcceleratorMonth * 3;
    }
    const demand = input.demand.filter((d) => d.period === period.id);
    const demandTokensPerSecond = demand.reduce((s, d) => s + d.averageTokensPerSecond * d.peakFactor, 0);
    const unmetTokensPerSecond = model.columns.reduce((s, c) => s + (c.kind === 'unmet' && c.period === period.id ? value(c.name) : 0), 0);
    return {
      period: period.id,
      purchases,
      installed,
      capexUsd,
      opexUsd: energyUsd + hostingUsd,
      energyUsd,
      hostingUsd,
      powerMw,
      demandTokensPerSecond,
      servedTokensPerSecond: demandTokensPerSecond - unmetTokensPerSecond,
      unmetTokensPerSecond,
    };
  });
}

function workloadAllocations(input: PlanInput, columns: readonly ColumnMeta[], value: (name: string) => number): WorkloadAllocation[] {
  return input.demand.map((d) => {
    const unmet = columns.find((c) => c.kind === 'unmet' && c.period === d.period && c.workload === d.workload);
    const servedBy = columns
      .flatMap((c) => (c.kind === 'alloc' && c.period === d.period && c.workload === d.workload && value(c.name) > 1e-9 ? [c] : []))
      .map((c) => ({ site: c.site, accelerator: c.accelerator, chips: value(c.name), tokensPerSecond: value(c.name) * c.tokensPerSecondPerChip }))
      .sort((a, b) => b.tokensPerSecond - a.tokensPerSecond);
    return {
      period: d.period,
      workload: d.workload,
      demandTokensPerSecond: d.averageTokensPerSecond * d.peakFactor,
      unmetTokensPerSecond: unmet === undefined ? 0 : value(unmet.name),
      servedBy,
    };
  });
}

function add(into: Record<string, Record<string, number>>, site: string, accelerator: string, chips: number): void {
  const bySite = (into[site] ??= {});
  bySite[accelerator] = (bySite[accelerator] ?? 0) + chips;
}

function significant(x: number): number {
  return Number(x.toPrecision(3));
}
