/** @module How an offer's optional fields resolve: domestic by vendor, availability from the catalogue (never before the horizon), supply written as a map or as ranges. */
import type { AcceleratorSpec } from '../../core/catalogue/accelerator-spec.js';
import { catalogueQuarter, quarterIndex, type Horizon } from './quarters.js';
import type { Offer, SupplyRange } from './schema.js';

const IMPORTED_VENDORS: readonly string[] = ['Nvidia', 'AMD'];

/** Domestic unless said otherwise: every vendor but Nvidia and AMD. */
export function isDomestic(o: Offer, spec: AcceleratorSpec): boolean {
  return o.domestic ?? !IMPORTED_VENDORS.includes(spec.vendor);
}

/** First quarter index it can be ordered in: the scenario's, else the catalogue's; never before the horizon. */
export function availableIndex(o: Offer, spec: AcceleratorSpec, h: Horizon): number | undefined {
  const given = o.availableFrom !== undefined ? quarterIndex(o.availableFrom) : catalogueQuarter(spec);
  return given === undefined ? undefined : Math.max(given, h.first);
}

/** Supply as ranges; a map of quarter -> units becomes one-quarter ranges with a fill rate of 1. */
export function supplyRanges(supply: NonNullable<Offer['supply']>): SupplyRange[] {
  if (Array.isArray(supply)) return supply;
  return Object.entries(supply).map(([q, n]) => ({ from: q, to: q, unitsPerQuarter: n, fillRate: 1 }));
}
