/**
 * @module The routing extension point: a policy picks, for each request, one
 * replica among the candidates of the pools that can serve it. Policies are
 * one file each, registered in `routers/index.ts`, and pass the shared
 * contract test `router.contract.test.ts`.
 */

/** What a router may know about one candidate replica at decision time. */
export interface ReplicaView {
  /** Index of the replica in the cluster (stable). */
  readonly index: number;
  /** Index of its pool. */
  readonly pool: number;
  /** Requests queued or running on it. */
  readonly outstanding: number;
  /** Prompt tokens still to prefill on it (queued and partially prefilled). */
  readonly pendingPrefillTokens: number;
  /** Sequences running on it. */
  readonly running: number;
  /** KV cache in use, fraction of capacity. */
  readonly kvUsedFraction: number;
  /**
   * Predicted time until a request of `promptTokens` and `outputTokens` would complete on this replica
   * given its current queue, milliseconds (from the performance model of its pool).
   */
  predictCompletionMs(promptTokens: number, outputTokens: number): number;
}

/** The request being routed. */
export interface RouteRequest {
  readonly id: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Prefix-cache block hashes of the prompt, when the workload has them. */
  readonly blockHashes?: ArrayLike<number>;
  readonly tenant: number;
}

export interface RouterContext {
  /** A deterministic uniform random number in [0, 1) from the run's routing stream. */
  random(): number;
}

export interface Router {
  readonly name: string;
  /** Returns the position in `candidates` (not the replica index) of the chosen replica. `candidates` is never empty. */
  pick(req: RouteRequest, candidates: readonly ReplicaView[], ctx: RouterContext): number;
}

export type RouterFactory = () => Router;
