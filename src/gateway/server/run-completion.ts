/**
 * @module Running an admitted completion on a backend and answering it.
 *
 * - Backend choice: the request's slot (fair-admission.ts) has the model's
 *   router pick one with a free slot (skipping unhealthy ones and
 *   open circuits). A failure before the first token (an error chunk of
 *   status 5xx/429, a thrown error, a stream that ends without `done`) is
 *   retried on another backend, excluding those already tried, up to
 *   MAX_RETRIES times; after the first token it ends the request. A 4xx from
 *   the backend is the request's fault: answered as 400, not retried.
 * - Streams: the SSE headers go out with the first token, so that a failure
 *   before it can still be retried or answered with a plain HTTP error. The
 *   frames of the tokens a backend hands over together (in one tick: e.g. the
 *   events of one upstream read) are joined and written once, by a
 *   process.nextTick callback, which runs when the tick's promise jobs are
 *   done and before any I/O: the first byte is never held back, and a read of
 *   eight tokens costs one chunk of the response instead of eight (each
 *   res.write of a chunked response is three socket writes).
 * - Exactly one ledger record per request, written before the response ends
 *   (plain) or before `data: [DONE]` (stream), with what was delivered:
 *   output tokens are those sent to the client (all of them on success; for
 *   a plain response cut short, none). Billing: a successful request, or one
 *   the client dropped, pays for its prompt and the output delivered; a
 *   request that failed on our side pays only if it delivered tokens.
 * - Then the response ends, the limiter's reservation is settled with the
 *   actual usage, and metrics are recorded.
 * - The request's time limit (requestTimeoutMs) counts from its arrival,
 *   time spent waiting in the fair queue included.
 */
import type { ServerResponse } from 'node:http';
import { AbortSwitch } from '../backends/abort-switch.js';
import type { Backend, BackendChunk, BackendUsage } from '../backends/backend.js';
import { hasBatches } from '../backends/chunk-batches.js';
import type { AdmissionSlot } from '../fairness/fair-admission.js';
import type { LedgerRecord, LedgerStatus } from '../ledger/ledger.js';
import type { Reservation } from '../limits/limiter.js';
import type { Authenticated } from '../tenants/tenant-store.js';
import { completionFormat, DONE_FRAME, errorFrame, type FinishReason } from './completion-format.js';
import type { CompletionJob } from './completion-request.js';
import type { GatewayContext, RouteCall, ServedModel } from './gateway-context.js';
import {
  InvalidRequestError,
  NoBackendError,
  ShuttingDownError,
  UpstreamError,
  UpstreamTimeoutError,
  UsageNotRecordedError,
  type GatewayHttpError,
} from './gateway-errors.js';
import { mapError } from './map-error.js';
import { requestCostUsd } from './model-pricing.js';
import { sendErrorResponse, sendJson } from './send-json.js';

/** Tries on other backends after a failure before the first token. */
export const MAX_RETRIES = 2;

/** The status reported in metrics for a request whose client went away (nginx's convention). */
const CLIENT_CLOSED_STATUS = 499;

export interface AdmittedCompletion {
  readonly job: CompletionJob;
  readonly served: ServedModel;
  readonly auth: Authenticated;
  readonly reservation: Reservation;
  /** Its slot of the model's backends: routes it, is charged its output tokens, is freed when the backend is done. */
  readonly slot: AdmissionSlot;
}

type AbortCause = 'client' | 'timeout' | 'shutdown';

/** How one try on a backend ended. */
type AttemptEnd = Extract<BackendChunk, { type: 'done' | 'error' }> | { readonly type: 'ended' } | { readonly type: 'threw'; readonly message: string };

const ENDED: AttemptEnd = { type: 'ended' };

/** How the request ended, over all tries. */
type Ending =
  | { readonly kind: 'done'; readonly usage: BackendUsage; readonly finishReason: FinishReason }
  | { readonly kind: 'aborted'; readonly cause: AbortCause }
  | { readonly kind: 'failed'; readonly error: GatewayHttpError; readonly status: LedgerStatus };

