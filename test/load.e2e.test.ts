/**
 * @module End-to-end test of `tokenfleet load` against a real `tokenfleet
 * serve` (an upstream that answers at once): it creates its tenants with the
 * admin token from the environment, sends Poisson load and prints a JSON
 * summary whose counts the gateway's ledger confirms; a ServeGen replay maps
 * clients to tenants; bad input is refused with exit code 2 and a message.
 * Needs `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadSummary } from '../src/loadgen/load-stats.js';
import { mockModelsYaml, startMockUpstream, type MockUpstream } from './mock-openai-upstream.js';
import { admin, CLI, ROOT, startServe, type ServeProcess } from './spawn-serve.js';

const ADMIN = 'load-test-admin';
const SERVEGEN = join(ROOT, '..', 'shared', 'data', 'traces', 'servegen-deepseek-r1');

let dir: string;
let mock: MockUpstream;
let serve: ServeProcess;

beforeAll(async () => {
  mock = await startMockUpstream(0, { tokens: 4 });
  dir = mkdtempSync(join(tmpdir(), 'tf-load-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    mockModelsYaml(mock.port, ['mock', 'mock-b']),
  );
  serve = await startServe(config, ADMIN, join(dir, 'data'));
});

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without blocking this process (the mock upstream answers from it). */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function load(args: string[], env: NodeJS.ProcessEnv = { TOKENFLEET_ADMIN_TOKEN: ADMIN }): Promise<CliRun> {
  return cli(['load', '--url', serve.url, ...args], env);
}

type JsonSummary = LoadSummary & { tenants: string[]; models: string[] };

describe('tokenfleet load', () => {
  it('creates weighted tenants, sends Poisson load over every model and sums it up; the ledger agrees', async () => {
    const r = await load(['--rps', '100', '--duration', '2', '--tenants', '3', '--seed', '3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as JsonSummary;
    expect(s.tenants).toEqual(['load-1', 'load-2', 'load-3']);
    expect(s.models).toEqual(['mock', 'mock-b']);
    expect(s.sent).toBeGreaterThan(0);
    expect(s.completed).toBe(s.sent);
    expect(s.ok).toBe(s.sent);
    expect(s.statusCounts).toEqual({ '200': s.sent });
    expect(s.latencyMs!.p99).toBeGreaterThanOrEqual(s.latencyMs!.p50);
    expect(s.ttftMs).toBeDefined();
    expect(s.completionTokens).toBeGreaterThan(0);

    const tenants = (await admin<{ data: { id: string; name: string; weight: number }[] }>(serve.url, ADMIN, 'GET', '/admin/tenants')).data;
    const ours = ['load-1', 'load-2', 'load-3'].map((n) => tenants.find((t) => t.name === n)!);
    expect(ours.map((t) => t.weight)).toEqual([1, 2, 4]);
    let recorded = 0;
    for (const t of ours) recorded += (await admin<{ totals: { requests: number } }>(serve.url, ADMIN, 'GET', `/admin/usage?tenant=${t.id}`)).totals.requests;
    expect(recorded).toBe(s.ok);

    // A second run reuses the tenants by name (with new keys) rather than creating more.
    const again = await load(['--rps', '20', '--duration', '1', '--tenants', '3', '--json']);
    expect(again.status, again.stderr).toBe(0);
    const after = (await admin<{ data: { name: string }[] }>(serve.url, ADMIN, 'GET', '/admin/tenants')).data;
    expect(after.filter((t) => t.name.startsWith('load-'))).toHaveLength(3);
  });

  it('sends with given keys, to the chosen models, all streamed, with a readable summary', async () => {
    const t = await admin<{ id: string }>(serve.url, ADMIN, 'POST', '/admin/tenants', { name: 'byo-key' });
    const { key } = await admin<{ key: string }>(serve.url, ADMIN, 'POST', `/admin/tenants/${t.id}/keys`);
    const r = await load(['--rps', '50', '--duration', '1', '--key', key, '--models', 'mock-b', '--stream-share', '1'], {});
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/requests sent in/);
    expect(r.stdout).toMatch(/TTFT \(streams\)/);
    const usage = await admin<{ byModelDay: { model: string }[]; totals: { requests: number } }>(serve.url, ADMIN, 'GET', `/admin/usage?tenant=${t.id}`);
    expect(usage.totals.requests).toBeGreaterThan(0);
    expect(new Set(usage.byModelDay.map((d) => d.model))).toEqual(new Set(['mock-b']));
  });

  it('replays ServeGen clients as tenants', async () => {
    const r = await load(['--servegen', SERVEGEN, '--max-clients', '2', '--rate-scale', '10', '--duration', '2', '--max-output-tokens', '8', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as JsonSummary;
    expect(s.tenants).toEqual(['load-client-35', 'load-client-48']);
    expect(s.ok).toBeGreaterThan(0);
    expect(s.ok).toBe(s.sent);
  });

  it('refuses bad input with exit code 2 and says what to fix', async () => {
    const noRate = await load(['--duration', '1']);
    expect(noRate.status).toBe(2);
    expect(noRate.stderr).toMatch(/--rps/);
    const share = await load(['--rps', '10', '--stream-share', '2']);
    expect(share.status).toBe(2);
    expect(share.stderr).toMatch(/--stream-share.*from 0 to 1/);
    const both = await load(['--rps', '10', '--tenants', '2', '--key', 'tf-x']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--tenants.*--key/);
    const noToken = await load(['--rps', '10', '--duration', '1'], { TOKENFLEET_ADMIN_TOKEN: '' });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/admin token/);
    const badModel = await load(['--rps', '10', '--duration', '1', '--models', 'nope']);
    expect(badModel.status).toBe(2);
    expect(badModel.stderr).toMatch(/does not serve nope.*mock, mock-b/);
    const badKey = await load(['--rps', '10', '--duration', '1', '--key', 'tf-bad-key'], {});
    expect(badKey.status).toBe(1);
    expect(badKey.stderr).toMatch(/401.*--key/);
    const badUrl = await cli(['load', '--url', 'ftp://x', '--rps', '1', '--key', 'k'], {});
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toMatch(/only http/);
  });
});
