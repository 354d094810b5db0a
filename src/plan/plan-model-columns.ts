/**
 * @module The procurement model's columns (buy, alloc, unmet) and the installed
 * fleet they add up to, with the metadata that maps each back to the plan.
 */
import type { NameRegistry } from './lp-name-registry.js';
import { priceUsdPerChip, supplyCapChips } from './offer-gates.js';
import { periodPosition } from './period-position.js';
import type { ConfigCapacity, PlanInput } from './plan-input.js';

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

/** Every column of the model, by kind, and the installed fleet as an expression over the buy columns. */
export interface PlanColumns {
  readonly buys: readonly BuyColumn[];
  readonly fleet: readonly FleetTerm[];
  readonly allocs: readonly AllocColumn[];
  readonly unmets: readonly UnmetColumn[];
}

/** The model's columns, named through `names` in the order buy, alloc, unmet (the order the LP text relies on). */
export function planColumns(input: PlanInput, capacities: readonly ConfigCapacity[], names: NameRegistry): PlanColumns {
  const capacity = new Map<string, number>();
  for (const c of capacities) {
    if (c.tokensPerSecondPerAccelerator > 0) capacity.set(`${c.workload}\u0000${c.accelerator}`, c.tokensPerSecondPerAccelerator);
  }
  const buys = buyColumns(input, names);
  const fleet = fleetTerms(input, buys);
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
  return { buys, fleet, allocs, unmets };
}

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
