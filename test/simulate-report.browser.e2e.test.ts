/**
 * @module End-to-end tests of `tokenfleet simulate --report` through the built
 * CLI: the flag form on a slice of the Azure trace and the scenario-file form
 * write a self-contained HTML report; Debian's Chromium (playwright-core, with
 * every network request refused) opens it from disk, without console errors,
 * and draws the TTFT/TPOT histograms and the timeline with the dashboard's
 * chart code. The screenshot goes to test-artifacts/reports/simulation.png.
 * Needs `npm run build` first, and Chromium (`apt-get install -y chromium`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const CONV = join(ROOT, '..', 'shared', 'data', 'traces', 'azure-2023', 'AzureLLMInferenceTrace_conv.csv');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'reports');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

describe('tokenfleet simulate --report', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the report browser tests need Debian's Chromium. Install it with: apt-get install -y chromium`);
    if (!existsSync(join(ROOT, 'dist', 'web', 'simulation-report.js'))) throw new Error('dist/web/simulation-report.js is missing: run npm run build first');
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'tf-sim-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('writes a report that opens offline and draws the dashboard charts with data and labelled axes', async () => {
    const file = join(dir, 'azure.html');
    const r = cli('simulate', '--trace', CONV, '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--replicas', '2', '--max-requests', '1500', '--slo-ttft-ms', '500', '--slo-tpot-ms', '50', '--seed', '3', '--report', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`report       ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('AzureLLMInferenceTrace_conv.csv (azure)');
    expect(html).toContain('<dt>Seed</dt><dd>3</dd>');

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const requested: string[] = [];
    // The report must need nothing but itself: refuse, and record, anything it would fetch.
    await context.route(/^(?!file:)/, async (route) => {
      requested.push(route.request().url());
      await route.abort();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(file).href);
    await page.locator('[data-chart="timeline"] svg').first().waitFor();

    // Bars of both histograms (Plot's rect mark) and the three lines of the timeline's panels.
    for (const chart of ['ttft', 'tpot']) {
      expect(await page.locator(`[data-chart="${chart}"] g[aria-label="rect"] > *`).count(), chart).toBeGreaterThan(5);
      expect(await page.locator(`[data-chart="${chart}"] g[aria-label="rule"] line`).count(), `${chart} p50/p90 rules`).toBeGreaterThanOrEqual(2);
    }
    expect(await page.locator('[data-chart="timeline"] svg[aria-label^="Line chart over simulated time"]').count()).toBe(3);
    expect(await page.locator('[data-chart="timeline"] g[aria-label="line"] path').count()).toBe(4); // running, queued, tokens/s, KV
    const axisLabels = await page.locator('[data-chart] g[aria-label$="-axis label"] text').allTextContents();
    for (const unit of ['TTFT (ms)', 'TPOT (ms)', 'Requests (count)', 'Output (tok/s)', 'KV cache used (%)', 'Simulated time (s)']) {
      expect(axisLabels.some((t) => t.includes(unit)), `axis label ${unit} in ${axisLabels.join(' | ')}`).toBe(true);
    }
    expect(await page.locator('.error, .chart-empty').count()).toBe(0);
    // Readable at 1366 px: the two histograms side by side, nothing wider than the window.
    const ttftBox = (await page.locator('[data-chart="ttft"]').boundingBox())!;
    const tpotBox = (await page.locator('[data-chart="tpot"]').boundingBox())!;
    expect(tpotBox.x).toBeGreaterThan(ttftBox.x + ttftBox.width - 1);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1366);

    await page.screenshot({ path: join(ARTIFACTS, 'simulation.png'), fullPage: true });
    await context.close();
    expect(requested).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('writes the report from a scenario file too, with its pools, router and tenants', () => {
    const scenario = join(dir, 'mixed.yaml');
    writeFileSync(
      scenario,
      [
        'workload:',
        '  synthetic: { rate: 8, requests: 400, isl: 1024, osl: 128 }',
        'pools:',
        '  - { name: h200-pool, model: meta-llama/Llama-3.1-8B, accelerator: h200-sxm, replicas: 1 }',
        '  - { name: h20-pool, model: meta-llama/Llama-3.1-8B, accelerator: h20, replicas: 2 }',
        'router: power-of-two',
        'seed: 9',
        'slo: { ttftMs: 800 }',
        '',
      ].join('\n'),
    );
    const file = join(dir, 'mixed.html');
    const r = cli('simulate', scenario, '--report', file, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 400 });
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<title>Simulation report: mixed.yaml</title>');
    expect(html).toContain('<dd>power-of-two</dd>');
    expect(html).toContain('<dt>Seed</dt><dd>9</dd>');
    expect(html).toContain('TTFT ≤ 800 ms');
    for (const pool of ['h200-pool', 'h20-pool']) expect(html.match(new RegExp(`<td>${pool}</td>`, 'g'))).toHaveLength(2); // configured, and measured
    const data = JSON.parse(/id="simulation-data">([^]*?)<\/script>/.exec(html)![1]!) as { ttftMsHistogram: { count: number }[]; timeline: unknown[] };
    expect(data.ttftMsHistogram.reduce((s, b) => s + b.count, 0)).toBe(400);
    expect(data.timeline.length).toBeGreaterThan(10);
  });

  it('names the option and the reason when the report cannot be written', () => {
    const r = cli('simulate', '--rate', '5', '--isl', '100', '--osl', '10', '--requests', '50', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--report', join(dir, 'no-such-dir', 'r.html'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--report .*no-such-dir.*cannot write: ENOENT/);
  });
});
