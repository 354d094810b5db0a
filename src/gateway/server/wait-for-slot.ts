/**
 * @module Waiting on the request path for a slot of a model whose backends
 * are all busy (see fair-admission.ts): the request waits in its tenant's
 * fair queue, and leaves it when its client goes away.
 *
 * A wait that ends without a slot is answered here, as a completion that
 * never reached a backend: one ledger record (`rejected`; a client gone is
 * `client-disconnected`), at no cost since nothing was served; the limiter
 * reservation settled at zero; the error (429 `queue_full` or
 * `queue_timeout` with Retry-After, 503 `shutting_down`) or, for a client
 * gone, nothing; metrics and live statistics.
 *
 * The wait counts among the requests in flight, so that close(), which
 * refuses every waiting request at once, lets the refusal be recorded and
 * answered before it closes the connections.
 */
import type { AdmissionSlot } from '../fairness/fair-admission.js';
import type { LedgerStatus } from '../ledger/ledger.js';
import type { Reservation } from '../limits/limiter.js';
import type { Authenticated } from '../tenants/tenant-store.js';
import type { CompletionJob } from './completion-request.js';
import type { GatewayContext, RouteCall, ServedModel } from './gateway-context.js';
import { QueueFullError, QueueTimeoutError, ShuttingDownError, type GatewayHttpError } from './gateway-errors.js';
import { mapError } from './map-error.js';
import { recordUnserved } from './record-unserved.js';
import { sendErrorResponse } from './send-json.js';

/** The status reported in metrics for a request whose client went away (nginx's convention, as in run-completion.ts). */
const CLIENT_CLOSED_STATUS = 499;

export interface WaitingCompletion {
  readonly job: CompletionJob;
  readonly served: ServedModel;
  readonly auth: Authenticated;
  readonly reservation: Reservation;
}

/** Why a wait ended without a slot, as answered. */
type Refusal = 'queue_full' | 'queue_timeout' | 'shutdown' | 'client';

/** The slot once one is free; undefined when the request was refused (and answered) instead. */
export async function waitForSlot(ctx: GatewayContext, call: RouteCall, w: WaitingCompletion): Promise<AdmissionSlot | undefined> {
  const { res } = call;
  const { tenant } = w.auth;
  const gone = new AbortController();
  let cause: 'client' | 'shutdown' | undefined;
  const cancel = (c: 'client' | 'shutdown') => {
    if (cause !== undefined) return;
    cause = c;
    gone.abort();
  };
  const onClose = () => {
    if (!res.writableFinished) cancel('client');
  };
  res.once('close', onClose);
  const unregister = ctx.inFlight.add(() => cancel('shutdown'));
  // The client may have gone while the request was being admitted (its 'close' already fired).
  if (res.destroyed || res.socket?.destroyed === true) cancel('client');
  try {
    const outcome = await w.served.admission.wait({
      tenantId: tenant.id,
      weight: tenant.weight,
      inputTokens: w.job.promptTokens,
      maxOutputTokens: w.job.maxOutputTokens,
      signal: gone.signal,
    });
    if (outcome.ok) return outcome.slot;
    await refuse(ctx, call, w, outcome.reason === 'cancelled' ? (cause ?? 'client') : outcome.reason === 'closed' ? 'shutdown' : outcome.reason);
    return undefined;
  } finally {
    res.off('close', onClose);
    unregister();
  }
}

function errorOf(ctx: GatewayContext, model: string, why: Refusal, retryAfter: number): GatewayHttpError | undefined {
  switch (why) {
    case 'queue_full':
      return new QueueFullError(model, ctx.config.fairQueue.maxQueuedPerModel, retryAfter);
    case 'queue_timeout':
      return new QueueTimeoutError(model, ctx.config.fairQueue.maxWaitMs, retryAfter);
    case 'shutdown':
      return new ShuttingDownError();
    case 'client':
      return undefined;
    default: {
      const never: never = why;
      return never;
    }
  }
}

/** Records, settles and answers a request refused while it waited. */
async function refuse(ctx: GatewayContext, call: RouteCall, w: WaitingCompletion, why: Refusal): Promise<void> {
  const { job, auth } = w;
  const { res, requestId } = call;
  const error = errorOf(ctx, job.model, why, w.served.admission.retryAfterSeconds());
  const status: LedgerStatus = error === undefined ? 'client-disconnected' : 'rejected';
  await recordUnserved(ctx, call, job, auth, status);
  try {
    await ctx.limiter.settle(w.reservation, { inputTokens: 0, outputTokens: 0, costUsd: 0 }, ctx.clock.epochMs());
  } catch (e) {
    ctx.log.error('limiter: could not settle a reservation', { requestId, error: (e as Error).message });
  }
  ctx.stats.recordCompletion({ tenantId: auth.tenant.id, model: job.model, pool: '', status, inputTokens: job.promptTokens, outputTokens: 0, billed: false }, ctx.clock.epochMs());

  let httpStatus: number;
  if (error === undefined) {
    httpStatus = CLIENT_CLOSED_STATUS;
    if (!res.writableEnded) res.destroy();
  } else {
    const mapped = mapError(error, requestId, ctx.log);
    httpStatus = mapped.status;
    sendErrorResponse(res, mapped);
    if (error.rejectionReason !== undefined) ctx.metrics.recordRejection(error.rejectionReason);
  }
  ctx.metrics.recordRequest({ model: job.model, tenant: auth.tenant.id, status: httpStatus });
}
