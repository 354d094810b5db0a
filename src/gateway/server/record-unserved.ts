/**
 * @module The ledger record of a request that never reached a backend (refused
 * by the limiter, or while it waited for a slot, or whose client left the
 * queue): its prompt, no output, no cost. A failure to record is logged, never
 * thrown: the request is answered either way.
 */
import type { LedgerStatus } from '../ledger/ledger.js';
import type { Authenticated } from '../tenants/tenant-store.js';
import type { CompletionJob } from './completion-request.js';
import type { GatewayContext, RouteCall } from './gateway-context.js';

export async function recordUnserved(ctx: GatewayContext, call: RouteCall, job: CompletionJob, auth: Authenticated, status: LedgerStatus): Promise<void> {
  try {
    await ctx.ledger.record({
      requestId: call.requestId,
      tenantId: auth.tenant.id,
      keyId: auth.keyId,
      model: job.model,
      pool: '',
      backend: '',
      inputTokens: job.promptTokens,
      outputTokens: 0,
      cachedTokens: 0,
      costUsd: 0,
      latencyMs: Math.max(0, ctx.clock.now() - call.arrivalMs),
      status,
      createdAtMs: call.arrivalEpochMs,
    });
  } catch (e) {
    ctx.log.error('ledger: could not record a request that reached no backend', { requestId: call.requestId, status, error: (e as Error).message });
  }
}
