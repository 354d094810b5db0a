/**
 * @module The plan charts on Observable Plot: one function per chart, taking a
 * `PlanChartData` (src/plan/plan-charts.ts) and returning a DOM element. The
 * one source of the drawing code: the dashboard bundles it (web/views/plan-view.ts)
 * and `tokenfleet plan --report` inlines this file as is (src/plan/chart-assets.ts),
 * so it stays plain JavaScript with no imports; `Plot`, `d3` and `document`
 * come from the options or, in the report, from the page globals.
 */
const PALETTE = ['#1f5fa8', '#c4501b', '#2e7d32', '#7b3fa0', '#00838f', '#8d6e00', '#ad1457', '#5d4037', '#455a64', '#3949ab'];
const SERVED = '#1f5fa8', UNMET = '#c62828', INK = '#1a1a1a';
const env = (o = {}) => ({ Plot: o.Plot ?? globalThis.Plot, d3: o.d3 ?? globalThis.d3, document: o.document ?? globalThis.document, width: o.width ?? 720 });
const si = (d3, v) => d3.format('.3~s')(v).replace('G', 'B');
const usd = (d3) => (v) => (v < 0 ? '-$' : '$') + si(d3, Math.abs(v));
const vendors = (data) => [...new Set([...(data.base?.purchases ?? []), ...data.variantPurchases].map((d) => d.vendor))].sort();
const noPlan = (e, text) => { const p = e.document.createElement('p'); p.className = 'chart-empty'; p.textContent = text; return p; };

