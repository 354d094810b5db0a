/**
 * @module What the procurement optimiser returns: a plan per period (purchases,
 * fleet, costs, power, tokens served), the constraints that bind with their
 * shadow prices, and which accelerators serve each workload; or, when there is
 * no plan, why not.
 */

/** Chips per accelerator id per site id. */
export type ChipsBySite = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface PeriodPlan {
  readonly period: string;
  /** Chips ordered in this period, by site and accelerator (non-zero entries only). */
  readonly purchases: ChipsBySite;
  /** Chips serving in this period (initial fleet plus delivered orders), by site and accelerator. */
  readonly installed: ChipsBySite;
  /** Purchase spend of this period's orders including revenue shares, USD. */
  readonly capexUsd: number;
  /** Energy plus hosting of the installed fleet in this period, USD. */
  readonly opexUsd: number;
  /** Energy cost part of `opexUsd`, USD. */
  readonly energyUsd: number;
  /** Hosting cost part of `opexUsd`, USD. */
  readonly hostingUsd: number;
  /** Facility power of the installed fleet (chips x watts x PUE), megawatts, by site. */
  readonly powerMw: Readonly<Record<string, number>>;
  /** Provisioning target (average x peak factor) summed over workloads, tokens per second. */
  readonly demandTokensPerSecond: number;
  /** Part of the target served, tokens per second. */
  readonly servedTokensPerSecond: number;
  /** Part of the target not served, tokens per second. */
  readonly unmetTokensPerSecond: number;
}

/** A row of the model that limits the plan. */
export interface BindingConstraint {
  /** Human words, e.g. `budget nvidia-2026`, `power site-b 2026Q3`, `supply h200-sxm 2026Q2`. */
  readonly constraint: string;
  readonly kind: 'demand' | 'capacity' | 'power' | 'space' | 'supply' | 'budget' | 'served';
  readonly period?: string;
  /**
   * Objective gained per unit the constraint is loosened (right-hand side
   * raised for a limit, lowered for a demand target), in `unit`: USD per unit
   * for min-cost, million tokens served per unit for max-served. Non-negative
   * up to solver tolerance.
   */
  readonly shadowPrice: number;
  /** e.g. `USD per W`, `USD per token/s`, `USD per chip`, `million tokens per USD`. */
  readonly unit: string;
}

/** One accelerator type at one site serving a workload. */
export interface ServingShare {
  readonly site: string;
  readonly accelerator: string;
  /** Chips assigned, possibly fractional (a share of a shared pool). */
  readonly chips: number;
  /** Tokens per second they serve. */
  readonly tokensPerSecond: number;
}

export interface WorkloadAllocation {
  readonly period: string;
  readonly workload: string;
  /** Provisioning target, tokens per second. */
  readonly demandTokensPerSecond: number;
  /** Target not served, tokens per second. */
  readonly unmetTokensPerSecond: number;
  /** Largest share first. */
  readonly servedBy: readonly ServingShare[];
}

/** Size of the MIP as written. */
export interface ModelSize {
  readonly columns: number;
  readonly integerColumns: number;
  readonly rows: number;
}

/** A plan was found: proved optimal (within the MIP gap), or the best one when a limit stopped the search. */
export interface PlanFound {
  readonly found: true;
  readonly status: 'optimal' | 'time-limit';
  readonly objectiveKind: 'min-cost' | 'max-served';
  /**
   * min-cost: the optimum (capex + opex + unmet-demand penalty), USD.
   * max-served: the plan's cost (capex + opex, no penalty), USD.
   */
  readonly objectiveUsd: number;
  /** Tokens served over the horizon (sum of served tokens/s x hours x 3600 / 1e6), million tokens. */
  readonly servedMillionTokens: number;
  /**
   * Relative gap between the plan's objective and the best bound HiGHS proved
   * (0: optimal); for max-served, of the tokens served (first stage).
   */
  readonly mipGap: number;
  /** Wall-clock seconds of model building and both solves (MIP, then the LP that prices the rows). */
  readonly solveSeconds: number;
  readonly periods: readonly PeriodPlan[];
  /**
   * Rows at their limit with a non-zero shadow price, largest |shadowPrice|
   * first (demand rows only for min-cost). At a degenerate point a price is
   * one-sided: what loosening is worth, not what tightening costs.
   */
  readonly binding: readonly BindingConstraint[];
  readonly allocations: readonly WorkloadAllocation[];
  readonly model: ModelSize;
}

/** No plan: the input contradicts itself, the solver failed, or a limit came before any plan. */
export interface NoPlan {
  readonly found: false;
  readonly status: 'infeasible' | 'unbounded' | 'error' | 'time-limit';
  /** What is wrong and what to change. */
  readonly explanation: string;
  readonly solveSeconds: number;
  readonly model?: ModelSize;
}

export type PlanResult = PlanFound | NoPlan;
