/**
 * Tests of the request path against scripted backends (real HTTP on
 * 127.0.0.1): retries before the first token, failures after it, backend
 * refusals, timeouts, no backend, a chunked body over the limit, and close()
 * aborting what outlasts the drain time. The emulated fleet and the SDK are
 * covered by test/gateway.e2e.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendChatRequest, BackendChunk } from '../backends/backend.js';
import { ChunkStream } from '../backends/chunk-stream.js';
import { parseGatewayConfig } from '../config/gateway-config.js';
import type { Ledger, LedgerRecord } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { openSqliteTenantStore } from '../tenants/sqlite-tenant-store.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import type { Gateway } from './create-gateway.js';
import { listenTestGateway } from './listen-test-gateway.js';

interface Scripted extends Backend {
  calls: number;
}

/** A backend that yields `chunks` one per millisecond, or (`hang`) nothing until aborted. */
function scripted(id: string, chunks: readonly BackendChunk[] | 'hang', healthy = true): Scripted {
  const b: Scripted = {
    id,
    pool: `pool-${id}`,
    model: 'm',
    calls: 0,
    chat(req: BackendChatRequest) {
      b.calls++;
      const s = new ChunkStream();
      req.signal.addEventListener('abort', () => s.end(), { once: true });
      if (chunks === 'hang') return s;
      let i = 0;
      const next = () => {
        const c = chunks[i++];
        if (req.signal.aborted || c === undefined) return s.end();
        s.push(c);
        setTimeout(next, 1);
      };
      setTimeout(next, 1);
      return s;
    },
    health: () => Promise.resolve(healthy),
    snapshot: () => ({ outstanding: 0, queuedPromptTokens: 0 }),
  };
  return b;
}

/** A backend that pushes `bursts` of chunks, each burst at once (in one tick), 5 ms apart. */
function bursty(id: string, bursts: readonly (readonly BackendChunk[])[]): Scripted {
  const b: Scripted = {
    ...scripted(id, []),
    chat() {
      b.calls++;
      const s = new ChunkStream();
      bursts.forEach((burst, i) =>
        setTimeout(() => {
          for (const c of burst) s.push(c);
          if (i === bursts.length - 1) s.end();
        }, 5 * (i + 1)),
      );
      return s;
    },
  };
  return b;
}

const tok = (text: string): BackendChunk => ({ type: 'token', text });
const done = (n: number): BackendChunk => ({ type: 'done', usage: { promptTokens: 3, completionTokens: n, cachedTokens: 0 }, finishReason: 'stop' });
const fail = (status: number): BackendChunk => ({ type: 'error', status, message: `scripted ${status}` });

const MODELS = ['retry', 'all-fail', 'mid-stream', 'refused', 'hang', 'down', 'burst', 'hang-one'] as const;
const CONFIG = `
maxBodyBytes: 4096
requestTimeoutMs: 300
router: least-outstanding
models:
${MODELS.map(
  (id) => `  - id: ${id}
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 }
    pools: [{ name: p-${id}, backends: [{ kind: emulated, accelerator: h200-sxm }] }]`,
).join('\n')}
`;

const backends = {
  retry: [scripted('r0', [fail(503)]), scripted('r1', [tok('a'), tok(' b'), done(2)])],
  'all-fail': [scripted('f0', [fail(500)]), scripted('f1', []), scripted('f2', [fail(502)]), scripted('f3', [tok('x'), done(1)])],
  'mid-stream': [scripted('m0', [tok('a'), tok(' b'), fail(500)]), scripted('m1', [tok('z'), done(1)])],
  refused: [scripted('x0', [fail(400)]), scripted('x1', [tok('z'), done(1)])],
  hang: [scripted('h0', 'hang')],
  down: [scripted('d0', [], false)],
  'hang-one': [{ ...scripted('h1', 'hang'), maxInFlight: 1 }],
  burst: [bursty('b0', [[tok('a'), tok('b'), tok('c')], [tok('d')], [done(4)]])],
} satisfies Record<(typeof MODELS)[number], Scripted[]>;

let dir: string;
let ledger: Ledger;
let tenants: TenantStore;
let gateway: Gateway;
let port: number;
let key: string;
let tenantId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenfleet-gw-unit-'));
  const { config } = parseGatewayConfig(CONFIG, join(dir, 'gateway.yaml'));
  ledger = openSqliteLedger({ dataDir: dir });
  tenants = openSqliteTenantStore({ dataDir: dir, nowMs: () => Date.now() });
  const tenant = await tenants.createTenant({ name: 'unit' });
  tenantId = tenant.id;
  key = (await tenants.createKey(tenant.id)).key;
  ({ gateway, port } = await listenTestGateway({ config, tenants, ledger, backendsByModel: new Map<string, Backend[]>(Object.entries(backends)) }));
});

afterAll(async () => {
  await gateway?.close({ drainTimeoutMs: 100 });
  await ledger?.close();
  await tenants?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function complete(model: string, stream = false) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello world!' }], max_tokens: 5, stream }),
  });
  return { status: res.status, id: res.headers.get('x-request-id')!, text: await res.text() };
}

