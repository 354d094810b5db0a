/**
 * @module End-to-end tests of the dashboard in a real browser: `tokenfleet
 * serve` (the built CLI, a temporary data dir, the small plan scenario) and
 * Debian's Chromium driven by playwright-core. The page loads without console
 * errors, the token counter moves while load runs, the charts draw data, a
 * tenant and key created in the UI can call the API, and a re-plan started in
 * the UI completes and updates the plan view. Screenshots of every page go to
 * test-artifacts/dashboard/. Needs `npm run build` first, and Chromium
 * (`apt-get install -y chromium`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  /** The dashboard URL as printed, with the generated admin token in its fragment: what a newcomer opens. */
  readonly dashboardUrl: string;
  readonly adminToken: string;
  readonly demoKey: string;
  readonly output: () => string;
}

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--scenario', 'scenarios/plan-small.yaml', '--quiet'], {
    cwd: ROOT,
    // No TOKENFLEET_ADMIN_TOKEN: the server generates one and prints it in the dashboard URL, as for `npm start`.
    env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: '' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve) => {
    const check = () => (/Try it/.test(out) ? resolve() : setTimeout(check, 50));
    check();
  });
  await Promise.race([ready, exited]);
  const url = /listening on (http:\/\/[^\s]+)/.exec(out)?.[1];
  const demoKey = /new key: (tf-\S+)/.exec(out)?.[1];
  const dashboard = /(http:\/\/\S+\/#admin=(\S+))/.exec(out);
  const dashboardUrl = dashboard?.[1];
  const adminToken = dashboard?.[2];
  if (url === undefined || demoKey === undefined || dashboardUrl === undefined || adminToken === undefined) {
    child.kill('SIGTERM');
    throw new Error(`tokenfleet serve did not print its URL, the demo key and the dashboard URL (http://HOST:PORT/#admin=TOKEN); it printed:\n${out}`);
  }
  return { child, url, dashboardUrl, adminToken, demoKey, output: () => out };
}

async function complete(url: string, key: string, maxTokens = 24): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'Tell me about accelerators.' }], max_tokens: maxTokens }),
  });
}

