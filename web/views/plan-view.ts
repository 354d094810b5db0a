/**
 * @module Plan: the dashboard scenario's plan drawn with the same chart code as
 * `tokenfleet plan --report` (web/charts/plan-charts.js), its binding
 * constraints and variants, and a scenario editor that re-plans in a job.
 */
import * as Plot from '@observablehq/plot';
import { format } from 'd3';
import type { PlanChartData } from '../../src/plan/plan-charts.js';
import { adminToken } from '../admin-token.js';
import { ApiError, errorText, getJson, postAdmin } from '../api.js';
import type { Job, PlanState, PlanSummary } from '../api-types.js';
import { draw, figure } from '../charts/chart-theme.js';
import { capacityTable, powerPerSite, purchasesByVendor, servedVsDemand, spendVsBudget, variantComparison } from '../charts/plan-charts.js';
import { field, h, replace, table } from '../dom.js';
import { clock, compact, duration, percent, usd } from '../format.js';
import { every, type View } from '../view.js';

const PLAN_CHARTS = [
  { id: 'purchasesByVendor', draw: purchasesByVendor, title: 'Chips ordered per quarter, by vendor', caption: 'Each segment is the chips ordered from one vendor in that quarter; chips arrive after the vendor lead time.' },
  { id: 'spendVsBudget', draw: spendVsBudget, title: 'Purchase spend per year against each budget', caption: 'Bars stack the spend each budget counts, by calendar year of the order; the dark rule is the budget limit.' },
  { id: 'servedVsDemand', draw: servedVsDemand, title: 'Tokens per second served and unmet, per quarter', caption: 'Bar height is the provisioning target (average demand times peak factor); red is the part not served.' },
  { id: 'powerPerSite', draw: powerPerSite, title: 'Facility power per site per quarter against the site limit', caption: 'Chips × watts × PUE of the fleet serving each quarter; the dashed red rule is the site power limit.' },
] as const;

const chartEnv = (width: number) => ({ Plot, d3: { format }, document, width });

function summaryCards(plan: PlanState, charts: PlanChartData, summary: PlanSummary | null | undefined): HTMLElement {
  const base = charts.variants[0];
  const demand = charts.base?.served.reduce((s, p) => s + p.demandTokensPerSecond, 0) ?? 0;
  const unmet = charts.base?.served.reduce((s, p) => s + p.unmetTokensPerSecond, 0) ?? 0;
  const items: [string, string, Record<string, string>?][] = [
    ['Scenario', plan.scenarioName ?? charts.scenario],
    ['Computed at', plan.computedAtMs ? clock(plan.computedAtMs) : '–', { id: 'plan-computed-at', 'data-computed-at-ms': String(plan.computedAtMs ?? '') }],
    ['Status', summary?.status ?? base?.status ?? '–'],
    ['Total cost, capex + opex', base?.totalCostUsd != null ? usd(base.totalCostUsd) : 'no plan'],
    ['Capex (chips bought)', base?.capexUsd != null ? usd(base.capexUsd) : '–'],
    ['Unmet demand, whole horizon', base?.unmetMillionTokens != null ? `${compact(base.unmetMillionTokens * 1e6)} tokens` : '–'],
    ['Unmet share of peak tok/s', base?.unmetMillionTokens != null ? percent(demand > 0 ? unmet / demand : 0) : '–'],
    ['Quarters', `${charts.periods[0]?.id ?? ''} to ${charts.periods.at(-1)?.id ?? ''} (${charts.periods.length})`],
    ['Solve time', summary?.solveSeconds !== undefined ? duration(summary.solveSeconds * 1000) : '–'],
  ];
  return h('dl', { class: 'cards' }, items.map(([k, v, attrs]) => h('div', {}, h('dt', {}, k), h('dd', attrs ?? {}, v))));
}

/** Past this many rows the binding constraints scroll in their own box. */
const BINDING_ROWS_INLINE = 12;

function bindingTable(summary: PlanSummary | null | undefined): HTMLElement {
  const rows = (summary?.binding ?? []).map((b) => [b.constraint, b.kind, b.period ?? 'whole horizon', `${compact(b.shadowPrice)} ${b.unit.split(' per ')[0] ?? ''}`, `per ${b.unit.split(' per ')[1] ?? 'unit'}`]);
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No constraint binds: none has a non-zero shadow price.');
  // A large scenario binds hundreds of rows (capacity per site, chip and quarter): scroll them in a box of their own.
  const many = rows.length > BINDING_ROWS_INLINE;
  const caption = `Binding constraints: what loosening each by one unit is worth (shadow price)${many ? `; ${rows.length} rows, scroll the table` : ''}`;
  return table(caption, ['Constraint', 'Kind', 'Quarter', 'Worth', 'Per'], rows, [3], many);
}

