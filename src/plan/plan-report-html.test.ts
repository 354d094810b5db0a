import { describe, expect, it } from 'vitest';
import { chartLibraries, planChartsModule } from './chart-assets.js';
import { PLAN_CHARTS, toPlanChartData, type PlanChartData } from './plan-charts.js';
import type { ConfigCapacity, PlanInput } from './plan-input.js';
import { bindingInWords, jsonForScript, renderPlanReport, type PlanReport } from './plan-report-html.js';
import type { NoPlan, PlanFound } from './plan-result.js';

const input: PlanInput = {
  name: 'small',
  periods: [
    { id: '2026Q1', hours: 2160, year: 2026 },
    { id: '2026Q2', hours: 2184, year: 2026 },
  ],
  workloads: [{ id: 'chat', model: 'qwen3-32b', inputTokens: 1000, outputTokens: 300, slo: { ttftMs: 2000, tpotMs: 50 } }],
  demand: [
    { period: '2026Q1', workload: 'chat', averageTokensPerSecond: 1e5, peakFactor: 1.5 },
    { period: '2026Q2', workload: 'chat', averageTokensPerSecond: 2e5, peakFactor: 1.5 },
  ],
  offers: [
    { accelerator: 'h200-sxm', vendor: 'nvidia', domestic: false, priceUsd: 30_000, powerWatts: 1200, engine: 'vllm', availableFrom: '2026Q1', leadTimeQuarters: 0, supplyUnits: {}, gates: { '2026Q1': { usExport: 'allowed', revenueShare: 0.15, chinaApproval: 'approved' }, '2026Q2': { usExport: 'allowed', revenueShare: 0.15, chinaApproval: 'approved' } }, source: 'list price, assumed' },
    { accelerator: 'ascend-910c', vendor: 'huawei', domestic: true, priceUsd: 20_000, powerWatts: 1000, engine: 'mindie', availableFrom: '2026Q1', leadTimeQuarters: 1, supplyUnits: { '2026Q1': 800 }, source: 'reported' },
  ],
  sites: [{ id: 'site-a', powerMw: 5, pue: 1.3, electricityUsdPerKwh: 0.08, hostingUsdPerAcceleratorMonth: 100, domesticOnly: false }],
  budgets: [{ id: 'nvidia-2026', periods: ['2026Q1', '2026Q2'], vendors: ['nvidia'], usd: 20e6 }],
  installed: [],
  objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 5 },
  unitsPerServer: 8,
};

const found: PlanFound = {
  found: true,
  status: 'optimal',
  objectiveKind: 'min-cost',
  objectiveUsd: 31.2e6,
  servedMillionTokens: 2.9e6,
  mipGap: 0.0001,
  solveSeconds: 1.7,
  periods: [
    { period: '2026Q1', purchases: { 'site-a': { 'h200-sxm': 400, 'ascend-910c': 800 } }, installed: { 'site-a': { 'h200-sxm': 400 } }, capexUsd: 29.8e6, opexUsd: 0.4e6, energyUsd: 0.28e6, hostingUsd: 0.12e6, powerMw: { 'site-a': 0.62 }, demandTokensPerSecond: 1.5e5, servedTokensPerSecond: 1.2e5, unmetTokensPerSecond: 3e4 },
    { period: '2026Q2', purchases: { 'site-a': { 'h200-sxm': 96 } }, installed: { 'site-a': { 'h200-sxm': 496, 'ascend-910c': 800 } }, capexUsd: 3.3e6, opexUsd: 1.1e6, energyUsd: 0.8e6, hostingUsd: 0.3e6, powerMw: { 'site-a': 1.81 }, demandTokensPerSecond: 3e5, servedTokensPerSecond: 3e5, unmetTokensPerSecond: 0 },
  ],
  binding: [
    { constraint: 'budget nvidia-2026', kind: 'budget', shadowPrice: 0.42, unit: 'USD per USD' },
    { constraint: 'demand chat 2026Q2', kind: 'demand', period: '2026Q2', shadowPrice: 61.5, unit: 'USD per token/s' },
  ],
  allocations: [],
  model: { columns: 20, integerColumns: 4, rows: 30 },
};

const noPlan: NoPlan = { found: false, status: 'infeasible', explanation: 'site-a cannot power the domestic fleet: raise site-a powerMw above 9 MW', solveSeconds: 0.2 };

