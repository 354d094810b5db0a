/**
 * @module End-to-end tests of the gateway's HTTP server on 127.0.0.1 (a free
 * port): the official `openai` SDK unmodified against it, the admin API,
 * the errors of the request path, rate limits, and the ledger's one record
 * per request (a dropped stream included). SQLite stores in a temp folder,
 * the memory limiter, and emulated backends running 50x faster than modelled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { AuthenticationError, NotFoundError, PermissionDeniedError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../src/gateway/config/gateway-config.js';
import type { Ledger, LedgerRecord } from '../src/gateway/ledger/ledger.js';
import { openSqliteLedger } from '../src/gateway/ledger/sqlite-ledger.js';
import { MemoryLimiter } from '../src/gateway/limits/memory-limiter.js';
import { createGatewayMetrics } from '../src/gateway/metrics/gateway-metrics.js';
import { createConfiguredBackends, type ConfiguredBackends } from '../src/gateway/server/create-configured-backends.js';
import { createGateway, type Gateway } from '../src/gateway/server/create-gateway.js';
import { realGatewayClock, silentLog } from '../src/gateway/server/gateway-context.js';
import { openSqliteTenantStore } from '../src/gateway/tenants/sqlite-tenant-store.js';
import type { TenantStore } from '../src/gateway/tenants/tenant-store.js';

const ADMIN_TOKEN = 'admin-secret-for-tests';
const MODEL = 'llama-3.1-8b';
const OTHER_MODEL = 'llama-small-pool';
const MAX_BODY_BYTES = 64 * 1024;

const CONFIG = `
maxBodyBytes: ${MAX_BODY_BYTES}
requestTimeoutMs: 30000
router: least-outstanding
models:
  - id: ${MODEL}
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.08, cachedInputUsdPerMillion: 0.01 }
    pools:
      - name: h200
        backends:
          - { kind: emulated, accelerator: h200-sxm, engine: vllm, precision: fp8, replicas: 2 }
  - id: ${OTHER_MODEL}
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.2 }
    pools:
      - name: h20
        backends:
          - { kind: emulated, accelerator: h20, engine: vllm, replicas: 1 }
`;

let dir: string;
let ledger: Ledger;
let tenants: TenantStore;
let backends: ConfiguredBackends;
let gateway: Gateway;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenfleet-gateway-'));
  const { config } = parseGatewayConfig(CONFIG, join(dir, 'gateway.yaml'));
  ledger = openSqliteLedger({ dataDir: dir });
  tenants = openSqliteTenantStore({ dataDir: dir, nowMs: () => Date.now() });
  const limiter = new MemoryLimiter({ spendSource: (tenantId) => ledger.monthSpendUsd(tenantId, Date.now()) });
  backends = createConfiguredBackends(config, { timeScale: 0.02 });
  gateway = createGateway({
    config,
    tenants,
    ledger,
    limiter,
    metrics: createGatewayMetrics(),
    backendsByModel: backends.backendsByModel,
    clock: realGatewayClock,
    adminToken: ADMIN_TOKEN,
    log: silentLog,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await gateway?.close({ drainTimeoutMs: 1000 });
  backends?.close();
  await ledger?.close();
  await tenants?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Reply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

async function call<T = unknown>(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(base + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

const admin = <T = unknown>(method: string, path: string, body?: unknown) => call<T>(method, path, { token: ADMIN_TOKEN, body });

interface TenantReply {
  readonly id: string;
  readonly name: string;
  readonly rpm?: number;
  readonly models?: string[];
}

async function newTenant(fields: Record<string, unknown> = {}): Promise<{ tenant: TenantReply; key: string; keyId: string }> {
  const t = await admin<TenantReply>('POST', '/admin/tenants', { name: `t-${Math.random().toString(36).slice(2, 8)}`, ...fields });
  expect(t.status).toBe(201);
  const k = await admin<{ id: string; key: string }>('POST', `/admin/tenants/${t.body.id}/keys`);
  expect(k.status).toBe(201);
  return { tenant: t.body, key: k.body.key, keyId: k.body.id };
}

function sdk(apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
}

const PROMPT = 'Say hello to the fleet.';
/** The gateway's count of PROMPT as one user message: 6 o200k_base tokens + 4 message overhead (3 + role) + 3 reply priming. */
const PROMPT_TOKENS = 13;
/** A raw chat body, for requests sent without the SDK. */
const chatBody = (extra: Record<string, unknown> = {}) => ({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 8, ...extra });
const plainChat = (extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}): ChatCompletionCreateParamsNonStreaming => ({
  model: MODEL,
  messages: [{ role: 'user', content: PROMPT }],
  max_tokens: 8,
  ...extra,
});
const streamedChat = (extra: Partial<ChatCompletionCreateParamsStreaming> = {}): ChatCompletionCreateParamsStreaming => ({
  model: MODEL,
  messages: [{ role: 'user', content: PROMPT }],
  max_tokens: 8,
  stream: true,
  ...extra,
});

