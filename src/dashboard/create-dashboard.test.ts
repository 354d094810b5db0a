/**
 * Tests of the dashboard API mounted on a real gateway (HTTP on 127.0.0.1)
 * with scripted backends and the in-process job executor (vitest runs the
 * TypeScript sources, where the worker thread cannot start; the worker is
 * covered by test/dashboard-api.e2e.test.ts against dist).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../gateway/backends/backend.js';
import { ChunkStream } from '../gateway/backends/chunk-stream.js';
import { parseGatewayConfig } from '../gateway/config/gateway-config.js';
import type { Ledger } from '../gateway/ledger/ledger.js';
import { openSqliteLedger } from '../gateway/ledger/sqlite-ledger.js';
import type { Gateway } from '../gateway/server/create-gateway.js';
import { silentLog } from '../gateway/server/gateway-context.js';
import { listenTestGateway } from '../gateway/server/listen-test-gateway.js';
import { openSqliteTenantStore } from '../gateway/tenants/sqlite-tenant-store.js';
import type { TenantStore } from '../gateway/tenants/tenant-store.js';
import { createDashboard, type Dashboard } from './create-dashboard.js';
import type { JobExecutor } from './jobs/job-types.js';
import { inProcessExecutor } from './jobs/run-job.js';

/** A JSON body, read loosely by the assertions (which check its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ADMIN = 'test-admin-token';
const ROOT = resolve(import.meta.dirname, '../..');
const TRACES = resolve(ROOT, '../shared/data/traces');
const SCENARIO = join(ROOT, 'scenarios', 'plan-small.yaml');

/** A backend that answers every request with `n` tokens. */
function scripted(id: string, pool: string, n: number): Backend {
  return {
    id,
    pool,
    model: 'llama',
    chat(req) {
      const s = new ChunkStream();
      void (async () => {
        for (let i = 0; i < n; i++) {
          await new Promise((r) => setTimeout(r, 1));
          s.push({ type: 'token', text: ` t${i}` });
        }
        s.push({ type: 'done', usage: { promptTokens: req.promptTokens, completionTokens: n, cachedTokens: 0 }, finishReason: 'stop' });
        s.end();
      })();
      return s;
    },
    health: () => Promise.resolve(true),
    snapshot: () => ({ outstanding: 0, queuedPromptTokens: 0 }),
  };
}

const CONFIG = `
maxBodyBytes: 4096
router: round-robin
models:
  - id: llama
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 }
    pools:
      - { name: llama-h200, backends: [{ kind: emulated, accelerator: h200-sxm, engine: vllm, precision: fp8 }] }
      - { name: llama-up, backends: [{ kind: openai, url: "http://127.0.0.1:9/v1" }] }
`;

let dir: string;
let webDir: string;
let ledger: Ledger;
let tenants: TenantStore;
let gateway: Gateway;
let dashboard: Dashboard;
let base: string;
let key: string;
/** Jobs wait for this before running (to hold a plan job open). */
let hold: Promise<void> = Promise.resolve();

