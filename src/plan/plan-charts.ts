/**
 * @module The plan charts' data: `PlanChartData`, built from the planner's
 * input and result, plain JSON that the HTML report inlines and the dashboard
 * serves. The drawing code is one plain-JS module, web/charts/plan-charts.js,
 * which the report inlines (`planChartsModule()` in chart-assets.ts) and the
 * dashboard bundles, so both draw the plan the same way.
 */
import type { ConfigCapacity, PlanInput } from './plan-input.js';
import type { PlanResult } from './plan-result.js';
import { priceUsdPerChip } from './to-lp-format.js';

/** One solved plan: the scenario as written (base) or a variant. */
export interface PlanRun {
  readonly name: string;
  readonly input: PlanInput;
  readonly result: PlanResult;
}

/** What the charts read; plain JSON. Money in USD, power in MW, rates in tokens per second. */
export interface PlanChartData {
  readonly scenario: string;
  /** Quarter ids in horizon order. */
  readonly periods: readonly { readonly id: string; readonly year: number; readonly hours: number }[];
  /** The base plan; absent when the base has no plan. */
  readonly base?: {
    readonly purchases: readonly { period: string; site: string; accelerator: string; vendor: string; chips: number; spendUsd: number }[];
    /** Spend that counts against each budget, per calendar year of the order. */
    readonly spend: readonly { budget: string; year: number; spendUsd: number }[];
    /** `limitUsd` null: no budget was set, the row shows all purchases. */
    readonly budgets: readonly { budget: string; limitUsd: number | null }[];
    readonly served: readonly { period: string; demandTokensPerSecond: number; servedTokensPerSecond: number; unmetTokensPerSecond: number }[];
    readonly power: readonly { period: string; site: string; powerMw: number }[];
    readonly sites: readonly { site: string; limitMw: number }[];
  };
  /** Base first, then the variants; totals null when a run has no plan. */
  readonly variants: readonly { variant: string; found: boolean; status: string; totalCostUsd: number | null; capexUsd: number | null; unmetMillionTokens: number | null }[];
  readonly variantPurchases: readonly { variant: string; vendor: string; chips: number }[];
  readonly capacities: readonly { workload: string; accelerator: string; tokensPerSecondPerAccelerator: number; layout: string; confidence: string; reason: string | null }[];
}

/** Horizon totals of a plan: capex and opex in USD, demand and unmet in million tokens. */
export interface PlanTotals {
  readonly capexUsd: number;
  readonly opexUsd: number;
  readonly demandMillionTokens: number;
  readonly unmetMillionTokens: number;
}

export function planTotals(input: PlanInput, result: PlanResult): PlanTotals | undefined {
  if (!result.found) return undefined;
  const hours = new Map(input.periods.map((p) => [p.id, p.hours]));
  const million = (tokensPerSecond: number, period: string) => (tokensPerSecond * (hours.get(period) ?? 0) * 3600) / 1e6;
  let capexUsd = 0, opexUsd = 0, demandMillionTokens = 0, unmetMillionTokens = 0;
  for (const p of result.periods) {
    capexUsd += p.capexUsd;
    opexUsd += p.opexUsd;
    demandMillionTokens += million(p.demandTokensPerSecond, p.period);
    unmetMillionTokens += million(p.unmetTokensPerSecond, p.period);
  }
  return { capexUsd, opexUsd, demandMillionTokens, unmetMillionTokens };
}

/** Chips ordered, one row per period, site and accelerator with a purchase, in plan order. */
export function purchaseRows(run: PlanRun): { period: string; site: string; accelerator: string; vendor: string; chips: number; spendUsd: number }[] {
  if (!run.result.found) return [];
  const offers = new Map(run.input.offers.map((o) => [o.accelerator, o]));
  return run.result.periods.flatMap((p) =>
    Object.entries(p.purchases).flatMap(([site, byAcc]) =>
      Object.entries(byAcc)
        .filter(([, chips]) => chips > 0)
        .map(([accelerator, chips]) => {
          const offer = offers.get(accelerator);
          return { period: p.period, site, accelerator, vendor: offer?.vendor ?? 'unknown', chips, spendUsd: offer ? chips * priceUsdPerChip(offer, p.period) : 0 };
        }),
    ),
  );
}

