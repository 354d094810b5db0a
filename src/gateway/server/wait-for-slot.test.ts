/**
 * The fair queue through a real gateway (HTTP on 127.0.0.1): a model whose
 * one backend takes two requests at once, held busy until the test opens a
 * gate, serves two backlogged tenants in proportion to their weights, refuses
 * past the queue bound with 429 queue_full, lets a client that goes away
 * leave the queue, and answers waiting requests at close().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendChatRequest } from '../backends/backend.js';
import { ChunkStream } from '../backends/chunk-stream.js';
import { parseGatewayConfig } from '../config/gateway-config.js';
import type { Ledger, LedgerRecord } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.js';
import { openSqliteTenantStore } from '../tenants/sqlite-tenant-store.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import type { Gateway } from './create-gateway.js';
import { listenTestGateway } from './listen-test-gateway.js';

const MAX_QUEUED = 46;
const CONFIG = `
router: least-outstanding
fairQueue: { maxQueuedPerModel: ${MAX_QUEUED}, maxWaitMs: 60000 }
models:
  - id: busy
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 }
    pools: [{ name: p-busy, backends: [{ kind: emulated, accelerator: h200-sxm }] }]
`;

/** A gate the backend's requests wait on before they produce their tokens. */
function newGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
let gate = newGate();

/** Request ids in the order the backend received them. */
const calls: string[] = [];

/** Takes two requests at once; each waits for the gate, then streams four tokens and its usage. */
const backend: Backend = {
  id: 'g0',
  pool: 'p-busy',
  model: 'busy',
  maxInFlight: 2,
  chat(req: BackendChatRequest) {
    calls.push(req.requestId);
    const s = new ChunkStream();
    let aborted = false;
    req.signal.addEventListener(
      'abort',
      () => {
        aborted = true;
        s.end();
      },
      { once: true },
    );
    void gate.opened.then(async () => {
      for (let i = 0; i < 4 && !aborted; i++) {
        s.push({ type: 'token', text: ' x' });
        await new Promise((r) => setImmediate(r));
      }
      s.push({ type: 'done', usage: { promptTokens: 10, completionTokens: 4, cachedTokens: 0 }, finishReason: 'length' });
      s.end();
    });
    return s;
  },
  health: () => Promise.resolve(true),
  snapshot: () => ({ outstanding: 0, queuedPromptTokens: 0 }),
};

let dir: string;
let ledger: Ledger;
let tenants: TenantStore;
let metrics: GatewayMetrics;
let gateway: Gateway;
let port: number;
const keys: Record<'light' | 'heavy', string> = { light: '', heavy: '' };
const tenantIds: Record<'light' | 'heavy', string> = { light: '', heavy: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenfleet-fair-'));
  const { config } = parseGatewayConfig(CONFIG, join(dir, 'gateway.yaml'));
  ledger = openSqliteLedger({ dataDir: dir });
  tenants = openSqliteTenantStore({ dataDir: dir, nowMs: () => Date.now() });
  for (const [name, weight] of [['light', 1], ['heavy', 3]] as const) {
    const t = await tenants.createTenant({ name, weight });
    tenantIds[name] = t.id;
    keys[name] = (await tenants.createKey(t.id)).key;
  }
  metrics = createGatewayMetrics();
  ({ gateway, port } = await listenTestGateway({ config, tenants, ledger, metrics, backendsByModel: new Map([['busy', [backend]]]) }));
});

afterAll(async () => {
  gate.open();
  await gateway?.close({ drainTimeoutMs: 100 });
  await ledger?.close();
  await tenants?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  readonly status: number;
  readonly id: string;
  readonly retryAfter: string | null;
  readonly body: { error?: { code: string } };
}

async function complete(tenant: 'light' | 'heavy', signal?: AbortSignal): Promise<Reply> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'busy', messages: [{ role: 'user', content: 'hello world!' }], max_tokens: 4 }),
    ...(signal !== undefined && { signal }),
  });
  return { status: res.status, id: res.headers.get('x-request-id')!, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Reply['body'] };
}

