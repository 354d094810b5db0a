/** @module A small client of the gateway's admin API for the CLI (tenants, keys, usage), with errors that say what failed. */
import { readEnv } from '../config/env.js';
import { InvalidInputError, TokenfleetError } from '../core/errors.js';

export interface AdminTarget {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly token: string;
}

/** The gateway and the admin token from --url / --admin-token or TOKENFLEET_ADMIN_TOKEN. */
export function adminTarget(opts: { url?: string; adminToken?: string }): AdminTarget {
  const token = opts.adminToken ?? readEnv().adminToken;
  if (!token) throw new InvalidInputError('no admin token: pass --admin-token or set TOKENFLEET_ADMIN_TOKEN (the gateway prints it at start)', '--admin-token');
  return { url: (opts.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), token };
}

/** Calls the admin API; a non-2xx answer becomes an error with the gateway's message and status. */
export async function adminCall<T>(target: AdminTarget, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new TokenfleetError(`cannot reach the gateway at ${target.url}: ${(e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message} (is \`tokenfleet serve\` running?)`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? (text.slice(0, 200) || res.statusText);
    const err = new TokenfleetError(`${method} ${path}: ${res.status} ${message}`);
    throw res.status >= 400 && res.status < 500 ? Object.assign(err, { exitCode: 2 }) : err;
  }
  return parsed as T;
}
