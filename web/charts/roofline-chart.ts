/** @module The roofline of a model on an accelerator: log-log, the memory and compute roofs, and the predicted decode and prefill steps. */
import * as Plot from '@observablehq/plot';
import type { Roofline } from '../api-types.js';
import { compact } from '../format.js';
import { BAD, INK, PALETTE } from './chart-theme.js';

const flops = (v: number) => `${compact(v)}FLOP/s`;

export function rooflineChart(r: Roofline, width: number): Element {
  const xs = r.points.map((p) => p.flopsPerByte).filter((v) => v > 0);
  const lo = Math.min(r.ridgeFlopsPerByte / 100, ...xs) / 2;
  const hi = Math.max(r.ridgeFlopsPerByte * 20, ...xs) * 2;
  const roof = [lo, r.ridgeFlopsPerByte, hi].map((x) => ({ x, y: Math.min(r.peakFlopsPerSecond, r.memoryBytesPerSecond * x) }));
  const points = r.points.map((p) => ({ ...p, label: p.phase === 'decode' ? `decode, batch ${p.batch}` : `prefill, ${p.contextTokens} tokens`, kind: p.phase === 'decode' ? 'Decode step (predicted)' : 'Prefill step (predicted)' }));
  return Plot.plot({
    width,
    height: 420,
    marginLeft: 70,
    marginRight: 30,
    ariaLabel: `Roofline, log-log: ${r.model} on ${r.accelerator} at ${r.precision}, tensor parallel ${r.tp}; achieved FLOP/s of decode and prefill steps against arithmetic intensity`,
    x: { type: 'log', label: 'Arithmetic intensity (FLOP/byte, log scale)', grid: true },
    y: { type: 'log', label: 'Achieved compute (FLOP/s, log scale)', grid: true, tickFormat: (v: number) => (Math.log10(v) % 1 === 0 ? compact(v) : '') },
    color: { legend: true, domain: ['Decode step (predicted)', 'Prefill step (predicted)'], range: [PALETTE[0]!, PALETTE[1]!], label: 'Phase' },
    marks: [
      Plot.line(roof, { x: 'x', y: 'y', stroke: INK, strokeWidth: 2 }),
      Plot.ruleX([r.ridgeFlopsPerByte], { stroke: BAD, strokeDasharray: '5 4' }),
      Plot.text([r.ridgeFlopsPerByte], { x: (d: number) => d, frameAnchor: 'bottom', text: (d: number) => `ridge ${compact(d)} FLOP/byte`, dx: 4, dy: -6, textAnchor: 'start', fill: BAD }),
      Plot.text([roof[2]!], { x: 'x', y: 'y', text: () => `peak ${flops(r.peakFlopsPerSecond)}`, textAnchor: 'end', dy: -8, fill: INK }),
      Plot.text([roof[0]!], { x: 'x', y: 'y', text: () => `memory ${compact(r.memoryBytesPerSecond)}B/s`, textAnchor: 'start', dy: -8, fill: INK }),
      Plot.line(points, { x: 'flopsPerByte', y: 'predictedFlopsPerSecond', stroke: 'kind', z: 'kind', strokeOpacity: 0.5 }),
      Plot.dot(points, {
        x: 'flopsPerByte',
        y: 'predictedFlopsPerSecond',
        fill: 'kind',
        r: 3.5,
        tip: true,
        title: (d: (typeof points)[number]) => `${d.label}: ${compact(d.predictedFlopsPerSecond)}FLOP/s predicted of ${compact(d.attainableFlopsPerSecond)}FLOP/s attainable; step ${d.stepMs.toFixed(2)} ms`,
      }),
    ],
  });
}
