/**
 * @module The procurement model's objective: cost in USD (min-cost, or the
 * second stage of max-served) or million tokens served with cost as a
 * tie-breaker (max-served). See to-lp-format.ts for the formulas.
 */
import type { Term } from './lp-writer.js';
import type { AcceleratorOffer, PlanInput, Site } from './plan-input.js';
import type { AllocColumn, BuyColumn, PlanColumns } from './plan-model-columns.js';

/** Seconds per hour over tokens per million: converts tokens/s x hours into million tokens. */
export const MILLION_TOKENS_PER_TOKEN_PER_SECOND_HOUR = 3600 / 1e6;

/** Million tokens that one token per second, sustained over each period, amounts to; by period id. */
export function millionTokensPerTokenPerSecond(input: PlanInput): Map<string, number> {
  return new Map(input.periods.map((p) => [p.id, p.hours * MILLION_TOKENS_PER_TOKEN_PER_SECOND_HOUR]));
}

/** The objective as written: linear terms plus a constant, and the weight one USD of cost has in it. */
export interface PlanObjective {
  readonly terms: readonly Term[];
  readonly constant: number;
  /** Weight of one USD of cost: 1 (cost objectives) or the tie-breaker weight (max-served). */
  readonly costWeight: number;
}

/**
 * The objective over `columns`: max-served when `maxServed`, else cost with
 * the unmet penalty (dropped in the second stage, when `secondStage` is set).
 */
export function planObjective(input: PlanInput, columns: PlanColumns, maxServed: boolean, secondStage: number | undefined): PlanObjective {
  const { buys, allocs, unmets } = columns;
  const { cost, constantCostUsd } = costUsd(input, columns);
  const weightOf = millionTokensPerTokenPerSecond(input);
  const terms: Term[] = [];
  if (maxServed) {
    const costWeight = tieBreakWeight(input, allocs, buys, cost);
    for (const b of buys) terms.push([-costWeight * cost.get(b.name)!, b.name]);
    for (const u of unmets) terms.push([-weightOf.get(u.period)!, u.name]);
    const target = input.demand.reduce((s, d) => s + d.averageTokensPerSecond * d.peakFactor * weightOf.get(d.period)!, 0);
    return { terms, constant: target - costWeight * constantCostUsd, costWeight };
  }
  for (const b of buys) terms.push([cost.get(b.name)!, b.name]);
  const penalty = secondStage === undefined ? input.objective.unmetPenaltyUsdPerMillionTokens : 0;
  for (const u of unmets) terms.push([weightOf.get(u.period)! * penalty, u.name]);
  return { terms, constant: constantCostUsd, costWeight: 1 };
}

/**
 * Whole-horizon cost of each buy column (price incl. revenue share, plus the
 * running cost of its chips in every period they serve), USD per unit, and the
 * running cost of the initial fleet, USD.
 */
function costUsd(input: PlanInput, columns: PlanColumns): { cost: Map<string, number>; constantCostUsd: number } {
  const chipsPerServer = input.unitsPerServer;
  const offers = new Map(input.offers.map((o) => [o.accelerator, o]));
  const siteById = new Map(input.sites.map((s) => [s.id, s]));
  const hoursOf = new Map(input.periods.map((p) => [p.id, p.hours]));
  const runningUsdPerChip = (site: Site, offer: AcceleratorOffer, periodId: string): number =>
    (offer.powerWatts * site.pue * (hoursOf.get(periodId) ?? 0) * site.electricityUsdPerKwh) / 1000 +
    site.hostingUsdPerAcceleratorMonth * 3;
  const cost = new Map<string, number>();
  let constantCostUsd = 0;
  for (const term of columns.fleet) {
    const running = runningUsdPerChip(siteById.get(term.site)!, offers.get(term.accelerator)!, term.period);
    constantCostUsd += term.initialChips * running;
    for (const b of term.buyColumns) cost.set(b, (cost.get(b) ?? 0) + chipsPerServer * running);
  }
  for (const b of columns.buys) cost.set(b.name, (cost.get(b.name) ?? 0) + chipsPerServer * b.priceUsdPerChip);
  return { cost, constantCostUsd };
}

/** Tie-breaker weight of one USD in the max-served objective (see to-lp-format.ts's module comment). */
function tieBreakWeight(input: PlanInput, allocs: readonly AllocColumn[], buys: readonly BuyColumn[], cost: ReadonlyMap<string, number>): number {
  if (allocs.length === 0 || buys.length === 0) return 1e-9;
  const shortest = Math.min(...input.periods.map((p) => p.hours)) * MILLION_TOKENS_PER_TOKEN_PER_SECOND_HOUR;
  const leastServed = Math.min(...allocs.map((a) => a.tokensPerSecondPerChip)) * shortest;
  const dearest = Math.max(...buys.map((b) => cost.get(b.name)! / b.chipsPerServer));
  return dearest > 0 ? (1e-3 * leastServed) / dearest : 1e-9;
}
