/**
 * @module The simulation report of `tokenfleet simulate --report`: one
 * self-contained HTML page (configuration, summary figures, per-pool and
 * per-tenant tables, TTFT/TPOT distributions, timeline) with the chart bundle
 * and the data inlined, so that it opens offline. The charts are the
 * dashboard's Simulate charts (dist/web/simulation-report.js); the tables are
 * plain HTML and read without JavaScript.
 */
import { jsonForScript } from '../plan/plan-report-html.js';
import type { ClusterConfig, PoolConfig } from '../sim/cluster/cluster-config.js';
import type { SimulationResult } from '../sim/cluster/simulate-cluster.js';
import type { GroupSummary, LatencySummary } from '../sim/metrics/request-metrics.js';
import { simulationChartData } from './simulation-chart-data.js';

export interface SimulationReport {
  /** What was simulated, in a few words: the scenario file, or the model and accelerator. */
  readonly title: string;
  /** The workload as the CLI prints it: the trace and its format, or the synthetic load. */
  readonly workload: string;
  /** Malformed trace rows skipped. */
  readonly skippedRows: number;
  readonly config: ClusterConfig;
  readonly result: SimulationResult;
  /** How long the simulation took, seconds of wall time. */
  readonly wallSeconds: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const two = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const sig = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** A duration in ms with the digits it deserves: 0.85, 12.3, 1,234. */
function ms(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a < 10 ? v.toFixed(2) : a < 100 ? v.toFixed(1) : whole.format(v);
}
const pct = (v: number | null) => (v === null ? '–' : `${sig.format(v * 100)}%`);
const quantiles = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p90)} / ${ms(l.p99)}`;

/** A table with a caption; cells are text, `num` marks right-aligned numeric columns. */
function table(caption: string, headers: readonly string[], rows: readonly (readonly string[])[], num: readonly number[]): string {
  const cls = (i: number) => (num.includes(i) ? ' class="num"' : '');
  const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function figure(chart: 'ttft' | 'tpot' | 'timeline', title: string, caption: string): string {
  return `<figure class="chart" aria-labelledby="chart-${chart}"><h3 id="chart-${chart}">${esc(title)}</h3><div class="chart-body" data-chart="${chart}"></div><figcaption>${esc(caption)}</figcaption></figure>`;
}

function layout(p: PoolConfig): string {
  const { tp = 1, pp = 1, dp = 1, ep } = p.parallel;
  return [`TP ${tp}`, pp > 1 ? `PP ${pp}` : '', dp > 1 ? `DP ${dp}` : '', ep !== undefined ? `EP ${ep}` : ''].filter(Boolean).join(', ');
}

function precision(p: PoolConfig): string {
  const weights = p.precision?.weights ?? 'model default';
  return p.precision?.kv ? `${weights}, KV ${p.precision.kv}` : weights;
}

function summaryCards(r: SimulationResult): string {
  const s = r.summary;
  const cost = r.cost.usdPerMillionOutputTokens;
  const items: [string, string][] = [
    ['Requests completed', `${whole.format(s.completed)} of ${whole.format(s.requests)}${r.rejected ? ` (${whole.format(r.rejected)} rejected)` : ''}`],
    ['TTFT p50 / p90 / p99 (ms)', quantiles(s.ttftMs)],
    ['TPOT p50 / p90 / p99 (ms)', quantiles(s.tpotMs)],
    ['E2E latency p50 / p90 / p99 (ms)', quantiles(s.e2eMs)],
    ['Queue wait p50 / p90 / p99 (ms)', quantiles(s.queueMs)],
    ['Throughput', `${two.format(s.throughput.requestsPerSecond)} req/s, ${whole.format(s.throughput.outputTokensPerSecond)} output tok/s`],
    ['Input tokens per second', `${whole.format(s.throughput.inputTokensPerSecond)} tok/s`],
    ['SLO attainment', s.sloAttainment === null ? 'no targets set' : `${pct(s.sloAttainment)} (goodput ${two.format(s.goodput?.requestsPerSecond ?? 0)} req/s)`],
    ['Prefix-cache hit rate (input tokens)', s.prefixHitRate === null ? '–' : pct(s.prefixHitRate)],
    ['Preemptions', whole.format(s.preemptions)],
    ['Cost per million output tokens', cost === null ? 'unknown (see the assumptions)' : `$${sig.format(cost)}`],
    ['Simulated time', `${two.format(r.simulatedSeconds)} s`],
  ];
  return `<dl class="summary">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
}

