/** @module What an offer's export and import gates leave of its supply and add to its price in a period. */
import type { AcceleratorOffer } from './plan-input.js';

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
