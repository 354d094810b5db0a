/**
 * @module The procurement model's rows, one family at a time (demand, capacity,
 * power, space, supply, budget, served floor), with the metadata that maps each
 * back to the plan. See to-lp-format.ts for the formulas.
 */
import type { NameRegistry } from './lp-name-registry.js';
import type { Term } from './lp-writer.js';
import { supplyCapChips } from './offer-gates.js';
import type { AcceleratorOffer, PlanInput, Site } from './plan-input.js';
import type { FleetTerm, PlanColumns } from './plan-model-columns.js';
import { millionTokensPerTokenPerSecond } from './plan-objective.js';

interface RowBase {
  readonly name: string;
  /** Human words, e.g. `power site-b 2026Q3`, using the input's ids. */
  readonly label: string;
  readonly sense: '<=' | '>=';
  /** Right-hand side after moving constants (installed fleet) to it. */
  readonly rhs: number;
  /** Unit of the right-hand side. */
  readonly rhsUnit: 'tokens/s' | 'chips' | 'W' | 'USD' | 'million tokens';
}

export type RowMeta = RowBase &
  (
    | { readonly kind: 'demand'; readonly period: string; readonly workload: string }
    | { readonly kind: 'capacity'; readonly period: string; readonly site: string; readonly accelerator: string }
    | { readonly kind: 'power'; readonly period: string; readonly site: string }
    | { readonly kind: 'space'; readonly period: string; readonly site: string }
    | { readonly kind: 'supply'; readonly period: string; readonly accelerator: string }
    | { readonly kind: 'budget'; readonly budget: string }
    | { readonly kind: 'served' }
  );

/** The rows in LP order; `terms[i]` is the left-hand side of `rows[i]`. */
export interface PlanRows {
  readonly rows: readonly RowMeta[];
  readonly terms: readonly (readonly Term[])[];
}

/** What each family of rows reads, and where it adds its rows. */
interface RowContext {
  readonly input: PlanInput;
  readonly columns: PlanColumns;
  readonly names: NameRegistry;
  readonly offers: ReadonlyMap<string, AcceleratorOffer>;
  /** Adds a row unless it has no terms (its name stays taken either way). */
  readonly add: (row: RowMeta, terms: Term[]) => void;
}

/**
 * Every row of the model, named through `names` in LP order: demand, capacity,
 * then per period power and space per site and supply per offer, then budgets,
 * then (second stage of max-served, with `unmetCapMillionTokens`) the served floor.
 */
export function planRows(input: PlanInput, columns: PlanColumns, names: NameRegistry, unmetCapMillionTokens: number | undefined): PlanRows {
  const rows: RowMeta[] = [];
  const terms: Term[][] = [];
  const ctx: RowContext = {
    input,
    columns,
    names,
    offers: new Map(input.offers.map((o) => [o.accelerator, o])),
    add: (row, rowTerms) => {
      if (rowTerms.length === 0) return;
      rows.push(row);
      terms.push(rowTerms);
    },
  };
  demandRows(ctx);
  capacityRows(ctx);
  for (const period of input.periods) {
    for (const site of input.sites) siteRows(ctx, period.id, site);
    supplyRows(ctx, period.id);
  }
  budgetRows(ctx);
  if (unmetCapMillionTokens !== undefined) servedFloorRow(ctx, unmetCapMillionTokens);
  return { rows, terms };
}

/** The chips a fleet term's buy columns deliver, each weighted by `weight`. */
function deliveredChips(input: PlanInput, term: FleetTerm, weight: number): Term[] {
  return term.buyColumns.map((b) => [input.unitsPerServer * weight, b]);
}

/** `demand_<p>_<w>`: served tokens/s plus unmet at least the target. */
function demandRows({ input, columns, names, add }: RowContext): void {
  for (const u of columns.unmets) {
    const d = input.demand.find((x) => x.period === u.period && x.workload === u.workload)!;
    const terms: Term[] = columns.allocs
      .filter((a) => a.period === u.period && a.workload === u.workload)
      .map((a) => [a.tokensPerSecondPerChip, a.name]);
    terms.push([1, u.name]);
    add(
      {
        kind: 'demand',
        name: names.take('demand', u.period, u.workload),
        label: `demand ${u.workload} ${u.period}`,
        sense: '>=',
        rhs: d.averageTokensPerSecond * d.peakFactor,
        rhsUnit: 'tokens/s',
        period: u.period,
        workload: u.workload,
      },
      terms,
    );
  }
}

