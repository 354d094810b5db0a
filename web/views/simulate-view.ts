/**
 * @module Simulate: pick a trace, a model, pools and a router; run the cluster
 * simulator in a job; TTFT and TPOT distributions and the timeline, with the
 * previous run beside the new one to compare.
 */
import { adminToken } from '../admin-token.js';
import { errorText, getJson, postAdmin } from '../api.js';
import type { Job, SimulateOptions, SimulatePool, SimulateRequest, SimulateResult } from '../api-types.js';
import { draw, figure } from '../charts/chart-theme.js';
import { latencyHistogram, simulateTimeline } from '../charts/simulate-charts.js';
import { field, h, replace, table } from '../dom.js';
import { duration, integer, percent, tokensPerSecond, usd } from '../format.js';
import { every, type View } from '../view.js';

const PRECISIONS = ['bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4'];

interface Run {
  readonly n: number;
  readonly request: SimulateRequest;
  readonly result: SimulateResult;
}

const select = (id: string, values: readonly string[], selected: string, labels?: readonly string[]) =>
  h('select', { id, name: id }, values.map((v, i) => h('option', { value: v, selected: v === selected }, labels?.[i] ?? v)));

function describe(req: SimulateRequest): string {
  const pools = req.pools.map((p) => `${p.replicas} × ${p.accelerator} (${p.engine}, tp${p.tp}, ${p.precision})`).join(' + ');
  return `${req.model} on ${pools}; trace ${req.trace}, ${integer(req.maxRequests)} requests at ${req.rateScale}× rate, router ${req.router}`;
}

function comparison(runs: readonly Run[]): HTMLElement {
  const s = runs.map((r) => r.result.summary);
  const row = (label: string, f: (x: SimulateResult['summary']) => string) => [label, ...s.map(f)];
  return table(
    'Runs compared',
    ['Figure', ...runs.map((r) => `Run ${r.n}`)],
    [
      row('Requests completed / rejected', (x) => `${integer(x.completed)} / ${integer(x.rejected)}`),
      row('TTFT p50 / p90 / p99', (x) => `${duration(x.ttftMs.p50)} / ${duration(x.ttftMs.p90)} / ${duration(x.ttftMs.p99)}`),
      row('TPOT p50 / p90 / p99', (x) => `${duration(x.tpotMs.p50)} / ${duration(x.tpotMs.p90)} / ${duration(x.tpotMs.p99)}`),
      row('Output tokens per second', (x) => tokensPerSecond(x.throughput.outputTokensPerSecond)),
      row('Requests per second', (x) => `${x.throughput.requestsPerSecond.toFixed(2)} req/s`),
      row('SLO attainment', (x) => (x.sloAttainment === null ? 'no SLO' : percent(x.sloAttainment))),
      row('Cost per million output tokens', (x) => (x.costUsdPerMillionOutputTokens === undefined ? '–' : usd(x.costUsdPerMillionOutputTokens))),
      row('Preemptions', (x) => integer(x.preemptions ?? 0)),
    ],
    runs.map((_, i) => i + 1),
  );
}

/** The largest x of each chart over the runs shown, so that side-by-side charts share their scales. */
interface SharedScales {
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly timeS: number;
}

function sharedScales(shown: readonly Run[]): SharedScales {
  const top = (f: (r: SimulateResult) => number[]) => Math.max(0, ...shown.flatMap((r) => f(r.result)));
  return {
    ttftMs: top((r) => r.ttftMsHistogram.filter((b) => b.count > 0).map((b) => b.highMs)),
    tpotMs: top((r) => r.tpotMsHistogram.filter((b) => b.count > 0).map((b) => b.highMs)),
    timeS: top((r) => r.timeline.map((t) => t.tS)),
  };
}

function runPanel(run: Run, scales: SharedScales): { el: HTMLElement; drawCharts: () => void } {
  const s = run.result.summary;
  const ttft = figure(`sim-${run.n}-ttft`, 'Time to first token (TTFT)', 'Requests per TTFT bin; dashed rules at the median and the 90th percentile; both runs on the same scale.');
  const tpot = figure(`sim-${run.n}-tpot`, 'Time per output token (TPOT)', 'Requests per TPOT bin; dashed rules at the median and the 90th percentile.');
  const timeline = figure(`sim-${run.n}-timeline`, 'Timeline', 'Over simulated time: requests running and queued, output tokens per second, and KV cache occupancy.');
  const el = h('section', { 'aria-labelledby': `sim-run-${run.n}`, class: 'sim-run', 'data-run': run.n }, h('h3', { id: `sim-run-${run.n}` }, `Run ${run.n}`), h('p', { class: 'hint' }, describe(run.request)), ttft.figure, tpot.figure, timeline.figure);
  return {
    el,
    drawCharts: () => {
      draw(ttft.body, (w) => latencyHistogram(run.result.ttftMsHistogram, 'TTFT', s.ttftMs, w, scales.ttftMs || undefined));
      draw(tpot.body, (w) => latencyHistogram(run.result.tpotMsHistogram, 'TPOT', s.tpotMs, w, scales.tpotMs || undefined));
      draw(timeline.body, (w) => simulateTimeline(run.result, w, scales.timeS || undefined));
    },
  };
}

