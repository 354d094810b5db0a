/** @module Quarter ids (`2026Q1`) as indices, their periods, the catalogue's availability dates as quarters, and the scenario's horizon. */
import type { AcceleratorSpec } from '../../core/catalogue/accelerator-spec.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Period } from '../../plan/plan-input.js';

export const QUARTER_RE = /^(\d{4})Q([1-4])$/;
export const MS_PER_YEAR = 365.25 * 86_400_000;

/** Quarters since year 0: `2026Q1` -> 8104. */
export function quarterIndex(id: string): number {
  const m = QUARTER_RE.exec(id);
  if (m === null) throw new InvalidInputError(`expected a quarter like 2026Q1, got '${id}'`);
  return Number(m[1]) * 4 + Number(m[2]) - 1;
}

export function quarterId(index: number): string {
  return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
}

/** Start of the quarter, ms since the epoch (UTC). */
export function quarterStartMs(index: number): number {
  return Date.UTC(Math.floor(index / 4), (index % 4) * 3, 1);
}

export function periodOf(index: number): Period {
  const hours = (quarterStartMs(index + 1) - quarterStartMs(index)) / 3_600_000;
  return { id: quarterId(index), hours, year: Math.floor(index / 4) };
}

/** The catalogue's availability (`2024`, `2024-02`, `2026-Q1`) as a quarter index, or undefined. */
export function catalogueQuarter(spec: AcceleratorSpec): number | undefined {
  const m = /^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$/.exec(spec.availableFrom.value ?? '');
  if (m === null) return undefined;
  const q = m[2] !== undefined ? Number(m[2]) - 1 : m[3] !== undefined ? Math.floor((Number(m[3]) - 1) / 3) : 0;
  return Number(m[1]) * 4 + q;
}

/** The planning horizon as quarter indices, both ends included. */
export interface Horizon {
  readonly first: number;
  readonly last: number;
}

export function horizonOf(s: { readonly periods: { readonly from: string; readonly to: string } }): Horizon {
  return { first: quarterIndex(s.periods.from), last: quarterIndex(s.periods.to) };
}
