/**
 * @module The JSON of a simulation (`tokenfleet simulate --json`, and the
 * summary of the dashboard's simulation jobs).
 */
import type { SimulationResult } from './simulate-cluster.js';

/** `wallSeconds`: how long the run took; `skipped`: malformed trace rows skipped. */
export function simulationJson(r: SimulationResult, wallSeconds: number, skipped: number): Record<string, unknown> {
  const s = r.summary;
  return {
    requests: s.requests,
    completed: s.completed,
    rejected: r.rejected,
    skipped,
    ttftMs: s.ttftMs,
    tpotMs: s.tpotMs,
    e2eMs: s.e2eMs,
    queueMs: s.queueMs,
    throughput: s.throughput,
    sloAttainment: s.sloAttainment,
    goodput: s.goodput,
    prefixHitRate: s.prefixHitRate,
    preemptions: s.preemptions,
    costUsdPerMillionOutputTokens: r.cost.usdPerMillionOutputTokens,
    costUsdPerMillionTotalTokens: r.cost.usdPerMillionTotalTokens,
    costAssumptions: r.cost.assumptions,
    pools: s.pools.map((p, i) => ({ ...p, ...r.pools[i] })),
    tenants: s.tenants,
    simulatedSeconds: r.simulatedSeconds,
    steps: r.steps,
    events: r.events,
    wallSeconds,
  };
}
