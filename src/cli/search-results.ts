/**
 * @module What `tokenfleet search` shows: configuration-search results of one workload on several (accelerator,
 * engine) pairs as rows sorted best first, each with the outcome of every layout tried, for a table or for JSON.
 * Pure: the command runs the searches and writes the output.
 */
import { layoutName, type ConfigSearchResult, type LayoutOutcome } from '../plan/config-search.js';
import { disaggLayoutName, type DisaggSearchResult, type DisaggSide } from '../plan/disagg-search.js';
import type { ConfigCapacity, WorkloadClass } from '../plan/plan-input.js';
import { fmtNum, formatTable, type Align } from './format-table.js';

/** What the concurrency search found for one layout at the workload's SLO. */
export interface LayoutLine {
  /** e.g. `tp2 fp8`, `tp1 dp8 ep8 fp8`. */
  readonly layout: string;
  readonly acceleratorsPerReplica: number;
  /** Best concurrency per replica meeting the SLO; 0 when none does. */
  readonly concurrencyPerReplica: number;
  /** Input + output tokens per second per accelerator at that concurrency; 0 when none meets the SLO. */
  readonly tokensPerSecondPerAccelerator: number;
  /** Output tokens per second per accelerator (the output share of the above). */
  readonly outputTokensPerSecondPerAccelerator: number;
  /** Mean TTFT and TPOT, ms: at the best concurrency, or at concurrency 1 when that misses the SLO; 0 when it does not fit. */
  readonly ttftMs: number;
  readonly tpotMs: number;
  /** Why the layout serves nothing at the SLO (does not fit, misses a target, not searched). */
  readonly reason?: string;
}

/** One side of a disaggregated row. */
export interface DisaggSideJson {
  /** e.g. `tp8 fp8`. */
  readonly layout: string;
  readonly workers: number;
  readonly acceleratorsPerWorker: number;
}

/**
 * The best configuration of one (accelerator, engine) pair, with every layout when asked: the planner's
 * capacity record (tokens/s per accelerator, layout, replica size and concurrency, TTFT, TPOT, confidence,
 * reason) without its workload, plus what the search shows besides.
 */
export interface SearchRow extends Omit<ConfigCapacity, 'workload' | 'engine'> {
  readonly engine: string;
  /** Aggregated or disaggregated (prefill/decode) serving; only with --disagg. */
  readonly mode?: 'agg' | 'disagg';
  /** Output tokens per second per accelerator: tokensPerSecondPerAccelerator times osl / (isl + osl). */
  readonly outputTokensPerSecondPerAccelerator: number;
  /** Assumptions made on the way (e.g. TP over PCIe). */
  readonly notes?: readonly string[];
  /** Every layout tried, best first (with --layouts). */
  readonly layouts?: readonly LayoutLine[];
  /** The two sides of a disaggregated row that meets the SLO (`acceleratorsPerReplica` then counts both). */
  readonly disagg?: { readonly prefill: DisaggSideJson; readonly decode: DisaggSideJson };
}

/** Share of the tokens counted in tokens/s that are output tokens. */
function outputShare(w: WorkloadClass): number {
  return w.outputTokens / (w.inputTokens + w.outputTokens);
}

/** Milliseconds as the planner's reasons write them: up to two decimals below 10 ms, none above. */
const ms = (x: number): string => `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 })} ms`;

/** One layout's outcome at the workload's SLO. */
export function layoutLine(w: WorkloadClass, o: LayoutOutcome): LayoutLine {
  const base = { layout: layoutName(o.layout), acceleratorsPerReplica: o.layout.tp * o.layout.dp };
  const none = (reason: string, at?: { ttftMs: number; tpotMs: number }): LayoutLine => ({
    ...base,
    concurrencyPerReplica: 0,
    tokensPerSecondPerAccelerator: 0,
    outputTokensPerSecondPerAccelerator: 0,
    ttftMs: at?.ttftMs ?? 0,
    tpotMs: at?.tpotMs ?? 0,
    reason,
  });
  if (o.notFit !== undefined) return none(`does not fit: ${o.notFit.reason ?? 'too little memory'}`);
  if (o.first === undefined) return none('not searched: the estimate budget was spent on other layouts');
  if (o.best === undefined) {
    const missed: string[] = [];
    if (!(o.first.ttftMs <= w.slo.ttftMs)) missed.push(`TTFT ${ms(o.first.ttftMs)} > ${ms(w.slo.ttftMs)}`);
    if (!(o.first.tpotMs <= w.slo.tpotMs)) missed.push(`TPOT ${ms(o.first.tpotMs)} > ${ms(w.slo.tpotMs)}`);
    return none(`misses the SLO at concurrency 1: ${missed.join(', ')}`, o.first);
  }
  const b = o.best;
  return {
    ...base,
    concurrencyPerReplica: b.concurrency,
    tokensPerSecondPerAccelerator: b.tokensPerSecondPerAccelerator,
    outputTokensPerSecondPerAccelerator: b.tokensPerSecondPerAccelerator * outputShare(w),
    ttftMs: b.estimate.ttftMs,
    tpotMs: b.estimate.tpotMs,
  };
}

