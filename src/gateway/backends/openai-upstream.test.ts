import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../config/gateway-config.js';
import { createConfiguredBackends } from '../server/create-configured-backends.js';
import type { BackendChunk } from './backend.js';
import { collect, describeBackendContract, request } from './backend-contract.js';
import { hasBatches } from './chunk-batches.js';
import { FakeClock } from './fake-clock.js';
import { createOpenAiUpstream, type OpenAiUpstreamOptions } from './openai-upstream.js';
import type { Pool } from 'undici';
import { keepAlivePools } from './upstream-http.js';

/** Tokens the mock answers with at most. */
const MOCK_TOKENS = 20;
/** Prompt tokens the mock reports (differs from the request's estimate, to show whose count is used). */
const MOCK_PROMPT_TOKENS = 70;

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { model?: string; max_tokens?: number; stream?: boolean; stream_options?: unknown; messages?: unknown; prompt?: string };
  /** Resolves when the response closes: `finished` false when the client went away first. */
  readonly closed: Promise<{ finished: boolean }>;
  /** Whether the mock has ended its response. */
  ended(): boolean;
}

const seen: SeenRequest[] = [];
let healthy = true;
/** Ends of 'late-end' responses held back until the test releases them (releaseLateEnds). */
const lateEnds: (() => void)[] = [];
function releaseLateEnds(): void {
  for (const end of lateEnds.splice(0)) end();
}
/** TCP connections the mock has accepted. */
let connections = 0;
let server: Server;
let base = '';

const event = (obj: unknown, eol = '\n'): string => `data: ${JSON.stringify(obj)}${eol}${eol}`;
const chunkOf = (choice: object) => ({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, ...choice }] });

/** Writes `text` in 7-byte pieces so events and lines are split across reads. */
function writeSplit(res: ServerResponse, text: string): void {
  for (let i = 0; i < text.length; i += 7) res.write(text.slice(i, i + 7));
}

