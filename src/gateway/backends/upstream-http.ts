/**
 * @module HTTP requests to upstreams over undici's connection pools (one
 * keep-alive pool per origin), as a small fetch-like surface (status,
 * `read()` of text chunks, `text()`), abortable by an AbortSignal before and
 * after the headers.
 *
 * Why undici's dispatcher and not the global fetch or node:http: on the
 * gateway's hot path fetch (WHATWG streams, a Request and Response object
 * graph, abort-signal plumbing per request) cost about half of the gateway's
 * CPU per proxied completion in bench/gateway.bench.ts; node:http's client
 * (a ClientRequest with its header validation, an agent, an IncomingMessage
 * stream) cost 35-50 us per exchange; a pool's `dispatch` with plain handler
 * callbacks, no stream objects, 15-25 us (client and server in one process,
 * a 10-frame SSE answer: 61 against 45 us per exchange for both sides).
 */
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { Pool, type Dispatcher } from 'undici';
import type { AbortLike } from './abort-switch.js';

/** The connection pools of the upstreams, one per origin (created when first used). */
export interface UpstreamPools {
  pool(origin: string): Dispatcher;
}

/**
 * Keep-alive pools, one per origin. No timeouts of their own: the callers time the exchange (the
 * upstream's idle timeout), and a pool's default of 300 s would cut a long, quiet generation.
 */
export function keepAlivePools(): UpstreamPools {
  const pools = new Map<string, Pool>();
  return {
    pool(origin) {
      let p = pools.get(origin);
      if (p === undefined) {
        p = new Pool(origin, { headersTimeout: 0, bodyTimeout: 0 });
        pools.set(origin, p);
      }
      return p;
    },
  };
}

/**
 * The pools upstreams share by default, one set per process (as the global fetch's dispatcher was):
 * upstreams of the same origin, in several pools or config entries, reuse each other's connections.
 */
export const sharedUpstreamPools: UpstreamPools = keepAlivePools();

export type ReadResult = { readonly done: true; readonly value?: undefined } | { readonly done: false; readonly value: string };

export interface UpstreamResponse {
  readonly status: number;
  readonly statusText: string;
  /** A 2xx status. */
  readonly ok: boolean;
  /** The next chunk of the body as text (UTF-8, never split inside a character); rejects when the exchange is aborted or cut. */
  read(): Promise<ReadResult>;
  /** The rest of the body as text. */
  text(): Promise<string>;
}

export interface UpstreamRequestInit {
  readonly method: 'GET' | 'POST';
  readonly headers: OutgoingHttpHeaders;
  readonly body?: string;
  readonly signal: AbortLike;
}

function abortError(): Error {
  return Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Text read ahead of the consumer before the exchange is paused (backpressure to the upstream), characters. */
const READ_AHEAD_CHARS = 64 * 1024;

/**
 * The body of one exchange as a pull reader: the dispatcher's chunks are decoded and queue up to
 * READ_AHEAD_CHARS, then the exchange is paused (onData returns false) until the consumer catches up.
 */
class BodyReader {
  private readonly decoder = new StringDecoder('utf8');
  private readonly queue: string[] = [];
  private queuedChars = 0;
  private ended = false;
  private paused = false;
  private failure: Error | undefined;
  private waiting: { readonly resolve: (r: ReadResult) => void; readonly reject: (e: Error) => void } | undefined;

  constructor(private readonly resume: () => void) {}

  /** Takes a chunk; false pauses the exchange. */
  push(chunk: Buffer): boolean {
    const text = this.decoder.write(chunk);
    if (text !== '') {
      this.queue.push(text);
      this.queuedChars += text.length;
    }
    this.settle();
    this.paused = this.queuedChars > READ_AHEAD_CHARS;
    return !this.paused;
  }

  end(): void {
    const rest = this.decoder.end();
    if (rest !== '') this.queue.push(rest);
    this.ended = true;
    this.settle();
  }

  fail(e: Error): void {
    this.failure ??= e;
    this.settle();
  }

  read = (): Promise<ReadResult> =>
    new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.settle();
      if (this.paused && this.queuedChars <= READ_AHEAD_CHARS) {
        this.paused = false;
        this.resume();
      }
    });

  private settle(): void {
    const w = this.waiting;
    if (w === undefined) return;
    if (this.queue.length > 0) {
      this.waiting = undefined;
      const value = this.queue.shift()!;
      this.queuedChars -= value.length;
      w.resolve({ done: false, value });
    } else if (this.failure !== undefined) {
      this.waiting = undefined;
      w.reject(this.failure);
    } else if (this.ended) {
      this.waiting = undefined;
      w.resolve({ done: true });
    }
  }
}

/** Where a URL points: its origin (the pool) and its path. */
interface Target {
  readonly origin: string;
  readonly path: string;
}

/** Parsed URLs: an upstream asks for the same few URLs again and again. Bounded (cleared when full). */
const targets = new Map<string, Target>();
const MAX_TARGETS = 1024;

function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    t = { origin: u.origin, path: `${u.pathname}${u.search}` };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/** Sends a request; resolves when the response headers arrive, rejects on a connection failure or an abort. */
export function sendUpstreamRequest(url: string, init: UpstreamRequestInit, pools: UpstreamPools): Promise<UpstreamResponse> {
  const target = targetOf(url);
  const { signal } = init;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    let abortExchange: ((e: Error) => void) | undefined;
    let reader: BodyReader | undefined;
    // An abort before the headers rejects; after them it cuts the body, which the reader sees. Once the
    // exchange has completed the connection is back in the pool (maybe serving another request): the abort
    // must not reach it.
    const onAbort = (): void => abortExchange?.(abortError());
    const detach = (): void => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        abortExchange = abort;
        if (signal.aborted) abort(abortError());
      },
      onHeaders(statusCode, _headers, resume, statusText) {
        const r = new BodyReader(resume);
        reader = r;
        resolve({
          status: statusCode,
          statusText: statusText || STATUS_CODES[statusCode] || '',
          ok: statusCode >= 200 && statusCode < 300,
          read: r.read,
          async text() {
            let text = '';
            for (let x = await r.read(); !x.done; x = await r.read()) text += x.value;
            return text;
          },
        });
        return true;
      },
      onData(chunk) {
        return reader!.push(chunk);
      },
      onComplete() {
        detach();
        reader!.end();
      },
      onError(e) {
        detach();
        if (reader !== undefined) reader.fail(e);
        else reject(e);
      },
    };
    pools.pool(target.origin).dispatch(
      { origin: target.origin, path: target.path, method: init.method, headers: init.headers as Record<string, string>, ...(init.body !== undefined && { body: init.body }) },
      handler,
    );
  });
}
