/**
 * @module The charts of `tokenfleet simulate --report`: bundled by
 * scripts/build-web.mjs as an IIFE into dist/web/simulation-report.js, which
 * the report inlines. It draws with the dashboard's Simulate charts
 * (charts/simulate-charts.ts) into the report's `[data-chart]` elements, so
 * the report and the dashboard show a run the same way.
 */
import type { SimulateResult } from '../api-types.js';
import { draw } from '../charts/chart-theme.js';
import { latencyHistogram, simulateTimeline } from '../charts/simulate-charts.js';

type ChartName = 'ttft' | 'tpot' | 'timeline';

function empty(text: string): Element {
  const p = document.createElement('p');
  p.className = 'chart-empty';
  p.textContent = text;
  return p;
}

const CHARTS: Record<ChartName, (data: SimulateResult, width: number) => Element> = {
  ttft: (d, w) => (d.ttftMsHistogram.length === 0 ? empty('No request completed.') : latencyHistogram(d.ttftMsHistogram, 'TTFT', d.summary.ttftMs, w)),
  tpot: (d, w) => (d.tpotMsHistogram.length === 0 ? empty('No request produced more than one output token.') : latencyHistogram(d.tpotMsHistogram, 'TPOT', d.summary.tpotMs, w)),
  timeline: (d, w) => (d.timeline.length === 0 ? empty('No timeline was recorded.') : simulateTimeline(d, w)),
};

const isChartName = (name: string | undefined): name is ChartName => name !== undefined && name in CHARTS;

/** Draws every `[data-chart]` element under `root` from the run's chart data; an unknown name is reported in place. */
export function drawSimulationReport(data: SimulateResult, root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-chart]')) {
    const name = el.dataset['chart'];
    draw(el, (width) => {
      if (!isChartName(name)) throw new Error(`unknown chart '${name ?? ''}'`);
      return CHARTS[name](data, width);
    });
  }
}

declare global {
  interface Window {
    /** Set by this bundle; the report's inline script calls `draw` with its embedded data. */
    tokenfleetSimulationReport?: { readonly draw: typeof drawSimulationReport };
  }
}

window.tokenfleetSimulationReport = { draw: drawSimulationReport };