function baseData(run: PlanRun): PlanChartData['base'] {
  const { input, result } = run;
  if (!result.found) return undefined;
  const purchases = purchaseRows(run);
  const yearOf = new Map(input.periods.map((p) => [p.id, p.year]));
  const budgets = input.budgets.length > 0 ? input.budgets : [{ id: 'all purchases', periods: input.periods.map((p) => p.id), vendors: undefined, usd: null }];
  const spend = budgets.flatMap((b) => {
    const byYear = new Map<number, number>();
    for (const row of purchases) {
      if (!b.periods.includes(row.period) || (b.vendors !== undefined && !b.vendors.includes(row.vendor))) continue;
      const year = yearOf.get(row.period) ?? 0;
      byYear.set(year, (byYear.get(year) ?? 0) + row.spendUsd);
    }
    return [...byYear].map(([year, spendUsd]) => ({ budget: b.id, year, spendUsd }));
  });
  return {
    purchases,
    spend,
    budgets: budgets.map((b) => ({ budget: b.id, limitUsd: b.usd })),
    served: result.periods.map((p) => ({ period: p.period, demandTokensPerSecond: p.demandTokensPerSecond, servedTokensPerSecond: p.servedTokensPerSecond, unmetTokensPerSecond: p.unmetTokensPerSecond })),
    power: result.periods.flatMap((p) => input.sites.map((s) => ({ period: p.period, site: s.id, powerMw: p.powerMw[s.id] ?? 0 }))),
    sites: input.sites.map((s) => ({ site: s.id, limitMw: s.powerMw })),
  };
}

export function toPlanChartData(scenario: string, base: PlanRun, variants: readonly PlanRun[], capacities: readonly ConfigCapacity[]): PlanChartData {
  const runs = [base, ...variants];
  return {
    scenario,
    periods: base.input.periods.map((p) => ({ id: p.id, year: p.year, hours: p.hours })),
    base: baseData(base),
    variants: runs.map((r) => {
      const t = planTotals(r.input, r.result);
      return { variant: r.name, found: r.result.found, status: r.result.status, totalCostUsd: t ? t.capexUsd + t.opexUsd : null, capexUsd: t?.capexUsd ?? null, unmetMillionTokens: t?.unmetMillionTokens ?? null };
    }),
    variantPurchases: runs.flatMap((r) => {
      const byVendor = new Map<string, number>();
      for (const row of purchaseRows(r)) byVendor.set(row.vendor, (byVendor.get(row.vendor) ?? 0) + row.chips);
      return [...byVendor].map(([vendor, chips]) => ({ variant: r.name, vendor, chips }));
    }),
    capacities: capacities.map((c) => ({ workload: c.workload, accelerator: c.accelerator, tokensPerSecondPerAccelerator: c.tokensPerSecondPerAccelerator, layout: c.layout, confidence: c.confidence, reason: c.reason ?? null })),
  };
}

/** The charts in page order with their titles; `fn` names a function of web/charts/plan-charts.js. */
export const PLAN_CHARTS = [
  { fn: 'purchasesByVendor', title: 'Chips ordered per quarter, by vendor', needsPlan: true },
  { fn: 'spendVsBudget', title: 'Purchase spend per year against each budget', needsPlan: true },
  { fn: 'servedVsDemand', title: 'Tokens per second served and unmet, per quarter', needsPlan: true },
  { fn: 'powerPerSite', title: 'Facility power per site per quarter against the site limit', needsPlan: true },
  { fn: 'variantComparison', title: 'Variants side by side', needsPlan: false },
  { fn: 'capacityTable', title: 'Tokens per second per chip at the SLO, by workload and accelerator', needsPlan: false },
] as const;
