/**
 * @module Normalises a checked plan scenario into the planner's PlanInput (src/plan/plan-input.ts): periods from the horizon, demand per period and workload, and supply and gates per period for each offer.
 *
 * Supply in PlanInput is the units offered per period times the supply fill rate
 * (0 before the offer is available or when it cannot be ordered; absent for no
 * cap). The gates go through per period untouched: the planner applies them on
 * top (src/plan/to-lp-format.ts: banned or blocked -> 0, capped -> at most the
 * US cap, conditional -> times the China fill rate, revenue share -> price).
 */
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { InvalidInputError } from '../../core/errors.js';
import type { AcceleratorOffer, Budget, Demand, Gates, Period, PlanInput } from '../../plan/plan-input.js';
import { applyVariant } from './apply-variant.js';
import { availableIndex, isDomestic, supplyRanges } from './offer-defaults.js';
import { horizonOf, MS_PER_YEAR, periodOf, quarterId, quarterIndex, quarterStartMs, type Horizon } from './quarters.js';
import type { GateRange, Offer, PlanScenario } from './schema.js';

function demandOf(s: PlanScenario, h: Horizon): Demand[] {
  const d = s.demand;
  const total = (q: number): number => {
    const years =
      d.basePeriod !== undefined
        ? (q - quarterIndex(d.basePeriod)) / 4
        : ((quarterStartMs(q) + quarterStartMs(q + 1)) / 2 - Date.parse(`${d.baseDate ?? ''}T00:00:00Z`)) / MS_PER_YEAR;
    return d.baseTokensPerSecond * d.annualGrowth ** years;
  };
  const out: Demand[] = [];
  for (let q = h.first; q <= h.last; q++) {
    const period = quarterId(q);
    const totalOverride = d.overrides.find((o) => o.period === period && o.workload === undefined);
    const periodTotal = totalOverride?.averageTokensPerSecond ?? total(q);
    for (const w of s.workloads) {
      const own = d.overrides.find((o) => o.period === period && o.workload === w.id);
      out.push({
        period,
        workload: w.id,
        averageTokensPerSecond: own?.averageTokensPerSecond ?? periodTotal * w.share,
        peakFactor: own?.peakFactor ?? totalOverride?.peakFactor ?? d.peakFactor,
      });
    }
  }
  return out;
}

function gateAt(gates: readonly GateRange[], q: number, h: Horizon): Gates | undefined {
  const g = gates.find((x) => (x.from === undefined ? h.first : quarterIndex(x.from)) <= q && q <= (x.to === undefined ? h.last : quarterIndex(x.to)));
  if (g === undefined) return undefined;
  return {
    usExport: g.usExport,
    ...(g.usExport === 'capped' && g.cap !== undefined ? { usCapUnits: g.cap } : {}),
    revenueShare: g.revenueShare,
    chinaApproval: g.chinaApproval,
    ...(g.chinaApproval === 'conditional' && g.fillRate !== undefined ? { chinaFillRate: g.fillRate } : {}),
  };
}

function floorUnits(x: number): number {
  return Math.floor(x + 1e-9);
}

function describeFact(what: string, f: { value: unknown; confidence: string; source: string; note?: string }): string {
  return `${what}: catalogue ${String(f.value)} (${f.confidence}${f.note === undefined ? '' : `; ${f.note}`})`;
}