/** The mock's behaviour is chosen by the model name the upstream is sent. */
function answer(model: string, maxTokens: number, completions: boolean, res: ServerResponse): void {
  const n = Math.min(maxTokens, MOCK_TOKENS);
  const delta = (i: number) => (completions ? { text: `t${i} ` } : { delta: { content: `t${i} ` } });
  switch (model) {
    case 'fail-500':
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'CUDA out of memory', code: 500 } }));
      return;
    case 'bad-400':
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'max_tokens is too large', code: 400 } }));
      return;
    case 'hang':
      return; // never answers
    case 'stall':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event(chunkOf({ delta: { content: 'first ' } })));
      return; // then nothing
    case 'slow': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // One token every 2 ms, up to max_tokens (at most 1,000), then the usual end.
      const total = Math.min(maxTokens, 1000);
      let i = 0;
      const tick = setInterval(() => {
        if (res.destroyed) return clearInterval(tick);
        if (i < total) {
          res.write(event(chunkOf(delta(i++))));
          return;
        }
        clearInterval(tick);
        res.write(event(chunkOf({ delta: {}, finish_reason: 'length' })));
        res.end(event({ choices: [], usage: { prompt_tokens: MOCK_PROMPT_TOKENS, completion_tokens: total } }) + 'data: [DONE]\n\n');
      }, 2);
      res.on('close', () => clearInterval(tick));
      return;
    }
    case 'no-usage': {
      // CRLF line ends, a keep-alive comment, no usage chunk, no [DONE].
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let body = ': keep-alive\r\n\r\n';
      for (let i = 0; i < n; i++) body += event(chunkOf(delta(i)), '\r\n');
      body += event(chunkOf({ delta: {}, finish_reason: n === maxTokens ? 'length' : 'stop' }), '\r\n');
      writeSplit(res, body);
      res.end();
      return;
    }
    default: {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let body = event(chunkOf({ delta: { role: 'assistant', content: '' } }));
      for (let i = 0; i < n; i++) body += event(chunkOf(delta(i)));
      body += event(chunkOf({ delta: {}, finish_reason: n === maxTokens ? 'length' : 'stop' }));
      body += event({
        id: 'c1',
        object: 'chat.completion.chunk',
        choices: [],
        usage: { prompt_tokens: MOCK_PROMPT_TOKENS, completion_tokens: n, total_tokens: MOCK_PROMPT_TOKENS + n, prompt_tokens_details: { cached_tokens: 16 } },
      });
      body += 'data: [DONE]\n\n';
      writeSplit(res, body);
      // 'late-end': the end of the response comes after [DONE], in its own packet, when the test says so.
      if (model === 'late-end') lateEnds.push(() => res.end());
      else res.end();
    }
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const closed = new Promise<{ finished: boolean }>((resolve) => res.on('close', () => resolve({ finished: res.writableFinished })));
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as SeenRequest['body']) : {};
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, closed, ended: () => res.writableEnded });
      if (req.url === '/hang/models') return; // never answers
      if (req.url === '/v1/models') {
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
        return;
      }
      answer(body.model ?? '', body.max_tokens ?? 16, req.url === '/v1/completions', res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function upstream(overrides: Partial<OpenAiUpstreamOptions> = {}) {
  return createOpenAiUpstream({ id: 'up-0', pool: 'vllm', model: 'llama-8b', url: base, ...overrides });
}

const tokens = (chunks: readonly BackendChunk[]) => chunks.flatMap((c) => (c.type === 'token' ? [c.text] : []));

describeBackendContract('openai upstream', () => ({ backend: upstream() }));
describeBackendContract('openai upstream, paced stream', () => ({ backend: upstream({ upstreamModel: 'slow' }) }));

describe('openai upstream', () => {
  it('streams the tokens in order, then done with the upstream usage', async () => {
    const chunks = await collect(upstream().chat(request({ maxOutputTokens: 5 })));
    expect(tokens(chunks)).toEqual(['t0 ', 't1 ', 't2 ', 't3 ', 't4 ']);
    expect(chunks.at(-1)).toEqual({ type: 'done', usage: { promptTokens: MOCK_PROMPT_TOKENS, completionTokens: 5, cachedTokens: 16 }, finishReason: 'length' });
    const short = await collect(upstream().chat(request({ maxOutputTokens: 50 })));
    expect(short.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: MOCK_TOKENS } });
  });

  it('counts the tokens itself when the upstream sends no usage', async () => {
    const chunks = await collect(upstream({ upstreamModel: 'no-usage' }).chat(request({ promptTokens: 64, maxOutputTokens: 7 })));
    expect(tokens(chunks)).toHaveLength(7);
    expect(chunks.at(-1)).toEqual({ type: 'done', usage: { promptTokens: 64, completionTokens: 7, cachedTokens: 0 }, finishReason: 'length' });
  });

  it('sends the upstream model name, the API key, a streaming body and the request id', async () => {
    await collect(upstream({ upstreamModel: 'meta-llama/Llama-3.1-8B-Instruct', apiKey: 'sk-up' }).chat(request({ requestId: 'req-42', maxOutputTokens: 3 })));
    const r = seen.at(-1)!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/v1/chat/completions');
    expect(r.headers.authorization).toBe('Bearer sk-up');
    expect(r.headers['x-request-id']).toBe('req-42');
    expect(r.body).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct', max_tokens: 3, stream: true, stream_options: { include_usage: true } });
    expect(r.body.messages).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('sends no Authorization header without a key, and the served model name without an upstream one', async () => {
    await collect(upstream().chat(request({ maxOutputTokens: 1 })));
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
    expect(seen.at(-1)!.body.model).toBe('llama-8b');
  });

  it('forwards a plain completion to /completions', async () => {
    const chunks = await collect(upstream().chat(request({ messages: undefined, prompt: 'Once upon', maxOutputTokens: 2 })));
    expect(seen.at(-1)!.path).toBe('/v1/completions');
    expect(seen.at(-1)!.body.prompt).toBe('Once upon');
    expect(tokens(chunks)).toEqual(['t0 ', 't1 ']);
  });

  it('maps an upstream 500 to a 502 error chunk carrying its message', async () => {
    const chunks = await collect(upstream({ upstreamModel: 'fail-500' }).chat(request()));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ type: 'error', status: 502 });
    expect(chunks[0]?.type === 'error' && chunks[0].message).toContain('CUDA out of memory');
  });

  it('keeps an upstream 4xx status', async () => {
    const chunks = await collect(upstream({ upstreamModel: 'bad-400' }).chat(request()));
    expect(chunks).toEqual([{ type: 'error', status: 400, message: "upstream 'up-0' answered 400: max_tokens is too large" }]);
  });

  it('answers 504 when the upstream sends nothing in time', async () => {
    const clock = new FakeClock(); // fires the timeout at once: no real waiting
    const backend = upstream({ upstreamModel: 'hang', timeoutMs: 30_000, clock });
    const chunks = await collect(backend.chat(request()));
    expect(chunks).toEqual([{ type: 'error', status: 504, message: "upstream 'up-0' sent nothing for 30000 ms" }]);
    expect(backend.snapshot()).toEqual({ outstanding: 0, queuedPromptTokens: 0 });
  });

  it('answers 504 when a stream stalls after its first tokens, and closes the upstream request', async () => {
    const chunks = await collect(upstream({ upstreamModel: 'stall', timeoutMs: 100 }).chat(request()));
    expect(chunks).toEqual([{ type: 'token', text: 'first ' }, expect.objectContaining({ type: 'error', status: 504 })]);
    expect(await seen.at(-1)!.closed).toEqual({ finished: false });
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const chunks = await collect(upstream({ url: 'http://127.0.0.1:1/v1' }).chat(request()));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ type: 'error', status: 502 });
  });

  it('stops the upstream request on abort: the upstream sees the connection close', async () => {
    const backend = upstream({ upstreamModel: 'slow' });
    const ac = new AbortController();
    const got: BackendChunk[] = [];
    for await (const c of backend.chat(request({ maxOutputTokens: 10_000, signal: ac.signal }))) {
      got.push(c);
      expect(backend.snapshot()).toEqual({ outstanding: 1, queuedPromptTokens: 0 });
      if (got.length === 2) ac.abort();
    }
    expect(got).toHaveLength(2);
    expect(await seen.at(-1)!.closed).toEqual({ finished: false });
    expect(backend.snapshot()).toEqual({ outstanding: 0, queuedPromptTokens: 0 });
  });

  it('stops the upstream request when the consumer stops reading', async () => {
    const backend = upstream({ upstreamModel: 'slow' });
    for await (const c of backend.chat(request({ maxOutputTokens: 10_000 }))) {
      expect(c.type).toBe('token');
      break;
    }
    expect(await seen.at(-1)!.closed).toEqual({ finished: false });
    expect(backend.snapshot().outstanding).toBe(0);
  });

  it('yields nothing for a request aborted before it starts', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = seen.length;
    expect(await collect(upstream().chat(request({ signal: ac.signal })))).toEqual([]);
    expect(seen.length).toBe(before);
  });

  it('counts a request as outstanding, its prompt as queued until the first token', async () => {
    const backend = upstream({ upstreamModel: 'slow' });
    const it = backend.chat(request({ promptTokens: 300, maxOutputTokens: 10_000 }))[Symbol.asyncIterator]();
    const first = it.next();
    expect(backend.snapshot()).toEqual({ outstanding: 1, queuedPromptTokens: 300 });
    await first;
    expect(backend.snapshot()).toEqual({ outstanding: 1, queuedPromptTokens: 0 });
    await it.return?.();
    expect(backend.snapshot()).toEqual({ outstanding: 0, queuedPromptTokens: 0 });
  });

  it('reuses keep-alive connections: requests in sequence open no new one', async () => {
    // The end of a response is read after `done` is yielded (in the background): wait for every connection
    // of the pool to be free again before the next request.
    const pools = keepAlivePools();
    const pool = pools.pool(new URL(base).origin) as Pool;
    const run = async (backend: ReturnType<typeof upstream>) => {
      await collect(backend.chat(request()));
      releaseLateEnds();
      while (pool.stats.running > 0 || pool.stats.pending > 0 || pool.stats.free < pool.stats.connected) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    const backend = upstream({ pools });
    await run(backend);
    const opened = connections;
    for (let i = 0; i < 3; i++) await run(backend);
    await run(upstream({ upstreamModel: 'no-usage', pools }));
    await run(upstream({ upstreamModel: 'late-end', pools }));
    await run(upstream({ upstreamModel: 'late-end', pools }));
    expect(pool.stats.connected).toBe(1);
    expect(connections).toBe(opened);
  });

  it('hands over in batches the same chunks as one by one, a done last', async () => {
    const stream = upstream().chat(request({ maxOutputTokens: 5 }));
    expect(hasBatches(stream)).toBe(true);
    if (!hasBatches(stream)) return;
    const batches: (readonly BackendChunk[])[] = [];
    for await (const b of stream.batches()) batches.push(b);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(batches.flat()).toEqual(await collect(upstream().chat(request({ maxOutputTokens: 5 }))));
    expect(batches.flat().at(-1)?.type).toBe('done');
  });

  it('yields done without waiting for an end that comes after [DONE]', async () => {
    const iter = upstream({ upstreamModel: 'late-end' }).chat(request())[Symbol.asyncIterator]();
    let done = false;
    for (let r = await iter.next(); r.done !== true; r = await iter.next()) {
      if (r.value.type !== 'done') continue;
      done = true;
      // The server ends the response only when released below; it has not yet.
      expect(seen.at(-1)!.ended()).toBe(false);
    }
    expect(done).toBe(true);
    expect(seen.at(-1)!.ended()).toBe(false);
    releaseLateEnds();
  });

  it('is healthy when GET /models answers 200, not otherwise', async () => {
    const backend = upstream({ apiKey: 'sk-up' });
    expect(await backend.health()).toBe(true);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer sk-up');
    healthy = false;
    try {
      expect(await backend.health()).toBe(false);
    } finally {
      healthy = true;
    }
    expect(await upstream({ url: 'http://127.0.0.1:1/v1' }).health()).toBe(false);
    expect(await upstream({ url: base.replace(/\/v1$/, '/hang'), clock: new FakeClock() }).health()).toBe(false); // times out
  });
});