async function records(tenantId: string): Promise<LedgerRecord[]> {
  const r = await admin<{ data: LedgerRecord[] }>('GET', `/admin/requests?tenant=${tenantId}`);
  expect(r.status).toBe(200);
  return r.body.data;
}

interface ErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}

function expectOpenAiError(r: Reply, status: number): ErrorBody['error'] {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const body = r.body as ErrorBody;
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.message).not.toMatch(/\n\s+at /);
  expect(r.headers.get('x-request-id')).toMatch(/^(chatcmpl|cmpl|req)-[0-9a-f]{28}$/);
  return body.error;
}

describe('admin API', () => {
  it('requires the admin token: none, a tenant key or a wrong token give 401', async () => {
    const { key } = await newTenant();
    expectOpenAiError(await call('GET', '/admin/tenants'), 401);
    expectOpenAiError(await call('GET', '/admin/tenants', { token: key }), 401);
    expectOpenAiError(await call('GET', '/admin/tenants', { token: 'not-the-admin-token' }), 401);
    expectOpenAiError(await call('POST', '/admin/tenants', { token: key, body: { name: 'x' } }), 401);
  });

  it('creates a tenant and a key, lists them, and refuses a bad tenant with the field', async () => {
    const { tenant, key, keyId } = await newTenant({ rpm: 100, models: [MODEL] });
    expect(tenant).toMatchObject({ rpm: 100, models: [MODEL] });
    expect(tenant.id).toMatch(/^ten_/);
    expect(key).toMatch(new RegExp(`^tf-${keyId}-`));
    const list = await admin<{ data: TenantReply[] }>('GET', '/admin/tenants');
    expect(list.body.data.map((t) => t.id)).toContain(tenant.id);
    const keys = await admin<{ data: { keyId: string; hash?: string }[] }>('GET', `/admin/tenants/${tenant.id}/keys`);
    expect(keys.body.data).toEqual([expect.objectContaining({ keyId })]);
    expect(JSON.stringify(keys.body)).not.toContain(key);
    const bad = expectOpenAiError(await admin('POST', '/admin/tenants', { name: 'x', rpm: -1 }), 400);
    expect(bad.param).toBe('rpm');
    expectOpenAiError(await admin('POST', '/admin/tenants/ten_nosuchtenant/keys'), 404);
    expectOpenAiError(await admin('DELETE', '/admin/keys/000000000000'), 404);
  });
});

