/**
 * @module The body of GET /api/live: the gateway's live statistics with the
 * all-time token total (the ledger's total at start plus the tokens since),
 * and each pool's hardware, backends (health, circuit, load) and fair-queue
 * depth.
 */
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import type { UsageTotals } from '../gateway/ledger/ledger.js';
import type { GatewayContext, ServedModel } from '../gateway/server/gateway-context.js';
import type { LiveSnapshot, PoolLive } from '../gateway/stats/live-stats.js';

export interface PoolHardware {
  readonly accelerator: string | null;
  readonly acceleratorName: string | null;
  readonly vendor: string | null;
  readonly engine: string | null;
  readonly kind: 'emulated' | 'openai';
}

/** What a pool runs on, from the gateway config (its first emulated backend; an upstream's hardware is unknown). */
export function poolHardware(ctx: GatewayContext): ReadonlyMap<string, PoolHardware> {
  const out = new Map<string, PoolHardware>();
  for (const m of ctx.config.models) {
    for (const p of m.pools) {
      const emulated = p.backends.find((b) => b.kind === 'emulated');
      if (emulated === undefined || emulated.kind !== 'emulated') {
        out.set(p.name, { accelerator: null, acceleratorName: null, vendor: null, engine: null, kind: 'openai' });
        continue;
      }
      const acc = getAccelerator(emulated.accelerator);
      out.set(p.name, { accelerator: acc.id, acceleratorName: acc.name, vendor: acc.vendor, engine: emulated.engine, kind: 'emulated' });
    }
  }
  return out;
}

/**
 * Requests waiting in a served model's fair (VTC) queue. The queue is per
 * served model, so every pool of a model shows the same depth.
 */
export function queueDepthOf(served: ServedModel): number {
  return served.admission.queueDepth;
}

/** Samples every pool's queue depth into the stats (called once a second by the dashboard). */
export function sampleQueueDepths(ctx: GatewayContext, nowMs: number): void {
  for (const m of ctx.models.values()) {
    const depth = queueDepthOf(m);
    for (const pool of new Set(m.backends.map((b) => b.pool))) ctx.stats.sampleQueueDepth(pool, depth, nowMs);
  }
}

export function liveView(ctx: GatewayContext, hardware: ReadonlyMap<string, PoolHardware>, totalsAtStart: UsageTotals, nowMs: number): unknown {
  const snap: LiveSnapshot = ctx.stats.snapshot(nowMs);
  const sinceStart = snap.tokens.input + snap.tokens.output;
  return {
    nowMs: snap.nowMs,
    startedAtMs: snap.startedAtMs,
    tokens: {
      total: totalsAtStart.inputTokens + totalsAtStart.outputTokens + sinceStart,
      input: totalsAtStart.inputTokens + snap.tokens.input,
      output: totalsAtStart.outputTokens + snap.tokens.output,
      sinceStart,
    },
    tokensPerSecond: snap.tokensPerSecond,
    outputTokensPerSecond: snap.outputTokensPerSecond,
    requestsPerSecond: snap.requestsPerSecond,
    requests: snap.requests,
    series: snap.series,
    pools: snap.pools.map((p) => poolView(ctx, p, hardware.get(p.pool))),
  };
}

function poolView(ctx: GatewayContext, p: PoolLive, hw: PoolHardware | undefined): unknown {
  const served = ctx.models.get(p.model);
  const backends = (served?.backends ?? []).filter((b) => b.pool === p.pool);
  return {
    model: p.model,
    pool: p.pool,
    accelerator: hw?.accelerator ?? null,
    acceleratorName: hw?.acceleratorName ?? null,
    vendor: hw?.vendor ?? null,
    engine: hw?.engine ?? null,
    kind: hw?.kind ?? 'openai',
    backends: backends.map((b) => {
      const s = b.snapshot();
      return { id: b.id, healthy: served!.router.isHealthy(b.id), circuit: ctx.breaker.state(b.id), outstanding: s.outstanding, queuedPromptTokens: s.queuedPromptTokens };
    }),
    tokensPerSecond: p.tokensPerSecond,
    queueDepth: served === undefined ? 0 : queueDepthOf(served),
    ttftMs: p.ttftMs,
    tpotMs: p.tpotMs,
    series: p.series,
  };
}
