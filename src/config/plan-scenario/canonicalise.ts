/** @module Rewrites every accelerator id or alias in a checked scenario to its catalogue id. */
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import type { Change, Offer, PlanScenario } from './schema.js';

/** Catalogue ids everywhere an accelerator is named (after checkScenario found them all). */
export function canonicalise(s: PlanScenario): PlanScenario {
  const id = (x: string): string => getAccelerator(x).id;
  const offer = (o: Offer): Offer => ({ ...o, id: id(o.id) });
  const change = (c: Change): Change => {
    switch (c.kind) {
      case 'set-gates':
        return { ...c, accelerator: id(c.accelerator) };
      case 'delay-availability':
      case 'supply-fill-rate':
        return c.accelerators === undefined ? c : { ...c, accelerators: c.accelerators.map(id) };
      case 'set-offer':
        return { ...c, offer: offer(c.offer) };
      default:
        return c;
    }
  };
  return {
    ...s,
    accelerators: s.accelerators.map(offer),
    installed: s.installed.map((f) => ({ ...f, accelerator: id(f.accelerator) })),
    variants: s.variants.map((v) => ({ ...v, changes: v.changes.map(change) })),
  };
}
