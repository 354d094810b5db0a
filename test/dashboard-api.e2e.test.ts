/**
 * @module End-to-end test of the dashboard API through `tokenfleet serve`
 * (dist): live statistics move after completions, a plan runs in the worker
 * thread at start and again on POST /api/plan, a small simulation job
 * completes, and the catalogue answers. Needs `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const TRACE = join(ROOT, '..', 'shared', 'data', 'traces', 'azure-2023', 'AzureLLMInferenceTrace_conv.csv');
const ADMIN = 'e2e-admin';

interface Json {
  [key: string]: unknown;
}

let child: ChildProcess;
let exited: Promise<number | null>;
let out = '';
let url: string;
let key: string;
let dir: string;

const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const getJson = async (path: string): Promise<Json> => (await (await fetch(url + path)).json()) as Json;

async function until<T>(what: string, poll: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const v = await poll();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; server output:\n${out}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-dashboard-e2e-'));
  child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--data-dir', join(dir, 'data'), '--scenario', 'scenarios/plan-small.yaml', '--plan-cache', join(dir, 'plan-configs.json'), '--quiet'],
    { cwd: ROOT, env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: ADMIN } },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await until('the banner', async () => (/Try it/.test(out) ? true : undefined));
  url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  key = /new key: (tf-\S+)/.exec(out)![1]!;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard API through tokenfleet serve', () => {
  it('prints the dashboard URL without the token when it comes from the environment, and plans the scenario at start', async () => {
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(paste the admin token from TOKENFLEET_ADMIN_TOKEN/);
    expect(out).not.toContain(ADMIN);
    expect(out).toMatch(/plan: +scenarios\/plan-small\.yaml, all variants, computing in the background \(job j_[0-9a-f]{16}\)/);
    const plan = await until('the start-up plan', async () => {
      const p = await getJson('/api/plan');
      return p.state === 'done' || p.state === 'failed' ? p : undefined;
    });
    expect(plan.error).toBeNull();
    expect(plan).toMatchObject({ state: 'done', scenarioName: 'plan-small' });
    expect((plan.charts as Json).scenario).toBe('plan-small');
  });

  it('moves /api/live after a few completions', async () => {
    const before = await getJson('/api/live');
    expect(before.requests).toMatchObject({ total: 0 });
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 }),
      });
      expect(r.status).toBe(200);
      await r.text();
    }
    const live = await getJson('/api/live');
    expect(live.requests).toEqual({ total: 3, ok: 3, rejected: 0, failed: 0 });
    const tokens = live.tokens as { total: number; output: number; sinceStart: number };
    expect(tokens.output).toBe(24);
    expect(tokens.total).toBe(tokens.sinceStart);
    const pools = live.pools as { pool: string; ttftMs: { p50: number } | null; backends: unknown[] }[];
    expect(pools.map((p) => p.pool)).toEqual(['llama8b-h200', 'llama8b-h20', 'qwen32b-inhouse', 'qwen32b-910c', 'dsv3-h200', 'dsv3-910c']);
    expect(pools.slice(0, 2).some((p) => p.ttftMs !== null)).toBe(true);
    const tenants = (await (await fetch(`${url}/api/tenants/live`, { headers: admin })).json()) as { tenants: { name: string; requestsSinceStart: number }[] };
    expect(tenants.tenants.find((t) => t.name === 'demo')!.requestsSinceStart).toBe(3);
  });

  it('re-plans in the worker on POST /api/plan while the gateway keeps answering, and GET /api/plan updates', async () => {
    const before = await getJson('/api/plan');
    const r = await fetch(`${url}/api/plan`, { method: 'POST', headers: admin, body: JSON.stringify({ variants: [] }) });
    expect(r.status).toBe(202);
    const { jobId } = (await r.json()) as { jobId: string };
    // The gateway keeps answering meanwhile.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const job = await until('the plan job', async () => {
      const j = await getJson(`/api/jobs/${jobId}`);
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    });
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ kind: 'plan', state: 'done' });
    const after = await getJson('/api/plan');
    expect(after.state).toBe('done');
    expect(after.computedAtMs as number).toBeGreaterThan(before.computedAtMs as number);
    expect(((after.charts as Json).variants as unknown[]).length).toBe(1);
  });

  it.skipIf(!existsSync(TRACE))('runs a small simulation job in the worker', async () => {
    const r = await fetch(`${url}/api/simulate`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ trace: 'azure-conv-2023', maxRequests: 200, model: 'meta-llama/Llama-3.1-8B', pools: [{ accelerator: 'h200-sxm', precision: 'fp8', replicas: 2 }] }),
    });
    expect(r.status).toBe(202);
    const { jobId } = (await r.json()) as { jobId: string };
    const job = await until('the simulation job', async () => {
      const j = await getJson(`/api/jobs/${jobId}`);
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    });
    expect(job.error).toBeNull();
    const result = job.result as { summary: { completed: number }; ttftMsHistogram: { count: number }[]; timeline: unknown[] };
    expect(result.summary.completed).toBe(200);
    expect(result.ttftMsHistogram.reduce((s, b) => s + b.count, 0)).toBe(200);
    expect(result.timeline.length).toBeGreaterThan(0);
  });

  it('serves the catalogue and the roofline', async () => {
    const accs = (await getJson('/api/catalogue/accelerators')) as unknown as { id: string }[];
    expect(accs.map((a) => a.id)).toContain('ascend-910c');
    const roofline = await getJson('/api/catalogue/roofline?model=Qwen/Qwen3-32B&accelerator=h200-sxm&precision=fp8');
    expect(roofline).toMatchObject({ accelerator: 'h200-sxm', precision: 'fp8', tp: 1 });
    expect((roofline.points as unknown[]).length).toBeGreaterThan(5);
  });

  it('stops on SIGTERM, ending the worker', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