function configurationSection(report: SimulationReport): string {
  const { config, result } = report;
  const slo = config.slo;
  const targets = slo && (slo.ttftMs !== undefined || slo.tpotMs !== undefined)
    ? [slo.ttftMs !== undefined ? `TTFT ≤ ${whole.format(slo.ttftMs)} ms` : '', slo.tpotMs !== undefined ? `TPOT ≤ ${two.format(slo.tpotMs)} ms` : ''].filter(Boolean).join(', ')
    : 'none';
  const items: [string, string][] = [
    ['Workload', `${report.workload}${report.skippedRows ? ` (${whole.format(report.skippedRows)} malformed rows skipped)` : ''}`],
    ['Router', config.decodeRouter ? `${config.router} (decode: ${config.decodeRouter})` : config.router],
    ['Prefix cache', config.prefixCache ? 'on' : 'off'],
    ['Seed', String(config.seed)],
    ['SLO targets', targets],
    ['Timeline interval', config.timelineIntervalMs === undefined ? 'no timeline' : `${two.format(config.timelineIntervalMs / 1000)} s`],
  ];
  const pools = table(
    'Pools as configured',
    ['Pool', 'Role', 'Model', 'Accelerator', 'Engine', 'Parallel layout', 'Precision', 'Replicas', 'Chips per replica', 'KV cache per replica (tokens)'],
    config.pools.map((p, i) => {
      const built = result.pools[i];
      return [p.name, p.role, p.model.id, `${p.accelerator.name} (${p.accelerator.id})`, p.engine, layout(p), precision(p), whole.format(p.replicas), built ? whole.format(built.acceleratorsPerReplica) : '–', built ? whole.format(built.kvCapacityTokens) : '–'];
    }),
    [7, 8, 9],
  );
  return `<section aria-labelledby="h-config"><h2 id="h-config">Configuration</h2>
<dl class="facts">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${pools}
</section>`;
}

const GROUP_HEADERS = ['Requests', 'Completed', 'TTFT p50 / p90 / p99 (ms)', 'TPOT p50 / p90 / p99 (ms)', 'E2E p50 / p99 (ms)', 'Output (tok/s)', 'SLO attainment', 'Prefix hit rate', 'Preemptions'];
const GROUP_NUMERIC = [1, 2, 3, 4, 5, 6, 7, 8, 9];

function groupRow(name: string, g: GroupSummary): string[] {
  return [
    name,
    whole.format(g.requests),
    whole.format(g.completed),
    quantiles(g.ttftMs),
    quantiles(g.tpotMs),
    `${ms(g.e2eMs.p50)} / ${ms(g.e2eMs.p99)}`,
    whole.format(g.throughput.outputTokensPerSecond),
    pct(g.sloAttainment),
    pct(g.prefixHitRate),
    whole.format(g.preemptions),
  ];
}

function groupsSection(r: SimulationResult): string {
  const s = r.summary;
  return `<section aria-labelledby="h-groups"><h2 id="h-groups">Per pool and per tenant</h2>
${table('Per pool (a disaggregated request counts in its prefill pool)', ['Pool', ...GROUP_HEADERS], s.pools.map((p) => groupRow(p.name, p)), GROUP_NUMERIC)}
${table('Per tenant', ['Tenant', ...GROUP_HEADERS], s.tenants.map((t) => groupRow(t.name, t)), GROUP_NUMERIC)}
</section>`;
}

function latencyTable(r: SimulationResult): string {
  const s = r.summary;
  const row = (what: string, l: LatencySummary) => [what, ms(l.mean), ms(l.p50), ms(l.p90), ms(l.p99)];
  return table(
    'Latency percentiles, all requests (ms)',
    ['Latency', 'Mean', 'p50', 'p90', 'p99'],
    [row('Time to first token (TTFT)', s.ttftMs), row('Time per output token (TPOT)', s.tpotMs), row('End to end (E2E)', s.e2eMs), row('Queue wait', s.queueMs)],
    [1, 2, 3, 4],
  );
}

