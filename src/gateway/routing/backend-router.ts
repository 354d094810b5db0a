/**
 * @module Routes live requests over backends with the simulator's routing
 * policies: each backend is shown to the policy as a ReplicaView built from
 * its load snapshot, so the policies the simulator evaluates are the ones the
 * gateway runs.
 *
 * Use one router per served model (its backends, across pools): a policy's
 * state (the round-robin counter) then spreads that model's requests.
 *
 * What a live backend cannot say is filled in: `running` is its outstanding
 * count (an upper bound: queued requests included), `kvUsedFraction` is 0
 * unless the snapshot carries one, and the completion prediction comes from
 * the emulated backend's own step model, else from the load (see
 * `loadBasedCompletionMs`).
 */
import { getEngine } from '../../core/catalogue/engines.js';
import { batchOf, emptyBatch, type BatchShape, type StepModel } from '../../core/perf/step-time.js';
import { makeRouter } from '../../sim/routers/index.js';
import type { ReplicaView, RouteRequest, Router, RouterContext } from '../../sim/routers/router.js';
import type { Backend, BackendSnapshot } from '../backends/backend.js';
import type { EmulatedBackend } from '../backends/emulated-backend.js';

/** The request being routed. String ids and tenants are hashed to the numbers the policies take. */
export interface BackendRouteRequest {
  readonly id: string | number;
  /** Prompt length, tokens. */
  readonly promptTokens: number;
  /** Expected (or maximum) output length, tokens. */
  readonly outputTokens: number;
  readonly tenant: string | number;
  /** Prefix-cache block hashes of the prompt, for prefix-affinity, when known. */
  readonly blockHashes?: ArrayLike<number>;
}

/** Backend ids a pick must skip: a Set, or a view over several (tried backends plus full ones, see fair-admission.ts). */
export interface BackendExclusion {
  has(backendId: string): boolean;
}

/** The part of a circuit breaker the router consults (see CircuitBreaker). */
export interface BackendGate {
  /** Whether `backendId` may take a request now. */
  allows(backendId: string): boolean;
  /** Called for the backend picked; may take a half-open probe slot. */
  begin(backendId: string): boolean;
}

export interface BackendRouterOptions {
  /** Predicted time to complete a request on a backend given its current load, milliseconds; default: see the module comment. */
  readonly predictCompletionMs?: (backend: Backend, promptTokens: number, outputTokens: number) => number;
  /** Uniform random numbers in [0, 1) (power-of-two); inject a seeded stream for reproducible tests. */
  readonly random: () => number;
  /** Capacity of a non-emulated backend relative to others (an upstream's `weight`), for the load-based prediction. Default 1. */
  readonly weightOf?: (backend: Backend) => number;
  /** A circuit breaker: backends it refuses are skipped, and the one picked is reported to it. */
  readonly gate?: BackendGate;
}

export interface BackendRouter {
  /** The policy's name. */
  readonly name: string;
  /**
   * The backend for `req`, skipping unhealthy ones, those the gate refuses and those in `exclude`
   * (ids of backends that already failed this request, for a retry elsewhere); undefined when none is left.
   */
  pick(req: BackendRouteRequest, exclude?: BackendExclusion): Backend | undefined;
  /** Records a backend's health (from a health check or a failure seen by the caller). */
  setHealthy(backendId: string, healthy: boolean): void;
  isHealthy(backendId: string): boolean;
  /** Asks every backend for its health and records the answers (a rejected check counts as unhealthy). */
  checkHealth(): Promise<void>;
}

/** Assumed prefill time per prompt token of a backend of unknown speed, ms (ASSUMPTION: an 8B-70B model on one modern GPU). */
export const ASSUMED_PREFILL_MS_PER_TOKEN = 0.2;
/** Assumed time per output token of a lone request on a backend of unknown speed, ms (ASSUMPTION, as above). */
export const ASSUMED_DECODE_MS_PER_TOKEN = 20;
/** Assumed slow-down of each decode step per request already running, fraction (ASSUMPTION: decode is memory-bound, so a batch slows it a little). */
export const ASSUMED_DECODE_SLOWDOWN_PER_REQUEST = 0.02;

/**
 * Completion time of a request on a backend of unknown speed, ms: its queued prompt tokens and
 * its own at an assumed prefill rate, then its output tokens at an assumed decode rate that
 * slows with the requests outstanding, all divided by the backend's relative capacity. Orders
 * backends of one kind by load, like least-outstanding with prefill work counted.
 */
export function loadBasedCompletionMs(snapshot: BackendSnapshot, promptTokens: number, outputTokens: number, weight = 1): number {
  const prefillMs = (snapshot.queuedPromptTokens + promptTokens) * ASSUMED_PREFILL_MS_PER_TOKEN;
  const decodeMs = outputTokens * ASSUMED_DECODE_MS_PER_TOKEN * (1 + snapshot.outstanding * ASSUMED_DECODE_SLOWDOWN_PER_REQUEST);
  return (prefillMs + decodeMs) / weight;
}

function isEmulated(b: Backend): b is EmulatedBackend {
  const e = b as Partial<EmulatedBackend>;
  return e.stepModel !== undefined && e.deployment !== undefined;
}

/** The step model's prediction for an emulated backend, as the simulator's replicas make it. */
class StepModelPredictor {
  private readonly probe: BatchShape = emptyBatch();
  private readonly prefillMsPerToken: number;
  private readonly dpRanks: number;
  private readonly model: StepModel;