async function queueDepth(): Promise<number> {
  const line = (await metrics.metricsText()).split('\n').find((l) => l.startsWith('tokenfleet_gateway_queue_depth{model="busy"} '));
  return Number(line?.split(' ')[1]);
}

/** Polls until `cond` holds (the test's own timeout bounds the wait). */
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 5));
}

async function records(tenant: 'light' | 'heavy'): Promise<LedgerRecord[]> {
  return (await ledger.requests({ tenantId: tenantIds[tenant], limit: 1000 })).records;
}

describe('fair queue in the gateway', () => {
  it('serves a saturated model to two tenants in proportion to their weights, and answers 429 queue_full past the bound', async () => {
    const tenantOf = new Map<string, 'light' | 'heavy'>();
    const pending: Promise<Reply>[] = [];
    for (let i = 0; i < 24; i++) {
      for (const t of ['light', 'heavy'] as const) {
        pending.push(
          complete(t).then((r) => {
            tenantOf.set(r.id, t);
            return r;
          }),
        );
      }
    }
    // Two requests hold the backend's two slots; the other 46 wait.
    await until(async () => (await queueDepth()) === MAX_QUEUED);
    expect(calls).toHaveLength(2);

    const refused = await complete('light');
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('queue_full');
    expect(refused.retryAfter).toBe('1');
    expect((await records('light')).find((r) => r.requestId === refused.id)).toMatchObject({ status: 'rejected', backend: '', outputTokens: 0, costUsd: 0 });
    expect(await metrics.metricsText()).toMatch(/rejections_total\{reason="queue_full"\} 1\n/);

    gate.open();
    const replies = await Promise.all(pending);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    expect(await queueDepth()).toBe(0);
    // While both were backlogged (the first 20 dispatches from the queue), weight 3 got three times the service of weight 1.
    const fromQueue = calls.slice(2, 22).map((id) => tenantOf.get(id));
    const heavy = fromQueue.filter((t) => t === 'heavy').length;
    expect(heavy).toBeGreaterThanOrEqual(14);
    expect(heavy).toBeLessThanOrEqual(16);
    expect((await records('heavy')).filter((r) => r.status === 'ok')).toHaveLength(24);
  });

  it('takes a queued request whose client went away out of the queue, recorded as client-disconnected at no cost', async () => {
    gate = newGate();
    const before = calls.length;
    const holders = [complete('heavy'), complete('heavy')];
    await until(async () => calls.length === before + 2);
    const gone = new AbortController();
    const abandoned = complete('light', gone.signal).catch((e: unknown) => e);
    await until(async () => (await queueDepth()) === 1);
    gone.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await until(async () => (await records('light')).some((r) => r.status === 'client-disconnected'));
    expect((await records('light')).find((r) => r.status === 'client-disconnected')).toMatchObject({ backend: '', outputTokens: 0, costUsd: 0 });
    expect(await queueDepth()).toBe(0);
    gate.open();
    expect((await Promise.all(holders)).map((r) => r.status)).toEqual([200, 200]);
    expect(calls).toHaveLength(before + 2); // the request that left never reached the backend
  });

  it('close() answers waiting requests at once with 503 shutting_down', async () => {
    gate = newGate();
    const before = calls.length;
    const holders = [complete('heavy'), complete('heavy')];
    await until(async () => calls.length === before + 2);
    const waiting = complete('light');
    await until(async () => (await queueDepth()) === 1);
    const closed = gateway.close({ drainTimeoutMs: 60_000 });
    const r = await waiting;
    expect(r.status).toBe(503);
    expect(r.body.error?.code).toBe('shutting_down');
    expect((await records('light')).find((x) => x.requestId === r.id)).toMatchObject({ status: 'rejected', backend: '' });
    // The requests holding slots drain normally.
    gate.open();
    expect((await Promise.all(holders)).map((x) => x.status)).toEqual([200, 200]);
    await closed;
    expect(calls).toHaveLength(before + 2);
  });
});