/** Most tokens/s per accelerator first; ties keep the given order (sort is stable). */
function bestFirst<T extends { readonly tokensPerSecondPerAccelerator: number }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => b.tokensPerSecondPerAccelerator - a.tokensPerSecondPerAccelerator);
}

/** The row of one search result; `outcomes` (the layouts its search reported) gives the per-layout lines. */
export function searchRow(w: WorkloadClass, r: ConfigSearchResult, outcomes?: readonly LayoutOutcome[]): SearchRow {
  return {
    accelerator: r.accelerator,
    engine: r.engine,
    tokensPerSecondPerAccelerator: r.tokensPerSecondPerAccelerator,
    outputTokensPerSecondPerAccelerator: r.tokensPerSecondPerAccelerator * outputShare(w),
    layout: r.layout,
    acceleratorsPerReplica: r.acceleratorsPerReplica,
    concurrencyPerReplica: r.concurrencyPerReplica,
    ttftMs: r.ttftMs,
    tpotMs: r.tpotMs,
    confidence: r.confidence,
    ...(r.reason !== undefined && { reason: r.reason }),
    ...(r.notes !== undefined && r.notes.length > 0 && { notes: r.notes }),
    ...(outcomes !== undefined && { layouts: bestFirst(outcomes.map((o) => layoutLine(w, o))) }),
  };
}

/** The row of a disaggregated search result: layout `P 2x(tp8 fp8) + D 1x(tp1 dp16 ep16 fp8)`, chips of all workers of both sides. */
export function disaggRow(r: DisaggSearchResult): SearchRow {
  const side = (s: DisaggSide): DisaggSideJson => ({ layout: layoutName(s.layout), workers: s.workers, acceleratorsPerWorker: s.acceleratorsPerWorker });
  return {
    accelerator: r.accelerator,
    engine: r.engine,
    mode: 'disagg',
    tokensPerSecondPerAccelerator: r.tokensPerSecondPerAccelerator,
    outputTokensPerSecondPerAccelerator: r.outputTokensPerSecondPerAccelerator,
    layout: r.prefill !== undefined && r.decode !== undefined ? disaggLayoutName(r.prefill, r.decode) : '',
    acceleratorsPerReplica: r.accelerators,
    concurrencyPerReplica: r.concurrency,
    ttftMs: r.ttftMs,
    tpotMs: r.tpotMs,
    confidence: r.confidence,
    ...(r.reason !== undefined && { reason: r.reason }),
    ...(r.notes !== undefined && r.notes.length > 0 && { notes: r.notes }),
    ...(r.prefill !== undefined && r.decode !== undefined && { disagg: { prefill: side(r.prefill), decode: side(r.decode) } }),
  };
}

/** Rows best first (most tokens/s per accelerator); pairs without capacity last, in the order searched. */
export function sortRows(rows: readonly SearchRow[]): SearchRow[] {
  return bestFirst(rows);
}

/** The `--json` document. */
export function searchJson(w: WorkloadClass, rows: readonly SearchRow[]): Record<string, unknown> {
  return {
    model: w.model,
    inputTokens: w.inputTokens,
    outputTokens: w.outputTokens,
    slo: { ttftMs: w.slo.ttftMs, tpotMs: w.slo.tpotMs },
    ...(w.prefixHitRate !== undefined && { prefixHitRate: w.prefixHitRate }),
    ...(w.speculative !== undefined && { speculative: w.speculative }),
    results: rows,
  };
}

/** One table row: its cells, and a note written from the end of those cells on (not widening any column). */
interface NotedRow {
  readonly cells: readonly string[];
  readonly note?: string;
}