/** Keeps `concurrency` completions in flight until stopped; returns the stop function and the statuses seen. */
function startLoad(url: string, key: string, concurrency = 3): { stop: () => Promise<void>; statuses: number[] } {
  let running = true;
  const statuses: number[] = [];
  const worker = async () => {
    while (running) {
      const r = await complete(url, key);
      statuses.push(r.status);
      await r.arrayBuffer();
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    statuses,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Data marks drawn by Observable Plot inside a chart: the children of its mark groups (bars, areas, lines, dots, cells). */
async function markCount(page: Page, chart: string, mark: 'bar' | 'area' | 'line' | 'dot' | 'rect' | 'cell'): Promise<number> {
  return page.locator(`[data-chart="${chart}"] g[aria-label="${mark}"] > *`).count();
}

/** Every chart svg with axis ticks also has an axis label (the labels carry the units). */
async function unlabelledAxes(page: Page): Promise<string[]> {
  return page.$$eval('main figure svg', (svgs) =>
    svgs
      .filter((svg) => svg.querySelector('g[aria-label$="-axis tick"]') !== null && svg.querySelector('g[aria-label$="-axis label"] text') === null)
      .map((svg) => svg.getAttribute('aria-label') ?? svg.outerHTML.slice(0, 80)),
  );
}

const counterValue = async (page: Page) => Number((await page.locator('#token-counter').textContent())?.replace(/[^0-9]/g, '') || NaN);

describe('the dashboard in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the dashboard browser tests need Debian's Chromium. Install it with: apt-get install -y chromium`);
    if (!existsSync(join(ROOT, 'dist', 'web', 'index.html'))) throw new Error('dist/web/index.html is missing: run npm run build first');
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'tf-dashboard-'));
    server = await startServer(dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(async (ctx) => {
    await page?.screenshot({ path: join(ARTIFACTS, `${ctx.task.name.split(':')[0]}.png`), fullPage: true }).catch(() => undefined);
    expect(problems, 'console or page errors').toEqual([]);
  });

  it('tokens: loads without errors, takes the admin token out of the address bar, and the counter moves while load runs', async () => {
    await page.goto(server.dashboardUrl);
    await page.locator('#token-counter').filter({ hasText: /^\d[\d,]*$/ }).waitFor();
    expect(page.url()).not.toContain('admin=');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Tokens');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('tokenfleet.adminToken')")).toBe(server.adminToken);
    const before = await counterValue(page);
    const load = startLoad(server.url, server.demoKey);
    try {
      await expect.poll(() => counterValue(page), { timeout: 30_000, interval: 250 }).toBeGreaterThan(before);
      await expect.poll(() => markCount(page, 'token-rate', 'area'), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#tokens-per-day').textContent(), { timeout: 15_000 }).toMatch(/[1-9].* tokens\/day/);
      await expect.poll(async () => page.locator('table').filter({ hasText: 'Tokens per tenant' }).locator('tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    } finally {
      await load.stop();
    }
    expect(load.statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(await counterValue(page)).toBeGreaterThan(before);
    expect(await markCount(page, 'tokens-per-day', 'bar')).toBe(3);
    expect(await unlabelledAxes(page)).toEqual([]);
  });

  it('fleet: pools by vendor with healthy backends, and live charts with data', async () => {
    const load = startLoad(server.url, server.demoKey, 2);
    try {
      await page.click('nav >> text=Fleet');
      await expect.poll(() => page.locator('main table tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await page.locator('main .badge.ok').count()).toBeGreaterThan(0);
      await expect.poll(() => markCount(page, 'pool-rate', 'bar'), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => markCount(page, 'pool-tokens', 'line'), { timeout: 20_000 }).toBeGreaterThan(0);
      await expect.poll(() => markCount(page, 'pool-ttft', 'dot'), { timeout: 20_000 }).toBeGreaterThan(0);
    } finally {
      await load.stop();
    }
    expect(await page.locator('main').textContent()).toMatch(/Nvidia/);
    expect(await unlabelledAxes(page)).toEqual([]);
  });

  it('tenants: a tenant and a key created in the UI can call the API', async () => {
    await page.click('nav >> text=Tenants');
    await page.getByLabel('Name', { exact: true }).fill('browser-co');
    await page.getByLabel('Requests per minute').fill('100');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const key = (await page.locator('#new-key').textContent({ timeout: 15_000 })) ?? '';
    expect(key).toMatch(/^tf-/);
    expect(await page.locator('#new-key-curl').textContent()).toContain(key);
    const r = await complete(server.url, key, 8);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(8);
    await expect.poll(() => page.locator('main table').filter({ hasText: 'browser-co' }).count(), { timeout: 15_000 }).toBe(1);
    const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
  });

  it('plan: the plan is drawn, and a re-plan started in the UI completes and updates the view', async () => {
    await page.click('nav >> text=Plan');
    const computedAt = page.locator('#plan-computed-at');
    await expect.poll(async () => Number((await computedAt.getAttribute('data-computed-at-ms', { timeout: 60_000 })) || 0), { timeout: 90_000 }).toBeGreaterThan(0);
    const before = Number(await computedAt.getAttribute('data-computed-at-ms'));
    for (const chart of ['plan-purchasesByVendor', 'plan-servedVsDemand', 'plan-powerPerSite']) expect(await markCount(page, chart, 'bar'), chart).toBeGreaterThan(0);
    expect(await page.locator('table').filter({ hasText: 'Variants side by side' }).locator('tbody tr').count()).toBeGreaterThan(1);
    await page.getByRole('button', { name: 'Re-plan' }).click();
    await page.locator('#plan-job-state[data-state="done"]').waitFor({ timeout: 120_000 });
    await expect.poll(async () => Number(await computedAt.getAttribute('data-computed-at-ms')), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(await markCount(page, 'plan-purchasesByVendor', 'bar')).toBeGreaterThan(0);
    expect(await unlabelledAxes(page)).toEqual([]);
  }, 240_000);

  it('simulate: a run from the form draws TTFT and TPOT histograms and a timeline', async () => {
    await page.click('nav >> text=Simulate');
    await page.locator('#sim-max-requests').fill('300');
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    await page.locator('#sim-progress [data-state="done"]').waitFor({ timeout: 120_000 });
    expect(await markCount(page, 'sim-1-ttft', 'rect')).toBeGreaterThan(0);
    expect(await markCount(page, 'sim-1-tpot', 'rect')).toBeGreaterThan(0);
    expect(await page.locator('[data-chart="sim-1-timeline"] g[aria-label="line"] > *').count()).toBeGreaterThan(0);
    expect(await unlabelledAxes(page)).toEqual([]);
  }, 180_000);

  it('catalogue: accelerators with sources and marked estimates, models, and a roofline', async () => {
    await page.click('nav >> text=Catalogue');
    await expect.poll(() => page.locator('table').first().locator('tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(20);
    expect(await page.locator('.conf-estimate').count()).toBeGreaterThan(0);
    await expect.poll(() => markCount(page, 'roofline', 'dot'), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'NVIDIA H20', exact: true }).click();
    expect(await page.locator('#acc-sources-title').textContent()).toContain('NVIDIA H20');
    expect(await unlabelledAxes(page)).toEqual([]);
  });

  it('keyboard: the pages are links in a list, reachable with Tab, with a visible focus', async () => {
    await page.goto(`${server.url}/#/tokens`);
    await page.locator('#token-counter').filter({ hasText: /^\d/ }).waitFor();
    expect(await page.locator('nav ul > li > a').count()).toBe(6);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Skip to the page content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Tokens');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/fleet$/);
    // The hash changes before the page re-renders: wait for the new heading.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Fleet');
  });
});
