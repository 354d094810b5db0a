/** @module Charts of the live traffic: tokens per second over the last minutes, per pool series, tokens per day against the company's figure. */
import * as Plot from '@observablehq/plot';
import type { LivePool, LiveStats } from '../api-types.js';
import { compact } from '../format.js';
import { BAD, INK, PALETTE, siTick, timeTick } from './chart-theme.js';

/** Input and output tokens per second, stacked, one area per kind, over the last 300 s. */
export function tokenRateChart(live: LiveStats, width: number): Element {
  const rows = live.series.flatMap((s) => [
    { t: new Date(s.tMs), kind: 'Input (prompt)', tokensPerSecond: s.inputTokensPerSecond },
    { t: new Date(s.tMs), kind: 'Output (generated)', tokensPerSecond: s.outputTokensPerSecond },
  ]);
  return Plot.plot({
    width,
    height: 240,
    marginLeft: 56,
    ariaLabel: 'Area chart: tokens per second over the last 5 minutes, input and output stacked',
    x: { type: 'time', label: 'Time (local)', tickFormat: timeTick, ticks: 6 },
    y: { label: 'Tokens per second (tok/s)', grid: true, tickFormat: siTick },
    color: { legend: true, domain: ['Input (prompt)', 'Output (generated)'], range: [PALETTE[0]!, PALETTE[1]!], label: 'Tokens' },
    marks: [
      Plot.areaY(rows, { x: 't', y: 'tokensPerSecond', fill: 'kind', curve: 'step', tip: { format: { y: (v: number) => `${compact(v)} tok/s` } } }),
      Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

type PoolChannel = 'tokensPerSecond' | 'ttftMsP50' | 'tpotMsP50' | 'queueDepth';

/** One line per pool of a series channel, over the last 300 s. */
export function poolSeriesChart(pools: readonly LivePool[], channel: PoolChannel, yLabel: string, width: number): Element {
  const rows = pools.flatMap((p) => p.series.filter((s) => s[channel] !== null).map((s) => ({ t: new Date(s.tMs), pool: p.pool, value: s[channel] as number })));
  return Plot.plot({
    width,
    height: 220,
    marginLeft: 56,
    ariaLabel: `Line chart: ${yLabel} per pool over the last 5 minutes`,
    x: { type: 'time', label: 'Time (local)', tickFormat: timeTick, ticks: 6 },
    y: { label: yLabel, grid: true, zero: true, tickFormat: siTick },
    color: { legend: true, domain: pools.map((p) => p.pool), range: PALETTE, label: 'Pool' },
    marks: [
      Plot.lineY(rows, { x: 't', y: 'value', stroke: 'pool', curve: 'monotone-x', tip: true }),
      Plot.dot(rows, { x: 't', y: 'value', fill: 'pool', r: 1.5 }),
      Plot.ruleY([0], { stroke: INK }),
    ],
  });
}

/** 50 trillion tokens a day: Doubao, December 2025 (Volcano Engine FORCE, 2025-12-18). */
export const COMPANY_TOKENS_PER_DAY = 50e12;

/** This gateway's rate, extrapolated to a day, against the company's figures, on a log scale. */
export function tokensPerDayChart(tokensPerSecond: number, width: number): Element {
  const rows = [
    { what: 'This gateway, at the current rate', tokensPerDay: Math.max(tokensPerSecond * 86_400, 1) },
    { what: 'Doubao, September 2025', tokensPerDay: 30e12 },
    { what: 'Doubao, December 2025', tokensPerDay: COMPANY_TOKENS_PER_DAY },
  ];
  return Plot.plot({
    width,
    height: 150,
    marginLeft: 230,
    marginRight: 80,
    ariaLabel: 'Bar chart, logarithmic: tokens per day of this gateway at the current rate against 30 and 50 trillion a day',
    x: { type: 'log', label: 'Tokens per day (log scale)', grid: true, domain: [1, 1e14], tickFormat: (v: number) => (Math.log10(v) % 3 === 0 ? siTick(v) : '') },
    y: { label: null, domain: rows.map((r) => r.what) },
    marks: [
      Plot.barX(rows, { y: 'what', x1: 1, x2: 'tokensPerDay', fill: (d: { what: string }) => (d.what.startsWith('This') ? PALETTE[1] : PALETTE[0]) }),
      Plot.text(rows, { y: 'what', x: 'tokensPerDay', text: (d: { tokensPerDay: number }) => `${compact(d.tokensPerDay)}/day`, dx: 4, textAnchor: 'start', fill: INK }),
    ],
  });
}

/** Tokens per second now by vendor and accelerator, one bar per pool, coloured by vendor. */
export function poolRateBars(pools: readonly LivePool[], width: number): Element {
  const rows = pools.map((p) => ({ pool: `${p.pool} (${p.accelerator ?? 'upstream'})`, vendor: p.vendor ?? 'upstream', tokensPerSecond: p.tokensPerSecond, healthy: p.backends.every((b) => b.healthy) }));
  return Plot.plot({
    width,
    height: 40 + 28 * rows.length,
    marginLeft: 220,
    marginRight: 70,
    ariaLabel: 'Bar chart: tokens per second now per pool, coloured by vendor',
    x: { label: 'Tokens per second now (tok/s)', grid: true, tickFormat: siTick },
    y: { label: null, domain: rows.map((r) => r.pool) },
    color: { legend: true, label: 'Vendor', range: PALETTE },
    marks: [
      Plot.barX(rows, { y: 'pool', x: 'tokensPerSecond', fill: 'vendor', tip: true }),
      Plot.text(rows, { y: 'pool', x: 'tokensPerSecond', text: (d: { tokensPerSecond: number; healthy: boolean }) => `${compact(d.tokensPerSecond)}${d.healthy ? '' : ' (unhealthy)'}`, dx: 4, textAnchor: 'start', fill: (d: { healthy: boolean }) => (d.healthy ? INK : BAD) }),
      Plot.ruleX([0], { stroke: INK }),
    ],
  });
}
