/**
 * @module A simulation job: the start of a trace replayed on pools of one
 * model, as `tokenfleet simulate --trace ... --json` does, returning the
 * summary, TTFT/TPOT histograms and a cluster-wide timeline (built from the
 * simulator's sketches, as `--report` does). CPU-heavy: runs in the job worker.
 */
import { resolveModel } from '../../config/model-registry.js';
import { readTextFile } from '../../config/read-text-file.js';
import { getEngine } from '../../core/catalogue/engines.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import type { Precision } from '../../core/catalogue/precision.js';
import { chartTimelineIntervalMs, simulationChartData, type SimulationChartData } from '../../reports/simulation-chart-data.js';
import type { ClusterConfig, PoolConfig } from '../../sim/cluster/cluster-config.js';
import { simulateCluster } from '../../sim/cluster/simulate-cluster.js';
import { readTrace } from '../../sim/workload/read-trace.js';
import { scaleRate, sliceWorkload } from '../../sim/workload/workload.js';
import type { JobProgress, SimulateJobRequest } from './job-types.js';

/** The summary, TTFT/TPOT histograms and timeline: what `tokenfleet simulate --report` draws too. */
export type SimulateJobResult = SimulationChartData;

/** The pools of the request as the simulator's pool configs. */
export function poolConfigs(r: SimulateJobRequest): PoolConfig[] {
  const model = resolveModel(r.model).spec;
  return r.pools.map((p, i) => {
    const accelerator = getAccelerator(p.accelerator);
    const engine = getEngine(p.engine).id;
    return {
      name: `${accelerator.id}-${engine}-${i + 1}`,
      role: 'mixed',
      model,
      accelerator,
      engine,
      parallel: { tp: p.tp },
      ...(p.precision !== undefined && { precision: { weights: p.precision as Precision, moeWeights: p.precision as Precision } }),
      replicas: p.replicas,
    };
  });
}

export function runSimulateJob(r: SimulateJobRequest, onProgress: (p: JobProgress) => void): SimulateJobResult {
  onProgress({ done: 0, total: r.maxRequests, label: 'reading the trace' });
  const pools = poolConfigs(r);
  const maxContext = Math.min(...pools.map((p) => p.model.maxPositionEmbeddings));
  const text = readTextFile(r.traceFile);
  const read = readTrace(text, r.traceFile, r.traceFormat, { skipInvalid: true, maxContextTokens: maxContext });
  let workload = read.workload;
  if (r.rateScale !== 1) workload = scaleRate(workload, r.rateScale);
  workload = sliceWorkload(workload, r.maxRequests);
  const config: ClusterConfig = {
    pools,
    router: r.router,
    prefixCache: false,
    seed: r.seed,
    ...(r.sloTtftMs !== undefined || r.sloTpotMs !== undefined ? { slo: { ttftMs: r.sloTtftMs, tpotMs: r.sloTpotMs } } : {}),
    timelineIntervalMs: chartTimelineIntervalMs(workload),
  };
  const started = performance.now();
  const result = simulateCluster(config, workload, {
    onProgress: (done, total) => onProgress({ done, total, label: 'simulate' }),
    progressEvery: Math.max(1, Math.floor(workload.count / 50)),
  });
  return simulationChartData(result, (performance.now() - started) / 1000, read.skipped);
}