const capacities: ConfigCapacity[] = [
  { workload: 'chat', accelerator: 'h200-sxm', engine: 'vllm', tokensPerSecondPerAccelerator: 610, layout: 'tp2 fp8', acceleratorsPerReplica: 2, concurrencyPerReplica: 64, ttftMs: 800, tpotMs: 40, confidence: 'fitted' },
  { workload: 'chat', accelerator: 'ascend-910c', engine: 'mindie', tokensPerSecondPerAccelerator: 0, layout: '', acceleratorsPerReplica: 0, concurrencyPerReplica: 0, ttftMs: 0, tpotMs: 0, confidence: 'prior', reason: 'TPOT above 50 ms at every layout' },
];

const report: PlanReport = {
  scenarioName: 'east </script><script>alert(1)</script> & co',
  generatedFor: 'capacity review 2026-03',
  base: { name: 'base', input, result: found, capacities },
  variants: [
    { name: 'more-budget', description: 'nvidia budget doubled', input: { ...input, budgets: [{ id: 'nvidia-2026', periods: ['2026Q1', '2026Q2'], vendors: ['nvidia'], usd: 40e6 }] }, result: found },
    { name: 'domestic-only', description: 'site-a domestic only', input, result: noPlan },
  ],
  notes: ['Prices are list prices before discounts.', 'Demand grows 2x from Q1 to Q2.'],
};

const html = renderPlanReport(report);
const island = (page: string) => /<script type="application\/json" id="plan-data">([\s\S]*?)<\/script>/.exec(page)?.[1];

describe('renderPlanReport', () => {
  it('writes one complete HTML document', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    for (const tag of ['<html', '<head>', '<body>', '<main>', '</body>', '</html>']) expect(html.split(tag).length - 1).toBe(1);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('needs no network: no remote src or href, libraries inlined', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    const libs = chartLibraries();
    expect(html).toContain(libs.d3);
    expect(html).toContain(libs.plot);
    expect(libs.d3).toMatch(/d3js\.org v7/);
    expect(libs.plot).toMatch(/@observablehq\/plot v0\.6/);
    for (const { fn } of PLAN_CHARTS) expect(html).toContain(`export function ${fn}(data, o)`);
  });

  it('embeds the chart data as JSON that parses and holds the periods', () => {
    const data = JSON.parse(island(html) ?? 'null') as PlanChartData;
    expect(data.periods.map((p) => p.id)).toEqual(['2026Q1', '2026Q2']);
    expect(data.base?.served.map((s) => s.unmetTokensPerSecond)).toEqual([3e4, 0]);
    expect(data.variants.map((v) => [v.variant, v.found])).toEqual([['base', true], ['more-budget', true], ['domestic-only', false]]);
    // Revenue share counts against the nvidia budget; huawei chips do not.
    expect(data.base?.spend).toEqual([{ budget: 'nvidia-2026', year: 2026, spendUsd: 496 * 30_000 * 1.15 }]);
  });

  it('keeps a </script> in the data inside its script element', () => {
    expect(html.match(/<script\b/g)).toHaveLength(4);
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    const data = JSON.parse(island(html) ?? 'null') as PlanChartData;
    expect(data.scenario).toBe(report.scenarioName);
    expect(html).toContain('<title>Plan report: east &#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62; &#38; co</title>');
    expect(jsonForScript({ s: '<!-- </SCRIPT>' })).toBe('{"s":"\\u003c!-- \\u003c/SCRIPT>"}');
  });

  it('has headings, captioned tables, titled charts and the assumptions', () => {
    expect(html).toMatch(/<h1>Plan report: /);
    for (const h of ['What to buy', 'Demand, power and limits', 'Variants', 'Configurations', 'Inputs and assumptions']) expect(html).toContain(`>${h}</h2>`);
    for (const c of ['Chips ordered per quarter by site and accelerator', 'Constraints that limit the plan', 'Variants compared', 'Best layout per workload and accelerator', 'Accelerator offers', 'Sites', 'Budgets']) {
      expect(html).toContain(`<caption>${c}`);
    }
    for (const { fn, title } of PLAN_CHARTS) expect(html).toContain(`<h3 id="chart-${fn}">${title}</h3><div data-chart="${fn}"></div>`);
    expect(html).toContain('Prepared for capacity review 2026-03');
    expect(html).toContain('<li>Prices are list prices before discounts.</li>');
    expect(html).toContain('no layout meets the SLO: TPOT above 50 ms at every layout');
    expect(html).toContain('Raising this budget by 1 USD would save about 0.42 USD.');
    expect(html).toContain('>optimal</dd>');
    expect(html).toContain('>0.01%</dd>');
  });

  it('shows the explanation of a variant without a plan', () => {
    expect(html).toContain(`no plan (infeasible): ${noPlan.explanation}`);
  });

  it('puts a base without a plan up front instead of its charts', () => {
    const page = renderPlanReport({ ...report, scenarioName: 'stuck', base: { ...report.base, result: noPlan }, variants: [] });
    expect(page).toContain('<section class="no-plan" aria-labelledby="h-noplan"><h2 id="h-noplan">No plan (infeasible)</h2>');
    expect(page).toContain(noPlan.explanation);
    expect(page).not.toContain('data-chart="purchasesByVendor"');
    expect(page).not.toContain('data-chart="variantComparison"');
    expect(page).toContain('data-chart="capacityTable"');
    expect((JSON.parse(island(page) ?? 'null') as PlanChartData).base).toBeUndefined();
  });
});

