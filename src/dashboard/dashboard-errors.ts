/**
 * @module The dashboard API's own errors (rendered by the gateway's
 * map-error.ts like every other), and the one rule that turns the core's
 * bad-input errors into 400s: a TokenfleetError with exit code 2 (an unknown
 * accelerator, a layout that does not divide the heads) is the caller's
 * input, not a server fault.
 */
import { TokenfleetError } from '../core/errors.js';
import { GatewayHttpError, InvalidRequestError } from '../gateway/server/gateway-errors.js';

/** Another job of the kind is queued or running. */
export class JobConflictError extends GatewayHttpError {
  constructor(kind: string, jobId: string) {
    super(`a ${kind} job is already running (${jobId}); wait for it (GET /api/jobs/${jobId}) and retry`, 409, 'invalid_request_error', 'job_running');
  }
}

export class ApiNotFoundError extends GatewayHttpError {
  constructor(message: string, code: string) {
    super(message, 404, 'invalid_request_error', code);
  }
}

/** `fn()`, with the core's bad-input errors answered as 400 naming `param`. */
export function asBadRequest<T>(fn: () => T, param: string | null = null): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TokenfleetError && !(e instanceof GatewayHttpError) && e.exitCode === 2) throw new InvalidRequestError(e.message, param);
    throw e;
  }
}
