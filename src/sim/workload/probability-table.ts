/**
 * @module Discrete probability tables (value -> probability), parsed from the
 * Python dict literals ServeGen writes (`{45: 0.0097, 46: 0.0117}`), and drawn
 * from by inverting the cumulative distribution with a binary search.
 */

/** A discrete distribution. Empty when `values` is. */
export interface ProbabilityTable {
  /** The values, in the order the source listed them. */
  readonly values: Float64Array;
  /** Cumulative probabilities, normalised so the last is exactly 1. */
  readonly cdf: Float64Array;
}

/**
 * Parses a Python dict literal of numbers to numbers (`{}` is an empty table).
 * Returns a message saying what is wrong instead when it is not one, or when
 * a probability is negative or all are zero.
 */
export function parsePythonNumberDict(text: string): ProbabilityTable | string {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) return `expected a dict literal like {45: 0.01, 46: 0.02}, got ${JSON.stringify(body.slice(0, 40))}`;
  const inner = body.slice(1, -1).trim();
  if (inner.length === 0) return { values: new Float64Array(0), cdf: new Float64Array(0) };
  const entries = inner.split(',');
  const values = new Float64Array(entries.length);
  const cdf = new Float64Array(entries.length);
  let total = 0;
  let lastPositive = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const colon = entry.indexOf(':');
    const key = colon < 0 ? Number.NaN : Number(entry.slice(0, colon));
    const p = colon < 0 ? Number.NaN : Number(entry.slice(colon + 1));
    if (!Number.isFinite(key) || !Number.isFinite(p) || entry.slice(colon + 1).trim().length === 0) {
      return `expected number: probability entries, got ${JSON.stringify(entry.trim().slice(0, 40))} (entry ${i + 1})`;
    }
    if (p < 0) return `expected non-negative probabilities, got ${p} for ${key}`;
    values[i] = key;
    if (p > 0) lastPositive = i;
    total += p;
    cdf[i] = total;
  }
  if (!(total > 0)) return 'expected probabilities that do not all vanish';
  for (let i = 0; i < cdf.length; i++) cdf[i] = cdf[i]! / total;
  // From the last value with a probability on, the cdf is exactly 1, so rounding never draws a trailing zero.
  cdf.fill(1, lastPositive);
  return { values, cdf };
}

/** The value whose cumulative band holds `u` in [0, 1) (values of probability 0 are never drawn). */
export function drawFromTable(table: ProbabilityTable, u: number): number {
  const cdf = table.cdf;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return table.values[lo]!;
}

/** The mean of the table (NaN when empty). */
export function tableMean(table: ProbabilityTable): number {
  let mean = 0;
  let prev = 0;
  for (let i = 0; i < table.values.length; i++) {
    mean += table.values[i]! * (table.cdf[i]! - prev);
    prev = table.cdf[i]!;
  }
  return table.values.length > 0 ? mean : Number.NaN;
}