describe('OpenAI SDK, unmodified', () => {
  it('lists the models', async () => {
    const { key } = await newTenant();
    const ids = [];
    for await (const m of sdk(key).models.list()) ids.push(m.id);
    expect(ids).toEqual([MODEL, OTHER_MODEL]);
    const restricted = await newTenant({ models: [OTHER_MODEL] });
    const page = await sdk(restricted.key).models.list();
    expect(page.data.map((m) => m.id)).toEqual([OTHER_MODEL]);
  });

  it('runs a plain chat completion whose id is the x-request-id', async () => {
    const { key } = await newTenant();
    const { data, response } = await sdk(key).chat.completions.create(plainChat()).withResponse();
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(response.headers.get('x-request-id')).toBe(data.id);
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(MODEL);
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(data.choices[0]?.message.content?.split(' ')).toHaveLength(8);
    expect(data.choices[0]?.finish_reason).toBe('length');
    expect(data.usage).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 8, total_tokens: PROMPT_TOKENS + 8 });
  });

  it('streams a chat completion, with the usage in the last chunk when asked', async () => {
    const { key } = await newTenant();
    const stream = await sdk(key).chat.completions.create(streamedChat({ max_tokens: 12, stream_options: { include_usage: true } }));
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.split(' ')).toHaveLength(12);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 12, prompt_tokens: PROMPT_TOKENS });
    expect(chunks.slice(0, -1).every((c) => c.usage == null)).toBe(true);
  });

  it('runs a plain and a streamed text completion', async () => {
    const { key } = await newTenant();
    const plain = await sdk(key).completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 5 });
    expect(plain.id).toMatch(/^cmpl-/);
    expect(plain.choices[0]?.text.split(' ')).toHaveLength(5);
    expect(plain.usage?.completion_tokens).toBe(5);
    const stream = await sdk(key).completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 4, stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.text ?? '';
    expect(text.split(' ')).toHaveLength(4);
  });

  it('throws AuthenticationError for a wrong key and for a revoked one', async () => {
    const wrong = `tf-000000000000-${'a'.repeat(43)}`;
    await expect(sdk(wrong).chat.completions.create(plainChat())).rejects.toBeInstanceOf(AuthenticationError);
    const { key, keyId } = await newTenant();
    await sdk(key).chat.completions.create(plainChat({ max_tokens: 1 }));
    expect((await admin('DELETE', `/admin/keys/${keyId}`)).status).toBe(200);
    await expect(sdk(key).chat.completions.create(plainChat())).rejects.toBeInstanceOf(AuthenticationError);
    expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, body: chatBody() }), 401);
    expectOpenAiError(await call('POST', '/v1/chat/completions', { body: chatBody() }), 401);
  });

  it('throws NotFoundError for an unknown model and PermissionDeniedError for a model not allowed', async () => {
    const { key } = await newTenant({ models: [OTHER_MODEL] });
    await expect(sdk(key).chat.completions.create(plainChat({ model: 'no-such-model' }))).rejects.toBeInstanceOf(NotFoundError);
    await expect(sdk(key).chat.completions.create(plainChat())).rejects.toBeInstanceOf(PermissionDeniedError);
    const ok = await sdk(key).chat.completions.create(plainChat({ model: OTHER_MODEL, max_tokens: 2 }));
    expect(ok.usage?.completion_tokens).toBe(2);
  });
});

describe('request path errors', () => {
  it('answers 413 to a body over maxBodyBytes', async () => {
    const { key } = await newTenant();
    const big = chatBody({ messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY_BYTES + 1000) }] });
    const e = expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, body: big }), 413);
    expect(e.code).toBe('request_too_large');
  });

  it('answers 400 to malformed JSON and to wrong types, naming the field', async () => {
    const { key } = await newTenant();
    const malformed = expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, raw: '{"model": "x",' }), 400);
    expect(malformed.message).toMatch(/malformed JSON/);
    const wrongType = expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, body: { model: MODEL, messages: 'hi' } }), 400);
    expect(wrongType.param).toBe('messages');
    const badRole = expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, body: chatBody({ messages: [{ role: 'robot', content: 'x' }] }) }), 400);
    expect(badRole.param).toBe('messages[0].role');
    const badMax = expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, body: chatBody({ max_tokens: 'many' }) }), 400);
    expect(badMax.param).toBe('max_tokens');
  });

  it('answers 404 to an unknown model and to an unknown route', async () => {
    const { key } = await newTenant();
    const e = expectOpenAiError(await call('POST', '/v1/chat/completions', { token: key, body: chatBody({ model: 'gpt-9' }) }), 404);
    expect(e.code).toBe('model_not_found');
    expect(e.message).toContain(MODEL);
    expectOpenAiError(await call('GET', '/v1/nothing-here'), 404);
    expectOpenAiError(await call('GET', '/v1/chat/completions'), 405);
  });

  it('refuses the third request of a tenant limited to 2 per minute with 429 and Retry-After', async () => {
    const { tenant, key } = await newTenant({ rpm: 2 });
    for (let i = 0; i < 2; i++) expect((await call('POST', '/v1/chat/completions', { token: key, body: chatBody({ max_tokens: 1 }) })).status).toBe(200);
    const third = await call('POST', '/v1/chat/completions', { token: key, body: chatBody({ max_tokens: 1 }) });
    const e = expectOpenAiError(third, 429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.message).toMatch(/2 requests per minute/);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const rejected = (await records(tenant.id)).filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => r.requestId)).toEqual([third.headers.get('x-request-id')]);
  });
});

