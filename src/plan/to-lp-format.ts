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
 */
import { InvalidInputError } from '../core/errors.js';
import type { AcceleratorOffer, ConfigCapacity, PlanInput, Site } from './plan-input.js';

/** A purchase decision: servers of `a` ordered in `period` for `site`. */
export interface BuyColumn {
  readonly kind: 'buy';
  readonly name: string;
  readonly period: string;
  readonly site: string;
  readonly accelerator: string;
  readonly vendor: string;
  /** Chips per unit of the column (unitsPerServer). */
  readonly chipsPerServer: number;
  /** Price per chip including the period's revenue share, USD. */
  readonly priceUsdPerChip: number;
  /** First period the chips serve in (order period + lead time). */
  readonly servesFrom: string;
}

/** Chips of one type at one site serving one workload in one period. */
export interface AllocColumn {
  readonly kind: 'alloc';
  readonly name: string;
  readonly period: string;
  readonly site: string;
  readonly accelerator: string;
  readonly workload: string;
  /** Tokens per second each chip serves at the workload's SLO. */
  readonly tokensPerSecondPerChip: number;
}

/** Tokens per second of a workload's target not served in a period. */
export interface UnmetColumn {
  readonly kind: 'unmet';
  readonly name: string;
  readonly period: string;
  readonly workload: string;
}

export type ColumnMeta = BuyColumn | AllocColumn | UnmetColumn;

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

/** Installed chips of one type at one site in one period, as the model sees them. */
export interface FleetTerm {
  readonly period: string;
  readonly site: string;
  readonly accelerator: string;
  /** Chips of the initial fleet still in service. */
  readonly initialChips: number;
  /** Buy columns delivered by this period; each adds chipsPerServer chips per unit. */
  readonly buyColumns: readonly string[];
}

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

/** Seconds per hour over tokens per million: converts tokens/s x hours into million tokens. */
const MILLION_TOKENS_PER_TOKEN_PER_SECOND_HOUR = 3600 / 1e6;

