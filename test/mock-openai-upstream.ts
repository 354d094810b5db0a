/**
 * @module A mock OpenAI-compatible upstream for end-to-end tests and the
 * gateway benchmark: node:http, `POST /v1/chat/completions` and
 * `/v1/completions` (plain JSON or server-sent events, a fixed small
 * response of min(max_tokens, tokens) tokens, usage included), `GET
 * /v1/models`. A model whose name ends in `-slow` streams its first token at
 * once and the rest `slowGapMs` later (to tell when a gateway holds back the
 * first byte). Run alone: `node --import tsx test/mock-openai-upstream.ts
 * [port]` prints `mock upstream listening on <port>`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface MockUpstreamOptions {
  /** Tokens in a response (capped by max_tokens), default 8. */
  readonly tokens?: number;
  /** Prompt tokens reported in usage, default 10. */
  readonly promptTokens?: number;
  /** Gap after the first token of a `-slow` model's stream, ms (default 20). */
  readonly slowGapMs?: number;
}

export interface MockUpstream {
  readonly server: Server;
  readonly port: number;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

const TOKEN = 'tok ';

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Starts the mock on 127.0.0.1:`port` (0: a free port). */
export async function startMockUpstream(port = 0, opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const tokens = opts.tokens ?? 8;
  const promptTokens = opts.promptTokens ?? 10;
  const slowGapMs = opts.slowGapMs ?? 20;
  let served = 0;
  let next = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'mock', object: 'model', created: 0, owned_by: 'mock' }] }));
      return;
    }
    const chat = req.url === '/v1/chat/completions';
    if (req.method !== 'POST' || (!chat && req.url !== '/v1/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found"}}');
      return;
    }
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      served++;
      let body: { model?: string; max_tokens?: number; stream?: boolean };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"malformed JSON"}}');
        return;
      }
      const model = body.model ?? 'mock';
      const n = Math.max(1, Math.min(tokens, body.max_tokens ?? tokens));
      const id = `mock-${++next}`;
      const head = { id, object: chat ? 'chat.completion.chunk' : 'text_completion', created: 0, model };
      if (!body.stream) {
        const text = TOKEN.repeat(n);
        const choice = chat ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'length' } : { index: 0, text, finish_reason: 'length' };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...head, object: chat ? 'chat.completion' : 'text_completion', choices: [choice], usage: usage(promptTokens, n) }));
        return;
      }
      const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
      const tokenFrame = frame({ ...head, choices: [chat ? { index: 0, delta: { content: TOKEN }, finish_reason: null } : { index: 0, text: TOKEN, finish_reason: null }] });
      const rest =
        tokenFrame.repeat(n - 1) +
        frame({ ...head, choices: [chat ? { index: 0, delta: {}, finish_reason: 'length' } : { index: 0, text: '', finish_reason: 'length' }] }) +
        frame({ ...head, choices: [], usage: usage(promptTokens, n) }) +
        'data: [DONE]\n\n';
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (model.endsWith('-slow')) {
        res.write(tokenFrame);
        setTimeout(() => res.end(rest), slowGapMs);
      } else {
        res.end(tokenFrame + rest);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mock = await startMockUpstream(Number(process.argv[2] ?? 0));
  process.stdout.write(`mock upstream listening on ${mock.port}\n`);
}

/**
 * The `models:` section of a gateway.yaml serving each of `ids` from one pool
 * `<id>-pool` whose only backend is the mock upstream on `port`.
 */
export function mockModelsYaml(port: number, ids: readonly string[] = ['mock']): string {
  return (
    'models:\n' +
    ids
      .map(
        (id) => `  - id: ${id}
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.08 }
    pools:
      - name: ${id}-pool
        backends:
          - { kind: openai, url: "http://127.0.0.1:${port}/v1" }
`,
      )
      .join('')
  );
}