const holdingExecutor: JobExecutor = async (r, onProgress, signal) => {
  await hold;
  return inProcessExecutor(r, onProgress, signal);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenfleet-dashboard-'));
  webDir = join(dir, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>tokenfleet</title>');
  writeFileSync(join(webDir, 'app.js'), 'console.log(1);');
  writeFileSync(join(webDir, 'app.css'), 'body{}');
  writeFileSync(join(webDir, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  const { config } = parseGatewayConfig(CONFIG, join(dir, 'gateway.yaml'));
  ledger = openSqliteLedger({ dataDir: dir });
  await ledger.record({ requestId: 'old', tenantId: 'x', keyId: 'k', model: 'llama', pool: 'llama-h200', backend: 'b', inputTokens: 1000, outputTokens: 500, cachedTokens: 0, costUsd: 0, latencyMs: 1, status: 'ok', createdAtMs: Date.UTC(2025, 0, 1) });
  tenants = openSqliteTenantStore({ dataDir: dir, nowMs: () => Date.now() });
  const tenant = await tenants.createTenant({ name: 'acme', rpm: 1000 });
  key = (await tenants.createKey(tenant.id)).key;
  dashboard = createDashboard({
    executor: holdingExecutor,
    scenario: { file: SCENARIO, yaml: readFileSync(SCENARIO, 'utf8') },
    planCacheFile: join(dir, 'cache', 'plan-configs.json'),
    tracesDir: TRACES,
    webDir,
    ledgerTotalsAtStart: await ledger.totals(),
    nowMs: () => Date.now(),
    log: silentLog,
  });
  let port: number;
  ({ gateway, port } = await listenTestGateway({
    config,
    tenants,
    ledger,
    backendsByModel: new Map([['llama', [scripted('h200-0', 'llama-h200', 4), scripted('up-0', 'llama-up', 4)]]]),
    adminToken: ADMIN,
    fallback: dashboard.fallback,
  }));
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  dashboard?.close();
  await gateway?.close({ drainTimeoutMs: 100 });
  await ledger?.close();
  await tenants?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const admin = { authorization: `Bearer ${ADMIN}` };

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, { headers });
  const text = await r.text();
  const body = (r.headers.get('content-type') ?? '').startsWith('application/json') ? (JSON.parse(text) as Json) : {};
  return { status: r.status, headers: r.headers, body, text };
}

async function post(path: string, body: unknown, headers: Record<string, string> = admin) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Json };
}

/** A raw GET whose path is sent as is (fetch would normalise `..`). */
function rawGet(path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(base + '/', { path, method: 'GET' }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

async function waitForJob(id: string): Promise<Json> {
  for (;;) {
    const job = (await get(`/api/jobs/${id}`)).body as Json;
    if (job.state === 'done' || job.state === 'failed') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('dashboard API: routing, errors and auth', () => {
  it('answers unknown /api paths with an OpenAI-style 404 and a request id; wrong methods with 405', async () => {
    const r = await get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'unknown_url', type: 'invalid_request_error' } });
    expect(r.body.error.message).toMatch(/\/api\/live/);
    expect(r.headers.get('x-request-id')).toMatch(/^req-[0-9a-f]{28}$/);
    const m = await fetch(`${base}/api/live`, { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET');
    // Gateway routes are untouched, and non-API paths that are not files still get the gateway's 404.
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/no/such/page')).status).toBe(404);
  });

  it('needs the admin token on the admin endpoints (401 without, or with a tenant key)', async () => {
    for (const [path, method] of [['/api/tenants/live', 'GET'], ['/api/plan', 'POST'], ['/api/simulate', 'POST']] as const) {
      for (const headers of [{}, { authorization: `Bearer ${key}` }, { authorization: 'Bearer wrong' }]) {
        const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(headers as Record<string, string>) }, ...(method === 'POST' && { body: '{}' }) });
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid_admin_token');
      }
    }
    expect((await get('/api/tenants/live', admin)).status).toBe(200);
  });

  it('refuses a body over the limit with 413 and malformed JSON with 400', async () => {
    const big = JSON.stringify({ scenarioYaml: 'x'.repeat(1024 * 1024 + 10) });
    expect((await post('/api/plan', big)).status).toBe(413);
    const bad = await post('/api/plan', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/malformed JSON/);
  });

  it('answers 404 for an unknown job', async () => {
    const r = await get('/api/jobs/j_nope');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('job_not_found');
  });
});

