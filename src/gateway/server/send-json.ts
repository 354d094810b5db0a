/**
 * @module Writing JSON responses and rendered errors, with the request id
 * header already set by the dispatcher.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorResponse } from './map-error.js';

/** Sends `body` as JSON with `status`; content-length set, so keep-alive works. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a rendered error; when the headers are already out (a stream), the connection is cut instead. */
export function sendErrorResponse(res: ServerResponse, e: ErrorResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, e.body, e.headers);
}
