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
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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
  readonly signal: AbortSignal;
}

function abortError(): Error {
  return Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

function wrap(res: IncomingMessage): UpstreamResponse {
  res.setEncoding('utf8');
  // Errors reach the reader through the iterator; this keeps an unread, destroyed response from throwing.
  res.on('error', () => {});
  const it = res[Symbol.asyncIterator]() as AsyncIterator<string>;
  const status = res.statusCode ?? 0;
  const read = async (): Promise<ReadResult> => {
    const r = await it.next();
    return r.done === true ? { done: true } : { done: false, value: r.value };
  };
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

/** Sends a request; resolves when the response headers arrive, rejects on a connection failure or an abort. */
export function sendUpstreamRequest(url: string, init: UpstreamRequestInit, agents: UpstreamAgents): Promise<UpstreamResponse> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': Buffer.byteLength(init.body) };
  const { signal } = init;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const options = { method: init.method, headers };
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
    const req = https ? httpsRequest(u, { ...options, agent: agents.https() }, onResponse) : httpRequest(u, { ...options, agent: agents.http() }, onResponse);
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('close', detach);
    req.on('error', reject);
    req.end(init.body);
  });
}