describe('dashboard API: live statistics', () => {
  it('moves /api/live and /api/tenants/live after completions, on top of the ledger total at start', async () => {
    const before = (await get('/api/live')).body as Json;
    expect(before.tokens.total).toBe(1500);
    expect(before.requests.total).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 }),
      });
      expect(r.status).toBe(200);
    }
    const live = (await get('/api/live')).body as Json;
    expect(live.requests).toEqual({ total: 2, ok: 2, rejected: 0, failed: 0 });
    expect(live.tokens.output).toBe(500 + 8);
    expect(live.tokens.sinceStart).toBe(live.tokens.input + live.tokens.output - 1500);
    expect(live.tokens.total).toBe(1500 + live.tokens.sinceStart);
    expect(live.series).toHaveLength(300);
    const [h200, up] = live.pools;
    expect(h200).toMatchObject({ model: 'llama', pool: 'llama-h200', accelerator: 'h200-sxm', acceleratorName: 'NVIDIA H200 SXM', vendor: 'Nvidia', engine: 'vllm', kind: 'emulated', queueDepth: 0 });
    expect(h200.backends).toEqual([{ id: 'h200-0', healthy: true, circuit: 'closed', outstanding: 0, queuedPromptTokens: 0 }]);
    expect(up).toMatchObject({ pool: 'llama-up', accelerator: null, vendor: null, kind: 'openai' });
    // Round robin: one request per pool, each with a TTFT and a TPOT.
    expect(h200.ttftMs.p50).toBeGreaterThan(0);
    expect(up.tpotMs.p90).toBeGreaterThan(0);
    expect(h200.series).toHaveLength(60);

    const t = (await get('/api/tenants/live', admin)).body as Json;
    const acme = t.tenants.find((x: { name: string }) => x.name === 'acme');
    expect(acme).toMatchObject({ weight: 1, models: null, rpm: 1000, tpm: null, budgetUsdPerMonth: null, requestsSinceStart: 2, rejectionsSinceStart: { rpm: 0, tpm: 0, budget: 0 } });
    expect(acme.tokensSinceStart).toBe(live.tokens.sinceStart);
    expect(acme.monthTokens).toBe(live.tokens.sinceStart);
    expect(acme.monthCostUsd).toBeGreaterThan(0);
  });
});

describe('dashboard API: catalogue', () => {
  it('serves the records of `catalog accelerators --json` and `catalog models --json`', async () => {
    const accs = (await get('/api/catalogue/accelerators')).body as unknown as { id: string; memoryBytes: { value: number; source: string; confidence: string } }[];
    const h200 = accs.find((a) => a.id === 'h200-sxm')!;
    expect(h200.memoryBytes).toMatchObject({ value: expect.any(Number), source: expect.any(String), confidence: expect.any(String) });
    const models = (await get('/api/catalogue/models')).body as Json;
    expect(models.models.map((m: { id: string }) => m.id)).toContain('deepseek-ai/DeepSeek-V3');
    expect(models.failures).toEqual(expect.any(Array));
  });

  it('computes the roofline of a model on an accelerator, and answers 400 for bad input', async () => {
    const r = await get('/api/catalogue/roofline?model=meta-llama/Llama-3.1-8B&accelerator=h200-sxm&precision=fp8');
    expect(r.status).toBe(200);
    const body = r.body as Json;
    expect(body).toMatchObject({ accelerator: 'h200-sxm', model: 'meta-llama/Llama-3.1-8B', precision: 'fp8', tp: 1, peakFlopsPerSecond: 1.979e15, memoryBytesPerSecond: 4.8e12 });
    expect(body.points.filter((p: { phase: string }) => p.phase === 'decode')[0]).toMatchObject({ batch: 1, contextTokens: 2048 });
    expect(body.points.some((p: { phase: string; tokens: number }) => p.phase === 'prefill' && p.tokens === 8192)).toBe(true);
    const bad = async (query: string, message: RegExp) => {
      const res = await get(`/api/catalogue/roofline?${query}`);
      expect(res.status, query).toBe(400);
      expect((res.body as Json).error.message).toMatch(message);
    };
    await bad('model=meta-llama/Llama-3.1-8B', /accelerator: required/);
    await bad('model=no-such-model&accelerator=h200-sxm', /unknown model 'no-such-model'/);
    await bad('model=meta-llama/Llama-3.1-8B&accelerator=h900', /unknown accelerator 'h900'/);
    await bad('model=meta-llama/Llama-3.1-8B&accelerator=h200-sxm&tp=zero', /tp: expected a whole number/);
    await bad('model=meta-llama/Llama-3.1-8B&accelerator=h200-sxm&precision=fp64', /precision: expected one of/);
    await bad('model=deepseek-ai/DeepSeek-V3&accelerator=h20', /does not fit/);
  });
});

