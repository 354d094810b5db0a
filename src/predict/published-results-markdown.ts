/** @module The published-results check as a Markdown section of the validation report. */
import { quantile } from './error-stats.js';
import type { ComparedMetric, PublishedCheck } from './published-results.js';

const METRIC_LABEL: Readonly<Record<ComparedMetric, string>> = {
  tpot: 'TPOT (ms)',
  ttft: 'TTFT (ms)',
  throughputPerAccel: 'output tok/s per accelerator',
};

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

/** Counts of each distinct text, largest first. */
function tally(texts: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const t of texts) m.set(t, (m.get(t) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** A Markdown section: counts, the compared rows, median errors per metric, and the reasons rows were skipped or failed. */
export function publishedSummaryMarkdown(checks: readonly PublishedCheck[]): string {
  const by = (s: PublishedCheck['status']) => checks.filter((c) => c.status === s);
  const compared = by('compared');
  const skipped = by('skipped');
  const failed = by('failed');
  const out: string[] = [
    '## Published results',
    '',
    `Of ${checks.length} published rows, ${compared.length} were compared with a closed-loop estimate, ${skipped.length} skipped and ${failed.length} failed.`,
    '',
    '| Row | Hardware | Model | ISL/OSL | Concurrency | Metric | Measured | Predicted | Error % |',
    '| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |',
  ];
  for (const c of compared) {
    const s = c.setup!;
    for (const x of c.comparisons) {
      const clients = x.metric === 'throughputPerAccel' ? s.throughputConcurrency : s.concurrency;
      const load = s.instances > 1 ? `${clients} x ${s.instances} instances` : `${clients}`;
      out.push(`| ${cell(c.rowId)} | ${cell(s.acceleratorId)} | ${cell(c.model)} | ${s.inputTokens}/${s.outputTokens} | ${load} | ${METRIC_LABEL[x.metric]} | ${fmt(x.measured)} | ${fmt(x.predicted)} | ${fmt(x.apePercent)} |`);
    }
  }
  out.push('', '| Metric | Rows | Median error % | P90 error % |', '| --- | ---: | ---: | ---: |');
  for (const metric of Object.keys(METRIC_LABEL) as ComparedMetric[]) {
    const apes = compared.flatMap((c) => c.comparisons.filter((x) => x.metric === metric).map((x) => x.apePercent));
    out.push(`| ${METRIC_LABEL[metric]} | ${apes.length} | ${fmt(quantile(apes, 0.5))} | ${fmt(quantile(apes, 0.9))} |`);
  }
  const notes = tally(compared.flatMap((c) => c.setup?.notes ?? []));
  const steadyRows = compared.filter((c) => c.setup && c.setup.throughputConcurrency < c.setup.concurrency).length;
  if (steadyRows > 0) notes.push([`throughput from a steady-state closed loop at the sequences the engine holds at once (the extra clients only queue)`, steadyRows]);
  if (notes.length > 0) out.push('', 'Approximations in the compared rows:', '', ...notes.map(([n, k]) => `- ${n} (${k} rows)`));
  out.push('', '| Skip reason | Rows |', '| --- | ---: |');
  for (const [reason, k] of tally(skipped.map((c) => (c.reason ?? '').split(' (')[0] ?? ''))) out.push(`| ${cell(reason)} | ${k} |`);
  if (failed.length > 0) {
    out.push('', '| Failed row | Hardware | Model | Reason |', '| --- | --- | --- | --- |');
    for (const c of failed) out.push(`| ${cell(c.rowId)} | ${cell(c.hardware)} | ${cell(c.model)} | ${cell(c.reason ?? '')} |`);
  }
  return out.join('\n') + '\n';
}
