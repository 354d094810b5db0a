/**
 * @module The plan report: one self-contained HTML page (charts, tables,
 * assumptions) for a capacity planner, with d3, Observable Plot, the chart
 * code and the data inlined so that it opens offline.
 */
import { chartLibraries, planChartsModule } from './chart-assets.js';
import { PLAN_CHARTS, planTotals, purchaseRows, toPlanChartData, type PlanRun } from './plan-charts.js';
import type { ConfigCapacity, PlanInput } from './plan-input.js';
import type { BindingConstraint, PlanFound } from './plan-result.js';

export interface PlanReport {
  readonly scenarioName: string;
  /** Who or what the report is for, e.g. a team or a date; shown under the title. */
  readonly generatedFor?: string;
  /** The scenario as written, with the configuration search's capacities. */
  readonly base: PlanRun & { readonly capacities: readonly ConfigCapacity[] };
  readonly variants: readonly (PlanRun & { readonly description: string })[];
  /** Assumptions behind the figures, one bullet each. */
  readonly notes?: readonly string[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sig = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** Compact figure with a unit word: 1.23 million, 45.6 thousand. */
function compact(v: number): string {
  const a = Math.abs(v);
  for (const [scale, word] of [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']] as const) {
    if (a >= scale) return `${sig.format(v / scale)} ${word}`;
  }
  return sig.format(v);
}
const usd = (v: number) => `$${compact(v)}`;
const pct = (v: number) => `${sig.format(v * 100)}%`;

/** A table with a caption; cells are text, `num` marks right-aligned numeric columns. */
function table(caption: string, headers: readonly string[], rows: readonly (readonly string[])[], num: readonly number[] = [], empty = 'None.'): string {
  if (rows.length === 0) return `<p><strong>${esc(caption)}:</strong> ${esc(empty)}</p>`;
  const cls = (i: number) => (num.includes(i) ? ' class="num"' : '');
  const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function chart(fn: (typeof PLAN_CHARTS)[number]['fn'], note: string): string {
  const spec = PLAN_CHARTS.find((c) => c.fn === fn)!;
  return `<figure class="chart" aria-labelledby="chart-${fn}"><h3 id="chart-${fn}">${esc(spec.title)}</h3><div data-chart="${fn}"></div><figcaption>${esc(note)}</figcaption></figure>`;
}

function summary(report: PlanReport): string {
  const { input, result } = report.base;
  const items: [string, string][] = [];
  if (!result.found) {
    items.push(['Status', `no plan (${result.status})`], ['Solve time', `${sig.format(result.solveSeconds)} s`]);
  } else {
    const t = planTotals(input, result)!;
    items.push(
      ['Status', result.status === 'optimal' ? 'optimal' : 'time limit: best plan found'],
      result.objectiveKind === 'min-cost'
        ? ['Objective: least cost (incl. unmet penalty)', usd(result.objectiveUsd)]
        : ['Objective: most tokens served', `${compact(result.servedMillionTokens)} million tokens for ${usd(result.objectiveUsd)}`],
      ['MIP gap', pct(result.mipGap)],
      ['Solve time', `${sig.format(result.solveSeconds)} s`],
      ['Total capex', usd(t.capexUsd)],
      ['Total opex', usd(t.opexUsd)],
      ['Unmet demand', `${compact(t.unmetMillionTokens * 1e6)} tokens (${pct(t.demandMillionTokens > 0 ? t.unmetMillionTokens / t.demandMillionTokens : 0)} of demand)`],
    );
  }
  return `<dl class="summary">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
}

const KIND_WORDS: Record<BindingConstraint['kind'], string> = {
  demand: 'Lowering this demand target',
  served: 'Lowering the tokens-served floor',
  capacity: 'Raising this capacity limit',
  power: 'Raising this power limit',
  space: 'Raising this space limit',
  supply: 'Raising this supply limit',
  budget: 'Raising this budget',
};

/** The shadow price as a sentence, e.g. "Raising this power limit by 1 W would save about 3.2 USD." */
export function bindingInWords(b: BindingConstraint, objective: PlanFound['objectiveKind']): string {
  const [gain, per] = b.unit.split(' per ');
  const worth = `${sig.format(b.shadowPrice)} ${gain}`;
  if (per === undefined) return `Loosening this constraint by one unit is worth about ${worth}.`;
  return `${KIND_WORDS[b.kind]} by 1 ${per} would ${objective === 'min-cost' ? `save about ${worth}` : `serve about ${worth} more`}.`;
}

function planTables(run: PlanRun, result: PlanFound): string {
  const rows = purchaseRows(run);
  const installed = (period: string, site: string, acc: string) => result.periods.find((p) => p.period === period)?.installed[site]?.[acc] ?? 0;
  const totalChips = rows.reduce((s, r) => s + r.chips, 0);
  const purchases = table(
    'Chips ordered per quarter by site and accelerator (spend includes any US revenue share)',
    ['Quarter', 'Site', 'Accelerator', 'Vendor', 'Chips ordered', 'Chips serving that quarter', 'Spend (USD)'],
    [
      ...rows.map((r) => [r.period, r.site, r.accelerator, r.vendor, whole.format(r.chips), whole.format(installed(r.period, r.site, r.accelerator)), usd(r.spendUsd)]),
      ...(rows.length > 0 ? [['Total', '', '', '', whole.format(totalChips), '', usd(rows.reduce((s, r) => s + r.spendUsd, 0))]] : []),
    ],
    [4, 5, 6],
    'the plan buys nothing; the installed fleet serves what it can.',
  );
  const binding = table(
    'Constraints that limit the plan, with what loosening each is worth (shadow price)',
    ['Constraint', 'Kind', 'Quarter', 'Shadow price', 'Unit', 'In plain words'],
    result.binding.map((b) => [b.constraint, b.kind, b.period ?? 'whole horizon', sig.format(b.shadowPrice), b.unit, bindingInWords(b, result.objectiveKind)]),
    [3],
    'no constraint has a non-zero shadow price.',
  );
  return `<section aria-labelledby="h-purchases"><h2 id="h-purchases">What to buy</h2>
${chart('purchasesByVendor', 'Stacked bars: each segment is the chips ordered from one vendor in that quarter (chips arrive after the vendor lead time).')}
${purchases}
${chart('spendVsBudget', 'Bars stack the purchase spend each budget counts, by calendar year of the order; the dark rule is the budget limit.')}
</section>
<section aria-labelledby="h-demand"><h2 id="h-demand">Demand, power and limits</h2>
${chart('servedVsDemand', 'Bar height is the provisioning target (average demand times peak factor); red is the part not served.')}
${chart('powerPerSite', 'Facility power (chips x watts x PUE) of the fleet serving each quarter; the dashed red rule is the site power limit.')}
${binding}
</section>`;
}

function variantsSection(report: PlanReport): string {
  if (report.variants.length === 0) return '';
  const runs = [{ ...report.base, description: 'the scenario as written' }, ...report.variants];
  const rows = runs.map((v) => {
    const t = planTotals(v.input, v.result);
    const outcome = v.result.found ? v.result.status : `no plan (${v.result.status}): ${v.result.explanation}`;
    return [v.name, v.description, outcome, t ? usd(t.capexUsd + t.opexUsd) : '-', t ? usd(t.capexUsd) : '-', t ? compact(t.unmetMillionTokens * 1e6) : '-'];
  });
  return `<section aria-labelledby="h-variants"><h2 id="h-variants">Variants</h2>
${chart('variantComparison', 'Each row is one variant; a variant without a plan is marked "no plan".')}
${table('Variants compared (totals over the horizon)', ['Variant', 'What changes', 'Outcome', 'Total cost (USD)', 'Capex (USD)', 'Unmet demand (tokens)'], rows, [3, 4, 5])}
</section>`;
}

function capacitySection(capacities: readonly ConfigCapacity[]): string {
  const rows = capacities.map((c) =>
    c.tokensPerSecondPerAccelerator > 0
      ? [c.workload, c.accelerator, sig.format(c.tokensPerSecondPerAccelerator), c.layout, String(c.acceleratorsPerReplica), String(c.concurrencyPerReplica), `${sig.format(c.ttftMs)} / ${sig.format(c.tpotMs)}`, c.confidence]
      : [c.workload, c.accelerator, '0', `no layout meets the SLO: ${c.reason ?? 'no reason given'}`, '-', '-', '-', c.confidence],
  );
  return `<section aria-labelledby="h-capacity"><h2 id="h-capacity">Configurations</h2>
${capacities.length > 0 ? chart('capacityTable', 'Darker is more tokens per second per chip; a dash means no layout meets the latency targets (see the table for why).') : ''}
${table('Best layout per workload and accelerator at the SLO', ['Workload', 'Accelerator', 'Tokens/s per chip', 'Layout', 'Chips per replica', 'Concurrency per replica', 'TTFT / TPOT (ms)', 'Confidence'], rows, [2, 4, 5, 6], 'no configurations were searched.')}
</section>`;
}

function inputSection(input: PlanInput, notes: readonly string[]): string {
  const offers = table(
    'Accelerator offers',
    ['Accelerator', 'Vendor', 'Price per chip (USD)', 'Power per chip (W)', 'Orderable from', 'Lead time (quarters)', 'Source'],
    input.offers.map((o) => [o.accelerator, o.vendor, whole.format(o.priceUsd), whole.format(o.powerWatts), o.availableFrom, String(o.leadTimeQuarters), o.source]),
    [2, 3, 5],
  );
  const sites = table(
    'Sites',
    ['Site', 'Power limit (MW)', 'PUE', 'Electricity (USD/kWh)', 'Most chips', 'Domestic chips only'],
    input.sites.map((s) => [s.id, sig.format(s.powerMw), sig.format(s.pue), sig.format(s.electricityUsdPerKwh), s.maxAccelerators === undefined ? 'no limit' : whole.format(s.maxAccelerators), s.domesticOnly ? 'yes' : 'no']),
    [1, 2, 3, 4],
  );
  const budgets = table(
    'Budgets',
    ['Budget', 'Limit (USD)', 'Quarters', 'Vendors'],
    input.budgets.map((b) => [b.id, usd(b.usd), b.periods.join(', '), b.vendors?.join(', ') ?? 'all']),
    [1],
    'no budget limits purchases.',
  );
  const bullets = notes.length > 0 ? `<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '<p>No assumptions were recorded with this scenario.</p>';
  return `<section aria-labelledby="h-inputs"><h2 id="h-inputs">Inputs and assumptions</h2>
${offers}
${sites}
${budgets}
<h3>Assumptions</h3>
${bullets}
</section>`;
}

/** JSON for a `<script type="application/json">`: every `<` escaped so no `</script>` or `<!--` can end it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const BOOT_JS = `
const data = JSON.parse(document.getElementById('plan-data').textContent);
const charts = { purchasesByVendor, spendVsBudget, servedVsDemand, powerPerSite, variantComparison, capacityTable };
for (const el of document.querySelectorAll('[data-chart]')) {
  try {
    el.append(charts[el.dataset.chart](data, { width: Math.max(320, Math.min(el.clientWidth || 720, 1040)) }));
  } catch (err) {
    el.classList.add('chart-error');
    el.textContent = 'This chart could not be drawn (' + err.message + '); the tables hold the same figures.';
  }
}`;

const CSS = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --line: #cfd6dd; --bad: #b71c1c; }
body { margin: 0; background: #fff; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; } h2 { margin-top: 2.5rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); } h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .75rem; margin: 1rem 0; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; } .summary dt { color: var(--muted); font-size: .85rem; } .summary dd { margin: 0; font-size: 1.15rem; font-weight: 600; }
.no-plan { border: 3px solid var(--bad); background: #fdecea; border-radius: 6px; padding: 1rem 1.25rem; margin: 1.5rem 0; } .no-plan h2 { color: var(--bad); border: 0; margin: 0 0 .5rem; } .no-plan p { font-size: 1.1rem; margin: 0; }
.table-wrap { overflow-x: auto; } table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; } th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
th { background: #eef1f4; } tbody tr:nth-child(even) { background: #f8f9fa; } .num { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 1rem 0 2rem; } figcaption { color: var(--muted); font-size: .9rem; margin-top: .25rem; }
[data-chart] svg { font-size: 12px; max-width: 100%; height: auto; } .chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; }
.chart-subtitle { font-weight: 600; margin: 0 0 .25rem; } .chart-empty, .chart-error { color: var(--muted); font-style: italic; }
@media print { main { max-width: none; } figure.chart, table { break-inside: avoid; } }`;

/** The whole report as one HTML document that needs no network. */
export function renderPlanReport(report: PlanReport): string {
  const { base } = report;
  const data = toPlanChartData(report.scenarioName, base, report.variants, base.capacities);
  const libs = chartLibraries();
  const result = base.result;
  const noPlan = result.found
    ? ''
    : `<section class="no-plan" aria-labelledby="h-noplan"><h2 id="h-noplan">No plan (${esc(result.status)})</h2><p>${esc(result.explanation)}</p></section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plan report: ${esc(report.scenarioName)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>Plan report: ${esc(report.scenarioName)}</h1>
${report.generatedFor ? `<p class="subtitle">Prepared for ${esc(report.generatedFor)}</p>` : ''}
${summary(report)}
</header>
<noscript><p>The charts need JavaScript; the tables below hold the same figures.</p></noscript>
${noPlan}
${result.found ? planTables(base, result) : ''}
${variantsSection(report)}
${capacitySection(base.capacities)}
${inputSection(base.input, report.notes ?? [])}
</main>
<script type="application/json" id="plan-data">${jsonForScript(data)}</script>
<script>${libs.d3}</script>
<script>${libs.plot}</script>
<script type="module">${planChartsModule()}${BOOT_JS}</script>
</body>
</html>
`;
}