describe('bindingInWords', () => {
  it('says what loosening is worth in the row units', () => {
    expect(bindingInWords({ constraint: 'power site-a 2026Q2', kind: 'power', shadowPrice: 3.21, unit: 'USD per W' }, 'min-cost')).toBe('Raising this power limit by 1 W would save about 3.21 USD.');
    expect(bindingInWords({ constraint: 'budget b', kind: 'budget', shadowPrice: 0.0123, unit: 'million tokens per USD' }, 'max-served')).toBe('Raising this budget by 1 USD would serve about 0.0123 million tokens more.');
    expect(bindingInWords({ constraint: 'x', kind: 'space', shadowPrice: 2, unit: 'USD' }, 'min-cost')).toBe('Loosening this constraint by one unit is worth about 2 USD.');
  });
});

/** Runs the chart module against a Plot that records its calls, calling every accessor on every datum. */
describe('the plan charts module (web/charts/plan-charts.js)', () => {
  type Call = { fn: string; args: unknown[] };
  const calls: Call[] = [];
  const Plot = new Proxy({}, { get: (_, fn: string) => (...args: unknown[]) => (calls.push({ fn, args }), { fn, args }) });
  const element = (tag: string) => ({ tag, children: [] as unknown[], attrs: {} as Record<string, string>, className: '', textContent: '', append(...xs: unknown[]) { this.children.push(...xs); }, setAttribute(k: string, v: string) { this.attrs[k] = v; } });
  const document = { createElement: element };
  const names = PLAN_CHARTS.map((c) => c.fn);
  const charts = new Function(`${planChartsModule().replace(/^export /gm, '')}\nreturn { ${names.join(', ')} };`)() as Record<string, (data: unknown, o: unknown) => unknown>;
  const data = toPlanChartData('s', report.base, report.variants, capacities);
  // The inlined UMD build, through its CommonJS branch (no global is set).
  const d3 = {} as { format: (spec: string) => (n: number) => string };
  new Function('exports', 'module', chartLibraries().d3)(d3, {});

  it.each(names)('%s draws with units on its axes and valid accessors', (fn) => {
    calls.length = 0;
    const out = charts[fn]!(data, { Plot, d3, document, width: 800 });
    expect(out).toBeTruthy();
    const plots = calls.filter((c) => c.fn === 'plot').map((c) => c.args[0] as Record<string, { label?: string | null } | string | undefined>);
    expect(plots.length).toBeGreaterThan(0);
    for (const p of plots) {
      expect(p.ariaLabel).toMatch(/\w/);
      const labels = [p.x, p.y].map((s) => (typeof s === 'object' ? s.label : undefined)).filter((l) => typeof l === 'string');
      expect(labels.some((l) => /\((USD|MW|chips|tokens\/s|million tokens)\)|Quarter|Accelerator/.test(l))).toBe(true);
    }
    for (const c of calls.filter((c) => Array.isArray(c.args[0]) && typeof c.args[1] === 'object')) {
      const accessors = Object.values(c.args[1] as object).filter((v): v is (d: unknown, i: number) => unknown => typeof v === 'function');
      for (const [i, d] of (c.args[0] as unknown[]).entries()) for (const a of accessors) expect(() => a(d, i)).not.toThrow();
    }
  });

  it('says there is no plan instead of drawing one', () => {
    const empty = toPlanChartData('s', { ...report.base, result: noPlan }, [], capacities);
    expect(charts.purchasesByVendor!(empty, { Plot, d3, document })).toMatchObject({ tag: 'p', textContent: 'No plan, so no purchases.' });
  });
});
