/**
 * @module Turns a cluster configuration into runnable replicas: a deployment,
 * a memory plan, a compiled step model and a scheduler per replica, checked to
 * fit, with the performance predictions routers use.
 */
import { defaultTokenBudget, getEngine } from '../../core/catalogue/engines.js';
import { InvalidInputError } from '../../core/errors.js';
import { calibrationFor } from '../../core/perf/calibration.js';
import { makeDeployment, type Deployment } from '../../core/perf/deployment.js';
import { planMemory, type MemoryPlan } from '../../core/perf/memory-plan.js';
import { batchOf, compileStepModel, emptyBatch, type BatchShape, type StepModel } from '../../core/perf/step-time.js';
import { ReplicaScheduler } from '../replica-scheduler.js';
import { PrefixCache } from '../prefix-cache.js';
import type { ReplicaView } from '../routers/router.js';
import type { ClusterConfig, PoolConfig } from './cluster-config.js';

export interface BuiltPool {
  readonly index: number;
  readonly config: PoolConfig;
  readonly deployment: Deployment;
  readonly memory: MemoryPlan;
  readonly stepModel: StepModel;
  /** Time per prompt token of a full-budget prefill step, ms (for predictions). */
  readonly prefillMsPerToken: number;
  readonly replicas: Replica[];
}

/** One replica: its scheduler, its in-flight step, and the view routers see. */
export class Replica implements ReplicaView {
  busy = false;
  busyUntil = 0;
  /** Bumped whenever busyUntil changes, to skip stale heap entries. */
  version = 0;
  runSteps = 1;
  runStartMs = 0;
  runT0 = 0;
  runSlope = 0;
  /** Step start and shape summary, for the timeline. */
  stepStartMs = 0;
  stepPrefillTokens = 0;
  stepDecodeTokens = 0;
  private readonly probe: BatchShape = emptyBatch();

  constructor(
    readonly index: number,
    readonly pool: number,
    readonly indexInPool: number,
    readonly sched: ReplicaScheduler,
    readonly model: StepModel,
    readonly prefixCache: PrefixCache | undefined,
    private readonly prefillMsPerToken: number,
    private readonly dpRanks: number,
  ) {}

  get outstanding(): number {
    return this.sched.outstanding;
  }
  get pendingPrefillTokens(): number {
    return this.sched.pendingPrefillTokens;
  }
  get running(): number {
    return this.sched.runningCount;
  }
  get kvUsedFraction(): number {
    return this.sched.kvUsed / this.sched.config.kvCapacityTokens;
  }

  /** Queued prefill work at the pool's prefill rate, then `outputTokens` decode steps at the batch it would join. */
  predictCompletionMs(promptTokens: number, outputTokens: number): number {
    const b = this.probe;
    const seqs = (this.sched.runningCount + 1) / this.dpRanks;
    b.decodeSeqs = seqs;
    b.decodeContextTokens = seqs * (promptTokens + outputTokens / 2);
    b.logitTokens = seqs;
    const decodeMs = this.model.stepTimeMs(b);
    return (this.sched.pendingPrefillTokens + promptTokens) * this.prefillMsPerToken + outputTokens * decodeMs;
  }
}

export interface BuiltCluster {
  readonly pools: readonly BuiltPool[];
  readonly replicas: readonly Replica[];
}

export function buildCluster(config: ClusterConfig, blockTokens: number | undefined): BuiltCluster {
  if (config.pools.length === 0) throw new InvalidInputError('a cluster needs at least one pool', 'pools');
  const roles = new Set(config.pools.map((p) => p.role));
  if (roles.has('prefill') !== roles.has('decode')) {
    throw new InvalidInputError('a disaggregated cluster needs both a prefill pool and a decode pool', 'pools');
  }
  const replicas: Replica[] = [];
  const pools = config.pools.map((pc, index): BuiltPool => {
    const where = `pools[${index}] (${pc.name})`;
    if (!Number.isInteger(pc.replicas) || pc.replicas < 1) throw new InvalidInputError(`replicas must be a positive integer, got ${pc.replicas}`, `${where}.replicas`);
    const util = pc.memoryUtilization;
    if (util !== undefined && !(util > 0 && util <= 1)) throw new InvalidInputError(`memoryUtilization must be above 0 and at most 1, got ${util}`, `${where}.memoryUtilization`);
    let deployment: Deployment;
    try {
      deployment = makeDeployment({ model: pc.model, accelerator: pc.accelerator, engine: pc.engine, parallel: pc.parallel, precision: pc.precision, speculative: pc.speculative });
    } catch (e) {
      if (e instanceof InvalidInputError) throw new InvalidInputError(e.message, where);
      throw e;
    }
    const memory = planMemory(deployment, { memoryUtilization: util, maxBatchedTokens: pc.maxBatchedTokens });
    if (!memory.fits) throw new InvalidInputError(`${pc.model.id} does not fit: ${memory.reason ?? 'not enough memory'}`, where);
    const eff = pc.efficiencies ?? calibrationFor(pc.accelerator, pc.engine, pc.role === 'prefill' || pc.role === 'decode' ? 'disagg' : 'agg').efficiencies;
    const stepModel = compileStepModel(deployment, eff);
    const engine = getEngine(pc.engine);
    const budget = pc.maxBatchedTokens ?? defaultTokenBudget(engine, pc.accelerator.memoryBytes.value);
    const dp = deployment.parallel.dp;
    const prefillMsPerToken = stepModel.stepTimeMs(batchOf([{ tokens: budget }], [])) / (budget * dp);
    const built: Replica[] = [];
    for (let r = 0; r < pc.replicas; r++) {
      const sched = new ReplicaScheduler({
        batching: engine.batching,
        maxBatchedTokens: budget * dp,
        maxRunningSequences: engine.maxRunningSequences * dp,
        kvCapacityTokens: memory.kvCapacityTokens,
        kvBlockTokens: memory.kvBlockTokens,
        dpRanks: dp,
        reserveWholeSequence: engine.kvAdmission === 'whole-sequence',
        ...(dp > 1 && engine.attentionDpContextWaitSteps !== undefined && { contextWaitSteps: engine.attentionDpContextWaitSteps }),
        prefillOnly: pc.role === 'prefill',
      });
      const capacity = config.prefixCacheBlocks ?? Math.floor(memory.kvCapacityTokens / (blockTokens ?? memory.kvBlockTokens));
      const cache = config.prefixCache && pc.role !== 'decode' ? new PrefixCache(capacity) : undefined;
      const replica = new Replica(replicas.length, index, r, sched, stepModel, cache, prefillMsPerToken, dp);
      replicas.push(replica);
      built.push(replica);
    }
    return { index, config: pc, deployment, memory, stepModel, prefillMsPerToken, replicas: built };
  });
  return { pools, replicas };
}
