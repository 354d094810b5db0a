/** @module Calls to the dashboard API and the admin API, with the admin token when there is one. */
import { adminToken } from './admin-token.js';
import type { ApiErrorBody } from './api-types.js';

/** A failed call, with the server's message (OpenAI-style error body) and the HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** True when the call failed for want of a (valid) admin token. */
export const needsAdmin = (err: unknown): boolean => err instanceof ApiError && (err.status === 401 || err.status === 403);

async function call<T>(method: string, path: string, body?: unknown, admin = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = adminToken();
  if (admin) {
    if (token === null) throw new ApiError('this needs the admin token: paste it in the field at the top of the page', 401);
    headers['authorization'] = `Bearer ${token}`;
  }
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: reported below with the status
  }
  if (!res.ok) {
    const message = (json as ApiErrorBody | undefined)?.error?.message ?? `${method} ${path} answered ${res.status} ${res.statusText}`;
    throw new ApiError(message, res.status);
  }
  return json as T;
}

export const getJson = <T>(path: string): Promise<T> => call<T>('GET', path);
export const getAdmin = <T>(path: string): Promise<T> => call<T>('GET', path, undefined, true);
export const postAdmin = <T>(path: string, body: unknown): Promise<T> => call<T>('POST', path, body, true);

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
