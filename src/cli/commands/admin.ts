/** @module `tokenfleet tenants|keys|usage`: the gateway's admin API from the command line. */
import { z } from 'zod';
import { adminCall, adminTarget } from '../admin-client.js';
import { fmtNum, formatTable } from '../format-table.js';
import { parseOptions } from '../parse-options.js';

interface TenantView {
  id: string;
  name: string;
  budgetUsdPerMonth?: number;
  rpm?: number;
  tpm?: number;
  weight: number;
  models?: string[];
}

const common = { url: z.string().optional(), adminToken: z.string().optional(), json: z.boolean().optional() };
const optNum = z.coerce.number({ error: 'expected a number' }).optional();

function print(json: boolean | undefined, value: unknown, readable: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : readable() + '\n');
}

export async function tenantsCreateCommand(raw: unknown): Promise<void> {
  const o = parseOptions(z.object({ ...common, name: z.string().min(1), budgetUsdPerMonth: optNum, rpm: optNum, tpm: optNum, weight: optNum, models: z.array(z.string()).optional() }), raw);
  const body = Object.fromEntries(Object.entries({ name: o.name, budgetUsdPerMonth: o.budgetUsdPerMonth, rpm: o.rpm, tpm: o.tpm, weight: o.weight, models: o.models }).filter(([, v]) => v !== undefined));
  const t = await adminCall<TenantView>(adminTarget(o), 'POST', '/admin/tenants', body);
  print(o.json, t, () => `created tenant ${t.name} (${t.id})`);
}

export async function tenantsListCommand(raw: unknown): Promise<void> {
  const o = parseOptions(z.object(common), raw);
  const r = await adminCall<{ data?: TenantView[] } | TenantView[]>(adminTarget(o), 'GET', '/admin/tenants');
  const list = Array.isArray(r) ? r : (r.data ?? []);
  print(o.json, list, () =>
    formatTable(
      ['id', 'name', 'budget $/month', 'rpm', 'tpm', 'weight', 'models'],
      list.map((t) => [t.id, t.name, t.budgetUsdPerMonth === undefined ? '-' : fmtNum(t.budgetUsdPerMonth, 2), t.rpm === undefined ? '-' : String(t.rpm), t.tpm === undefined ? '-' : String(t.tpm), String(t.weight), t.models?.join(',') ?? 'all']),
    ),
  );
}

export async function keysCreateCommand(tenantId: string, raw: unknown): Promise<void> {
  const o = parseOptions(z.object(common), raw);
  const k = await adminCall<{ id: string; key: string }>(adminTarget(o), 'POST', `/admin/tenants/${encodeURIComponent(tenantId)}/keys`);
  print(o.json, k, () => `key ${k.id} for ${tenantId} (shown once, store it now):\n${k.key}`);
}

export async function keysRevokeCommand(keyId: string, raw: unknown): Promise<void> {
  const o = parseOptions(z.object(common), raw);
  const r = await adminCall<unknown>(adminTarget(o), 'DELETE', `/admin/keys/${encodeURIComponent(keyId)}`);
  print(o.json, r ?? { revoked: keyId }, () => `revoked key ${keyId}`);
}

interface UsageView {
  totals: { requests: number; inputTokens: number; outputTokens: number; cachedTokens: number; costUsd: number };
  byModelDay: { model: string; day: string; requests: number; inputTokens: number; outputTokens: number; cachedTokens: number; costUsd: number }[];
}

export async function usageCommand(raw: unknown): Promise<void> {
  const o = parseOptions(z.object({ ...common, tenant: z.string().min(1), from: z.string().optional(), to: z.string().optional() }), raw);
  const q = new URLSearchParams({ tenant: o.tenant, ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) });
  const u = await adminCall<UsageView>(adminTarget(o), 'GET', `/admin/usage?${q.toString()}`);
  const t = u.totals;
  print(o.json, u, () =>
    [
      `tenant ${o.tenant}: ${fmtNum(t.requests)} requests, ${fmtNum(t.inputTokens)} input, ${fmtNum(t.outputTokens)} output, ${fmtNum(t.cachedTokens)} cached tokens, $${fmtNum(t.costUsd, 4)}`,
      '',
      formatTable(
        ['day', 'model', 'requests', 'input', 'output', 'cached', 'cost $'],
        u.byModelDay.map((d) => [d.day, d.model, fmtNum(d.requests), fmtNum(d.inputTokens), fmtNum(d.outputTokens), fmtNum(d.cachedTokens), fmtNum(d.costUsd, 4)]),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
      ),
    ].join('\n'),
  );
}