/** Resolves when `res` can take more data, or is closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function describe(end: AttemptEnd): string {
  switch (end.type) {
    case 'error':
      return `backend answered ${end.status}: ${end.message}`;
    case 'threw':
      return `backend failed: ${end.message}`;
    case 'ended':
      return 'backend stream ended without a result';
    case 'done':
      return 'done';
    default: {
      const never: never = end;
      return never;
    }
  }
}

/** A backend refusal that is the request's fault (not retried, not a backend failure). */
function isClientFault(end: AttemptEnd): end is Extract<AttemptEnd, { type: 'error' }> {
  return end.type === 'error' && end.status >= 400 && end.status < 500 && end.status !== 408 && end.status !== 429;
}

export async function runCompletion(ctx: GatewayContext, call: RouteCall, admitted: AdmittedCompletion): Promise<void> {
  const { job, auth } = admitted;
  const { res, requestId } = call;
  const { clock } = ctx;
  const format = completionFormat(job.kind, requestId, job.model, Math.floor(call.arrivalEpochMs / 1000));

  const controller = new AbortSwitch();
  let cause: AbortCause | undefined;
  const abort = (c: AbortCause) => {
    if (cause !== undefined) return;
    cause = c;
    controller.abort();
  };
  const onClose = () => {
    if (!res.writableFinished) abort('client');
  };
  res.on('close', onClose); // removed in the finally below (once() would allocate a wrapper)
  // The time limit counts from the request's arrival: a wait in the fair queue uses part of it.
  const timer = clock.setTimeout(() => abort('timeout'), Math.max(0, ctx.config.requestTimeoutMs - (clock.now() - call.arrivalMs)));
  const unregister = ctx.inFlight.add(abort);
  // The client may have gone while the request was being admitted (its 'close' already fired).
  if (res.destroyed || res.socket?.destroyed === true) abort('client');

  /** Tokens sent to the client (stream) or received (plain). */
  let delivered = 0;
  let firstTokenMs: number | undefined;
  let lastTokenMs = 0;
  const parts: string[] = [];

  const startStream = () => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    if (format.startFrame !== '') res.write(format.startFrame);
  };

  /** Token frames not yet written (see the module's note on streams). */
  let pendingFrames = '';
  let flushScheduled = false;
  const flushFrames = (): void => {
    flushScheduled = false;
    const frames = pendingFrames;
    pendingFrames = '';
    if (frames !== '' && !res.writableEnded && !res.destroyed) res.write(frames);
  };

  /** Takes one chunk of a backend's stream; returns how the try ended when it did. */
  const take = (chunk: BackendChunk): AttemptEnd | undefined => {
    if (chunk.type !== 'token') return chunk;
    admitted.slot.chargeOutput(1);
    if (cause !== undefined) return ENDED;
    const now = clock.now();
    if (delivered === 0) firstTokenMs = now;
    lastTokenMs = now;
    delivered++;
    if (job.stream) {
      if (!res.headersSent) startStream();
      pendingFrames += format.tokenFrame(chunk.text);
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(flushFrames);
      }
    } else {
      parts.push(chunk.text);
    }
    return undefined;
  };

  const attempt = async (backend: Backend): Promise<AttemptEnd> => {
    try {
      const stream = backend.chat({
        requestId,
        ...(job.messages !== undefined && { messages: job.messages }),
        ...(job.prompt !== undefined && { prompt: job.prompt }),
        promptTokens: job.promptTokens,
        maxOutputTokens: job.maxOutputTokens,
        stream: job.stream,
        signal: controller,
      });
      if (hasBatches(stream)) {
        for await (const batch of stream.batches()) {
          for (const chunk of batch) {
            const end = take(chunk);
            if (end !== undefined) return end;
            if (job.stream && res.writableNeedDrain) await drained(res);
          }
        }
      } else {
        for await (const chunk of stream) {
          const end = take(chunk);
          if (end !== undefined) return end;
          if (job.stream && res.writableNeedDrain) await drained(res);
        }
      }
      return ENDED;
    } catch (e) {
      return { type: 'threw', message: e instanceof Error ? e.message : String(e) };
    } finally {
      // What was delivered goes out before anything that ends the response.
      flushFrames();
    }
  };

  let backend: Backend | undefined;
  let ending: Ending | undefined;
  try {
    const route = { id: requestId, promptTokens: job.promptTokens, outputTokens: job.maxOutputTokens, tenant: auth.tenant.id };
    /** Backends that failed this request (made at the first failure: most requests have none). */
    let exclude: Set<string> | undefined;
    let lastFailure: string | undefined;
    for (let tries = 0; ending === undefined; tries++) {
      const picked = admitted.slot.pick(route, exclude);
      if (picked === undefined) {
        ending =
          lastFailure === undefined
            ? { kind: 'failed', error: new NoBackendError(job.model), status: 'rejected' }
            : { kind: 'failed', error: new UpstreamError(lastFailure), status: 'upstream-error' };
        break;
      }
      backend = picked;
      const end = await attempt(picked);
      if (end.type === 'done') {
        ctx.breaker.recordSuccess(picked.id);
        ending = { kind: 'done', usage: end.usage, finishReason: end.finishReason };
      } else if (cause !== undefined) {
        ctx.breaker.release(picked.id);
        ending = { kind: 'aborted', cause };
      } else if (isClientFault(end)) {
        ctx.breaker.recordSuccess(picked.id);
        ending = { kind: 'failed', error: new InvalidRequestError(`the backend refused the request: ${end.message}`), status: 'rejected' };
      } else {
        ctx.breaker.recordFailure(picked.id);
        lastFailure = describe(end);
        ctx.log.warn('backend failure', { requestId, backend: picked.id, failure: lastFailure, delivered, try: tries + 1 });
        if (delivered > 0 || tries >= MAX_RETRIES) ending = { kind: 'failed', error: new UpstreamError(lastFailure), status: 'upstream-error' };
        else (exclude ??= new Set()).add(picked.id);
      }
    }
    // The backend is done with it: a waiting request may start while this one is recorded.
    admitted.slot.release();
    await finish(ctx, call, admitted, { ending, backend, delivered, firstTokenMs, lastTokenMs, parts, format, startStream });
  } finally {
    clock.clearTimeout(timer);
    res.off('close', onClose);
    unregister();
  }
}