describe('dashboard API: plan jobs', () => {
  it('has no plan until one is computed; POST /api/plan runs one (202), 409 while it runs, then GET /api/plan shows it', async () => {
    expect(((await get('/api/plan')).body as Json).state).toBe('none');
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const started = await post('/api/plan', { variants: 'all' });
    expect(started.status).toBe(202);
    const jobId = started.body.jobId as string;
    expect(jobId).toMatch(/^j_[0-9a-f]{16}$/);
    const running = (await get('/api/plan')).body as Json;
    expect(running).toMatchObject({ state: 'running', jobId, charts: null });
    const conflict = await post('/api/plan', {});
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toContain(jobId);
    release();
    hold = Promise.resolve();
    const job = await waitForJob(jobId);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ id: jobId, kind: 'plan', state: 'done' });
    expect(job.progress.label).toBe('done');
    const plan = (await get('/api/plan')).body as Json;
    expect(plan).toMatchObject({ state: 'done', jobId: null, scenarioName: 'plan-small', error: null });
    expect(plan.charts.scenario).toBe('plan-small');
    expect(plan.scenarioYaml).toBe(readFileSync(SCENARIO, 'utf8'));
    expect(plan.charts.variants.map((v: { variant: string }) => v.variant)).toEqual(['base', 'h200-blocked']);
    expect(plan.summary.status).toBe('optimal');
    expect(plan.summary.configSearch.searchSeconds).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(dir, 'cache', 'plan-configs.json'))).toBe(true);
  });

  it('validates the posted scenario and variants at once: 400 with the path in the YAML', async () => {
    const yaml = readFileSync(SCENARIO, 'utf8').replace(/^name: .*$/m, 'name: 7');
    const bad = await post('/api/plan', { scenarioYaml: yaml });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^scenarioYaml: invalid scenario:\n {2}name: /);
    const variant = await post('/api/plan', { variants: ['no-such-variant'] });
    expect(variant.status).toBe(400);
    expect(variant.body.error.message).toMatch(/unknown variant 'no-such-variant' \(variants: h200-blocked\)/);
    expect((await post('/api/plan', { variants: 3 })).status).toBe(400);
    expect((await post('/api/plan', { scenario: 'x' })).body.error.message).toMatch(/scenario: unknown field/);
  });
});

