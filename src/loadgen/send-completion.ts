/**
 * @module One chat completion over node:http (a keep-alive Agent, callbacks,
 * no promise per request: a load generator must stay lean), and how it ended:
 * status, the `x-request-id`, the time to the first body byte (streams),
 * the latency, usage, and whether the response was complete (a plain 200
 * whose JSON has choices and usage, or a stream that reached `data: [DONE]`).
 */
import { request, type Agent, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';

/** Where completions go. */
export interface CompletionTarget {
  readonly agent: Agent;
  readonly hostname: string;
  readonly port: number;
  /** e.g. /v1/chat/completions */
  readonly path: string;
  /** Sent with every request besides content-type, content-length and authorization. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface CompletionResult {
  /** HTTP status; 0 when no response came (connection refused or reset). */
  readonly status: number;
  /** A 200 with a complete body. */
  readonly ok: boolean;
  readonly stream: boolean;
  /** The `x-request-id` header, when a response came. */
  readonly requestId: string | undefined;
  /** The completion's `id` (plain: the body's; stream: the first frame's). */
  readonly completionId: string | undefined;
  /** Send to first response body byte, ms (streams with a 200 only). */
  readonly firstByteMs: number | undefined;
  /** Send to the end of the response (or the error), ms. */
  readonly latencyMs: number;
  /** Usage reported by the response, tokens (0 when none). */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The Retry-After header of a refusal. */
  readonly retryAfter: string | undefined;
  /** The network error code (ECONNREFUSED, ECONNRESET, ...) when status is 0. */
  readonly error: string | undefined;
}

/** Where a stream's completion id and usage are looked for: its first and last characters. */
const HEAD_CHARS = 512;
const TAIL_CHARS = 2048;
const DONE = 'data: [DONE]\n\n';

const ID_RE = /"id":"([^"]+)"/;
const PROMPT_RE = /"prompt_tokens":(\d+)/;
const COMPLETION_RE = /"completion_tokens":(\d+)/;

function usageOf(text: string): [number, number] {
  const at = text.lastIndexOf('"usage":');
  if (at < 0) return [0, 0];
  const rest = text.slice(at);
  return [Number(PROMPT_RE.exec(rest)?.[1] ?? 0), Number(COMPLETION_RE.exec(rest)?.[1] ?? 0)];
}

/** Reads a plain body: complete when it parses with choices and usage. */
function plainOutcome(text: string): { ok: boolean; id: string | undefined; prompt: number; completion: number } {
  try {
    const b = JSON.parse(text) as { id?: string; choices?: unknown[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };
    const ok = typeof b.id === 'string' && Array.isArray(b.choices) && b.choices.length > 0 && b.usage !== undefined;
    return { ok, id: b.id, prompt: b.usage?.prompt_tokens ?? 0, completion: b.usage?.completion_tokens ?? 0 };
  } catch {
    return { ok: false, id: undefined, prompt: 0, completion: 0 };
  }
}

/**
 * Sends `body` with `Authorization: Bearer <key>` and calls `done` exactly once.
 * `now` is a monotonic clock in ms. Returns the request, which the caller may destroy.
 */
export function sendCompletion(target: CompletionTarget, key: string, body: string, stream: boolean, now: () => number, done: (r: CompletionResult) => void): ClientRequest {
  const sentAt = now();
  let finished = false;
  const finish = (r: CompletionResult) => {
    if (finished) return;
    finished = true;
    done(r);
  };
  const headers: OutgoingHttpHeaders = {
    ...target.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    authorization: `Bearer ${key}`,
  };
  const req = request({ agent: target.agent, hostname: target.hostname, port: target.port, path: target.path, method: 'POST', headers }, (res: IncomingMessage) => {
    res.setEncoding('utf8');
    const status = res.statusCode ?? 0;
    const requestId = res.headers['x-request-id'] as string | undefined;
    const retryAfter = res.headers['retry-after'];
    const isStream = status === 200 && (res.headers['content-type'] ?? '').startsWith('text/event-stream');
    let firstByteMs: number | undefined;
    let text = '';
    let head = '';
    res.on('data', (chunk: string) => {
      if (firstByteMs === undefined) firstByteMs = now() - sentAt;
      if (!isStream) {
        text += chunk;
        return;
      }
      if (head.length < HEAD_CHARS) head += chunk.slice(0, HEAD_CHARS - head.length);
      text = text.length + chunk.length > TAIL_CHARS ? (text + chunk).slice(-TAIL_CHARS) : text + chunk;
    });
    res.on('end', () => {
      const latencyMs = now() - sentAt;
      if (isStream) {
        const [prompt, completion] = usageOf(text);
        finish({
          status,
          ok: text.endsWith(DONE),
          stream,
          requestId,
          completionId: ID_RE.exec(head)?.[1],
          firstByteMs,
          latencyMs,
          promptTokens: prompt,
          completionTokens: completion,
          retryAfter: undefined,
          error: undefined,
        });
        return;
      }
      const plain = status === 200 ? plainOutcome(text) : { ok: false, id: undefined, prompt: 0, completion: 0 };
      finish({
        status,
        ok: plain.ok && !stream,
        stream,
        requestId,
        completionId: plain.id,
        firstByteMs: undefined,
        latencyMs,
        promptTokens: plain.prompt,
        completionTokens: plain.completion,
        retryAfter,
        error: undefined,
      });
    });
    // A reset mid-body: the response started but did not end ('close' without 'end').
    const cut = () => finish({ status, ok: false, stream, requestId, completionId: undefined, firstByteMs, latencyMs: now() - sentAt, promptTokens: 0, completionTokens: 0, retryAfter, error: 'ECONNRESET' });
    res.on('error', cut);
    res.on('close', cut);
  });
  req.on('error', (e: NodeJS.ErrnoException) => {
    finish({ status: 0, ok: false, stream, requestId: undefined, completionId: undefined, firstByteMs: undefined, latencyMs: now() - sentAt, promptTokens: 0, completionTokens: 0, retryAfter: undefined, error: e.code ?? e.message });
  });
  req.end(body);
  return req;
}