describe('ledger', () => {
  it('has exactly one record per completed request, with the response id, and per-tenant usage', async () => {
    const { tenant, key } = await newTenant();
    const other = await newTenant();
    await sdk(other.key).chat.completions.create(plainChat({ max_tokens: 3 }));

    const ids: string[] = [];
    for (const max of [2, 3, 4]) ids.push((await sdk(key).chat.completions.create(plainChat({ max_tokens: max }))).id);
    const stream = await sdk(key).chat.completions.create(streamedChat({ max_tokens: 5 }));
    let streamId = '';
    for await (const c of stream) streamId = c.id;
    ids.push(streamId);

    const recs = await records(tenant.id);
    expect(recs.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    for (const r of recs) {
      expect(r).toMatchObject({ tenantId: tenant.id, model: MODEL, pool: 'h200', status: 'ok', inputTokens: PROMPT_TOKENS, cachedTokens: 0 });
      expect(r.backend).toMatch(/^h200-[01]$/);
      expect(r.ttftMs).toBeGreaterThan(0);
      expect(r.latencyMs).toBeGreaterThanOrEqual(r.ttftMs!);
    }
    expect(recs.map((r) => r.outputTokens).sort()).toEqual([2, 3, 4, 5]);

    const usage = await admin<{ totals: Record<string, number>; byModelDay: { model: string }[] }>('GET', `/admin/usage?tenant=${tenant.id}`);
    expect(usage.status).toBe(200);
    expect(usage.body.totals).toMatchObject({ requests: 4, inputTokens: 4 * PROMPT_TOKENS, outputTokens: 14, cachedTokens: 0 });
    expect(usage.body.totals['costUsd']).toBeCloseTo((4 * PROMPT_TOKENS * 0.05 + 14 * 0.08) / 1e6, 12);
    expect(usage.body.byModelDay).toEqual([expect.objectContaining({ model: MODEL, requests: 4 })]);
    const otherUsage = await admin<{ totals: { requests: number } }>('GET', `/admin/usage?tenant=${other.tenant.id}`);
    expect(otherUsage.body.totals.requests).toBe(1);
    expectOpenAiError(await call('GET', `/admin/usage?tenant=${tenant.id}`, { token: other.key }), 401);
    expectOpenAiError(await admin('GET', '/admin/usage'), 400);
    expectOpenAiError(await admin('GET', '/admin/usage?tenant=ten_nosuchtenant'), 404);
  });

  it('records a stream the client dropped as client-disconnected, with the tokens delivered', async () => {
    const { tenant, key } = await newTenant();
    const maxTokens = 2000;
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(chatBody({ max_tokens: maxTokens, stream: true })),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const requestId = res.headers.get('x-request-id');
    const reader = res.body!.getReader();
    let received = '';
    while ((received.match(/"content":/g) ?? []).length < 6) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    await reader.cancel().catch(() => {});

    let rec: LedgerRecord | undefined;
    for (let i = 0; i < 200 && rec === undefined; i++) {
      rec = (await records(tenant.id)).find((r) => r.requestId === requestId);
      if (rec === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(rec).toBeDefined();
    expect(rec!.status).toBe('client-disconnected');
    expect(rec!.outputTokens).toBeGreaterThanOrEqual(5);
    expect(rec!.outputTokens).toBeLessThan(maxTokens);
    expect(rec!.costUsd).toBeCloseTo((PROMPT_TOKENS * 0.05 + rec!.outputTokens * 0.08) / 1e6, 12);
  });
});

describe('operations', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await call<{ status: string; models: { id: string; healthy: number }[] }>('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.models).toEqual([expect.objectContaining({ id: MODEL, healthy: 2 }), expect.objectContaining({ id: OTHER_MODEL, healthy: 1 })]);
    const res = await fetch(`${base}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('tokenfleet_gateway_requests_total{');
    expect(text).toMatch(/tokenfleet_gateway_rejections_total\{reason="unauthenticated"\} [1-9]/);
  });
});
