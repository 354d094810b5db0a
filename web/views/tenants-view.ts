/**
 * @module Tenants (admin): usage per tenant (tokens, cost, budget burned),
 * limits and rejections; creating a tenant, and a key shown once with a curl
 * example.
 */
import { adminToken } from '../admin-token.js';
import { errorText, getJson, getAdmin, needsAdmin, postAdmin } from '../api.js';
import type { CreatedKey, LiveStats, LiveTenant, LiveTenants, Tenant } from '../api-types.js';
import { field, h, replace, table } from '../dom.js';
import { integer, percent, tokensPerSecond, usd } from '../format.js';
import { every, type View } from '../view.js';

function budgetMeter(t: LiveTenant): HTMLElement | string {
  if (t.budgetUsdPerMonth === null || t.budgetUsdPerMonth === undefined) return `${usd(t.spentThisMonthUsd)} (no budget)`;
  const used = t.budgetUsdPerMonth > 0 ? t.spentThisMonthUsd / t.budgetUsdPerMonth : 1;
  return h(
    'div',
    { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': t.budgetUsdPerMonth, 'aria-valuenow': t.spentThisMonthUsd, 'aria-label': `${t.name}: budget burned` },
    h('div', { class: 'bar' }, h('div', { class: `fill${used >= 0.8 ? ' high' : ''}`, style: `width:${Math.min(100, 100 * used)}%` })),
    `${usd(t.spentThisMonthUsd)} of ${usd(t.budgetUsdPerMonth)} (${percent(used)})`,
  );
}

const limit = (v: number | null | undefined, unit: string) => (v === null || v === undefined ? 'none' : `${integer(v)} ${unit}`);

function usageTable(data: LiveTenants, onKey: (t: LiveTenant) => void): HTMLElement {
  if (data.tenants.length === 0) return h('p', { class: 'empty' }, 'No tenants yet: create one below.');
  return table(
    'Tenants: usage this UTC month (from the ledger) and since this server started',
    ['Tenant', 'Tokens this month', 'Cost this month', 'Budget burned this month', 'Limits (RPM / TPM / weight)', 'Models', 'Since start: tokens, requests', 'Tokens/s now', 'Rejections since start (RPM / TPM / budget)', 'Key'],
    data.tenants.map((t) => {
      const r = t.rejectionsSinceStart;
      const rejected = r.rpm + r.tpm + r.budget;
      return [
        h('span', { title: t.id }, h('strong', {}, t.name), h('br'), h('code', { class: 'hint' }, t.id)),
        integer(t.monthTokens),
        usd(t.monthCostUsd),
        budgetMeter(t),
        `${limit(t.rpm, 'req/min')} / ${limit(t.tpm, 'tok/min')} / ${t.weight}`,
        t.models === null || t.models === undefined ? 'all' : t.models.join(', '),
        `${integer(t.tokensSinceStart)} tokens, ${integer(t.requestsSinceStart)} requests`,
        tokensPerSecond(t.tokensPerSecond),
        h('span', { class: rejected > 0 ? 'badge bad' : '' }, `${r.rpm} / ${r.tpm} / ${r.budget}`),
        h('button', { type: 'button', class: 'secondary', 'aria-label': `Create a key for ${t.name}`, onclick: () => onKey(t) }, 'New key'),
      ];
    }),
    [1, 2, 7],
  );
}

function optionalNumber(input: HTMLInputElement): number | undefined {
  return input.value.trim() === '' ? undefined : Number(input.value);
}

/** The key, once, with a copy button and a curl call that works as is. */
function keyPanel(tenantName: string, created: CreatedKey, model: string): HTMLElement {
  const curl = `curl -s ${location.origin}/v1/chat/completions \\\n  -H "Authorization: Bearer ${created.key}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 16}'`;
  const copied = h('span', { role: 'status', 'aria-live': 'polite', class: 'hint' });
  const copy = (text: string) => async () => {
    try {
      await navigator.clipboard.writeText(text);
      copied.textContent = 'Copied.';
    } catch {
      copied.textContent = 'Copying was refused by the browser: select the text and copy it.';
    }
  };
  return h(
    'section',
    { class: 'secret', 'aria-labelledby': 'new-key-title' },
    h('h3', { id: 'new-key-title' }, `New API key for ${tenantName}`),
    h('p', {}, 'Copy it now: it is shown only once (the gateway keeps only its hash).'),
    h('p', {}, h('code', { id: 'new-key', class: 'key' }, created.key), ' ', h('button', { type: 'button', class: 'secondary', onclick: copy(created.key) }, 'Copy key'), ' ', copied),
    h('p', {}, 'Try it:'),
    h('pre', { id: 'new-key-curl' }, curl),
    h('button', { type: 'button', class: 'secondary', onclick: copy(curl) }, 'Copy the curl command'),
  );
}

export const tenantsView: View = {
  route: 'tenants',
  title: 'Tenants',
  mount(root) {
    const token = adminToken();
    replace(root, h('h1', {}, 'Tenants'), h('p', { class: 'lede' }, 'Each tenant has API keys, a monthly budget, rate limits (requests and tokens per minute) and a weight for fair sharing when the fleet is saturated. Costs are the model prices of gateway.yaml applied to the metered tokens.'));
    if (token === null) {
      root.append(h('p', { class: 'notice' }, 'This page needs the admin token: open the URL that tokenfleet serve printed (it ends in #admin=…), or paste the token in the field at the top right.'));
      return () => undefined;
    }
    const status = h('div', { role: 'status', 'aria-live': 'polite' });
    const usage = h('div', {}, h('p', { class: 'empty' }, 'Loading…'));
    const keyOut = h('div', {});
    let model = 'llama-3.1-8b';
    void getJson<LiveStats>('/api/live').then((l) => (model = l.pools[0]?.model ?? model), () => undefined);

    const makeKey = async (t: { id: string; name: string }) => {
      try {
        const created = await postAdmin<CreatedKey>(`/admin/tenants/${encodeURIComponent(t.id)}/keys`, {});
        replace(keyOut, keyPanel(t.name, created, model));
        keyOut.querySelector('h3')?.setAttribute('tabindex', '-1');
        (keyOut.querySelector('h3') as HTMLElement | null)?.focus();
      } catch (err) {
        replace(keyOut, h('p', { class: 'error' }, `Could not create a key: ${errorText(err)}`));
      }
    };

    const refresh = async () => {
      try {
        replace(usage, usageTable(await getAdmin<LiveTenants>('/api/tenants/live'), (t) => void makeKey(t)));
        replace(status);
      } catch (err) {
        replace(status, h('p', { class: 'error' }, needsAdmin(err) ? `The admin token was refused (${errorText(err)}): forget it and paste the right one.` : `Tenants unavailable: ${errorText(err)}`));
      }
    };

    const name = h('input', { type: 'text', id: 'tenant-name', name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
    const budget = h('input', { type: 'number', id: 'tenant-budget', name: 'budgetUsdPerMonth', min: 0, step: 'any' });
    const rpm = h('input', { type: 'number', id: 'tenant-rpm', name: 'rpm', min: 1, step: 1 });
    const tpm = h('input', { type: 'number', id: 'tenant-tpm', name: 'tpm', min: 1, step: 1 });
    const weight = h('input', { type: 'number', id: 'tenant-weight', name: 'weight', min: 1, step: 1, value: 1 });
    const models = h('input', { type: 'text', id: 'tenant-models', name: 'models', placeholder: 'all' });
    const withKey = h('input', { type: 'checkbox', id: 'tenant-with-key', name: 'withKey', checked: true });
    const formStatus = h('div', { role: 'status', 'aria-live': 'polite' });
    const form = h(
      'form',
      {
        class: 'panel',
        'aria-labelledby': 'create-tenant-title',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const body: Record<string, unknown> = { name: name.value.trim() };
          for (const [k, input] of [['budgetUsdPerMonth', budget], ['rpm', rpm], ['tpm', tpm], ['weight', weight]] as const) {
            const v = optionalNumber(input);
            if (v !== undefined) body[k] = v;
          }
          const list = models.value.split(',').map((m) => m.trim()).filter((m) => m !== '');
          if (list.length > 0) body['models'] = list;
          try {
            const tenant = await postAdmin<Tenant>('/admin/tenants', body);
            replace(formStatus, h('p', { class: 'notice' }, `Tenant ${tenant.name} created (${tenant.id}).`));
            form.reset();
            if (withKey.checked) await makeKey(tenant);
            await refresh();
          } catch (err) {
            replace(formStatus, h('p', { class: 'error' }, `Could not create the tenant: ${errorText(err)}`));
          }
        },
      },
      h('h2', { id: 'create-tenant-title' }, 'Create a tenant'),
      h(
        'div',
        { class: 'form-row' },
        field('Name', name),
        field('Budget (USD per month)', budget, 'empty: no budget'),
        field('Requests per minute', rpm, 'empty: no limit'),
        field('Tokens per minute', tpm, 'empty: no limit'),
        field('Weight', weight, 'share when saturated'),
        field('Models', models, 'ids, comma-separated; empty: all'),
        h('div', { class: 'field' }, h('label', { for: withKey.id }, withKey, ' Also create an API key')),
        h('button', { type: 'submit' }, 'Create tenant'),
      ),
      formStatus,
    );
    replace(root, ...Array.from(root.childNodes), status, keyOut, h('h2', {}, 'Usage and limits'), usage, form);
    const stop = every(3000, refresh);
    return stop;
  },
};
