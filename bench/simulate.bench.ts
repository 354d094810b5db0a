/**
 * Simulator speed: the Azure conversation trace tiled to 10k, 100k and 1M
 * requests, on one replica (10k) and on 200 replicas (rate scaled so the
 * fleet is loaded). Prints wall time, events per second and resident memory.
 * Run: npm run bench:simulate
 */
import { readFileSync } from 'node:fs';
import { getAccelerator } from '../src/core/catalogue/find-accelerator.js';
import { resolveModel } from '../src/config/model-registry.js';
import { simulateCluster } from '../src/sim/cluster/simulate-cluster.js';
import { readTrace } from '../src/sim/workload/read-trace.js';
import { repeatWorkload, scaleRate, sliceWorkload, type Workload } from '../src/sim/workload/workload.js';

const trace = new URL('../../shared/data/traces/azure-2023/AzureLLMInferenceTrace_conv.csv', import.meta.url);
const { workload: conv } = readTrace(readFileSync(trace, 'utf8'), 'conv.csv', 'azure');
const model = resolveModel('meta-llama/Llama-3.1-8B').spec;
const accelerator = getAccelerator('h200-sxm');

function run(label: string, w: Workload, replicas: number, router = 'least-outstanding'): void {
  const started = performance.now();
  const r = simulateCluster(
    { pools: [{ name: 'h200', role: 'mixed', model, accelerator, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8' }, replicas }], router, prefixCache: false, seed: 1 },
    w,
  );
  const wall = (performance.now() - started) / 1000;
  const rss = process.memoryUsage().rss / 1e6;
  console.log(
    `${label.padEnd(44)} ${String(w.count).padStart(9)} req  ${wall.toFixed(2).padStart(6)} s wall  ${(r.events / wall / 1e6).toFixed(2)} M events/s  ` +
      `${(r.summary.completed / wall / 1e3).toFixed(0)}k req/s  TTFT p50 ${r.summary.ttftMs.p50?.toFixed(1)} ms  RSS ${rss.toFixed(0)} MB`,
  );
}

run('warm-up', sliceWorkload(conv, 2000), 1);
run('10k requests, 1 replica', sliceWorkload(conv, 10_000), 1);
const tiled = (n: number) => sliceWorkload(repeatWorkload(conv, Math.ceil(n / conv.count)), n);
for (const n of [10_000, 100_000, 1_000_000]) {
  run(`${n / 1000}k requests, 200 replicas, rate x40, least-out`, scaleRate(tiled(n), 40), 200);
}
run('1M requests, 200 replicas, rate x40, power-of-two', scaleRate(tiled(1_000_000), 40), 200, 'power-of-two');