describe('dashboard API: simulation jobs', () => {
  it('lists the traces present, with request counts, and the choices', async () => {
    const o = (await get('/api/simulate/options')).body as Json;
    expect(o.engines).toEqual(['vllm', 'sglang', 'trtllm', 'mindie', 'generic']);
    expect(o.routers).toContain('least-outstanding');
    expect(o.accelerators).toContain('h200-sxm');
    expect(o.models).toContain('deepseek-ai/DeepSeek-V3');
    if (existsSync(join(TRACES, 'azure-2023/AzureLLMInferenceTrace_conv.csv'))) {
      expect(o.traces).toContainEqual({ id: 'azure-conv-2023', label: 'Azure LLM inference 2023, conversation', format: 'azure', requests: 19366 });
    } else {
      expect(o.traces).toEqual([]);
    }
  });

  it('answers 400 naming the field for bad input', async () => {
    const ok = { trace: 'azure-conv-2023', maxRequests: 50, model: 'meta-llama/Llama-3.1-8B', pools: [{ accelerator: 'h200-sxm', precision: 'fp8', replicas: 1 }] };
    const expect400 = async (body: unknown, message: RegExp, param?: string) => {
      const r = await post('/api/simulate', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toMatch(message);
      if (param !== undefined) expect(r.body.error.param).toBe(param);
    };
    await expect400({ ...ok, maxRequests: 20_001 }, /maxRequests: at most 20000/, 'maxRequests');
    await expect400({ ...ok, pools: [] }, /pools: expected at least one pool/, 'pools');
    await expect400({ ...ok, router: 'random' }, /^router: /, 'router');
    await expect400({ ...ok, extra: 1 }, /Unrecognized key/);
    await expect400({ ...ok, trace: 'nope' }, /unknown trace 'nope'/, 'trace');
    await expect400({ ...ok, model: 'nope' }, /unknown model 'nope'/, 'model');
    await expect400({ ...ok, pools: [{ accelerator: 'h900' }] }, /unknown accelerator 'h900'/, 'pools[0].accelerator');
    await expect400({ ...ok, model: 'deepseek-ai/DeepSeek-V3', pools: [{ accelerator: 'h20' }] }, /pools\[0\]: .* does not fit/, 'pools[0]');
  });

  it.skipIf(!existsSync(join(TRACES, 'azure-2023/AzureLLMInferenceTrace_conv.csv')))('runs a small simulation: summary, TTFT/TPOT histograms and timeline', async () => {
    const r = await post('/api/simulate', { trace: 'azure-conv-2023', maxRequests: 60, model: 'meta-llama/Llama-3.1-8B', sloTtftMs: 2000, pools: [{ accelerator: 'h200-sxm', precision: 'fp8', replicas: 2 }] });
    expect(r.status).toBe(202);
    const job = await waitForJob(r.body.jobId as string);
    expect(job.error).toBeNull();
    const { summary, ttftMsHistogram, tpotMsHistogram, timeline } = job.result as Json;
    expect(summary.requests).toBe(60);
    expect(summary.completed).toBe(60);
    expect(summary.sloAttainment).not.toBeNull();
    expect(ttftMsHistogram.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(60);
    expect(tpotMsHistogram.length).toBeGreaterThan(0);
    for (const b of ttftMsHistogram) expect(b.highMs).toBeGreaterThanOrEqual(b.lowMs);
    expect(timeline.length).toBeGreaterThan(1);
    expect(timeline[0]).toEqual({ tS: 0, runningRequests: expect.any(Number), queuedRequests: expect.any(Number), kvOccupancy: expect.any(Number), outputTokensPerSecond: expect.any(Number) });
    expect(timeline.some((p: { outputTokensPerSecond: number }) => p.outputTokensPerSecond > 0)).toBe(true);
  });
});

describe('dashboard: static files', () => {
  it('serves the built files with content types, an ETag (304 when unchanged) and no traversal', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.text).toContain('<title>tokenfleet</title>');
    expect(index.headers.get('x-request-id')).toMatch(/^req-/);
    const js = await fetch(`${base}/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('no-cache');
    const etag = js.headers.get('etag')!;
    expect((await fetch(`${base}/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/assets/logo.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/assets']) {
      expect(await rawGet(path), path).toBe(404);
    }
    expect((await fetch(`${base}/app.js`, { method: 'POST' })).status).toBe(404);
  });

  it('without a build, / says how to build the front end', async () => {
    const d = createDashboard({
      executor: inProcessExecutor,
      scenario: undefined,
      planCacheFile: join(dir, 'unused.json'),
      tracesDir: join(dir, 'no-traces'),
      webDir: join(dir, 'no-web'),
      ledgerTotalsAtStart: { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 },
      nowMs: () => Date.now(),
      log: silentLog,
    });
    let status = 0;
    let text = '';
    const res = { writeHead: (s: number) => (status = s), end: (b?: string) => (text = b ?? '') };
    const call = { req: { url: '/', method: 'GET', headers: {} }, res, requestId: 'r', params: {}, query: new URLSearchParams(), arrivalMs: 0, arrivalEpochMs: 0 };
    expect(await d.fallback(gateway.context, call as never)).toBe(true);
    expect(status).toBe(200);
    expect(text).toMatch(/npm run build/);
    expect(d.planScenario()).toBeUndefined();
    d.close();
  });
});
