/**
 * @module The planner's input in its internal, normalised form: what the
 * scenario file (src/config/plan-scenario.ts) becomes after validation and
 * after a variant is applied, and what the configuration search and the
 * optimiser read. All money in USD, power in watts, rates in tokens per second
 * (input + output tokens processed).
 */
import type { EngineId } from '../core/catalogue/accelerator-spec.js';
import type { SpeculativeConfig } from '../core/perf/deployment.js';

/** One planning period (a quarter). */
export interface Period {
  /** e.g. `2026Q1`. */
  readonly id: string;
  /** Hours in the period (for energy and unmet-demand penalties). */
  readonly hours: number;
  /** Calendar year, for annual budgets. */
  readonly year: number;
}

/** A class of traffic with its own lengths and latency targets. */
export interface WorkloadClass {
  readonly id: string;
  /** Model id (resolved by the model registry). */
  readonly model: string;
  /** Mean prompt tokens per request. */
  readonly inputTokens: number;
  /** Mean output tokens per request. */
  readonly outputTokens: number;
  /** Share of prompt tokens served from the prefix cache (multi-turn chat, shared system prompts), 0..1; 0 when unknown. */
  readonly prefixHitRate?: number;
  /** Latency targets a configuration must meet to serve this class. */
  readonly slo: { readonly ttftMs: number; readonly tpotMs: number };
  /**
   * Speculative decoding this class is served with on every offer (how often drafts are accepted depends on the
   * model and the traffic); absent: one token per decode step. Offers whose engine has none serve the class not at all.
   */
  readonly speculative?: SpeculativeConfig;
}

/** Demand of one workload class in one period. */
export interface Demand {
  readonly period: string;
  readonly workload: string;
  /** Average tokens per second (input + output). */
  readonly averageTokensPerSecond: number;
  /** Provisioning target over the average (peak-to-average factor, >= 1). */
  readonly peakFactor: number;
}

/** US export gate and Chinese import/use gate of an imported accelerator in a period. */
export interface Gates {
  /** `banned`: no licence; `capped`: licences up to `usCapUnits` per period; `allowed`. */
  readonly usExport: 'allowed' | 'capped' | 'banned';
  readonly usCapUnits?: number;
  /** Share of the price paid to the US government, 0..1, raising the effective price. */
  readonly revenueShare: number;
  /** `blocked`: customs or regulators stop it; `approved`; `conditional`: allowed at the given fill rate of orders. */
  readonly chinaApproval: 'approved' | 'blocked' | 'conditional';
  readonly chinaFillRate?: number;
}

/** An accelerator the company can buy, with price, supply and gates per period. */
export interface AcceleratorOffer {
  /** Catalogue id. */
  readonly accelerator: string;
  readonly vendor: string;
  /** True for chips made or sold domestically in China (no US export gate). */
  readonly domestic: boolean;
  /** Price per chip before revenue share, USD. */
  readonly priceUsd: number;
  /** Power per chip including its share of host, network and cooling overhead before PUE, watts. */
  readonly powerWatts: number;
  /** Engine the configuration search uses on it. */
  readonly engine: EngineId;
  /** First period it can be ordered in. */
  readonly availableFrom: string;
  /** Quarters between order and service (0: serves in the period it is bought). */
  readonly leadTimeQuarters: number;
  /** Units deliverable per period (after fill rates), or undefined for no cap; per period id. */
  readonly supplyUnits: Readonly<Record<string, number>>;
  /** Gates per period id (imported chips); domestic chips have none. */
  readonly gates?: Readonly<Record<string, Gates>>;
  /** Where the numbers come from or that they are assumptions. */
  readonly source: string;
}

export interface Site {
  readonly id: string;
  /** Power available to IT load times PUE, megawatts. */
  readonly powerMw: number;
  readonly pue: number;
  readonly electricityUsdPerKwh: number;
  /** Hosting cost (space, maintenance) per accelerator per month, USD. */
  readonly hostingUsdPerAcceleratorMonth: number;
  /** Most accelerators the site can hold (space), if limited. */
  readonly maxAccelerators?: number;
  /** A state-funded site may use domestic chips only. */
  readonly domesticOnly: boolean;
}

/** A spending cap over some periods and vendors. */
export interface Budget {
  readonly id: string;
  /** Periods whose purchases count. */
  readonly periods: readonly string[];
  /** Vendors whose purchases count; undefined: all. */
  readonly vendors?: readonly string[];
  readonly usd: number;
}

export interface InstalledFleet {
  readonly site: string;
  readonly accelerator: string;
  readonly units: number;
  /** Last period it serves in; undefined: through the horizon. */
  readonly retiresAfter?: string;
}

export interface PlanInput {
  readonly name: string;
  readonly periods: readonly Period[];
  readonly workloads: readonly WorkloadClass[];
  readonly demand: readonly Demand[];
  readonly offers: readonly AcceleratorOffer[];
  readonly sites: readonly Site[];
  readonly budgets: readonly Budget[];
  readonly installed: readonly InstalledFleet[];
  readonly objective: {
    readonly kind: 'min-cost' | 'max-served';
    /** Penalty for each million tokens of demand not served, USD (min-cost). */
    readonly unmetPenaltyUsdPerMillionTokens: number;
  };
  /** Purchase granularity: chips are bought in servers of this many (e.g. 8). */
  readonly unitsPerServer: number;
  /** Fraction of device memory the engines may use when the configuration search sizes layouts, 0..1; default: each engine's own. */
  readonly memoryUtilization?: number;
}

/**
 * Throughput of one accelerator type on one workload class at its SLO, found
 * by the configuration search: the best layout and its tokens/s per chip.
 */
export interface ConfigCapacity {
  readonly workload: string;
  readonly accelerator: string;
  readonly engine: EngineId;
  /** Tokens per second (input + output) per accelerator at the SLO; 0 when no layout meets it. */
  readonly tokensPerSecondPerAccelerator: number;
  /** The layout behind it, e.g. `tp4 fp8`, with concurrency per replica. */
  readonly layout: string;
  readonly acceleratorsPerReplica: number;
  readonly concurrencyPerReplica: number;
  readonly ttftMs: number;
  readonly tpotMs: number;
  /** fitted | transferred | prior, from the performance model. */
  readonly confidence: string;
  /** Why no layout meets the SLO, when none does. */
  readonly reason?: string;
}