/** Runs survive leaving the page (not a reload), so that a comparison is not lost by looking at another page. */
const runs: Run[] = [];

export const simulateView: View = {
  route: 'simulate',
  title: 'Simulate',
  mount(root) {
    const results = h('div', { id: 'sim-results' });
    const progress = h('div', { role: 'status', 'aria-live': 'polite', id: 'sim-progress' });
    const formHolder = h('div', {}, h('p', { class: 'empty' }, 'Loading the options…'));
    let stopJob: (() => void) | undefined;
    replace(
      root,
      h('h1', {}, 'Simulate'),
      h('p', { class: 'lede' }, 'Replay a real trace on pools of accelerators with the cluster simulator (continuous batching, chunked prefill, paged KV cache, the calibrated step-time model) and see the latency each request would get. Each run is kept next to the previous one to compare.'),
      formHolder,
      progress,
      results,
    );

    const showRuns = () => {
      const last = runs.slice(-2);
      if (last.length === 0) {
        replace(results);
        return;
      }
      const scales = sharedScales(last);
      const panels = last.map((r) => runPanel(r, scales));
      replace(results, h('h2', {}, last.length === 2 ? `Run ${last[1]!.n} against run ${last[0]!.n}` : `Run ${last[0]!.n}`), comparison(last), h('div', { class: 'compare' }, panels.map((p) => p.el)));
      for (const p of panels) p.drawCharts();
    };

    const buildForm = (o: SimulateOptions) => {
      const trace = select('sim-trace', o.traces.map((t) => t.id), o.traces[0]?.id ?? '', o.traces.map((t) => `${t.label} (${integer(t.requests)} requests)`));
      const model = select('sim-model', o.models, o.models.find((m) => /Llama-3\.1-8B$/.test(m)) ?? o.models[0] ?? '');
      const router = select('sim-router', o.routers, o.routers.includes('least-outstanding') ? 'least-outstanding' : (o.routers[0] ?? ''));
      const maxRequests = h('input', { type: 'number', id: 'sim-max-requests', min: 1, max: 20_000, step: 1, value: 2000, required: true });
      const rateScale = h('input', { type: 'number', id: 'sim-rate-scale', min: 0.01, step: 'any', value: 1, required: true });
      const seed = h('input', { type: 'number', id: 'sim-seed', min: 0, step: 1, value: 1 });
      const sloTtft = h('input', { type: 'number', id: 'sim-slo-ttft', min: 1, step: 'any', value: 2000 });
      const sloTpot = h('input', { type: 'number', id: 'sim-slo-tpot', min: 1, step: 'any', value: 100 });
      const tbody = h('tbody', {});
      let poolCount = 0;
      const addPool = (p: SimulatePool) => {
        const i = ++poolCount;
        const tr = h(
          'tr',
          { 'data-pool': i },
          h('td', {}, h('label', { class: 'sr-only', for: `pool-${i}-acc` }, `Pool ${i} accelerator`), select(`pool-${i}-acc`, o.accelerators, p.accelerator)),
          h('td', {}, h('label', { class: 'sr-only', for: `pool-${i}-engine` }, `Pool ${i} engine`), select(`pool-${i}-engine`, o.engines, p.engine)),
          h('td', {}, h('label', { class: 'sr-only', for: `pool-${i}-tp` }, `Pool ${i} tensor parallel`), h('input', { type: 'number', id: `pool-${i}-tp`, min: 1, step: 1, value: p.tp })),
          h('td', {}, h('label', { class: 'sr-only', for: `pool-${i}-precision` }, `Pool ${i} precision`), select(`pool-${i}-precision`, PRECISIONS, p.precision)),
          h('td', {}, h('label', { class: 'sr-only', for: `pool-${i}-replicas` }, `Pool ${i} replicas`), h('input', { type: 'number', id: `pool-${i}-replicas`, min: 1, step: 1, value: p.replicas })),
          h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove pool ${i}`, onclick: () => (tbody.children.length > 1 ? tr.remove() : undefined) }, 'Remove')),
        );
        tbody.append(tr);
      };
      addPool({ accelerator: o.accelerators.includes('h200-sxm') ? 'h200-sxm' : (o.accelerators[0] ?? ''), engine: 'vllm', tp: 1, precision: 'fp8', replicas: 2 });
      const pools = (): SimulatePool[] =>
        Array.from(tbody.querySelectorAll<HTMLTableRowElement>('tr')).map((tr) => {
          const v = (suffix: string) => (tr.querySelector(`[id$="-${suffix}"]`) as HTMLInputElement | HTMLSelectElement).value;
          return { accelerator: v('acc'), engine: v('engine'), tp: Number(v('tp')), precision: v('precision'), replicas: Number(v('replicas')) };
        });
      const run = h('button', { type: 'submit', id: 'sim-run' }, 'Run the simulation');
      const form = h(
        'form',
        {
          class: 'panel',
          'aria-labelledby': 'sim-form-title',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const request: SimulateRequest = { trace: trace.value, model: model.value, router: router.value, maxRequests: Number(maxRequests.value), rateScale: Number(rateScale.value), seed: Number(seed.value), pools: pools() };
            if (sloTtft.value !== '') request.sloTtftMs = Number(sloTtft.value);
            if (sloTpot.value !== '') request.sloTpotMs = Number(sloTpot.value);
            try {
              run.disabled = true;
              const { jobId } = await postAdmin<{ jobId: string }>('/api/simulate', request);
              const started = Date.now();
              stopJob = every(500, async () => {
                const job = await getJson<Job<SimulateResult>>(`/api/jobs/${encodeURIComponent(jobId)}`);
                if (job.state === 'done' && job.result) {
                  stopJob?.();
                  run.disabled = false;
                  runs.push({ n: runs.length + 1, request, result: job.result });
                  replace(progress, h('p', { class: 'notice', 'data-state': 'done' }, `Run ${runs.length} done in ${duration(Date.now() - started)}.`));
                  showRuns();
                } else if (job.state === 'failed' || job.state === 'done') {
                  stopJob?.();
                  run.disabled = false;
                  replace(progress, h('p', { class: 'error', 'data-state': 'failed' }, `The simulation failed: ${job.error ?? 'no result'}`));
                } else {
                  const p = job.progress;
                  replace(progress, h('p', {}, `Simulating (${job.state}): ${p ? `${p.label}, ${integer(p.done)} of ${integer(p.total)}` : 'starting'}`), p && p.total > 0 ? h('progress', { max: p.total, value: p.done, 'aria-label': 'Simulation progress' }) : null);
                }
              });
            } catch (err) {
              run.disabled = false;
              replace(progress, h('p', { class: 'error', 'data-state': 'rejected' }, `The simulation was refused: ${errorText(err)}`));
            }
          },
        },
        h('h2', { id: 'sim-form-title' }, 'What to simulate'),
        adminToken() === null ? h('p', { class: 'notice' }, 'Running a simulation needs the admin token (top right).') : null,
        h('div', { class: 'form-row' }, field('Trace', trace), field('Model', model), field('Router', router), field('Requests (at most)', maxRequests), field('Rate scale (× trace rate)', rateScale), field('Seed', seed)),
        h('div', { class: 'form-row' }, field('TTFT target (ms)', sloTtft, 'for SLO attainment'), field('TPOT target (ms)', sloTpot, 'for SLO attainment')),
        h('h3', {}, 'Pools'),
        h('div', { class: 'table-wrap pool-rows' }, h('table', {}, h('caption', { class: 'sr-only' }, 'Pools of the simulated cluster'), h('thead', {}, h('tr', {}, ['Accelerator', 'Engine', 'Tensor parallel', 'Precision', 'Replicas', ''].map((t) => h('th', { scope: 'col' }, t)))), tbody)),
        h('div', { class: 'form-row' }, h('button', { type: 'button', class: 'secondary', onclick: () => addPool({ accelerator: o.accelerators[0] ?? '', engine: o.engines[0] ?? 'vllm', tp: 1, precision: 'bf16', replicas: 1 }) }, 'Add a pool'), run),
      );
      replace(formHolder, form);
    };

    void getJson<SimulateOptions>('/api/simulate/options').then(buildForm, (err: unknown) => replace(formHolder, h('p', { class: 'error' }, `The simulator options are unavailable: ${errorText(err)}`)));
    showRuns();
    return () => stopJob?.();
  },
};
