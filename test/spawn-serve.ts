/**
 * @module Test helper: `node dist/cli/main.js serve` as a child process on a
 * free port, resolved once it prints its URL (needs `npm run build` first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface ServeProcess {
  readonly child: ChildProcess;
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Resolves with the exit code or signal when the process ends. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** What it wrote to stdout and stderr so far (for failure messages). */
  output(): string;
}

/** Starts `tokenfleet serve --config <config> --port 0 [--data-dir dir] --quiet` with `adminToken`. */
export async function startServe(config: string, adminToken: string, dataDir?: string): Promise<ServeProcess> {
  const args = [CLI, 'serve', '--config', config, '--port', '0', '--quiet', ...(dataDir !== undefined ? ['--data-dir', dataDir] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: adminToken } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited (${String(code)}) before listening:\n${out}`)));
  });
  return { child, url, exited, output: () => out };
}

/** Calls the admin API and returns the parsed JSON; throws with the body on a non-2xx answer. */
export async function admin<T>(url: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}
