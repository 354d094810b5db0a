/**
 * @module The errors the gateway answers with: each carries its HTTP status
 * and the fields of an OpenAI-style error body (`type`, `code`, `param`), and
 * says how to fix the problem. map-error.ts renders them (and the errors of
 * the stores) once, at the HTTP edge.
 */
import { TokenfleetError } from '../../core/errors.js';
import type { LimitReason } from '../limits/limiter.js';
import type { RejectionReason } from '../metrics/gateway-metrics.js';

/** An error with an HTTP status and an OpenAI-style body. */
export class GatewayHttpError extends TokenfleetError {
  constructor(
    message: string,
    /** HTTP status code. */
    readonly status: number,
    /** OpenAI's `error.type`. */
    readonly type: string,
    /** OpenAI's `error.code`. */
    readonly code: string | null,
    /** The request field at fault, as a dot path (`messages[0].content`); null when none. */
    readonly param: string | null = null,
    /** Extra response headers (Retry-After, Allow). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** The metrics' reason when this refuses a completion before a backend served it. */
    readonly rejectionReason?: RejectionReason,
  ) {
    super(message);
  }
}

/** Missing, malformed, unknown or revoked API key. */
export class AuthenticationError extends GatewayHttpError {
  constructor(missing: boolean) {
    super(
      missing
        ? 'missing API key: send the header Authorization: Bearer tf-<keyId>-<secret> (ask your administrator for a key)'
        : 'invalid API key: the key is unknown, malformed or revoked (ask your administrator for a new one)',
      401,
      'invalid_request_error',
      'invalid_api_key',
      null,
      {},
      'unauthenticated',
    );
  }
}

/** The admin API was called without the admin token (or it is disabled). */
export class AdminAuthError extends GatewayHttpError {
  constructor(disabled: boolean) {
    super(
      disabled
        ? 'the admin API is disabled: start the gateway with an admin token'
        : 'the admin API needs the header Authorization: Bearer <admin token>',
      401,
      'invalid_request_error',
      'invalid_admin_token',
    );
  }
}

export class PayloadTooLargeError extends GatewayHttpError {
  constructor(limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes (maxBodyBytes in gateway.yaml); shorten the prompt`, 413, 'invalid_request_error', 'request_too_large', null, { connection: 'close' }, 'body_too_large');
  }
}

/** Malformed JSON, a wrong type, an unsupported value. */
export class InvalidRequestError extends GatewayHttpError {
  constructor(message: string, param: string | null = null) {
    super(message, 400, 'invalid_request_error', 'invalid_request', param, {}, 'invalid_request');
  }
}

export class ModelNotFoundError extends GatewayHttpError {
  constructor(model: string, available: readonly string[]) {
    super(`the model '${model}' does not exist; available models: ${available.join(', ')} (GET /v1/models)`, 404, 'invalid_request_error', 'model_not_found', 'model', {}, 'unknown_model');
  }
}

export class ModelNotAllowedError extends GatewayHttpError {
  constructor(model: string, allowed: readonly string[]) {
    super(
      `this API key's tenant may not use the model '${model}'; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'} (ask your administrator)`,
      403,
      'permission_error',
      'model_not_allowed',
      'model',
      {},
      'invalid_request',
    );
  }
}

const LIMIT_REJECTIONS = { rpm: 'rate_limit_rpm', tpm: 'rate_limit_tpm', budget: 'budget_exceeded' } as const satisfies Record<LimitReason, RejectionReason>;

/** The limiter refused the request (RPM, TPM or the monthly budget). */
export class RateLimitError extends GatewayHttpError {
  constructor(
    readonly reason: LimitReason,
    message: string,
    /** Whole seconds. */
    readonly retryAfterSeconds: number,
  ) {
    super(
      message,
      429,
      reason === 'budget' ? 'insufficient_quota' : reason === 'rpm' ? 'requests' : 'tokens',
      reason === 'budget' ? 'insufficient_quota' : 'rate_limit_exceeded',
      null,
      { 'retry-after': String(retryAfterSeconds) },
      LIMIT_REJECTIONS[reason],
    );
  }
}

/** Every backend of the model is busy and its fair queue already holds fairQueue.maxQueuedPerModel requests. */
export class QueueFullError extends GatewayHttpError {
  constructor(model: string, maxQueued: number, retryAfterSeconds = 1) {
    super(
      `every backend of '${model}' is busy and ${maxQueued} requests are already waiting (fairQueue.maxQueuedPerModel in gateway.yaml); retry shortly`,
      429,
      'requests',
      'queue_full',
      null,
      { 'retry-after': String(retryAfterSeconds) },
      'queue_full',
    );
  }
}

/** The request waited fairQueue.maxWaitMs for a backend of its model and was given up. */
export class QueueTimeoutError extends GatewayHttpError {
  constructor(model: string, maxWaitMs: number, retryAfterSeconds = 1) {
    super(
      `every backend of '${model}' stayed busy for ${maxWaitMs} ms while this request waited (fairQueue.maxWaitMs in gateway.yaml); retry later`,
      429,
      'requests',
      'queue_timeout',
      null,
      { 'retry-after': String(retryAfterSeconds) },
      'queue_timeout',
    );
  }
}

/** Every backend of the model is unhealthy or has its circuit open. */
export class NoBackendError extends GatewayHttpError {
  constructor(model: string) {
    super(`no backend of '${model}' is available now (all unhealthy or cooling down); retry in a few seconds`, 503, 'server_error', 'no_backend', null, { 'retry-after': '1' }, 'no_backend');
  }
}

/** The backends failed (before the first token, on every try; or during a stream). */
export class UpstreamError extends GatewayHttpError {
  constructor(message: string) {
    super(`upstream error: ${message}; retry the request`, 502, 'server_error', 'upstream_error');
  }
}

export class UpstreamTimeoutError extends GatewayHttpError {
  constructor(timeoutMs: number) {
    super(`the request did not finish within ${timeoutMs} ms (requestTimeoutMs in gateway.yaml); lower max_tokens or retry`, 504, 'server_error', 'timeout', null, {}, 'timeout');
  }
}

/** The ledger could not store the request's usage, so its output is withheld. */
export class UsageNotRecordedError extends GatewayHttpError {
  constructor() {
    super('the usage of this request could not be recorded, so its output was withheld and it is not billed; retry', 503, 'server_error', 'ledger_unavailable');
  }
}

/** The gateway is shutting down. */
export class ShuttingDownError extends GatewayHttpError {
  constructor() {
    super('the gateway is shutting down; retry on another instance', 503, 'server_error', 'shutting_down', null, { 'retry-after': '1' });
  }
}

export class RouteNotFoundError extends GatewayHttpError {
  constructor(method: string, path: string) {
    super(`unknown request URL: ${method} ${path} (see /v1/models, /v1/chat/completions, /v1/completions, /admin/...)`, 404, 'invalid_request_error', 'unknown_url');
  }
}

export class MethodNotAllowedError extends GatewayHttpError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`${method} is not allowed on ${path}; use ${allowed.join(' or ')}`, 405, 'invalid_request_error', 'method_not_allowed', null, { allow: allowed.join(', ') });
  }
}

/** A resource of the admin API (a key) that does not exist. */
export class NotFoundError extends GatewayHttpError {
  constructor(message: string, code: string) {
    super(message, 404, 'invalid_request_error', code);
  }
}