async function recordOf(requestId: string): Promise<LedgerRecord | undefined> {
  return (await ledger.requests({ tenantId, limit: 1000 })).records.find((r) => r.requestId === requestId);
}

describe('request path with scripted backends', () => {
  it('retries a failure before the first token on another backend', async () => {
    const r = await complete('retry');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).choices[0].message.content).toBe('a b');
    expect(backends.retry.map((b) => b.calls)).toEqual([1, 1]);
    expect(await recordOf(r.id)).toMatchObject({ status: 'ok', backend: 'r1', outputTokens: 2, inputTokens: 3 });
  });

  it('gives up after two retries with 502, billing nothing', async () => {
    const r = await complete('all-fail');
    expect(r.status).toBe(502);
    expect(JSON.parse(r.text).error.code).toBe('upstream_error');
    expect(backends['all-fail'].map((b) => b.calls)).toEqual([1, 1, 1, 0]);
    expect(await recordOf(r.id)).toMatchObject({ status: 'upstream-error', backend: 'f2', outputTokens: 0, costUsd: 0 });
  });

  it('ends a stream that fails after its first token with an error event and bills what was delivered', async () => {
    const r = await complete('mid-stream', true);
    expect(r.status).toBe(200);
    const events = r.text.split('\n\n').filter((e) => e !== '');
    expect(events.filter((e) => e.includes('"content":"'))).toHaveLength(3); // role chunk + 2 tokens
    expect(JSON.parse(events.at(-1)!.slice('data: '.length)).error.code).toBe('upstream_error');
    expect(r.text).not.toContain('[DONE]');
    expect(backends['mid-stream'][1]!.calls).toBe(0);
    expect(await recordOf(r.id)).toMatchObject({ status: 'upstream-error', outputTokens: 2, costUsd: (10 * 1 + 2 * 2) / 1e6 }); // the gateway's 10 prompt tokens: 3 for 'hello world!' + 4 message overhead + 3 priming
  });

  it('writes the tokens a backend hands over together as one chunk of the response', async () => {
    // A raw HTTP/1.1 exchange: each res.write of a chunked response is one chunk on the wire.
    const body = JSON.stringify({ model: 'burst', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, stream: true });
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const chunks: string[] = [];
    for (;;) {
      const size = Number.parseInt(rest.slice(0, rest.indexOf('\r\n')), 16);
      if (size === 0) break;
      const start = rest.indexOf('\r\n') + 2;
      chunks.push(rest.slice(start, start + size));
      rest = rest.slice(start + size + 2);
    }
    const tokensIn = (c: string) => [...c.matchAll(/"content":"([a-d])"/g)].map((m) => m[1]).join('');
    expect(chunks.map(tokensIn).filter((t) => t !== '')).toEqual(['abc', 'd']);
    expect(chunks.at(-1)).toContain('[DONE]');
  });

  it('answers a plain request that fails after its first token with 502 and bills nothing', async () => {
    const r = await complete('mid-stream');
    expect(r.status).toBe(502);
    expect(await recordOf(r.id)).toMatchObject({ status: 'upstream-error', outputTokens: 0, costUsd: 0 });
  });

  it('does not retry a refusal that is the request fault', async () => {
    const r = await complete('refused');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message).toContain('scripted 400');
    expect(backends.refused.map((b) => b.calls)).toEqual([1, 0]);
    expect(await recordOf(r.id)).toMatchObject({ status: 'rejected', costUsd: 0 });
  });

  it('times out after requestTimeoutMs with 504', async () => {
    const r = await complete('hang');
    expect(r.status).toBe(504);
    expect(await recordOf(r.id)).toMatchObject({ status: 'upstream-timeout', backend: 'h0', outputTokens: 0 });
  });

  it('counts a wait in the fair queue in the request time limit', async () => {
    // One slot: the second request waits for the first to time out (300 ms), then has no time left.
    const first = complete('hang-one');
    await new Promise((r) => setTimeout(r, 20));
    const second = await complete('hang-one');
    expect((await first).status).toBe(504);
    expect(second.status).toBe(504);
    const record = await recordOf(second.id);
    expect(record).toMatchObject({ status: 'upstream-timeout' });
    // Without the queue wait counted it would run about 2 x 300 ms.
    expect(record!.latencyMs).toBeLessThan(500);
  });

  it('answers 503 when no backend is healthy, and readiness says so', async () => {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    const r = await complete('down');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).error.code).toBe('no_backend');
    expect(await recordOf(r.id)).toMatchObject({ status: 'rejected', backend: '' });
  });

  it('refuses a chunked body over maxBodyBytes with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // No content-length: the limit is enforced on the bytes as they arrive.
      for (let i = 0; i < 8; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('without an admin token, the admin API is disabled', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/admin/tenants`, { headers: { authorization: 'Bearer anything' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/disabled/);
  });

  it('close() aborts what outlasts the drain time, and each request still gets its record', async () => {
    const pending = complete('hang');
    await new Promise((r) => setTimeout(r, 30));
    await gateway.close({ drainTimeoutMs: 20 });
    const r = await pending;
    expect(r.status).toBe(503);
    expect(await recordOf(r.id)).toMatchObject({ status: 'upstream-error', backend: 'h0' });
  });
});
