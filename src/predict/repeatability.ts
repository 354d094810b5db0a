/**
 * @module How far apart the measurements of one visible configuration are:
 * rows whose every input column (system, backend and its version, model,
 * precisions, mode, lengths, concurrency, parallel layout, prefill and decode
 * workers) is the same but whose measured TTFT or TPOT differ. No model that
 * reads only those columns can predict both rows of such a pair exactly, so
 * their spread is a floor under any such model's error on them.
 *
 * The floor is scored as the error of the best single answer: each
 * measurement against the median of its configuration's measurements (for two
 * measurements a < b, the midpoint, (b - a) / 2 away from each; see
 * `oracleApe`).
 */
import { quantile, summarise, type ErrorSummary, type ScoredRow } from './error-stats.js';
import type { SiliconRow } from './silicon-row.js';

/** The CSV columns a prediction may read (everything but the row id, the run's provenance and the measured values). */
export const VISIBLE_COLUMNS: readonly string[] = [
  'backend', 'backend_version', 'model_path', 'system', 'precision', 'mode', 'isl', 'osl', 'gemm_quant_mode', 'moe_quant_mode',
  'batch_size', 'tp_size', 'pp_size', 'attention_dp_size', 'moe_tp_size', 'moe_ep_size',
  'prefill_batch_size', 'prefill_num_workers', 'prefill_tp_size', 'prefill_pp_size', 'prefill_attention_dp_size', 'prefill_moe_tp_size', 'prefill_moe_ep_size',
  'decode_batch_size', 'decode_num_workers', 'decode_tp_size', 'decode_pp_size', 'decode_attention_dp_size', 'decode_moe_tp_size', 'decode_moe_ep_size',
];

export function visibleConfigKey(row: SiliconRow): string {
  return VISIBLE_COLUMNS.map((c) => (row.fields[c] ?? '').trim()).join('|');
}

export interface SpreadSummary {
  /** Configurations measured more than once with different results. */
  readonly configurations: number;
  /** Distinct measurements of those configurations. */
  readonly measurements: number;
  /** Median and p90 absolute percentage error of the best single answer (the configuration's median), percent. */
  readonly ttftMedianApe: number;
  readonly ttftP90Ape: number;
  readonly tpotMedianApe: number;
  readonly tpotP90Ape: number;
}

export interface Repeatability {
  readonly overall: SpreadSummary;
  /** Per mode and backend, e.g. "disagg trtllm", largest first. */
  readonly byModeBackend: readonly { readonly group: string; readonly summary: SpreadSummary }[];
  /** Keys (visibleConfigKey) of the configurations scored. */
  readonly repeatedKeys: ReadonlySet<string>;
  /** The median measurements of each repeated configuration (the best single answer), by key. */
  readonly medians: ReadonlyMap<string, { readonly ttftMs: number; readonly tpotMs: number }>;
}

/** The model's own errors on the rows of the repeated configurations, to set beside the floor. */
export interface ModelErrorOnRepeats {
  readonly overall: ErrorSummary;
  readonly byModeBackend: ReadonlyMap<string, ErrorSummary>;
}

/** |value - median(values)| / value for each value: the error of answering the median for every one of them. */
export function oracleApe(values: readonly number[]): number[] {
  const m = quantile(values, 0.5);
  return values.map((v) => Math.abs(m - v) / v);
}

interface Spread {
  readonly group: string;
  readonly ttft: number[];
  readonly tpot: number[];
}

function summariseSpreads(spreads: readonly Spread[]): SpreadSummary {
  const t = spreads.flatMap((s) => oracleApe(s.ttft));
  const p = spreads.flatMap((s) => oracleApe(s.tpot));
  return {
    configurations: spreads.length,
    measurements: t.length,
    ttftMedianApe: quantile(t, 0.5) * 100,
    ttftP90Ape: quantile(t, 0.9) * 100,
    tpotMedianApe: quantile(p, 0.5) * 100,
    tpotP90Ape: quantile(p, 0.9) * 100,
  };
}