interface Outcome {
  readonly ending: Ending;
  readonly backend: Backend | undefined;
  readonly delivered: number;
  readonly firstTokenMs: number | undefined;
  readonly lastTokenMs: number;
  readonly parts: readonly string[];
  readonly format: ReturnType<typeof completionFormat>;
  readonly startStream: () => void;
}

function ledgerStatusOf(ending: Ending): LedgerStatus {
  switch (ending.kind) {
    case 'done':
      return 'ok';
    case 'aborted':
      return ending.cause === 'client' ? 'client-disconnected' : ending.cause === 'timeout' ? 'upstream-timeout' : 'upstream-error';
    case 'failed':
      return ending.status;
    default: {
      const never: never = ending;
      return never;
    }
  }
}

/** The error a request that did not complete answers with (undefined: its client is gone). */
function errorOf(ctx: GatewayContext, ending: Ending): GatewayHttpError | undefined {
  if (ending.kind === 'failed') return ending.error;
  if (ending.kind === 'aborted') {
    if (ending.cause === 'timeout') return new UpstreamTimeoutError(ctx.config.requestTimeoutMs);
    if (ending.cause === 'shutdown') return new ShuttingDownError();
  }
  return undefined;
}

/** Records the ledger record, settles the limiter, answers and records metrics. */
async function finish(ctx: GatewayContext, call: RouteCall, admitted: AdmittedCompletion, o: Outcome): Promise<void> {
  const { job, served, auth, reservation } = admitted;
  const { res, requestId } = call;
  const { ending } = o;
  const usage = ending.kind === 'done' ? ending.usage : undefined;
  const status = ledgerStatusOf(ending);
  const inputTokens = usage?.promptTokens ?? job.promptTokens;
  const cachedTokens = usage?.cachedTokens ?? 0;
  const outputTokens = usage !== undefined ? usage.completionTokens : job.stream ? o.delivered : 0;
  const billed = status === 'ok' || status === 'client-disconnected' || outputTokens > 0;
  const costUsd = billed ? requestCostUsd(served.config.pricing, inputTokens, cachedTokens, outputTokens) : 0;
  const ttftMs = o.firstTokenMs === undefined ? undefined : Math.max(0, o.firstTokenMs - call.arrivalMs);

  const record: LedgerRecord = {
    requestId,
    tenantId: auth.tenant.id,
    keyId: auth.keyId,
    model: job.model,
    pool: o.backend?.pool ?? '',
    backend: o.backend?.id ?? '',
    inputTokens,
    outputTokens,
    cachedTokens,
    costUsd,
    latencyMs: Math.max(0, ctx.clock.now() - call.arrivalMs),
    ...(ttftMs !== undefined && { ttftMs }),
    status,
    createdAtMs: call.arrivalEpochMs,
  };
  let recorded = true;
  try {
    await ctx.ledger.record(record);
  } catch (e) {
    recorded = false;
    ctx.log.error('ledger: could not record a request', { requestId, status, error: (e as Error).message });
  }
  let httpStatus: number;
  if (ending.kind === 'done' && usage !== undefined && recorded) {
    httpStatus = 200;
    if (job.stream) {
      if (!res.headersSent) o.startStream();
      res.end(o.format.finishFrame(ending.finishReason) + (job.includeUsage ? o.format.usageFrame(usage) : '') + DONE_FRAME);
    } else {
      sendJson(res, 200, o.format.body(o.parts.join(''), ending.finishReason, usage));
    }
  } else {
    const error = ending.kind === 'done' ? new UsageNotRecordedError() : errorOf(ctx, ending);
    if (error === undefined) {
      httpStatus = CLIENT_CLOSED_STATUS;
      if (!res.writableEnded) res.destroy();
    } else {
      const mapped = mapError(error, requestId, ctx.log);
      httpStatus = res.headersSent ? 200 : mapped.status;
      if (res.headersSent) res.end(errorFrame(mapped.body));
      else sendErrorResponse(res, mapped);
      if (error.rejectionReason !== undefined && o.delivered === 0) ctx.metrics.recordRejection(error.rejectionReason);
    }
  }

  // Settled once the client has its answer (the reservation only holds more than the usage meanwhile): a
  // shared limiter's round trip is not on the request's path.
  try {
    await ctx.limiter.settle(reservation, { inputTokens, outputTokens, costUsd }, ctx.clock.epochMs());
  } catch (e) {
    ctx.log.error('limiter: could not settle a reservation', { requestId, error: (e as Error).message });
  }

  const tpotSeconds = o.delivered > 1 && o.firstTokenMs !== undefined ? (o.lastTokenMs - o.firstTokenMs) / (o.delivered - 1) / 1000 : undefined;
  ctx.stats.recordCompletion(
    { tenantId: auth.tenant.id, model: job.model, pool: record.pool, status, inputTokens, outputTokens, billed, ...(ttftMs !== undefined && { ttftMs }), ...(tpotSeconds !== undefined && { tpotMs: tpotSeconds * 1000 }) },
    ctx.clock.epochMs(),
  );
  ctx.metrics.recordRequest({
    model: job.model,
    ...(o.backend !== undefined && { pool: o.backend.pool }),
    tenant: auth.tenant.id,
    status: httpStatus,
    inputTokens,
    outputTokens,
    cachedTokens,
    ...(ttftMs !== undefined && { ttftSeconds: ttftMs / 1000 }),
    ...(tpotSeconds !== undefined && { tpotSeconds }),
  });
}