function offerOf(o: Offer, s: PlanScenario, h: Horizon): AcceleratorOffer {
  const spec = getAccelerator(o.id);
  const domestic = isDomestic(o, spec);
  const catalogueTdp = spec.tdpWatts.value;
  const price = o.priceUsd ?? spec.priceUsd.value ?? (o.orderable ? undefined : 0);
  const power = o.powerWatts ?? (catalogueTdp === null ? undefined : catalogueTdp * s.hostOverheadFactor);
  if (price === undefined) throw new InvalidInputError(`the catalogue has no price for ${spec.id}; give priceUsd`, `accelerators.${spec.id}.priceUsd`);
  if (power === undefined) throw new InvalidInputError(`the catalogue has no TDP for ${spec.id}; give powerWatts`, `accelerators.${spec.id}.powerWatts`);
  const from = availableIndex(o, spec, h) ?? h.first;
  const ranges = o.supply === undefined ? undefined : supplyRanges(o.supply);
  const gates: Record<string, Gates> = {};
  const supplyUnits: Record<string, number> = {};
  for (let q = h.first; q <= h.last; q++) {
    const id = quarterId(q);
    const gate = domestic ? undefined : gateAt(o.gates ?? [], q, h);
    if (gate !== undefined) gates[id] = gate;
    if (!o.orderable || q < from) {
      supplyUnits[id] = 0;
      continue;
    }
    const r = ranges?.find((x) => (x.from === undefined ? h.first : quarterIndex(x.from)) <= q && q <= (x.to === undefined ? h.last : quarterIndex(x.to)));
    if (ranges !== undefined) supplyUnits[id] = r === undefined ? 0 : floorUnits(r.unitsPerQuarter * r.fillRate);
  }
  const source = [
    o.priceUsd !== undefined
      ? `price: scenario ${o.priceUsd}`
      : o.orderable || spec.priceUsd.value !== null
        ? describeFact('price', spec.priceUsd)
        : 'price: none (not orderable; the 0 is never used)',
    o.powerWatts !== undefined ? `power: scenario ${o.powerWatts} W` : `power: ${describeFact('TDP', spec.tdpWatts)} x ${s.hostOverheadFactor} host overhead (assumption)`,
    ...(o.source === undefined ? [] : [o.source]),
  ].join('; ');
  return {
    accelerator: spec.id,
    vendor: spec.vendor,
    domestic,
    priceUsd: price,
    powerWatts: power,
    engine: o.engine ?? spec.engines[0] ?? 'generic',
    availableFrom: quarterId(from),
    leadTimeQuarters: o.leadTimeQuarters,
    supplyUnits,
    ...(domestic ? {} : { gates }),
    source,
  };
}

function toPlanInput(s: PlanScenario, name: string): PlanInput {
  const h = horizonOf(s);
  const periods: Period[] = [];
  for (let q = h.first; q <= h.last; q++) periods.push(periodOf(q));
  const budgets: Budget[] = s.budgets.map((b) => ({
    id: b.id,
    periods: b.periods ?? periods.filter((p) => p.year === b.year).map((p) => p.id),
    ...(b.vendors === undefined ? {} : { vendors: b.vendors }),
    usd: b.usd,
  }));
  return {
    name,
    periods,
    workloads: s.workloads.map((w) => ({
      id: w.id,
      model: w.model,
      inputTokens: w.inputTokens,
      outputTokens: w.outputTokens,
      prefixHitRate: w.prefixHitRate,
      slo: { ...w.slo },
      ...(w.speculative !== undefined && { speculative: { ...w.speculative } }),
    })),
    demand: demandOf(s, h),
    offers: s.accelerators.map((o) => offerOf(o, s, h)),
    sites: s.sites.map((x) => ({ ...x })),
    budgets,
    installed: s.installed.map((f) => ({ ...f, accelerator: getAccelerator(f.accelerator).id })),
    objective: { kind: s.objective.kind, unmetPenaltyUsdPerMillionTokens: s.objective.unmetPenaltyUsdPerMillionTokens ?? 0 },
    unitsPerServer: s.unitsPerServer,
    ...(s.memoryUtilization !== undefined && { memoryUtilization: s.memoryUtilization }),
  };
}

export interface PlanInputs {
  readonly base: PlanInput;
  readonly variants: readonly { readonly name: string; readonly description: string; readonly input: PlanInput }[];
}

/** The base scenario and the chosen variants (by name, or all) as planner inputs. */
export function toPlanInputs(scenario: PlanScenario, variantNames: readonly string[] | 'all'): PlanInputs {
  const chosen =
    variantNames === 'all'
      ? scenario.variants
      : variantNames.map((n) => {
          const v = scenario.variants.find((x) => x.name === n);
          if (v === undefined) {
            throw new InvalidInputError(`unknown variant '${n}' (variants: ${scenario.variants.map((x) => x.name).join(', ') || 'none'})`, 'variants');
          }
          return v;
        });
  return {
    base: toPlanInput(scenario, scenario.name),
    variants: chosen.map((v) => ({ name: v.name, description: v.description, input: toPlanInput(applyVariant(scenario, v), `${scenario.name} / ${v.name}`) })),
  };
}
