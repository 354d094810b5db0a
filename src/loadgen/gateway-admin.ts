/**
 * @module What a load run asks the gateway before it starts: the tenants it
 * sends as (found by name or created through the admin API, each with a new
 * key) and the models a key may use (`GET /v1/models`).
 */
import { TokenfleetError } from '../core/errors.js';
import type { PlannedTenant } from './tenant-plan.js';

/** A tenant ready to send as. */
export interface LoadTenant {
  readonly name: string;
  /** Tenant id on the gateway (undefined when only the key was given). */
  readonly tenantId?: string;
  /** The API key, `Authorization: Bearer <key>`. */
  readonly key: string;
}

async function call<T>(baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (e) {
    const cause = (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new TokenfleetError(`cannot reach the gateway at ${baseUrl}: ${cause} (is \`tokenfleet serve\` running? see --url)`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: the text is the message
    }
    const hint = res.status === 401 && path.startsWith('/admin') ? ' (check --admin-token or TOKENFLEET_ADMIN_TOKEN)' : res.status === 401 ? ' (check --key)' : '';
    throw new TokenfleetError(`${method} ${path}: ${res.status} ${message}${hint}`);
  }
  return JSON.parse(text) as T;
}

/** Finds each planned tenant by name (the first of that name) or creates it, then creates a key for it. */
export async function provisionTenants(baseUrl: string, adminToken: string, plan: readonly PlannedTenant[]): Promise<LoadTenant[]> {
  const existing = await call<{ data: { id: string; name: string }[] }>(baseUrl, adminToken, 'GET', '/admin/tenants');
  const byName = new Map<string, string>();
  for (const t of existing.data) if (!byName.has(t.name)) byName.set(t.name, t.id);
  const out: LoadTenant[] = [];
  for (const p of plan) {
    const tenantId = byName.get(p.name) ?? (await call<{ id: string }>(baseUrl, adminToken, 'POST', '/admin/tenants', { name: p.name, weight: p.weight })).id;
    const created = await call<{ key: string }>(baseUrl, adminToken, 'POST', `/admin/tenants/${encodeURIComponent(tenantId)}/keys`);
    out.push({ name: p.name, tenantId, key: created.key });
  }
  return out;
}

/** The ids of the models `key` may use. */
export async function listModels(baseUrl: string, key: string): Promise<string[]> {
  const r = await call<{ data: { id: string }[] }>(baseUrl, key, 'GET', '/v1/models');
  return r.data.map((m) => m.id);
}
