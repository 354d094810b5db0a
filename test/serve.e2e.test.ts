/**
 * @module End-to-end test of `tokenfleet serve` (what `npm start` runs): the
 * default gateway.yaml on emulated backends starts, prints a working demo key
 * and curl example, serves a chat completion, and stops cleanly on SIGTERM.
 * Needs `npm run build` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe('tokenfleet serve', () => {
  it('serves the default emulated fleet with the printed demo key, then stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tf-serve-'));
    // --no-plan: the dashboard's start-up plan (a core for ~20 s) is covered by test/dashboard-api.e2e.test.ts; here it would
    // only slow this test down.
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--quiet', '--no-plan'], { cwd: ROOT, env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: 'test-admin' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !/Try it/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/[^\s]+)/.exec(out)?.[1];
    const key = /new key: (tf-\S+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect(key, out).toBeDefined();
    expect(out).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBe(8);
    const admin = await fetch(`${url}/admin/tenants`, { headers: { authorization: 'Bearer test-admin' } });
    expect(admin.status).toBe(200);

    // The admin CLI against the running gateway.
    const env = { ...process.env, TOKENFLEET_ADMIN_TOKEN: 'test-admin' };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--url', url!], { cwd: ROOT, encoding: 'utf8', env });
    const created = run('tenants', 'create', '--name', 'acme', '--rpm', '100', '--json');
    expect(created.status, created.stderr).toBe(0);
    const tenantId = (JSON.parse(created.stdout) as { id: string }).id;
    expect(run('tenants', 'list').stdout).toMatch(/acme/);
    const keyOut = run('keys', 'create', tenantId, '--json');
    const newKey = JSON.parse(keyOut.stdout) as { id: string; key: string };
    const ok = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${newKey.key}` } });
    expect(ok.status).toBe(200);
    await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${newKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }),
    });
    const usage = JSON.parse(run('usage', '--tenant', tenantId, '--json').stdout) as { totals: { requests: number; outputTokens: number } };
    expect(usage.totals.requests).toBe(1);
    expect(usage.totals.outputTokens).toBe(4);
    expect(run('keys', 'revoke', newKey.id).status).toBe(0);
    const revoked = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${newKey.key}` } });
    expect(revoked.status).toBe(401);
    const noToken = spawnSync(process.execPath, [CLI, 'tenants', 'list', '--url', url!], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: '' } });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/admin token/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('runs a gentle demo load with --demo-load (what npm start does), visible in the live figures, and still stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tf-serve-load-'));
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--quiet', '--no-plan', '--demo-load', '5'], {
      cwd: ROOT,
      env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: 'test-admin' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 400 && !/demo load runs/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/demo load runs in the background: 5 request\(s\)\/s over tenants load-1, load-2, load-3/);
    const url = /listening on (http:\/\/[^\s]+)/.exec(out)![1]!;
    let ok = 0;
    for (let i = 0; i < 600 && ok < 3; i++) {
      const live = (await (await fetch(`${url}/api/live`)).json()) as { requests: { ok: number } };
      ok = live.requests.ok;
      if (ok < 3) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).toBeGreaterThanOrEqual(3);
    const tenants = (await (await fetch(`${url}/admin/tenants`, { headers: { authorization: 'Bearer test-admin' } })).json()) as { data: { name: string }[] };
    const names = tenants.data.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['load-1', 'load-2', 'load-3']));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('says so, without a stack trace, when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'tf-serve-port-'));
      const r = spawnSync(process.execPath, [CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--quiet', '--no-plan'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: 'test-admin' },
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`port: 127.0.0.1:${port} is already in use`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
  });
});