function variantsTable(charts: PlanChartData, summary: PlanSummary | null | undefined): HTMLElement {
  const described = new Map((summary?.variants ?? []).map((v) => [v.name, v]));
  const vendors = [...new Set(charts.variantPurchases.map((p) => p.vendor))].sort();
  const chips = (variant: string, vendor: string) => charts.variantPurchases.filter((p) => p.variant === variant && p.vendor === vendor).reduce((s, p) => s + p.chips, 0);
  return table(
    'Variants side by side (totals over the horizon)',
    ['Variant', 'What changes', 'Outcome', 'Total cost', 'Capex', 'Unmet demand (tokens)', ...vendors.map((v) => `${v} chips`)],
    charts.variants.map((v, i) => [
      v.variant,
      i === 0 ? 'the scenario as written' : (described.get(v.variant)?.description ?? ''),
      v.found ? v.status : `no plan (${v.status})${described.get(v.variant)?.explanation ? `: ${described.get(v.variant)?.explanation}` : ''}`,
      v.totalCostUsd !== null ? usd(v.totalCostUsd) : '–',
      v.capexUsd !== null ? usd(v.capexUsd) : '–',
      v.unmetMillionTokens !== null ? compact(v.unmetMillionTokens * 1e6) : '–',
      ...vendors.map((vendor) => compact(chips(v.variant, vendor))),
    ]),
    [3, 4, 5, ...vendors.map((_, i) => 6 + i)],
  );
}

function renderPlan(out: HTMLElement, plan: PlanState): void {
  if (plan.state === 'none') {
    replace(out, h('p', { class: 'notice' }, 'No plan yet: the server has no scenario to plan. Paste or upload one below and re-plan.'));
    return;
  }
  if (plan.state === 'failed' && !plan.charts) {
    replace(out, h('p', { class: 'error' }, `The plan failed: ${plan.error ?? 'no message'}`));
    return;
  }
  const charts = plan.charts;
  if (!charts) {
    replace(out, h('p', { class: 'notice' }, 'The plan is being computed (configuration search, then the solver); it appears here when done.'));
    return;
  }
  const figs = PLAN_CHARTS.map((c) => ({ c, f: figure(`plan-${c.id}`, c.title, c.caption) }));
  const variants = figure('plan-variantComparison', 'Variants side by side', 'Each row is one variant of the scenario; a variant without a plan is marked "no plan".');
  const capacity = figure('plan-capacityTable', 'Tokens per second per chip at the SLO, by workload and accelerator', 'Darker is more tokens per second per chip; a dash means no layout meets the latency targets.');
  replace(
    out,
    plan.state === 'failed' ? h('p', { class: 'error' }, `The last re-plan failed (${plan.error ?? 'no message'}); this is the previous plan.`) : null,
    summaryCards(plan, charts, plan.summary),
    charts.base ? null : h('p', { class: 'error' }, `The scenario as written has no plan (${charts.variants[0]?.status ?? 'unknown'}).`),
    h('h2', {}, 'What to buy, and what it serves'),
    h('div', { class: 'grid-2' }, figs.map(({ f }) => f.figure)),
    h('h2', {}, 'Binding constraints'),
    bindingTable(plan.summary),
    h('h2', {}, 'Variants'),
    variants.figure,
    variantsTable(charts, plan.summary),
    h('h2', {}, 'Configurations'),
    capacity.figure,
  );
  for (const { c, f } of figs) draw(f.body, (w) => c.draw(charts, chartEnv(w)));
  draw(variants.body, (w) => variantComparison(charts, chartEnv(w)));
  draw(capacity.body, (w) => capacityTable(charts, chartEnv(w)));
}

