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
import type { AbortLike } from './abort-switch.js';

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
  // 'on', not 'once' (each fires once anyway): once() wraps every listener, an allocation per request.
  res.on('end', () => {
    ended = true;
    settle();
  });
  // Errors reach the reader through read(); listening also keeps an unread, destroyed response from throwing.
  res.on('error', (e) => {
    failure ??= e;
    settle();
  });
  res.on('close', () => {
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
  /** Only the fields node:http reads (node copies the options object more than once per request). */
  readonly options: Pick<RequestOptions, 'protocol' | 'hostname' | 'port' | 'path' | 'auth'>;
}

/** Parsed URLs: an upstream asks for the same few URLs again and again. Bounded (cleared when full). */
const targets = new Map<string, Target>();
const MAX_TARGETS = 1024;

function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    const { protocol, hostname, port, path, auth } = urlToHttpOptions(u);
    t = { https: u.protocol === 'https:', options: { protocol, hostname, path, ...(port !== undefined && { port }), ...(auth !== undefined && { auth }) } };
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
    // An abort before the headers rejects; after them it cuts the body, which the reader sees. Once the
    // body has ended the socket is back in the pool (maybe serving another request): the abort must not reach it.
    // Destroyed without an error object: what the caller sees is a reset, and it knows why from its signal.
    const onAbort = () => req.destroy();
    const detach = () => signal.removeEventListener('abort', onAbort);
    const onResponse = (res: IncomingMessage) => {
      // 'on', not 'once': detach may run more than once, and once() would wrap each listener.
      res.on('end', detach);
      res.on('close', detach);
      resolve(wrap(res));
    };
    const options = { ...target.options, method: init.method, headers, agent: target.https ? agents.https() : agents.http() };
    const req = target.https ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', detach);
    req.on('error', reject);
    req.end(init.body);
  });
}
