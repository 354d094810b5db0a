/**
 * @module HTTP requests to upstreams over node:http(s) with a keep-alive
 * agent, as a small fetch-like surface (status, `read()` of text chunks,
 * `text()`), abortable by an AbortSignal before and after the headers.
 *
 * Why not the global fetch: on the gateway's hot path undici's fetch (WHATWG
 * streams, a Request and Response object graph, abort-signal plumbing per
 * request) cost about half of the gateway's CPU per proxied completion in
 * bench/gateway.bench.ts; node:http with a keep-alive agent does the same
 * exchange for a fraction of it.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

/** The connection pools of one upstream (one per scheme, created when first used). */
export interface UpstreamAgents {
  http(): HttpAgent;
  https(): HttpsAgent;
}

/** Keep-alive pools, most recently used socket first (fewer idle sockets kept warm). */
export function keepAliveAgents(): UpstreamAgents {
  let h: HttpAgent | undefined;
  let s: HttpsAgent | undefined;
  return {
    http: () => (h ??= new HttpAgent({ keepAlive: true, scheduling: 'lifo' })),
    https: () => (s ??= new HttpsAgent({ keepAlive: true, scheduling: 'lifo' })),
  };
}

/**
 * The pools upstreams share by default, one per process (as the global fetch's dispatcher was):
 * upstreams of the same origin, in several pools or config entries, reuse each other's connections.
 */
export const sharedUpstreamAgents: UpstreamAgents = keepAliveAgents();

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

/** What aborts an exchange: an AbortSignal, or the lighter UpstreamAbort. */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * An abort switch for one exchange, without the EventTarget machinery of an
 * AbortController (whose creation and listener bookkeeping showed up at a few
 * percent of the gateway's CPU per proxied request). Listeners run once, at
 * the first abort(); one added after it is never called (as with AbortSignal).
 */
export class UpstreamAbort implements AbortLike {
  private listeners: (() => void)[] = [];
  private done = false;

  get aborted(): boolean {
    return this.done;
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.done) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }
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

/** Text read ahead of the consumer before the response is paused (backpressure to the upstream), characters. */
const READ_AHEAD_CHARS = 64 * 1024;

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * The response as a pull reader over its 'data' events (lighter than the Readable's async iterator, which
 * cost a generator step and two promises per chunk): chunks queue up to READ_AHEAD_CHARS, then the
 * response is paused until the consumer catches up.
 */
function wrap(res: IncomingMessage): UpstreamResponse {
  res.setEncoding('utf8');
  const queue: string[] = [];
  let queuedChars = 0;
  let ended = false;
  let failure: Error | undefined;
  let waiting: { readonly resolve: (r: ReadResult) => void; readonly reject: (e: Error) => void } | undefined;
  const settle = (): void => {
    const w = waiting;
    if (w === undefined) return;
    if (queue.length > 0) {
      waiting = undefined;
      const value = queue.shift()!;
      queuedChars -= value.length;
      w.resolve({ done: false, value });
    } else if (failure !== undefined) {
      waiting = undefined;
      w.reject(failure);
    } else if (ended) {
      waiting = undefined;
      w.resolve({ done: true });
    }
  };
  res.on('data', (chunk: string) => {
    queue.push(chunk);
    queuedChars += chunk.length;
    if (queuedChars > READ_AHEAD_CHARS) res.pause();
    settle();
  });
  res.once('end', () => {
    ended = true;
    settle();
  });
  // Errors reach the reader through read(); listening also keeps an unread, destroyed response from throwing.
  res.on('error', (e) => {
    failure ??= e;
    settle();
  });
  res.once('close', () => {
    if (!ended) failure ??= prematureClose();
    settle();
  });
  const status = res.statusCode ?? 0;
  const read = (): Promise<ReadResult> =>
    new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      settle();
      if (res.isPaused() && queuedChars <= READ_AHEAD_CHARS) res.resume();
    });
  return {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    read,
    async text() {
      let text = '';
      for (let r = await read(); !r.done; r = await read()) text += r.value;
      return text;
    },
  };
}

/** Where a URL points, as node:http's request options. */
interface Target {
  readonly https: boolean;
  readonly options: RequestOptions;
}

/** Parsed URLs: an upstream asks for the same few URLs again and again. Bounded (cleared when full). */
const targets = new Map<string, Target>();
const MAX_TARGETS = 1024;

function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    t = { https: u.protocol === 'https:', options: urlToHttpOptions(u) };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/** Sends a request; resolves when the response headers arrive, rejects on a connection failure or an abort. */
export function sendUpstreamRequest(url: string, init: UpstreamRequestInit, agents: UpstreamAgents): Promise<UpstreamResponse> {
  const target = targetOf(url);
  const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': Buffer.byteLength(init.body) };
  const { signal } = init;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const options = { ...target.options, method: init.method, headers };
    // An abort before the headers rejects; after them it cuts the body, which the reader sees. Once the
    // body has ended the socket is back in the pool (maybe serving another request): the abort must not reach it.
    // Destroyed without an error object: what the caller sees is a reset, and it knows why from its signal.
    const onAbort = () => req.destroy();
    const detach = () => signal.removeEventListener('abort', onAbort);
    const onResponse = (res: IncomingMessage) => {
      res.once('end', detach);
      res.once('close', detach);
      resolve(wrap(res));
    };
    const req = target.https ? httpsRequest({ ...options, agent: agents.https() }, onResponse) : httpRequest({ ...options, agent: agents.http() }, onResponse);
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('close', detach);
    req.on('error', reject);
    req.end(init.body);
  });
}