/** Builds the MIP (or, with `purchaseFloors`, its LP re-solve) for `input`. */
export function buildPlanModel(
  input: PlanInput,
  capacities: readonly ConfigCapacity[],
  options: BuildPlanModelOptions = {},
): PlanModel {
  checkInput(input);
  const periods = input.periods;
  const names = new NameRegistry();
  const offers = new Map(input.offers.map((o) => [o.accelerator, o]));
  const siteById = new Map(input.sites.map((s) => [s.id, s]));
  const capacity = new Map<string, number>();
  for (const c of capacities) {
    if (c.tokensPerSecondPerAccelerator > 0) capacity.set(`${c.workload}\u0000${c.accelerator}`, c.tokensPerSecondPerAccelerator);
  }
  const chipsPerServer = input.unitsPerServer;
  const secondStage = options.unmetCapMillionTokens;
  const maxServed = input.objective.kind === 'max-served' && secondStage === undefined;

  const buys = buyColumns(input, names);
  const fleet = fleetTerms(input, buys);

  // Allocation and unmet columns.
  const allocs: AllocColumn[] = [];
  for (const term of fleet) {
    for (const workload of input.workloads) {
      const cap = capacity.get(`${workload.id}\u0000${term.accelerator}`);
      if (cap === undefined) continue;
      allocs.push({
        kind: 'alloc',
        name: names.take('alloc', term.period, term.site, term.accelerator, workload.id),
        period: term.period,
        site: term.site,
        accelerator: term.accelerator,
        workload: workload.id,
        tokensPerSecondPerChip: cap,
      });
    }
  }
  const unmets: UnmetColumn[] = input.demand.map((d) => ({
    kind: 'unmet',
    name: names.take('unmet', d.period, d.workload),
    period: d.period,
    workload: d.workload,
  }));

  // Cost per chip: running cost of a chip at a site in a period.
  const hoursOf = new Map(periods.map((p) => [p.id, p.hours]));
  const runningUsdPerChip = (site: Site, offer: AcceleratorOffer, periodId: string): number =>
    (offer.powerWatts * site.pue * (hoursOf.get(periodId) ?? 0) * site.electricityUsdPerKwh) / 1000 +
    site.hostingUsdPerAcceleratorMonth * 3;
  const cost = new Map<string, number>();
  let constantCostUsd = 0;
  for (const term of fleet) {
    const running = runningUsdPerChip(siteById.get(term.site)!, offers.get(term.accelerator)!, term.period);
    constantCostUsd += term.initialChips * running;
    for (const b of term.buyColumns) cost.set(b, (cost.get(b) ?? 0) + chipsPerServer * running);
  }
  for (const b of buys) cost.set(b.name, (cost.get(b.name) ?? 0) + chipsPerServer * b.priceUsdPerChip);

  const rows: RowMeta[] = [];
  const rowTerms: Term[][] = [];
  const addRow = (row: RowMeta, terms: Term[]): void => {
    if (terms.length === 0) return;
    rows.push(row);
    rowTerms.push(terms);
  };

  const unitsOf = (term: FleetTerm, weight: number): Term[] => term.buyColumns.map((b) => [chipsPerServer * weight, b]);
  for (const u of unmets) {
    const d = input.demand.find((x) => x.period === u.period && x.workload === u.workload)!;
    const terms: Term[] = allocs
      .filter((a) => a.period === u.period && a.workload === u.workload)
      .map((a) => [a.tokensPerSecondPerChip, a.name]);
    terms.push([1, u.name]);
    addRow(
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
  for (const term of fleet) {
    const terms: Term[] = allocs
      .filter((a) => a.period === term.period && a.site === term.site && a.accelerator === term.accelerator)
      .map((a) => [1, a.name]);
    if (terms.length === 0) continue;
    terms.push(...unitsOf(term, -1));
    addRow(
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
  for (const period of periods) {
    for (const site of input.sites) {
      const here = fleet.filter((f) => f.period === period.id && f.site === site.id);
      const wattsOf = (f: FleetTerm): number => offers.get(f.accelerator)!.powerWatts * site.pue;
      addRow(
        {
          kind: 'power',
          name: names.take('power', period.id, site.id),
          label: `power ${site.id} ${period.id}`,
          sense: '<=',
          rhs: site.powerMw * 1e6 - here.reduce((s, f) => s + f.initialChips * wattsOf(f), 0),
          rhsUnit: 'W',
          period: period.id,
          site: site.id,
        },
        here.flatMap((f) => unitsOf(f, wattsOf(f))),
      );
      if (site.maxAccelerators !== undefined) {
        addRow(
          {
            kind: 'space',
            name: names.take('space', period.id, site.id),
            label: `space ${site.id} ${period.id}`,
            sense: '<=',
            rhs: site.maxAccelerators - here.reduce((s, f) => s + f.initialChips, 0),
            rhsUnit: 'chips',
            period: period.id,
            site: site.id,
          },
          here.flatMap((f) => unitsOf(f, 1)),
        );
      }
    }
    for (const offer of input.offers) {
      const cap = supplyCapChips(offer, period.id);
      if (cap === undefined) continue;
      addRow(
        {
          kind: 'supply',
          name: names.take('supply', period.id, offer.accelerator),
          label: `supply ${offer.accelerator} ${period.id}`,
          sense: '<=',
          rhs: cap,
          rhsUnit: 'chips',
          period: period.id,
          accelerator: offer.accelerator,
        },
        buys.filter((b) => b.period === period.id && b.accelerator === offer.accelerator).map((b) => [chipsPerServer, b.name]),
      );
    }
  }
  for (const budget of input.budgets) {
    const counted = buys.filter((b) => budget.periods.includes(b.period) && (budget.vendors === undefined || budget.vendors.includes(b.vendor)));
    addRow(
      {
        kind: 'budget',
        name: names.take('budget', budget.id),
        label: `budget ${budget.id}`,
        sense: '<=',
        rhs: budget.usd,
        rhsUnit: 'USD',
        budget: budget.id,
      },
      counted.map((b) => [chipsPerServer * b.priceUsdPerChip, b.name]),
    );
  }

  const weightOf = new Map(periods.map((p) => [p.id, p.hours * MILLION_TOKENS_PER_TOKEN_PER_SECOND_HOUR]));
  if (secondStage !== undefined) {
    addRow(
      {
        kind: 'served',
        name: names.take('served_floor'),
        label: 'served floor',
        sense: '<=',
        rhs: secondStage,
        rhsUnit: 'million tokens',
      },
      unmets.map((u) => [weightOf.get(u.period)!, u.name]),
    );
  }

  // Objective.
  const objective: Term[] = [];
  let constant: number;
  let costWeight = 1;
  if (maxServed) {
    costWeight = tieBreakWeight(input, allocs, buys, cost);
    for (const b of buys) objective.push([-costWeight * cost.get(b.name)!, b.name]);
    for (const u of unmets) objective.push([-weightOf.get(u.period)!, u.name]);
    const target = input.demand.reduce((s, d) => s + d.averageTokensPerSecond * d.peakFactor * weightOf.get(d.period)!, 0);
    constant = target - costWeight * constantCostUsd;
  } else {
    for (const b of buys) objective.push([cost.get(b.name)!, b.name]);
    const penalty = secondStage === undefined ? input.objective.unmetPenaltyUsdPerMillionTokens : 0;
    for (const u of unmets) objective.push([weightOf.get(u.period)! * penalty, u.name]);
    constant = constantCostUsd;
  }

  const floors = options.purchaseFloors;
  const lines: string[] = [
    `\\ tokenfleet plan '${oneLine(input.name)}': ${input.objective.kind}${secondStage === undefined ? '' : ' (least cost at the tokens served)'}, objective in ${maxServed ? 'million tokens served' : 'USD'}`,
    '\\ buy: servers ordered (x' + String(chipsPerServer) + ' chips); alloc: chips serving a workload; unmet: tokens/s not served',
    maxServed ? 'Maximize' : 'Minimize',
    ` obj: ${formatTerms(objective.filter(([c]) => c !== 0), constant)}`,
    'Subject To',
    ...rows.map((r, i) => ` ${r.name}: ${formatTerms(rowTerms[i]!)} ${r.sense} ${num(r.rhs)}`),
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
    rows,
    fleet,
    sense: maxServed ? 'maximize' : 'minimize',
    objectiveUnit: maxServed ? 'million tokens' : 'USD',
    costWeight,
  };
}

/**
 * Chips of `offer` that can be ordered in `periodId` after the gates, or
 * undefined for no limit. Banned (US) or blocked (China): 0; capped:
 * min(supply, usCapUnits); conditional: supply x chinaFillRate.
 */
export function supplyCapChips(offer: AcceleratorOffer, periodId: string): number | undefined {
  let cap = offer.supplyUnits[periodId];
  const gate = offer.domestic ? undefined : offer.gates?.[periodId];
  if (gate !== undefined) {
    if (gate.usExport === 'banned' || gate.chinaApproval === 'blocked') return 0;
    if (gate.usExport === 'capped') cap = Math.min(cap ?? Infinity, gate.usCapUnits ?? 0);
    if (gate.chinaApproval === 'conditional' && cap !== undefined) cap *= gate.chinaFillRate ?? 1;
  }
  return cap === undefined ? undefined : Math.max(0, cap);
}

/** Price per chip ordered in `periodId` including the US revenue share, USD. */
export function priceUsdPerChip(offer: AcceleratorOffer, periodId: string): number {
  const share = offer.domestic ? 0 : (offer.gates?.[periodId]?.revenueShare ?? 0);
  return offer.priceUsd * (1 + share);
}

/**
 * Position of a period id on the plan's timeline: its index, or a half step
 * between indices for ids outside the horizon (ids sort as `YYYYQn`), so that
 * `availableFrom: 2025Q4` before a 2026Q1 start reads as "already available".
 */
export function periodPosition(input: PlanInput): (id: string) => number {
  const index = new Map(input.periods.map((p, i) => [p.id, i]));
  return (id) => index.get(id) ?? input.periods.filter((p) => p.id < id).length - 0.5;
}

type Term = [coefficient: number, column: string];

/** Orders that are possible (offered, not gated to zero, accepted by the site) and delivered within the horizon. */
function buyColumns(input: PlanInput, names: NameRegistry): BuyColumn[] {
  const periods = input.periods;
  const position = periodPosition(input);
  const buys: BuyColumn[] = [];
  for (const [q, period] of periods.entries()) {
    for (const offer of input.offers) {
      const servesAt = q + offer.leadTimeQuarters;
      if (position(offer.availableFrom) > q || servesAt >= periods.length) continue;
      if (supplyCapChips(offer, period.id) === 0) continue;
      for (const site of input.sites) {
        if (site.domesticOnly && !offer.domestic) continue;
        buys.push({
          kind: 'buy',
          name: names.take('buy', period.id, site.id, offer.accelerator),
          period: period.id,
          site: site.id,
          accelerator: offer.accelerator,
          vendor: offer.vendor,
          chipsPerServer: input.unitsPerServer,
          priceUsdPerChip: priceUsdPerChip(offer, period.id),
          servesFrom: periods[servesAt]!.id,
        });
      }
    }
  }
  return buys;
}

/** Installed chips per (period, site, accelerator): the initial fleet until it retires, plus delivered orders. */
function fleetTerms(input: PlanInput, buys: readonly BuyColumn[]): FleetTerm[] {
  const position = periodPosition(input);
  const fleet: FleetTerm[] = [];
  for (const [p, period] of input.periods.entries()) {
    for (const site of input.sites) {
      for (const offer of input.offers) {
        const initialChips = input.installed
          .filter((f) => f.site === site.id && f.accelerator === offer.accelerator)
          .filter((f) => f.retiresAfter === undefined || position(f.retiresAfter) >= p)
          .reduce((sum, f) => sum + f.units, 0);
        const buyColumns = buys
          .filter((b) => b.site === site.id && b.accelerator === offer.accelerator && position(b.servesFrom) <= p)
          .map((b) => b.name);
        if (initialChips === 0 && buyColumns.length === 0) continue;
        fleet.push({ period: period.id, site: site.id, accelerator: offer.accelerator, initialChips, buyColumns });
      }
    }
  }
  return fleet;
}

/** Structural checks the model relies on; value checks belong to the scenario loader. */
function checkInput(input: PlanInput): void {
  if (!Number.isInteger(input.unitsPerServer) || input.unitsPerServer < 1) {
    throw new InvalidInputError(`expected a positive whole number, got ${input.unitsPerServer}`, 'unitsPerServer');
  }
  const ids = (what: string, list: readonly string[]): Set<string> => {
    const set = new Set(list);
    if (set.size !== list.length) {
      const dup = list.find((x, i) => list.indexOf(x) !== i);
      throw new InvalidInputError(`'${dup}' appears twice; ids must be unique`, what);
    }
    return set;
  };
  const periods = ids('periods', input.periods.map((p) => p.id));
  const workloads = ids('workloads', input.workloads.map((w) => w.id));
  const sites = ids('sites', input.sites.map((s) => s.id));
  const offers = ids('offers', input.offers.map((o) => o.accelerator));
  ids('budgets', input.budgets.map((b) => b.id));
  const seen = new Set<string>();
  for (const [i, d] of input.demand.entries()) {
    const where = `demand[${i}]`;
    if (!periods.has(d.period)) throw new InvalidInputError(`unknown period '${d.period}' (periods: ${[...periods].join(', ')})`, where);
    if (!workloads.has(d.workload)) throw new InvalidInputError(`unknown workload '${d.workload}' (workloads: ${[...workloads].join(', ')})`, where);
    const key = `${d.period} ${d.workload}`;
    if (seen.has(key)) throw new InvalidInputError(`a second demand for ${key}; give one per period and workload`, where);
    seen.add(key);
  }
  for (const [i, f] of input.installed.entries()) {
    const where = `installed[${i}]`;
    if (!sites.has(f.site)) throw new InvalidInputError(`unknown site '${f.site}' (sites: ${[...sites].join(', ')})`, where);
    if (!offers.has(f.accelerator)) {
      throw new InvalidInputError(`'${f.accelerator}' has no offer, so its power is unknown; add an offer for it (supply 0 if it is no longer sold)`, where);
    }
  }
}

/** Tie-breaker weight of one USD in the max-served objective (see the module comment). */
function tieBreakWeight(input: PlanInput, allocs: readonly AllocColumn[], buys: readonly BuyColumn[], cost: ReadonlyMap<string, number>): number {
  if (allocs.length === 0 || buys.length === 0) return 1e-9;
  const shortest = Math.min(...input.periods.map((p) => p.hours)) * MILLION_TOKENS_PER_TOKEN_PER_SECOND_HOUR;
  const leastServed = Math.min(...allocs.map((a) => a.tokensPerSecondPerChip)) * shortest;
  const dearest = Math.max(...buys.map((b) => cost.get(b.name)! / b.chipsPerServer));
  return dearest > 0 ? (1e-3 * leastServed) / dearest : 1e-9;
}

/** Column and row names: `[A-Za-z0-9_]` only, unique, readable. */
class NameRegistry {
  private readonly taken = new Set<string>();
  take(...parts: string[]): string {
    const base = parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, '_')).join('_');
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}

/** Shortest text that reads back as `x` to 15 significant digits. */
function num(x: number): string {
  if (!Number.isFinite(x)) throw new InvalidInputError(`a model coefficient is ${x}; check prices, power, hours and demand for missing or infinite values`);
  return String(Number.parseFloat(x.toPrecision(15)));
}

/** `3 x + 2 y - z`, five terms per line; an optional constant at the end. */
function formatTerms(terms: readonly Term[], constant = 0): string {
  const parts = terms.map(([c, name], i) => {
    const sign = c < 0 ? '-' : '+';
    const abs = Math.abs(c);
    const coef = abs === 1 ? '' : `${num(abs)} `;
    const head = i === 0 ? (c < 0 ? '- ' : '') : `${sign} `;
    return `${head}${coef}${name}`;
  });
  if (constant !== 0 || parts.length === 0) parts.push(`${constant < 0 ? '-' : '+'} ${num(Math.abs(constant))}`);
  return chunk(parts, 5)
    .map((c) => c.join(' '))
    .join('\n   ');
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
