/** @module Charts of a simulation run: the TTFT and TPOT distributions and the cluster's timeline. */
import * as Plot from '@observablehq/plot';
import type { Histogram, SimulateResult } from '../api-types.js';
import { duration, integer } from '../format.js';
import { INK, PALETTE, siTick } from './chart-theme.js';

/**
 * A latency histogram: one bar per bin, with the p50 and p90 of the run as
 * dashed rules. `maxMs` fixes the x domain so that two runs side by side
 * share a scale.
 */
export function latencyHistogram(bins: readonly Histogram[], what: 'TTFT' | 'TPOT', marks: { p50: number; p90: number }, width: number, maxMs?: number): Element {
  return Plot.plot({
    width,
    height: 220,
    marginLeft: 56,
    marginTop: 34,
    // Room for the x label on its own line below the ticks, so that it never covers the last tick.
    marginBottom: 42,
    ariaLabel: `Histogram: ${what} of the simulated requests in milliseconds, with the median and 90th percentile`,
    x: { label: `${what} (ms)`, labelOffset: 38, grid: true, domain: maxMs === undefined ? undefined : [0, maxMs] },
    y: { label: 'Requests (count)', grid: true, tickFormat: siTick },
    marks: [
      Plot.rectY(bins, { x1: 'lowMs', x2: 'highMs', y: 'count', fill: what === 'TTFT' ? PALETTE[0] : PALETTE[2], insetLeft: 0.5, insetRight: 0.5, tip: { format: { y: (v: number) => `${integer(v)} requests` } } }),
      Plot.ruleX([marks.p50, marks.p90], { stroke: INK, strokeDasharray: '4 3' }),
      // p50 on the left of its rule and p90 on the right, so that close quantiles do not overlap.
      Plot.text([marks.p50], { x: (d: number) => d, frameAnchor: 'top', text: (d: number) => `p50 ${duration(d)}`, dy: -14, dx: -3, textAnchor: 'end', fill: INK }),
      Plot.text([marks.p90], { x: (d: number) => d, frameAnchor: 'top', text: (d: number) => `p90 ${duration(d)}`, dy: -14, dx: 3, textAnchor: 'start', fill: INK }),
      Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

type Series = { readonly key: 'runningRequests' | 'queuedRequests' | 'outputTokensPerSecond' | 'kvOccupancy'; readonly name: string; readonly scale?: number };

function timelinePanel(result: SimulateResult, series: readonly Series[], yLabel: string, width: number, maxS: number | undefined, last: boolean): Element {
  const rows = result.timeline.flatMap((t) => series.map((s) => ({ tS: t.tS, series: s.name, value: t[s.key] * (s.scale ?? 1) })));
  return Plot.plot({
    width,
    height: last ? 150 : 125,
    marginLeft: 56,
    marginBottom: last ? 36 : 18,
    ariaLabel: `Line chart over simulated time: ${series.map((s) => s.name).join(', ')}`,
    x: { label: last ? 'Simulated time (s)' : null, grid: true, domain: maxS === undefined ? undefined : [0, maxS], tickFormat: last ? undefined : () => '' },
    y: { label: yLabel, grid: true, zero: true, tickFormat: siTick },
    color: series.length > 1 ? { legend: true, domain: series.map((s) => s.name), range: [PALETTE[0]!, PALETTE[1]!] } : undefined,
    marks: [Plot.lineY(rows, { x: 'tS', y: 'value', stroke: series.length > 1 ? 'series' : PALETTE[2], curve: 'step-after', tip: true }), Plot.ruleY([0], { stroke: INK })],
  });
}

/** Three panels over simulated time, each with its own y scale: requests running and queued, output tokens per second, KV cache occupancy. */
export function simulateTimeline(result: SimulateResult, width: number, maxS?: number): Element {
  const box = document.createElement('div');
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', 'Timeline of the simulated cluster');
  box.append(
    timelinePanel(result, [{ key: 'runningRequests', name: 'Running' }, { key: 'queuedRequests', name: 'Queued' }], 'Requests (count)', width, maxS, false),
    timelinePanel(result, [{ key: 'outputTokensPerSecond', name: 'Output tokens/s' }], 'Output (tok/s)', width, maxS, false),
    timelinePanel(result, [{ key: 'kvOccupancy', name: 'KV cache used', scale: 100 }], 'KV cache used (%)', width, maxS, true),
  );
  return box;
}