export const planView: View = {
  route: 'plan',
  title: 'Plan',
  mount(root) {
    const out = h('div', { id: 'plan-result' }, h('p', { class: 'empty' }, 'Loading the plan…'));
    const progress = h('div', { id: 'plan-progress', role: 'status', 'aria-live': 'polite' });
    const yaml = h('textarea', { id: 'scenario-yaml', name: 'scenarioYaml', spellcheck: 'false', placeholder: 'Paste a scenario YAML here, or choose a file. Leave empty to re-plan the current scenario.' });
    const file = h('input', { type: 'file', id: 'scenario-file', accept: '.yaml,.yml,text/yaml' });
    const variants = h('select', { id: 'plan-variants', name: 'variants' }, h('option', { value: 'all' }, 'all variants'), h('option', { value: 'none' }, 'the scenario as written only'));
    const button = h('button', { type: 'submit', id: 'replan' }, 'Re-plan');
    let stopped = false;
    let stopJob: (() => void) | undefined;
    let yamlFilled = false;

    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (f) yaml.value = await f.text();
    });

    const load = async () => {
      const plan = await getJson<PlanState>('/api/plan');
      if (stopped) return;
      renderPlan(out, plan);
      if (!yamlFilled && plan.scenarioYaml) {
        yaml.value = plan.scenarioYaml;
        yamlFilled = true;
      }
      const known = new Set(Array.from(variants.options).map((o) => o.value));
      for (const v of plan.summary?.variants ?? []) if (!known.has(v.name)) variants.append(h('option', { value: v.name }, `base and ${v.name}`));
      if (plan.state === 'running' && plan.jobId && stopJob === undefined) follow(plan.jobId);
    };

    const follow = (jobId: string) => {
      button.disabled = true;
      const started = Date.now();
      stopJob = every(700, async () => {
        const job = await getJson<Job>(`/api/jobs/${encodeURIComponent(jobId)}`);
        const p = job.progress;
        const elapsed = duration(Date.now() - started);
        if (job.state === 'done' || job.state === 'failed') {
          stopJob?.();
          stopJob = undefined;
          button.disabled = false;
          replace(progress, h('p', { class: job.state === 'done' ? 'notice' : 'error', id: 'plan-job-state', 'data-state': job.state }, job.state === 'done' ? `Re-planned in ${elapsed}.` : `The re-plan failed: ${job.error ?? 'no message'}`));
          await load();
          return;
        }
        replace(
          progress,
          h('p', { id: 'plan-job-state', 'data-state': job.state }, `Re-planning (${job.state}): ${p ? `${p.label}, ${p.done} of ${p.total}` : 'starting'} · ${elapsed}`),
          p && p.total > 0 ? h('progress', { max: p.total, value: p.done, 'aria-label': 'Re-plan progress' }) : h('progress', { 'aria-label': 'Re-plan progress' }),
        );
      });
    };

    const submit = async (e: Event) => {
      e.preventDefault();
      const body: { scenarioYaml?: string; variants: string[] | 'all' } = { variants: variants.value === 'all' ? 'all' : variants.value === 'none' ? [] : [variants.value] };
      if (yaml.value.trim() !== '') body.scenarioYaml = yaml.value;
      try {
        const { jobId } = await postAdmin<{ jobId: string }>('/api/plan', body);
        replace(progress, h('p', { id: 'plan-job-state', 'data-state': 'queued' }, 'Re-plan queued…'));
        follow(jobId);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          replace(progress, h('p', { class: 'notice' }, 'A plan is already being computed; following it.'));
          await load();
        } else replace(progress, h('p', { class: 'error', id: 'plan-job-state', 'data-state': 'rejected' }, `Re-plan refused: ${errorText(err)}`));
      }
    };

    const editor = h(
      'form',
      { class: 'panel', 'aria-labelledby': 'scenario-title', onsubmit: (e: Event) => void submit(e) },
      h('h2', { id: 'scenario-title' }, 'Edit or upload the scenario, and re-plan'),
      adminToken() === null ? h('p', { class: 'notice' }, 'Re-planning needs the admin token (top right).') : null,
      field('Scenario (YAML, the format of tokenfleet plan)', yaml, 'Empty: the current scenario. Errors come back with the path in the file, as in the CLI.'),
      h('div', { class: 'form-row' }, field('Or upload a file', file), field('Variants to solve', variants), button),
      progress,
    );
    replace(
      root,
      h('h1', {}, 'Plan'),
      h('p', { class: 'lede' }, 'The procurement plan of the dashboard\'s scenario: which accelerators to buy each quarter, from which vendor, under the budgets, supply, export and import gates, lead times and site power, at the least cost (HiGHS). Drawn with the same charts as the report of tokenfleet plan --report.'),
      out,
      editor,
    );
    void load().catch((err: unknown) => replace(out, h('p', { class: 'error' }, `The plan is unavailable: ${errorText(err)}`)));
    return () => {
      stopped = true;
      stopJob?.();
    };
  },
};