/** The spread of repeated measurements; exact repeats (same configuration, same values) count once. */
export function measureRepeatability(rows: readonly SiliconRow[]): Repeatability {
  const byKey = new Map<string, { group: string; seen: Set<string>; ttft: number[]; tpot: number[] }>();
  for (const r of rows) {
    if (!(r.measuredTtftMs! > 0) || !(r.measuredTpotMs! > 0)) continue;
    const key = visibleConfigKey(r);
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { group: `${r.mode} ${r.backend}`, seen: new Set(), ttft: [], tpot: [] }));
    const values = `${r.measuredTtftMs}|${r.measuredTpotMs}`;
    if (g.seen.has(values)) continue;
    g.seen.add(values);
    g.ttft.push(r.measuredTtftMs!);
    g.tpot.push(r.measuredTpotMs!);
  }
  const repeatedKeys = new Set<string>();
  const medians = new Map<string, { ttftMs: number; tpotMs: number }>();
  const spreads: Spread[] = [];
  for (const [key, g] of byKey) {
    if (g.ttft.length < 2) continue;
    repeatedKeys.add(key);
    medians.set(key, { ttftMs: quantile(g.ttft, 0.5), tpotMs: quantile(g.tpot, 0.5) });
    spreads.push(g);
  }
  const groups = new Map<string, Spread[]>();
  for (const s of spreads) {
    let list = groups.get(s.group);
    if (!list) groups.set(s.group, (list = []));
    list.push(s);
  }
  return {
    overall: summariseSpreads(spreads),
    byModeBackend: [...groups.entries()]
      .map(([group, list]) => ({ group, summary: summariseSpreads(list) }))
      .sort((a, b) => b.summary.measurements - a.summary.measurements || a.group.localeCompare(b.group)),
    repeatedKeys,
    medians,
  };
}

/**
 * The errors a model would have on `scored` if it were exact on every row except the repeated
 * configurations' and gave their median there: what the repeats alone cost (e.g. on the held-out split).
 */
export function bestCaseErrors(rep: Repeatability, scored: readonly { readonly row: SiliconRow }[]): ErrorSummary {
  return summarise(
    scored.map(({ row }) => {
      const m = rep.medians.get(visibleConfigKey(row));
      const off = (answer: number | undefined, measured: number | undefined) => (answer === undefined || !(measured! > 0) ? 0 : Math.abs(answer - measured!) / measured!);
      return { predicted: true, ttftApe: off(m?.ttftMs, row.measuredTtftMs), tpotApe: off(m?.tpotMs, row.measuredTpotMs) };
    }),
  );
}

/** Summaries of the model's errors on the scored rows that belong to repeated configurations. */
export function modelErrorOnRepeats<T extends ScoredRow & { readonly row: SiliconRow }>(rep: Repeatability, scored: readonly T[]): ModelErrorOnRepeats {
  const on = scored.filter((s) => rep.repeatedKeys.has(visibleConfigKey(s.row)));
  const groups = new Map<string, T[]>();
  for (const s of on) {
    const g = `${s.row.mode} ${s.row.backend}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(s);
  }
  return { overall: summarise(on), byModeBackend: new Map([...groups].map(([g, list]) => [g, summarise(list)])) };
}

export function repeatabilityMarkdown(r: Repeatability, model?: ModelErrorOnRepeats, heldOutBestCase?: ErrorSummary): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '-');
  const vs = (floor: number, m: number | undefined) => (model ? `${pct(floor)} / ${m === undefined ? '-' : pct(m)}` : pct(floor));
  const line = (label: string, s: SpreadSummary, m?: ErrorSummary) =>
    `| ${label} | ${s.configurations} | ${s.measurements} | ${vs(s.ttftMedianApe, m?.ttftMedianApe)} | ${vs(s.ttftP90Ape, m?.ttftP90Ape)} | ${vs(s.tpotMedianApe, m?.tpotMedianApe)} | ${vs(s.tpotP90Ape, m?.tpotP90Ape)} |`;
  return [
    '## Repeatability of the measurements (the floor under any model)',
    '',
    'Some configurations were measured more than once with different results: every input column the same (system, backend and version,',
    'model, precisions, lengths, concurrency, layout, prefill and decode workers), different TTFT or TPOT. No model that reads only those',
    'columns can be right on all of them. The table gives the error of answering each configuration\'s median measurement: roughly a floor',
    'under any prediction\'s median error on these rows (at p90 an answer between the extremes can do better than the median). Disaggregated',
    'rows mostly lack their worker counts, so different deployments share one visible configuration.',
    ...(model ? ['', 'Each error cell reads "floor / this model" (the model\'s error on the same rows, all splits).'] : []),
    '',
    '| rows | configurations | measurements | TTFT median | TTFT p90 | TPOT median | TPOT p90 |',
    '|---|---:|---:|---:|---:|---:|---:|',
    line('all', r.overall, model?.overall),
    ...r.byModeBackend.map((g) => line(g.group, g.summary, model?.byModeBackend.get(g.group))),
    '',
    ...(heldOutBestCase
      ? [
          `What the repeats alone cost the held-out figures: a model exact on every other held-out row and giving the median on the repeated ones would score`,
          `TTFT median ${pct(heldOutBestCase.ttftMedianApe)} p90 ${pct(heldOutBestCase.ttftP90Ape)}, TPOT median ${pct(heldOutBestCase.tpotMedianApe)} p90 ${pct(heldOutBestCase.tpotP90Ape)} (${heldOutBestCase.rows} rows).`,
          '',
        ]
      : []),
  ].join('\n');
}
