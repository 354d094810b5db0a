/**
 * @module The request path of a completion, chat or text, from the API key to
 * the ledger:
 *
 * 1. authenticate the key (401), read the body under the size limit (413),
 *    validate it (400), find the model (404) and check the tenant may use it
 *    (403);
 * 2. reserve the estimate with the limiter (429 with Retry-After; the refusal
 *    is recorded in the ledger as `rejected`);
 * 3. take a slot of the model's backends (fair-admission.ts): at once when one
 *    is free and nobody waits, else in the tenant's fair queue (see
 *    wait-for-slot.ts: 429 queue_full / queue_timeout, recorded as `rejected`);
 * 4. run it on a backend (see run-completion.ts), which records exactly one
 *    ledger record, settles the reservation and answers; then free the slot.
 */
import type { CompletionJob } from './completion-request.js';
import type { GatewayContext, RouteCall } from './gateway-context.js';
import { AuthenticationError, GatewayHttpError, ModelNotAllowedError, ModelNotFoundError, RateLimitError, ShuttingDownError } from './gateway-errors.js';
import { worstCaseCostUsd } from './model-pricing.js';
import { readJsonBody } from './read-json-body.js';
import { recordUnserved } from './record-unserved.js';
import { runCompletion } from './run-completion.js';
import { waitForSlot } from './wait-for-slot.js';

export async function serveCompletion(ctx: GatewayContext, call: RouteCall, parse: (body: unknown) => CompletionJob): Promise<void> {
  try {
    const authorization = call.req.headers.authorization;
    const auth = await ctx.tenants.authenticate(authorization, call.arrivalEpochMs);
    if (auth === undefined) throw new AuthenticationError(authorization === undefined || authorization.trim() === '');
    if (ctx.closing()) throw new ShuttingDownError();
    const job = parse(await readJsonBody(call.req, ctx.config.maxBodyBytes));
    const served = ctx.models.get(job.model);
    if (served === undefined) throw new ModelNotFoundError(job.model, [...ctx.models.keys()]);
    const { tenant } = auth;
    if (tenant.models !== undefined && !tenant.models.includes(job.model)) {
      throw new ModelNotAllowedError(job.model, tenant.models.filter((m) => ctx.models.has(m)));
    }

    const estimate = {
      inputTokens: job.promptTokens,
      maxOutputTokens: job.maxOutputTokens,
      costUsd: worstCaseCostUsd(served.config.pricing, job.promptTokens, job.maxOutputTokens),
    };
    const reservation = await ctx.limiter.reserve(tenant, estimate, call.arrivalEpochMs);
    if (!reservation.ok) {
      await recordUnserved(ctx, call, job, auth, 'rejected');
      ctx.metrics.recordRequest({ model: job.model, tenant: tenant.id, status: 429 });
      ctx.stats.recordRejection(tenant.id, reservation.reason, call.arrivalEpochMs);
      throw new RateLimitError(reservation.reason, reservation.message, reservation.retryAfterSeconds);
    }
    // Below saturation this is one synchronous check; the queue is only touched when every backend is busy.
    const slot = served.admission.tryAcquire(tenant.id, tenant.weight, job.promptTokens) ?? (await waitForSlot(ctx, call, { job, served, auth, reservation }));
    if (slot === undefined) return; // refused while waiting, and answered
    try {
      await runCompletion(ctx, call, { job, served, auth, reservation, slot });
    } finally {
      slot.release();
    }
  } catch (e) {
    if (e instanceof GatewayHttpError && e.rejectionReason !== undefined) ctx.metrics.recordRejection(e.rejectionReason);
    throw e;
  }
}
