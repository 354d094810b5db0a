/**
 * @module The one place where errors become HTTP responses: a status, headers
 * and an OpenAI-style body `{ error: { message, type, param, code } }`. An
 * error the gateway does not know is logged with its stack and answered with
 * a 500 that names the request id, never with the stack itself.
 */
import { InvalidInputError } from '../../core/errors.js';
import { NoSuchTenantError } from '../tenants/tenant-store.js';
import type { GatewayLog } from './gateway-context.js';
import { GatewayHttpError } from './gateway-errors.js';

export interface OpenAiErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: OpenAiErrorBody;
}

function body(message: string, type: string, code: string | null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** The response for `err`; unknown errors are logged (with `requestId`) and hidden. */
export function mapError(err: unknown, requestId: string, log: GatewayLog): ErrorResponse {
  if (err instanceof GatewayHttpError) return { status: err.status, headers: err.headers, body: body(err.message, err.type, err.code, err.param) };
  if (err instanceof NoSuchTenantError) return { status: 404, headers: {}, body: body(err.message, 'invalid_request_error', 'tenant_not_found', 'tenant') };
  // The message already starts with `where: `; the param names the field alone.
  if (err instanceof InvalidInputError) return { status: 400, headers: {}, body: body(err.message, 'invalid_request_error', 'invalid_request', err.where ?? null) };
  log.error('internal error', { requestId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return { status: 500, headers: {}, body: body(`internal error; quote request id ${requestId} to the operator`, 'server_error', 'internal_error') };
}