  constructor(b: EmulatedBackend) {
    this.model = b.stepModel;
    this.dpRanks = b.deployment.parallel.dp;
    // The engine's default budget: the backend may run another, which changes the rate a little, not the order.
    const budget = getEngine(b.deployment.engine).maxBatchedTokens;
    this.prefillMsPerToken = b.stepModel.stepTimeMs(batchOf([{ tokens: budget }], [])) / (budget * this.dpRanks);
  }

  /** Queued prefill work at a full-budget prefill rate, then `outputTokens` decode steps at the batch it would join. */
  predict(s: BackendSnapshot, promptTokens: number, outputTokens: number): number {
    const b = this.probe;
    const seqs = (s.outstanding + 1) / this.dpRanks;
    b.decodeSeqs = seqs;
    b.decodeContextTokens = seqs * (promptTokens + outputTokens / 2);
    b.logitTokens = seqs;
    return (s.queuedPromptTokens + promptTokens) * this.prefillMsPerToken + outputTokens * this.model.stepTimeMs(b);
  }
}

/** A snapshot that may say how full its KV cache is (a backend may add it; the interface does not require it). */
type SnapshotWithKv = BackendSnapshot & { readonly kvUsedFraction?: number };

/** One backend as a policy sees it, refreshed from its snapshot before each decision. */
class BackendView implements ReplicaView {
  outstanding = 0;
  pendingPrefillTokens = 0;
  running = 0;
  kvUsedFraction = 0;
  private snap: BackendSnapshot = { outstanding: 0, queuedPromptTokens: 0 };

  constructor(
    readonly index: number,
    readonly pool: number,
    readonly backend: Backend,
    private readonly predictor: (snapshot: BackendSnapshot, promptTokens: number, outputTokens: number) => number,
  ) {}

  refresh(): void {
    const s: SnapshotWithKv = this.backend.snapshot();
    this.snap = s;
    this.outstanding = s.outstanding;
    this.pendingPrefillTokens = s.queuedPromptTokens;
    this.running = s.outstanding;
    this.kvUsedFraction = typeof s.kvUsedFraction === 'number' && Number.isFinite(s.kvUsedFraction) ? s.kvUsedFraction : 0;
  }

  predictCompletionMs(promptTokens: number, outputTokens: number): number {
    return this.predictor(this.snap, promptTokens, outputTokens);
  }
}

/** FNV-1a of a string, 32 bits: string ids and tenants as the numbers RouteRequest carries. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A router over `backends` with the simulator's policy `policyName`.
 * @throws InvalidInputError listing the valid names when the policy is unknown.
 */
export function createBackendRouter(policyName: string, backends: readonly Backend[], opts: BackendRouterOptions): BackendRouter {
  const policy: Router = makeRouter(policyName);
  const ctx: RouterContext = { random: opts.random };
  const poolIndex = new Map<string, number>();
  const views = backends.map((b, i) => {
    let pool = poolIndex.get(b.pool);
    if (pool === undefined) {
      pool = poolIndex.size;
      poolIndex.set(b.pool, pool);
    }
    let predictor: (s: BackendSnapshot, p: number, o: number) => number;
    const custom = opts.predictCompletionMs;
    if (custom !== undefined) predictor = (_s, p, o) => custom(b, p, o);
    else if (isEmulated(b)) {
      const m = new StepModelPredictor(b);
      predictor = (s, p, o) => m.predict(s, p, o);
    } else {
      const weight = opts.weightOf?.(b) ?? 1;
      predictor = (s, p, o) => loadBasedCompletionMs(s, p, o, weight);
    }
    return new BackendView(i, pool, b, predictor);
  });
  const byId = new Map(backends.map((b) => [b.id, b]));
  const unhealthy = new Set<string>();
  /** Reused between picks: no allocation per decision beyond the route request. */
  const candidates: BackendView[] = [];

  const setHealthy = (id: string, healthy: boolean) => {
    if (healthy) unhealthy.delete(id);
    else if (byId.has(id)) unhealthy.add(id);
  };

  return {
    name: policy.name,
    pick(req, exclude) {
      candidates.length = 0;
      for (const v of views) {
        const id = v.backend.id;
        if (unhealthy.has(id) || exclude?.has(id) || (opts.gate !== undefined && !opts.gate.allows(id))) continue;
        v.refresh();
        candidates.push(v);
      }
      if (candidates.length === 0) return undefined;
      const route: RouteRequest = {
        id: typeof req.id === 'number' ? req.id : hashString(req.id),
        promptTokens: req.promptTokens,
        outputTokens: req.outputTokens,
        tenant: typeof req.tenant === 'number' ? req.tenant : hashString(req.tenant),
        ...(req.blockHashes !== undefined && { blockHashes: req.blockHashes }),
      };
      const at = policy.pick(route, candidates, ctx);
      const chosen = candidates[at];
      if (chosen === undefined) throw new RangeError(`router ${policy.name} returned position ${at} of ${candidates.length} candidates`);
      opts.gate?.begin(chosen.backend.id);
      return chosen.backend;
    },
    setHealthy,
    isHealthy: (id) => !unhealthy.has(id),
    async checkHealth() {
      await Promise.all(
        backends.map(async (b) => {
          let ok: boolean;
          try {
            ok = await b.health();
          } catch {
            ok = false;
          }
          setHealthy(b.id, ok);
        }),
      );
    },
  };
}