/** A table whose rows may end in a note; a note starts where the column after the row's last cell starts. */
function tableWithNotes(header: readonly string[], rows: readonly NotedRow[], align: readonly Align[]): string {
  const lines = formatTable(header, rows.map((r) => r.cells), align).split('\n');
  const widths = lines[1]!.split('  ').map((d) => d.length);
  return lines
    .map((line, i) => {
      const note = i >= 2 ? rows[i - 2]!.note : undefined;
      if (note === undefined) return line;
      const start = widths.slice(0, rows[i - 2]!.cells.length).reduce((s, x) => s + x + 2, 0);
      return line.padEnd(start) + note;
    })
    .join('\n');
}

const HEADER = ['accelerator', 'engine', 'layout', 'chips', 'concurrency', 'tok/s/chip', 'out tok/s/chip', 'TTFT ms', 'TPOT ms', 'confidence'];
const ALIGN: Align[] = ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'];

/** The workload in one line: model, lengths, SLO and what else shapes the search. */
export function searchHeader(w: WorkloadClass, memoryUtilization?: number): string {
  const extra: string[] = [];
  if (w.prefixHitRate !== undefined && w.prefixHitRate > 0) extra.push(`prefix hit rate ${w.prefixHitRate}`);
  if (w.speculative !== undefined) {
    const k = w.speculative.draftTokens;
    extra.push(`speculative decoding: ${k} drafted token${k === 1 ? '' : 's'} accepted at ${w.speculative.acceptanceRate}`);
  }
  if (memoryUtilization !== undefined) extra.push(`memory utilization ${memoryUtilization}`);
  return (
    `${w.model}: ${fmtNum(w.inputTokens)} input + ${fmtNum(w.outputTokens)} output tokens per request; ` +
    `SLO TTFT <= ${ms(w.slo.ttftMs)}, TPOT <= ${ms(w.slo.tpotMs)}` +
    (extra.length > 0 ? `; ${extra.join('; ')}` : '')
  );
}

/** The table for people: rows in the given order, each followed by its layouts when they are given. */
export function searchText(w: WorkloadClass, rows: readonly SearchRow[], memoryUtilization?: number): string {
  // A mode column ('agg' or 'disagg') after the engine, only when the rows have modes (with --disagg).
  const modes = rows.some((r) => r.mode !== undefined);
  const lead = (r: SearchRow): string[] => (modes ? [r.accelerator, r.engine, r.mode ?? 'agg'] : [r.accelerator, r.engine]);
  const blank = modes ? ['', '', ''] : ['', ''];
  const table: NotedRow[] = [];
  for (const r of rows) {
    if (r.tokensPerSecondPerAccelerator > 0) {
      table.push({
        cells: [
          ...lead(r),
          r.layout,
          String(r.acceleratorsPerReplica),
          String(r.concurrencyPerReplica),
          fmtNum(r.tokensPerSecondPerAccelerator),
          fmtNum(r.outputTokensPerSecondPerAccelerator),
          fmtNum(r.ttftMs, 1),
          fmtNum(r.tpotMs, 2),
          r.confidence,
        ],
      });
    } else {
      table.push({ cells: lead(r), note: `no capacity: ${r.reason ?? 'no layout meets the SLO'}` });
    }
    for (const l of r.layouts ?? []) {
      const head = [...blank, `  ${l.layout}`, String(l.acceleratorsPerReplica)];
      if (l.tokensPerSecondPerAccelerator > 0) {
        table.push({
          cells: [...head, String(l.concurrencyPerReplica), fmtNum(l.tokensPerSecondPerAccelerator), fmtNum(l.outputTokensPerSecondPerAccelerator), fmtNum(l.ttftMs, 1), fmtNum(l.tpotMs, 2)],
        });
      } else {
        table.push({ cells: head, note: l.reason ?? 'no capacity' });
      }
    }
  }
  const notes = [...new Set(rows.flatMap((r) => r.notes ?? []))].map((n) => `note: ${n}`);
  if (rows.some((r) => r.mode === 'disagg' && r.tokensPerSecondPerAccelerator > 0)) {
    notes.push(
      'note: disagg rows infer their workers from the load (at most 128 sequences per decode rank, enough prefill workers to keep up), so a deployment grows with its concurrency; ' +
        'the disaggregated model is the least validated part of the performance model (see docs/validation-report.md, by mode)',
    );
  }
  const header = modes ? [...HEADER.slice(0, 2), 'mode', ...HEADER.slice(2)] : HEADER;
  const align: Align[] = modes ? [...ALIGN.slice(0, 2), 'left', ...ALIGN.slice(2)] : ALIGN;
  return [searchHeader(w, memoryUtilization), '', tableWithNotes(header, table, align), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
