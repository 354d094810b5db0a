/** @module Applies a variant's changes (set-gates, delay-availability, supply-fill-rate, set-offer, set-site, demand-growth) in order to a plan scenario. */
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { availableIndex, supplyRanges } from './offer-defaults.js';
import { horizonOf, quarterId, quarterIndex, type Horizon } from './quarters.js';
import type { Change, GateFields, GateRange, Offer, PlanScenario, Variant } from './schema.js';

/** Gates with [from, to] replaced by `gate`; ranges around it are cut, not dropped. */
function spliceGates(gates: readonly GateRange[], from: number, to: number, gate: GateFields, h: Horizon): GateRange[] {
  const cut = gates.flatMap((g) => {
    const a = g.from === undefined ? h.first : quarterIndex(g.from);
    const b = g.to === undefined ? h.last : quarterIndex(g.to);
    const pieces: GateRange[] = [];
    if (a < from) pieces.push({ ...g, from: quarterId(a), to: quarterId(Math.min(b, from - 1)) });
    if (b > to) pieces.push({ ...g, from: quarterId(Math.max(a, to + 1)), to: quarterId(b) });
    return b < from || a > to ? [g] : pieces;
  });
  return [...cut, { ...gate, from: quarterId(from), to: quarterId(to) }];
}

function applyChange(s: PlanScenario, c: Change): PlanScenario {
  const h = horizonOf(s);
  const picks = (o: Offer, sel: { accelerators?: string[] | undefined; vendors?: string[] | undefined }): boolean =>
    sel.accelerators?.includes(o.id) === true || sel.vendors?.includes(getAccelerator(o.id).vendor) === true;
  const mapOffers = (f: (o: Offer) => Offer): PlanScenario => ({ ...s, accelerators: s.accelerators.map(f) });
  switch (c.kind) {
    case 'set-gates': {
      const { usExport, cap, revenueShare, chinaApproval, fillRate } = c;
      const to = c.to === undefined ? h.last : quarterIndex(c.to);
      const gate = { usExport, cap, revenueShare, chinaApproval, fillRate };
      return mapOffers((o) => (o.id === c.accelerator ? { ...o, gates: spliceGates(o.gates ?? [], quarterIndex(c.from), to, gate, h) } : o));
    }
    case 'delay-availability':
      return mapOffers((o) => {
        if (!picks(o, c)) return o;
        const from = availableIndex(o, getAccelerator(o.id), h) ?? h.first;
        return { ...o, availableFrom: quarterId(from + c.quarters) };
      });
    case 'supply-fill-rate':
      return mapOffers((o) => {
        if (!picks(o, c) || o.supply === undefined) return o;
        const supply = supplyRanges(o.supply).map((r) => ({ ...r, fillRate: c.fillRate ?? Math.min(1, r.fillRate * (c.scale ?? 1)) }));
        return { ...o, supply };
      });
    case 'set-offer': {
      const replaced = s.accelerators.some((o) => o.id === c.offer.id);
      return replaced ? mapOffers((o) => (o.id === c.offer.id ? c.offer : o)) : { ...s, accelerators: [...s.accelerators, c.offer] };
    }
    case 'set-site': {
      const { kind: _kind, site, ...fields } = c;
      const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      return { ...s, sites: s.sites.map((x) => (x.id === site ? { ...x, ...set } : x)) };
    }
    case 'demand-growth':
      return { ...s, demand: { ...s.demand, annualGrowth: c.annualGrowth ?? s.demand.annualGrowth * (c.scale ?? 1) } };
    default: {
      const never: never = c;
      throw new Error(`unhandled change ${JSON.stringify(never)}`);
    }
  }
}

/** The scenario with a variant's changes applied in order (and no variants of its own). */
export function applyVariant(s: PlanScenario, v: Variant): PlanScenario {
  return v.changes.reduce(applyChange, { ...s, variants: [] });
}