describe('openai upstreams from gateway.yaml', () => {
  const yaml = (apiKeyEnv: string) => `
models:
  - id: llama-8b
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.2 }
    pools:
      - name: remote
        backends:
          - { kind: openai, url: '${base}/', upstreamModel: served-upstream, apiKeyEnv: ${apiKeyEnv}, weight: 3 }
          - { kind: openai, url: '${base}' }
          - { kind: openai, url: '${base}', weight: 0.5, maxInFlight: 7 }
`;

  it('builds one upstream per entry, with the key from the environment and the weight', async () => {
    const { config } = parseGatewayConfig(yaml('UPSTREAM_KEY'), 'gateway.yaml');
    const built = createConfiguredBackends(config, { env: { UPSTREAM_KEY: 'sk-env' } });
    const [a, b] = built.backendsByModel.get('llama-8b') ?? [];
    expect([a?.id, b?.id]).toEqual(['remote-0', 'remote-1']);
    expect([built.weightOf(a!), built.weightOf(b!)]).toEqual([3, 1]);
    // 256 (vLLM's default max_num_seqs) x weight, unless configured.
    expect(built.backendsByModel.get('llama-8b')?.map((u) => u.maxInFlight)).toEqual([768, 256, 7]);
    const chunks = await collect(a!.chat(request({ maxOutputTokens: 2 })));
    expect(chunks.at(-1)?.type).toBe('done');
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer sk-env');
    expect(seen.at(-1)!.body.model).toBe('served-upstream');
    built.close();
  });

  it('refuses an API key variable that is not set, naming the entry', () => {
    const { config } = parseGatewayConfig(yaml('MISSING_KEY'), 'gateway.yaml');
    expect(() => createConfiguredBackends(config, { env: {} })).toThrow(/MISSING_KEY is not set/);
  });
});
