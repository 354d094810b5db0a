/** @module Absolute percentage errors of predictions against measurements, summarised by group. */

export interface ErrorSummary {
  readonly rows: number;
  /** Rows with a prediction (no error). */
  readonly predicted: number;
  readonly coverage: number;
  /** Median absolute percentage error of TTFT, percent. */
  readonly ttftMedianApe: number;
  readonly ttftP90Ape: number;
  readonly tpotMedianApe: number;
  readonly tpotP90Ape: number;
}

export interface ScoredRow {
  readonly predicted: boolean;
  /** |predicted - measured| / measured, or NaN when not predicted or not measured. */
  readonly ttftApe: number;
  readonly tpotApe: number;
}

/** Quantile q of the finite values (linear interpolation), NaN when none. */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export function ape(predicted: number, measured: number | undefined): number {
  if (measured === undefined || !Number.isFinite(predicted) || !(measured > 0)) return NaN;
  return Math.abs(predicted - measured) / measured;
}

export function summarise(rows: readonly ScoredRow[]): ErrorSummary {
  const predicted = rows.filter((r) => r.predicted).length;
  return {
    rows: rows.length,
    predicted,
    coverage: rows.length > 0 ? predicted / rows.length : NaN,
    ttftMedianApe: quantile(rows.map((r) => r.ttftApe), 0.5) * 100,
    ttftP90Ape: quantile(rows.map((r) => r.ttftApe), 0.9) * 100,
    tpotMedianApe: quantile(rows.map((r) => r.tpotApe), 0.5) * 100,
    tpotP90Ape: quantile(rows.map((r) => r.tpotApe), 0.9) * 100,
  };
}

/** Summaries per value of `key`, largest groups first. */
export function summariseBy<T extends ScoredRow>(rows: readonly T[], key: (r: T) => string): { group: string; summary: ErrorSummary }[] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  return [...groups.entries()]
    .map(([group, rs]) => ({ group, summary: summarise(rs) }))
    .sort((a, b) => b.summary.rows - a.summary.rows || a.group.localeCompare(b.group));
}
