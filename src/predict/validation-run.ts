/**
 * @module Validation of the performance model against measurements: predict
 * every row, score it, and summarise the errors overall, on held-out rows and
 * models, and by system, backend, model and mode.
 */
import { ape, summarise, summariseBy, type ErrorSummary, type ScoredRow } from './error-stats.js';
import { splitOf, type Split } from './holdout.js';
import { predictRow, type ModelResolver, type RowPrediction } from './predict-rows.js';
import type { SiliconRow } from './silicon-row.js';

export interface ValidationRow extends ScoredRow {
  readonly row: SiliconRow;
  readonly prediction: RowPrediction;
  readonly split: Split;
}

export interface GroupSummary {
  readonly group: string;
  readonly summary: ErrorSummary;
}

export interface ValidationResult {
  /** Rows in the file. */
  readonly totalRows: number;
  /** Rows scored after removing exact duplicates. */
  readonly uniqueRows: number;
  readonly overall: ErrorSummary;
  readonly bySplit: readonly GroupSummary[];
  /** Held-out rows and models together: the accuracy to quote. */
  readonly heldOut: ErrorSummary;
  /** The held-out rows by mode (`agg`, `disagg`): disaggregated rows mostly lack their worker counts, so they weigh differently. */
  readonly heldOutByMode: readonly GroupSummary[];
  readonly bySystem: readonly GroupSummary[];
  readonly byBackend: readonly GroupSummary[];
  readonly byModel: readonly GroupSummary[];
  readonly byMode: readonly GroupSummary[];
  /** Why rows were not predicted, with counts. */
  readonly errors: readonly { reason: string; rows: number }[];
  readonly rows: readonly ValidationRow[];
}

/** Key of a measurement: rows that repeat it are one measurement. */
function measurementKey(r: SiliconRow): string {
  return [r.system, r.backend, r.modelPath, r.mode, r.isl, r.osl, r.measuredTtftMs, r.measuredTpotMs].join('|');
}

export function scoreRows(rows: readonly SiliconRow[], preds: readonly RowPrediction[]): ValidationRow[] {
  const seen = new Set<string>();
  const out: ValidationRow[] = [];
  rows.forEach((row, i) => {
    const key = measurementKey(row);
    if (seen.has(key)) return;
    seen.add(key);
    const p = preds[i]!;
    const ok = p.error === '';
    out.push({
      row,
      prediction: p,
      split: splitOf(row),
      predicted: ok,
      ttftApe: ok ? ape(p.ttftMs, row.measuredTtftMs) : NaN,
      tpotApe: ok ? ape(p.tpotMs, row.measuredTpotMs) : NaN,
    });
  });
  return out;
}

export function validate(rows: readonly SiliconRow[], resolve: ModelResolver, onRow?: () => void): ValidationResult {
  const preds = rows.map((r) => {
    const p = predictRow(r, resolve);
    onRow?.();
    return p;
  });
  return summariseValidation(rows, preds);
}

export function summariseValidation(rows: readonly SiliconRow[], preds: readonly RowPrediction[]): ValidationResult {
  const scored = scoreRows(rows, preds);
  const heldOut = scored.filter((r) => r.split !== 'train');
  const reasons = new Map<string, number>();
  for (const s of scored) {
    if (s.predicted) continue;
    const reason = s.prediction.error.replace(/\d[\d.,]*/g, 'N').slice(0, 140);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return {
    totalRows: rows.length,
    uniqueRows: scored.length,
    overall: summarise(scored),
    bySplit: summariseBy(scored, (r) => r.split),
    heldOut: summarise(heldOut),
    heldOutByMode: summariseBy(heldOut, (r) => r.row.mode),
    bySystem: summariseBy(scored, (r) => r.row.system),
    byBackend: summariseBy(scored, (r) => r.row.backend),
    byModel: summariseBy(scored, (r) => r.row.modelPath),
    byMode: summariseBy(scored, (r) => r.row.mode),
    errors: [...reasons.entries()].map(([reason, n]) => ({ reason, rows: n })).sort((a, b) => b.rows - a.rows),
    rows: scored,
  };
}
