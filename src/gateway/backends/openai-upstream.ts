/**
 * @module A backend that forwards requests to an OpenAI-compatible upstream
 * (vLLM, SGLang, TensorRT-LLM, llama.cpp server, another gateway): it always
 * asks for a stream with usage, parses the server-sent events as they arrive,
 * and turns upstream failures into error chunks the gateway can retry or
 * report (4xx kept, 5xx and connection failures 502, timeouts 504).
 *
 * Talks node:http(s) with a keep-alive pool per upstream (see upstream-http.ts
 * for why not the global fetch).
 */
import { InvalidInputError } from '../../core/errors.js';
import { DEFAULT_MAX_IN_FLIGHT, type Backend, type BackendChatRequest, type BackendChunk, type BackendSnapshot, type ChatMessage } from './backend.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { AbortSwitch } from './abort-switch.js';
import { batchedChunks } from './chunk-batches.js';
import { sendUpstreamRequest, sharedUpstreamPools, type UpstreamPools, type UpstreamRequestInit, type UpstreamResponse } from './upstream-http.js';

export interface OpenAiUpstreamOptions {
  readonly id: string;
  readonly pool: string;
  /** The served model id (as clients name it). */
  readonly model: string;
  /** The model name the upstream expects; default `model`. */
  readonly upstreamModel?: string;
  /** Base URL, e.g. http://10.0.0.5:8000/v1 (`/chat/completions`, `/completions` and `/models` are appended). */
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /**
   * Longest wait for the response headers and between two reads of the stream, milliseconds
   * (an idle timeout: a long generation that keeps streaming is not cut). Default 60,000.
   */
  readonly timeoutMs?: number;
  /** Longest wait for a health check, milliseconds. Default 2,000. */
  readonly healthTimeoutMs?: number;
  /** Capacity relative to the other upstreams of its pool, for routing (config `weight`). Default 1. */
  readonly weight?: number;
  /**
   * Requests in flight before the gateway holds the rest in its fair queue (config `maxInFlight`);
   * default DEFAULT_MAX_IN_FLIGHT x weight, rounded (at least 1).
   */
  readonly maxInFlight?: number;
  /** Connection pools (e.g. with other settings); default the keep-alive pools every upstream of the process shares. */
  readonly pools?: UpstreamPools;
  /** Timers for the timeouts; default real ones. */
  readonly clock?: Clock;
}

export interface OpenAiUpstream extends Backend {
  /** Capacity relative to the other upstreams of its pool. */
  readonly weight: number;
  readonly maxInFlight: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;
/** Longest wait for the end of a response after its [DONE] event, milliseconds. */
const DRAIN_MS = 1_000;
/** Longest upstream error message passed on, characters. */
const MAX_MESSAGE_CHARS = 500;

/** The parts of a streamed chat or completion chunk (or an error event) that are read. */
interface UpstreamEvent {
  readonly choices?: readonly {
    readonly delta?: { readonly content?: string | null };
    readonly text?: string | null;
    readonly finish_reason?: string | null;
  }[];
  readonly usage?: {
    readonly prompt_tokens?: number;
    readonly completion_tokens?: number;
    readonly prompt_tokens_details?: { readonly cached_tokens?: number } | null;
  } | null;
  readonly error?: { readonly message?: string; readonly code?: number | string } | string;
}

/** Why a fetch or a read failed: the caller's abort, our timeout, or the network. */
type Failure = 'aborted' | 'timeout' | 'network';

function errorChunk(status: number, message: string): BackendChunk {
  return { type: 'error', status, message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message };
}

/** An upstream's HTTP error status as the gateway should see it: client errors kept, server errors a bad gateway. */
export function mapUpstreamStatus(status: number): number {
  return status >= 400 && status < 500 ? status : 502;
}

/** The message of an OpenAI-style error body (`{error: {message}}`), else the body itself. */
function errorMessageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as UpstreamEvent;
    const e = parsed.error;
    if (typeof e === 'string') return e;
    if (e?.message !== undefined) return e.message;
  } catch {
    // not JSON: the text is the message
  }
  return body.trim();
}

/**
 * The JSON of `{ model, max_tokens, stream: true, stream_options: { include_usage: true }, messages | prompt }`,
 * joined from its parts (`modelJson`: the model's JSON string, made once per upstream) rather than stringified
 * from a new object per request.
 */