export function purchasesByVendor(data, o) {
  const e = env(o);
  if (!data.base) return noPlan(e, 'No plan, so no purchases.');
  return e.Plot.plot({
    width: e.width, marginLeft: 64, ariaLabel: 'Stacked bar chart: chips ordered per quarter, by vendor',
    ariaDescription: 'One bar per quarter; segments are vendors; heights are chips ordered.',
    x: { domain: data.periods.map((p) => p.id), label: 'Quarter' },
    y: { label: 'Chips ordered (chips)', grid: true, tickFormat: (v) => si(e.d3, v) },
    color: { legend: true, label: 'Vendor', domain: vendors(data), range: PALETTE },
    marks: [
      e.Plot.barY(data.base.purchases, e.Plot.groupX({ y: 'sum' }, { x: 'period', y: 'chips', fill: 'vendor', stroke: 'white', tip: true })),
      e.Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

export function spendVsBudget(data, o) {
  const e = env(o);
  if (!data.base) return noPlan(e, 'No plan, so no spend.');
  const limits = data.base.budgets.filter((b) => b.limitUsd !== null);
  return e.Plot.plot({
    width: Math.min(e.width, 200 + 160 * data.base.budgets.length), marginLeft: 72, ariaLabel: 'Bar chart: purchase spend per budget stacked by year, with a rule at each budget limit',
    ariaDescription: 'One bar per budget; segments are calendar years; a dark rule marks the budget limit.',
    x: { domain: data.base.budgets.map((b) => b.budget), label: 'Budget' },
    y: { label: 'Purchase spend (USD)', grid: true, tickFormat: usd(e.d3), insetTop: 18 },
    color: { legend: true, type: 'ordinal', label: 'Year', range: PALETTE },
    marks: [
      e.Plot.barY(data.base.spend, { x: 'budget', y: 'spendUsd', fill: (d) => String(d.year), stroke: 'white', tip: { format: { y: usd(e.d3) } } }),
      e.Plot.tickY(limits, { x: 'budget', y: 'limitUsd', stroke: INK, strokeWidth: 3 }),
      e.Plot.text(limits, { x: 'budget', y: 'limitUsd', text: (d) => 'limit ' + usd(e.d3)(d.limitUsd), dy: -9, fill: INK }),
      e.Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

export function servedVsDemand(data, o) {
  const e = env(o);
  if (!data.base) return noPlan(e, 'No plan, so nothing served.');
  const parts = data.base.served.flatMap((d) => [
    { period: d.period, part: 'Served', tokensPerSecond: d.servedTokensPerSecond },
    { period: d.period, part: 'Unmet', tokensPerSecond: d.unmetTokensPerSecond },
  ]);
  const short = data.base.served.filter((d) => d.unmetTokensPerSecond > 0);
  return e.Plot.plot({
    width: e.width, marginLeft: 64, ariaLabel: 'Stacked bar chart: tokens per second served and unmet per quarter; bar height is demand',
    ariaDescription: 'Blue is served, red is unmet demand; labels give the unmet share.',
    x: { domain: data.periods.map((p) => p.id), label: 'Quarter' },
    y: { label: 'Demand (tokens/s)', grid: true, tickFormat: (v) => si(e.d3, v) },
    color: { legend: true, domain: ['Served', 'Unmet'], range: [SERVED, UNMET], label: 'Demand' },
    marks: [
      e.Plot.barY(parts, { x: 'period', y: 'tokensPerSecond', fill: 'part', order: ['Served', 'Unmet'], stroke: 'white', tip: { format: { y: (v) => si(e.d3, v) + ' tokens/s' } } }),
      e.Plot.text(short, { x: 'period', y: 'demandTokensPerSecond', text: (d) => Math.round((100 * d.unmetTokensPerSecond) / d.demandTokensPerSecond) + '% unmet', dy: -9, fill: UNMET, fontWeight: 'bold' }),
      e.Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

export function powerPerSite(data, o) {
  const e = env(o);
  if (!data.base) return noPlan(e, 'No plan, so no power drawn.');
  return e.Plot.plot({
    width: e.width, marginLeft: 64, marginRight: 72, height: 70 + 150 * data.base.sites.length,
    ariaLabel: 'Bar chart per site: facility power per quarter, with a dashed red rule at the site power limit',
    x: { domain: data.periods.map((p) => p.id), label: 'Quarter' },
    y: { label: 'Facility power (MW)', grid: true, insetTop: 18 },
    fy: { label: 'Site', domain: data.base.sites.map((s) => s.site) },
    marks: [
      e.Plot.barY(data.base.power, { x: 'period', y: 'powerMw', fy: 'site', fill: SERVED, tip: { format: { y: (v) => v.toFixed(1) + ' MW' } } }),
      e.Plot.ruleY(data.base.sites, { y: 'limitMw', fy: 'site', stroke: UNMET, strokeWidth: 2, strokeDasharray: '6 4' }),
      e.Plot.text(data.base.sites, { y: 'limitMw', fy: 'site', frameAnchor: 'left', text: (d) => 'limit ' + d.limitMw + ' MW', dx: 4, dy: -8, textAnchor: 'start', fill: UNMET, fontWeight: 'bold' }),
      e.Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

export function variantComparison(data, o) {
  const e = env(o);
  const names = data.variants.map((v) => v.variant);
  const missing = data.variants.filter((v) => !v.found);
  const w = Math.max(280, Math.floor((e.width - 24) / 2));
  const panel = (title, channel, label, format) =>
    e.Plot.plot({
      width: w, height: 50 + 28 * names.length, marginLeft: 110, marginRight: 24, ariaLabel: 'Bar chart: ' + title + ' per variant',
      y: { domain: names, label: null }, x: { label, grid: true, tickFormat: format },
      marks: [
        e.Plot.barX(data.variants.filter((v) => v[channel] !== null), { y: 'variant', x: channel, fill: channel === 'unmetMillionTokens' ? UNMET : SERVED, tip: { format: { x: format } } }),
        e.Plot.text(missing, { y: 'variant', x: 0, text: (v) => 'no plan (' + v.status + ')', textAnchor: 'start', dx: 4, fill: INK }),
        e.Plot.ruleX([0], { stroke: INK }),
      ],
    });
  const chips = e.Plot.plot({
    width: w, height: 50 + 28 * names.length, marginLeft: 110, marginRight: 24, ariaLabel: 'Stacked bar chart: chips ordered by vendor per variant',
    y: { domain: names, label: null }, x: { label: 'Chips ordered (chips)', grid: true, tickFormat: (v) => si(e.d3, v) },
    color: { legend: true, label: 'Vendor', domain: vendors(data), range: PALETTE },
    marks: [
      e.Plot.barX(data.variantPurchases, { y: 'variant', x: 'chips', fill: 'vendor', stroke: 'white', tip: true }),
      e.Plot.text(missing, { y: 'variant', x: 0, text: (v) => 'no plan (' + v.status + ')', textAnchor: 'start', dx: 4, fill: INK }),
      e.Plot.ruleX([0], { stroke: INK }),
    ],
  });
  const grid = e.document.createElement('div');
  grid.className = 'chart-grid';
  grid.setAttribute('role', 'group');
  grid.setAttribute('aria-label', 'Variant comparison: total cost, capex, unmet demand and chips by vendor');
  const panels = [
    ['Total cost, capex + opex (USD)', panel('total cost', 'totalCostUsd', 'Total cost (USD)', usd(e.d3))],
    ['Capex (USD)', panel('capex', 'capexUsd', 'Capex (USD)', usd(e.d3))],
    ['Unmet demand over the horizon (million tokens)', panel('unmet demand', 'unmetMillionTokens', 'Unmet demand (million tokens)', (v) => si(e.d3, v))],
    ['Chips ordered by vendor', chips],
  ];
  for (const [title, chart] of panels) {
    const cell = e.document.createElement('div');
    const h = e.document.createElement('p');
    h.className = 'chart-subtitle';
    h.textContent = title;
    cell.append(h, chart);
    grid.append(cell);
  }
  return grid;
}

export function capacityTable(data, o) {
  const e = env(o);
  const rows = data.capacities;
  const accs = [...new Set(rows.map((c) => c.accelerator))], loads = [...new Set(rows.map((c) => c.workload))];
  const max = Math.max(1, ...rows.map((c) => c.tokensPerSecondPerAccelerator));
  return e.Plot.plot({
    width: Math.min(e.width, 140 + 110 * accs.length), height: 60 + 40 * loads.length, marginLeft: 130, marginBottom: 50,
    ariaLabel: 'Heat map: tokens per second per chip at the SLO, workloads by accelerators; a dash where no layout meets the SLO',
    x: { domain: accs, label: 'Accelerator', tickRotate: accs.length > 6 ? -30 : 0 }, y: { domain: loads, label: 'Workload' },
    color: { type: 'linear', domain: [0, max], range: ['#eef4fb', '#1f5fa8'], label: 'Tokens/s per chip', legend: true },
    marks: [
      e.Plot.cell(rows.filter((c) => !(c.tokensPerSecondPerAccelerator > 0)), { x: 'accelerator', y: 'workload', fill: '#eceff1', inset: 1 }),
      e.Plot.cell(rows, { x: 'accelerator', y: 'workload', fill: (c) => (c.tokensPerSecondPerAccelerator > 0 ? c.tokensPerSecondPerAccelerator : null), stroke: 'white', inset: 1 }),
      e.Plot.text(rows, {
        x: 'accelerator', y: 'workload',
        text: (c) => (c.tokensPerSecondPerAccelerator > 0 ? si(e.d3, c.tokensPerSecondPerAccelerator) : '—'),
        fill: (c) => (c.tokensPerSecondPerAccelerator > 0.7 * max ? 'white' : INK),
        title: (c) => c.workload + ' on ' + c.accelerator + ': ' + (c.tokensPerSecondPerAccelerator > 0 ? c.layout + ', ' + c.confidence : (c.reason ?? 'no layout meets the SLO')),
      }),
    ],
  });
}
