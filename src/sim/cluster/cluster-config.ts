/**
 * @module A cluster to simulate, in its internal (validated, resolved) form:
 * pools of identical replicas, each pool its own model, accelerator, parallel
 * layout, engine and role (aggregated, prefill or decode), and how requests are
 * routed. `build-cluster.ts` turns it into runnable replicas.
 */
import type { AcceleratorSpec, EngineId } from '../../core/catalogue/accelerator-spec.js';
import type { ModelSpec } from '../../core/catalogue/model-spec.js';
import type { ParallelConfig, PrecisionConfig, SpeculativeConfig } from '../../core/perf/deployment.js';
import type { Efficiencies } from '../../core/perf/efficiency.js';
import type { SloTargets } from '../metrics/request-metrics.js';

/** `mixed`: prefill and decode on the same replicas; `prefill` / `decode`: the two sides of a disaggregated deployment. */
export type PoolRole = 'mixed' | 'prefill' | 'decode';

export interface PoolConfig {
  readonly name: string;
  readonly role: PoolRole;
  readonly model: ModelSpec;
  readonly accelerator: AcceleratorSpec;
  readonly engine: EngineId;
  readonly parallel: Partial<ParallelConfig>;
  readonly precision?: Partial<PrecisionConfig>;
  /** Identical replicas in the pool. */
  readonly replicas: number;
  /** Token budget per step; default: the engine's. */
  readonly maxBatchedTokens?: number;
  /** Fraction of device memory the engine may use, in (0, 1]; default: the engine's. */
  readonly memoryUtilization?: number;
  /** Speculative decoding (a one-layer drafter); absent: one token per decode step. */
  readonly speculative?: SpeculativeConfig;
  /** Override of the calibrated efficiencies. */
  readonly efficiencies?: Efficiencies;
}

export interface ClusterConfig {
  readonly pools: readonly PoolConfig[];
  /** Policy choosing the replica (among all mixed and prefill pools) for each arriving request. */
  readonly router: string;
  /** Policy choosing the decode replica for a request leaving a prefill pool; default: least-outstanding. */
  readonly decodeRouter?: string;
  /** Reuse KV blocks across requests with the same prefix (needs block hashes in the workload). */
  readonly prefixCache: boolean;
  /** Prefix-cache capacity per replica in blocks; default: the replica's KV capacity. Infinity: unbounded. */
  readonly prefixCacheBlocks?: number;
  readonly seed: number;
  readonly slo?: SloTargets;
  /** Width of the timeline intervals, ms; no timeline when omitted. */
  readonly timelineIntervalMs?: number;
  /** Keep per-request records (for --requests FILE.csv). */
  readonly keepRequests?: boolean;
}
