/**
 * @module The JSON the dashboard reads, as docs/dashboard-api.md writes it
 * down: the contract between the server (src/dashboard) and this front end.
 */
import type { PlanChartData } from '../src/plan/plan-charts.js';

/** An OpenAI-style error body, as every endpoint answers on failure. */
export interface ApiErrorBody {
  readonly error: { readonly message: string; readonly type?: string; readonly code?: string | null };
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
}

export interface LiveBackend {
  readonly id: string;
  readonly healthy: boolean;
  readonly circuit: string;
  readonly outstanding: number;
  readonly queuedPromptTokens: number;
}

export interface LivePool {
  readonly model: string;
  readonly pool: string;
  readonly accelerator: string | null;
  readonly acceleratorName: string | null;
  readonly vendor: string | null;
  readonly engine: string | null;
  readonly kind: string;
  readonly backends: readonly LiveBackend[];
  readonly tokensPerSecond: number;
  readonly queueDepth: number;
  readonly ttftMs: Percentiles | null;
  readonly tpotMs: Percentiles | null;
  /** 5 s buckets over the last 300 s, oldest first; `tMs` is epoch milliseconds. */
  readonly series: readonly { readonly tMs: number; readonly tokensPerSecond: number; readonly ttftMsP50: number | null; readonly tpotMsP50: number | null; readonly queueDepth: number }[];
}

/** `GET /api/live`. */
export interface LiveStats {
  readonly nowMs: number;
  readonly startedAtMs: number;
  readonly tokens: { readonly total: number; readonly input: number; readonly output: number; readonly sinceStart: number };
  readonly tokensPerSecond: number;
  readonly outputTokensPerSecond: number;
  readonly requestsPerSecond: number;
  readonly requests: { readonly total: number; readonly ok: number; readonly rejected: number; readonly failed: number };
  /** 1 s buckets over the last 300 s, oldest first. */
  readonly series: readonly { readonly tMs: number; readonly inputTokensPerSecond: number; readonly outputTokensPerSecond: number; readonly requestsPerSecond: number }[];
  readonly pools: readonly LivePool[];
}

export interface LiveTenant {
  readonly id: string;
  readonly name: string;
  readonly weight: number;
  readonly models: readonly string[] | null;
  readonly budgetUsdPerMonth: number | null;
  readonly spentThisMonthUsd: number;
  readonly rpm: number | null;
  readonly tpm: number | null;
  readonly tokensSinceStart: number;
  readonly tokensPerSecond: number;
  readonly requestsSinceStart: number;
  readonly rejectionsSinceStart: { readonly rpm: number; readonly tpm: number; readonly budget: number };
  readonly monthTokens: number;
  readonly monthCostUsd: number;
}

/** `GET /api/tenants/live` (admin). */
export interface LiveTenants {
  readonly tenants: readonly LiveTenant[];
}

/** A catalogue number with where it comes from. */
export interface Fact<T = number> {
  readonly value: T | null;
  readonly source: string;
  readonly confidence: 'datasheet' | 'reported' | 'estimate' | 'assumption' | 'unknown' | string;
  readonly note?: string;
}

export interface AcceleratorRecord {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly family?: string;
  readonly memoryBytes: Fact;
  readonly memoryType?: Fact<string>;
  readonly memoryBandwidthBytesPerSecond: Fact;
  readonly peakFlopsPerSecond: Readonly<Record<string, Fact>>;
  readonly scaleUp?: { readonly name?: Fact<string>; readonly bandwidthBytesPerSecond?: Fact; readonly domainSize?: Fact };
  readonly scaleOut?: { readonly name?: Fact<string>; readonly bandwidthBytesPerSecond?: Fact };
  readonly tdpWatts: Fact;
  readonly priceUsd?: Fact;
  readonly availableFrom?: Fact<string>;
  readonly precisions?: readonly string[];
  readonly engines?: readonly string[];
  readonly exportStatus?: string;
}

export interface ModelRecord {
  readonly id: string;
  readonly modelType?: string;
  readonly attention?: string;
  readonly moe?: string | null;
  readonly layers?: number;
  readonly totalParams: number;
  readonly activeParams: number;
  readonly weightBytesBf16?: number;
  readonly weightBytesFp8?: number;
  readonly kvBytesPerTokenBf16?: number;
  readonly declaredWeightPrecision?: string | null;
}

