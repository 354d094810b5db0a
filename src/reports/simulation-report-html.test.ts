import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../config/model-registry.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import type { ClusterConfig } from '../sim/cluster/cluster-config.js';
import { simulateCluster } from '../sim/cluster/simulate-cluster.js';
import { poissonWorkload } from '../sim/workload/synthetic.js';
import type { SimulationChartData } from './simulation-chart-data.js';
import { renderSimulationReport, type SimulationReport } from './simulation-report-html.js';
import { ReportScriptMissingError, simulationReportScript } from './simulation-report-script.js';

const config: ClusterConfig = {
  pools: [
    { name: 'h20-<pool>', role: 'mixed', model: resolveModel('meta-llama/Llama-3.1-8B').spec, accelerator: getAccelerator('h20'), engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8' }, replicas: 2 },
  ],
  router: 'least-outstanding',
  prefixCache: false,
  seed: 11,
  slo: { ttftMs: 500, tpotMs: 50 },
  timelineIntervalMs: 1000,
};
const workload = poissonWorkload({ ratePerSecond: 10, count: 300, lengths: { kind: 'fixed', prompt: 800, output: 120 }, seed: 4 });
const result = simulateCluster(config, workload);
const report: SimulationReport = { title: 'test </script> & "quotes"', workload: 'Poisson 10 req/s, 300 requests of 800+120 tokens', skippedRows: 2, config, result, wallSeconds: 0.25 };
const SCRIPT = 'window.tokenfleetSimulationReport={draw:function(d){var s="</script><b>";}};';
const html = renderSimulationReport(report, SCRIPT);

function embeddedData(page: string): SimulationChartData {
  const m = /<script type="application\/json" id="simulation-data">([^]*?)<\/script>/.exec(page);
  if (!m) throw new Error('no embedded data');
  return JSON.parse(m[1]!) as SimulationChartData;
}

describe('renderSimulationReport', () => {
  it('is one document with every section, the charts to draw, and no external resource', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of ['h-config', 'h-latency', 'h-timeline', 'h-groups', 'h-cost']) expect(html).toContain(`id="${id}"`);
    for (const chart of ['ttft', 'tpot', 'timeline']) expect(html).toContain(`data-chart="${chart}"`);
    for (const caption of ['Pools as configured', 'Per pool', 'Per tenant', 'Latency percentiles, all requests (ms)']) expect(html).toContain(`<caption>${caption}`);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
  });

  it('shows the configuration and the summary figures', () => {
    expect(html).toContain('Poisson 10 req/s, 300 requests of 800+120 tokens (2 malformed rows skipped)');
    expect(html).toContain('least-outstanding');
    expect(html).toContain('<dt>Seed</dt><dd>11</dd>');
    expect(html).toContain('TTFT ≤ 500 ms, TPOT ≤ 50 ms');
    expect(html).toContain(`<td>${config.pools[0]!.model.id}</td><td>NVIDIA H20 (h20)</td><td>vllm</td><td>TP 1</td><td>fp8</td>`);
    expect(html).toContain(`${result.summary.completed} of 300`);
    const p50 = result.summary.ttftMs.p50!;
    expect(html).toContain(p50 < 100 ? p50.toFixed(1) : Math.round(p50).toLocaleString('en-US'));
    expect(html).toMatch(/<dt>Cost per million output tokens<\/dt><dd>\$[0-9.]+<\/dd>/);
    for (const a of result.cost.assumptions) expect(html).toContain(a.replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'));
  });

  it('escapes text, the inlined script and the embedded data so that nothing ends an element early', () => {
    expect(html).toContain('<title>Simulation report: test &#60;/script&#62; &#38; &#34;quotes&#34;</title>');
    expect(html).toContain('<td>h20-&#60;pool&#62;</td>');
    expect(html).toContain('var s="<\\/script><b>"');
    // Only the page's own three script elements close: the data, the bundle and the boot code.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const json = /id="simulation-data">([^]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('<');
    expect(json).toContain('h20-\\u003cpool>');
  });

  it('embeds the chart data the dashboard draws: histograms from the sketches, the timeline and the --json summary', () => {
    const data = embeddedData(html);
    const completed = result.summary.completed;
    expect(data.ttftMsHistogram.reduce((s, b) => s + b.count, 0)).toBe(completed);
    expect(data.tpotMsHistogram.reduce((s, b) => s + b.count, 0)).toBe(completed);
    expect(data.ttftMsHistogram[0]!.lowMs).toBeLessThanOrEqual(result.summary.ttftMs.p50!);
    expect(data.ttftMsHistogram.at(-1)!.highMs).toBeGreaterThanOrEqual(result.summary.ttftMs.p99!);
    expect(data.timeline.length).toBeGreaterThanOrEqual(Math.floor(result.simulatedSeconds));
    expect(Math.max(...data.timeline.map((t) => t.runningRequests))).toBeGreaterThan(0);
    expect(Math.max(...data.timeline.map((t) => t.outputTokensPerSecond))).toBeGreaterThan(0);
    expect(data.summary).toMatchObject({ requests: 300, completed, skipped: 2, wallSeconds: 0.25 });
  });
});

describe('simulationReportScript', () => {
  it('reads the bundle, and says to run the build when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-report-'));
    writeFileSync(join(dir, 'simulation-report.js'), 'bundle');
    expect(simulationReportScript(join(dir, 'simulation-report.js'))).toBe('bundle');
    const missing = join(dir, 'missing.js');
    expect(() => simulationReportScript(missing)).toThrow(ReportScriptMissingError);
    expect(() => simulationReportScript(missing)).toThrow(/missing\.js is missing; run npm run build/);
  });
});