const CSS = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --line: #cfd6dd; }
body { margin: 0; background: #fff; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; } h2 { margin-top: 2.25rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); } h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: .75rem; margin: 1rem 0; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; } .summary dt { color: var(--muted); font-size: .85rem; } .summary dd { margin: 0; font-size: 1.1rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.25rem; margin: 1rem 0; } .facts div { display: contents; } .facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; } table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; } th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
th { background: #eef1f4; } tbody tr:nth-child(even) { background: #f8f9fa; } .num { text-align: right; font-variant-numeric: tabular-nums; } td.num { white-space: nowrap; }
figure.chart { margin: 1rem 0 1.5rem; min-width: 0; } figcaption { color: var(--muted); font-size: .9rem; margin-top: .25rem; }
.chart-body svg { max-width: 100%; height: auto; font-size: 12px; overflow: visible; }
.chart-body figure { margin: 0; } /* Plot wraps a chart with a legend in a <figure>: no browser-default indent, so the panels line up */
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1.5rem; }
.chart-empty, .error { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: .9rem; margin-top: 2rem; }
@media print { main { max-width: none; } figure.chart, table { break-inside: avoid; } }`;

/** Calls the chart bundle with the embedded data; says so in the page when the bundle did not load. */
const BOOT_JS = `(function () {
  var report = window.tokenfleetSimulationReport;
  var data = JSON.parse(document.getElementById('simulation-data').textContent);
  if (report) { report.draw(data); return; }
  document.querySelectorAll('[data-chart]').forEach(function (el) { el.textContent = 'The chart code did not load; the tables hold the figures.'; });
})();`;

/**
 * The whole report as one HTML document that needs no network. `chartScript`
 * is the text of dist/web/simulation-report.js (see `simulationReportScript`);
 * a `</script` inside it is escaped so that it cannot end the element early.
 */
export function renderSimulationReport(report: SimulationReport, chartScript: string): string {
  const { result } = report;
  const data = simulationChartData(result, report.wallSeconds, report.skippedRows);
  const cost = result.cost;
  const script = chartScript.replace(/<\/(script)/gi, '<\\/$1');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulation report: ${esc(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>Simulation report: ${esc(report.title)}</h1>
<p class="subtitle">${esc(`tokenfleet simulate: ${whole.format(result.summary.requests)} requests on ${report.config.pools.map((p) => `${whole.format(p.replicas)} × ${p.accelerator.id}`).join(' + ')}, router ${report.config.router}, seed ${report.config.seed}`)}</p>
${summaryCards(result)}
</header>
<noscript><p>The charts need JavaScript; the tables hold the figures.</p></noscript>
${configurationSection(report)}
<section aria-labelledby="h-latency"><h2 id="h-latency">Latency distributions</h2>
<div class="chart-grid">
${figure('ttft', 'Time to first token (TTFT)', 'Requests per TTFT bin (log-spaced bins from the simulator’s sketches); dashed rules at the median and the 90th percentile.')}
${figure('tpot', 'Time per output token (TPOT)', 'Requests per TPOT bin, over requests with more than one output token; dashed rules at the median and the 90th percentile.')}
</div>
${latencyTable(result)}
</section>
<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>
${figure('timeline', 'The cluster over simulated time', 'Requests running and queued (all replicas), output tokens per second (all pools) and KV cache in use (mean over replicas), per interval.')}
</section>
${groupsSection(result)}
<section aria-labelledby="h-cost"><h2 id="h-cost">Cost assumptions</h2>
<ul>${cost.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
</section>
<footer>Simulated ${esc(two.format(result.simulatedSeconds))} s in ${esc(two.format(report.wallSeconds))} s of wall time (${esc(whole.format(result.steps))} engine steps, ${esc(whole.format(result.events))} events).</footer>
</main>
<script type="application/json" id="simulation-data">${jsonForScript(data)}</script>
<script>${script}</script>
<script>${BOOT_JS}</script>
</body>
</html>
`;
}