/** `GET /api/catalogue/roofline`. */
export interface Roofline {
  readonly accelerator: string;
  readonly model: string;
  readonly precision: string;
  readonly tp: number;
  readonly peakFlopsPerSecond: number;
  readonly memoryBytesPerSecond: number;
  readonly ridgeFlopsPerByte: number;
  readonly points: readonly {
    readonly phase: 'decode' | 'prefill' | string;
    readonly batch: number;
    readonly contextTokens: number;
    readonly flopsPerByte: number;
    readonly attainableFlopsPerSecond: number;
    readonly predictedFlopsPerSecond: number;
    readonly stepMs: number;
  }[];
}

/** A binding constraint of the plan, with its shadow price. */
export interface PlanBinding {
  readonly constraint: string;
  readonly kind: string;
  readonly period?: string;
  readonly shadowPrice: number;
  readonly unit: string;
}

/** The parts of `tokenfleet plan --json` the dashboard shows. */
export interface PlanSummary {
  readonly status: string;
  readonly objective?: number;
  readonly objectiveKind?: string;
  readonly servedMillionTokens?: number;
  readonly mipGap?: number;
  readonly solveSeconds?: number;
  readonly explanation?: string;
  readonly periods?: readonly { readonly period: string; readonly capexUsd: number; readonly opexUsd: number; readonly demandTokensPerSecond: number; readonly servedTokensPerSecond: number; readonly unmetTokensPerSecond: number }[];
  readonly binding?: readonly PlanBinding[];
  readonly variants?: readonly { readonly name: string; readonly description?: string; readonly status: string; readonly objective?: number; readonly explanation?: string; readonly binding?: readonly PlanBinding[] }[];
}

/** `GET /api/plan`. */
export interface PlanState {
  readonly state: 'running' | 'done' | 'failed' | 'none';
  readonly jobId?: string | null;
  readonly scenarioName?: string | null;
  readonly computedAtMs?: number | null;
  /** The last plan computed, also while a new one runs or after one failed. */
  readonly charts?: PlanChartData | null;
  readonly summary?: PlanSummary | null;
  readonly error?: string | null;
  /** The scenario as YAML, when the server exposes it (not in the contract's minimum). */
  readonly scenarioYaml?: string | null;
}

/** `GET /api/jobs/{id}`. */
export interface Job<R = unknown> {
  readonly id: string;
  readonly kind: 'plan' | 'simulate';
  readonly state: 'queued' | 'running' | 'done' | 'failed';
  readonly progress: { readonly done: number; readonly total: number; readonly label: string } | null;
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
  readonly result: R | null;
  readonly error: string | null;
}

/** `GET /api/simulate/options`. */
export interface SimulateOptions {
  readonly traces: readonly { readonly id: string; readonly label: string; readonly format: string; readonly requests: number }[];
  readonly models: readonly string[];
  readonly accelerators: readonly string[];
  readonly engines: readonly string[];
  readonly routers: readonly string[];
}

export interface SimulatePool {
  accelerator: string;
  engine: string;
  tp: number;
  precision: string;
  replicas: number;
}

/** The body of `POST /api/simulate`. */
export interface SimulateRequest {
  trace: string;
  maxRequests: number;
  rateScale: number;
  router: string;
  model: string;
  seed: number;
  sloTtftMs?: number;
  sloTpotMs?: number;
  pools: SimulatePool[];
}

interface LatencyStats {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The parts of `tokenfleet simulate --json` the dashboard shows. */
export interface SimulateSummary {
  readonly requests: number;
  readonly completed: number;
  readonly rejected: number;
  readonly ttftMs: LatencyStats;
  readonly tpotMs: LatencyStats;
  readonly e2eMs?: LatencyStats;
  readonly queueMs?: LatencyStats;
  readonly throughput: { readonly inputTokensPerSecond: number; readonly outputTokensPerSecond: number; readonly requestsPerSecond: number };
  readonly sloAttainment: number | null;
  readonly goodput?: number | null;
  readonly preemptions?: number;
  readonly costUsdPerMillionOutputTokens?: number;
  readonly simulatedSeconds?: number;
}

export interface Histogram {
  readonly lowMs: number;
  readonly highMs: number;
  readonly count: number;
}

/** A simulate job's result. */
export interface SimulateResult {
  readonly summary: SimulateSummary;
  readonly ttftMsHistogram: readonly Histogram[];
  readonly tpotMsHistogram: readonly Histogram[];
  readonly timeline: readonly { readonly tS: number; readonly runningRequests: number; readonly queuedRequests: number; readonly kvOccupancy: number; readonly outputTokensPerSecond: number }[];
}

/** `POST /admin/tenants` answers the tenant. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
}

/** `POST /admin/tenants/{id}/keys` answers the key, once. */
export interface CreatedKey {
  readonly id: string;
  readonly key: string;
  readonly tenantId: string;
}