function requestBody(req: BackendChatRequest, modelJson: string): string {
  const head = `{"model":${modelJson},"max_tokens":${JSON.stringify(req.maxOutputTokens)},"stream":true,"stream_options":{"include_usage":true},`;
  return req.messages !== undefined
    ? `${head}"messages":${JSON.stringify(req.messages satisfies readonly ChatMessage[])}}`
    : `${head}"prompt":${JSON.stringify(req.prompt ?? '')}}`;
}

export function createOpenAiUpstream(opts: OpenAiUpstreamOptions): OpenAiUpstream {
  const base = opts.url.replace(/\/+$/, '');
  const upstreamModelJson = JSON.stringify(opts.upstreamModel ?? opts.model);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const healthTimeoutMs = opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const clock = opts.clock ?? realClock;
  const auth: Record<string, string> = opts.apiKey !== undefined ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const label = `upstream '${opts.id}'`;
  const weight = opts.weight ?? 1;
  const maxInFlight = opts.maxInFlight ?? Math.max(1, Math.round(DEFAULT_MAX_IN_FLIGHT * weight));
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new InvalidInputError(`maxInFlight must be a positive integer, got ${maxInFlight}`, `backend ${opts.id}`);
  let outstanding = 0;
  let queuedPromptTokens = 0;

  const pools = opts.pools ?? sharedUpstreamPools;
  const send = (url: string, init: UpstreamRequestInit): Promise<UpstreamResponse> => sendUpstreamRequest(url, init, pools);

  /** The chunks of a response in batches: those of one read of the upstream's stream together. */
  async function* chatBatches(req: BackendChatRequest): AsyncGenerator<readonly BackendChunk[]> {
    if (req.signal.aborted) return;
    const ac = new AbortSwitch();
    const onAbort = (): void => ac.abort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    let timer: TimerHandle | undefined;
    let timedOut = false;
    const arm = (): void => {
      timer = clock.setTimeout(() => {
        timedOut = true;
        ac.abort();
      }, timeoutMs);
    };
    const disarm = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    };
    const failure = (): Failure => (req.signal.aborted ? 'aborted' : timedOut ? 'timeout' : 'network');
    const failureChunk = (f: Exclude<Failure, 'aborted'>, e: unknown): BackendChunk =>
      f === 'timeout'
        ? errorChunk(504, `${label} sent nothing for ${timeoutMs} ms`)
        : errorChunk(502, `${label} failed: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);

    outstanding++;
    queuedPromptTokens += req.promptTokens;
    let prefilled = false;
    const firstToken = (): void => {
      if (prefilled) return;
      prefilled = true;
      queuedPromptTokens -= req.promptTokens;
    };
    /** Whether the response was read to its end (the connection can then be reused). */
    let drained = false;
    try {
      arm();
      let res: UpstreamResponse;
      try {
        res = await send(`${base}/${req.messages !== undefined ? 'chat/completions' : 'completions'}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': req.requestId, ...auth },
          body: requestBody(req, upstreamModelJson),
          signal: ac,
        });
      } catch (e) {
        const f = failure();
        if (f !== 'aborted') yield [failureChunk(f, e)];
        return;
      }
      if (!res.ok) {
        let text = '';
        try {
          text = await res.text();
          drained = true;
        } catch {
          // the status says enough
        }
        if (req.signal.aborted) return;
        yield [errorChunk(mapUpstreamStatus(res.status), `${label} answered ${res.status}: ${errorMessageOf(text) || res.statusText}`)];
        return;
      }
      disarm();

      const reader = res;
      let pending = '';
      /** Data lines of the event being read, joined by newlines. */
      let data: string | undefined;
      let counted = 0;
      let finishReason: string | undefined;
      let usage: UpstreamEvent['usage'];
      let sawDone = false;
      /** Chunks of the read being parsed, handed over together once it is parsed. */
      let batch: BackendChunk[] = [];

      /** Handles one event; returns a chunk to yield (a token or an error), or undefined. */
      const handle = (payload: string): BackendChunk | undefined => {
        if (payload === '[DONE]') {
          sawDone = true;
          return undefined;
        }
        let ev: UpstreamEvent;
        try {
          ev = JSON.parse(payload) as UpstreamEvent;
        } catch {
          return errorChunk(502, `${label} sent an event that is not JSON: ${payload}`);
        }
        if (ev.error !== undefined) {
          const code = typeof ev.error === 'object' && typeof ev.error.code === 'number' ? ev.error.code : 502;
          return errorChunk(mapUpstreamStatus(code), `${label} failed mid-stream: ${typeof ev.error === 'string' ? ev.error : (ev.error.message ?? 'unknown error')}`);
        }
        if (ev.usage) usage = ev.usage;
        const choice = ev.choices?.[0];
        if (choice === undefined) return undefined;
        if (choice.finish_reason) finishReason = choice.finish_reason;
        const text = choice.delta?.content ?? choice.text;
        if (!text) return undefined;
        counted++;
        firstToken();
        return { type: 'token', text };
      };

      while (!sawDone) {
        let read: Awaited<ReturnType<typeof reader.read>>;
        arm();
        try {
          read = await reader.read();
        } catch (e) {
          const f = failure();
          if (f !== 'aborted') yield [failureChunk(f, e)];
          return;
        } finally {
          disarm();
        }
        pending += read.done ? '\n\n' : read.value;
        // Lines are found by index, not cut off the text one by one: only a data line's value becomes a string.
        let from = 0;
        let nl: number;
        while ((nl = pending.indexOf('\n', from)) >= 0) {
          const start = from;
          const end = pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          from = nl + 1;
          if (end === start) {
            if (data === undefined) continue;
            const chunk = handle(data);
            data = undefined;
            if (chunk === undefined) continue;
            batch.push(chunk);
            if (chunk.type === 'error') {
              yield batch;
              return;
            }
          } else if (pending.startsWith('data:', start)) {
            const value = pending.slice(pending.charCodeAt(start + 5) === 32 ? start + 6 : start + 5, end);
            data = data === undefined ? value : `${data}\n${value}`;
          }
          // comments (": keep-alive") and other fields (event:, id:, retry:) carry nothing here
        }
        pending = from === 0 ? pending : pending.slice(from);
        if (read.done) {
          drained = true;
          break;
        }
        // The last read's tokens go out with the `done` below, in one batch.
        if (batch.length > 0 && !sawDone) {
          yield batch;
          batch = [];
          if (req.signal.aborted) return;
        }
      }
      if (!sawDone && finishReason === undefined && usage == null) {
        batch.push(errorChunk(502, `${label} ended its stream before the response was complete`));
        yield batch;
        return;
      }
      const completionTokens = usage?.completion_tokens ?? counted;
      // After [DONE] the response's end is normally already on its way: read it in the background,
      // briefly, so that the keep-alive connection goes back to the pool instead of being closed. Not
      // after the yield: a consumer stops at `done` (return() runs the finally), so code after the
      // yield would not run and every request would cost a new upstream connection.
      if (!drained) {
        drained = true; // the background read owns the connection now
        const drainTimer = clock.setTimeout(() => ac.abort(), DRAIN_MS);
        void (async () => {
          try {
            while (!(await reader.read()).done);
          } catch {
            // cut by the drain timer: the connection is closed, not reused
          } finally {
            clock.clearTimeout(drainTimer);
          }
        })();
      }
      batch.push({
        type: 'done',
        usage: {
          promptTokens: usage?.prompt_tokens ?? req.promptTokens,
          completionTokens,
          cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        },
        finishReason: finishReason === 'length' || (finishReason === undefined && completionTokens >= req.maxOutputTokens) ? 'length' : 'stop',
      });
      yield batch;
    } finally {
      disarm();
      req.signal.removeEventListener('abort', onAbort);
      // A response left before its end (the consumer stopped, an error, a timeout) closes the upstream request.
      if (!drained) ac.abort();
      firstToken();
      outstanding--;
    }
  }

  return {
    id: opts.id,
    pool: opts.pool,
    model: opts.model,
    weight,
    maxInFlight,
    chat: (req) => batchedChunks(chatBatches(req), req.signal),
    async health(): Promise<boolean> {
      const ac = new AbortSwitch();
      const timer = clock.setTimeout(() => ac.abort(), healthTimeoutMs);
      try {
        const res = await send(`${base}/models`, { method: 'GET', headers: { accept: 'application/json', ...auth }, signal: ac });
        await res.text();
        return res.ok;
      } catch {
        return false;
      } finally {
        clock.clearTimeout(timer);
      }
    },
    snapshot(): BackendSnapshot {
      return { outstanding, queuedPromptTokens };
    },
  };
}