/** `capacity_<p>_<s>_<a>`: chips allocated at most chips installed; only where something can be allocated. */
function capacityRows({ input, columns, names, add }: RowContext): void {
  for (const term of columns.fleet) {
    const terms: Term[] = columns.allocs
      .filter((a) => a.period === term.period && a.site === term.site && a.accelerator === term.accelerator)
      .map((a) => [1, a.name]);
    if (terms.length === 0) continue;
    terms.push(...deliveredChips(input, term, -1));
    add(
      {
        kind: 'capacity',
        name: names.take('capacity', term.period, term.site, term.accelerator),
        label: `capacity ${term.accelerator} ${term.site} ${term.period}`,
        sense: '<=',
        rhs: term.initialChips,
        rhsUnit: 'chips',
        period: term.period,
        site: term.site,
        accelerator: term.accelerator,
      },
      terms,
    );
  }
}

/** `power_<p>_<s>` and, for sites with maxAccelerators, `space_<p>_<s>`. */
function siteRows({ input, columns, names, offers, add }: RowContext, periodId: string, site: Site): void {
  const here = columns.fleet.filter((f) => f.period === periodId && f.site === site.id);
  const wattsOf = (f: FleetTerm): number => offers.get(f.accelerator)!.powerWatts * site.pue;
  add(
    {
      kind: 'power',
      name: names.take('power', periodId, site.id),
      label: `power ${site.id} ${periodId}`,
      sense: '<=',
      rhs: site.powerMw * 1e6 - here.reduce((s, f) => s + f.initialChips * wattsOf(f), 0),
      rhsUnit: 'W',
      period: periodId,
      site: site.id,
    },
    here.flatMap((f) => deliveredChips(input, f, wattsOf(f))),
  );
  if (site.maxAccelerators !== undefined) {
    add(
      {
        kind: 'space',
        name: names.take('space', periodId, site.id),
        label: `space ${site.id} ${periodId}`,
        sense: '<=',
        rhs: site.maxAccelerators - here.reduce((s, f) => s + f.initialChips, 0),
        rhsUnit: 'chips',
        period: periodId,
        site: site.id,
      },
      here.flatMap((f) => deliveredChips(input, f, 1)),
    );
  }
}

/** `supply_<p>_<a>` for offers with a finite cap in the period. */
function supplyRows({ input, columns, names, add }: RowContext, periodId: string): void {
  for (const offer of input.offers) {
    const cap = supplyCapChips(offer, periodId);
    if (cap === undefined) continue;
    add(
      {
        kind: 'supply',
        name: names.take('supply', periodId, offer.accelerator),
        label: `supply ${offer.accelerator} ${periodId}`,
        sense: '<=',
        rhs: cap,
        rhsUnit: 'chips',
        period: periodId,
        accelerator: offer.accelerator,
      },
      columns.buys.filter((b) => b.period === periodId && b.accelerator === offer.accelerator).map((b) => [input.unitsPerServer, b.name]),
    );
  }
}

/** `budget_<id>`: spend on the budget's periods (and vendors) at most its USD. */
function budgetRows({ input, columns, names, add }: RowContext): void {
  for (const budget of input.budgets) {
    const counted = columns.buys.filter((b) => budget.periods.includes(b.period) && (budget.vendors === undefined || budget.vendors.includes(b.vendor)));
    add(
      {
        kind: 'budget',
        name: names.take('budget', budget.id),
        label: `budget ${budget.id}`,
        sense: '<=',
        rhs: budget.usd,
        rhsUnit: 'USD',
        budget: budget.id,
      },
      counted.map((b) => [input.unitsPerServer * b.priceUsdPerChip, b.name]),
    );
  }
}

/** `served_floor`: unmet demand over the horizon, million tokens, at most the first stage's. */
function servedFloorRow({ input, columns, names, add }: RowContext, unmetCapMillionTokens: number): void {
  const weightOf = millionTokensPerTokenPerSecond(input);
  add(
    {
      kind: 'served',
      name: names.take('served_floor'),
      label: 'served floor',
      sense: '<=',
      rhs: unmetCapMillionTokens,
      rhsUnit: 'million tokens',
    },
    columns.unmets.map((u) => [weightOf.get(u.period)!, u.name]),
  );
}
