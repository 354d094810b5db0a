/** @module `tokenfleet simulate`: replay a trace or a synthetic load on a cluster and report latency, throughput, SLO attainment and cost. */
import { existsSync, writeFileSync } from 'node:fs';
import { readTextFile } from '../../config/read-text-file.js';
import { z } from 'zod';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { getEngine } from '../../core/catalogue/engines.js';
import { InvalidInputError } from '../../core/errors.js';
import { basename, resolve as resolvePath } from 'node:path';
import { resolveModel } from '../../config/model-registry.js';
import { loadSimulationScenario } from '../../config/simulation-scenario.js';
import { chartTimelineIntervalMs } from '../../reports/simulation-chart-data.js';
import { renderSimulationReport } from '../../reports/simulation-report-html.js';
import { simulationReportScript } from '../../reports/simulation-report-script.js';
import { loadServegenDir } from '../../sim/workload/servegen-files.js';
import { servegenWorkload } from '../../sim/workload/servegen.js';
import { gammaWorkload } from '../../sim/workload/synthetic.js';
import type { SpeculativeConfig } from '../../core/perf/deployment.js';
import type { ClusterConfig } from '../../sim/cluster/cluster-config.js';
import { simulateCluster, type SimulationResult } from '../../sim/cluster/simulate-cluster.js';
import { simulationJson } from '../../sim/cluster/simulation-json.js';
import type { LatencySummary } from '../../sim/metrics/request-metrics.js';
import { detectTraceFormat, readTrace } from '../../sim/workload/read-trace.js';
import { poissonWorkload } from '../../sim/workload/synthetic.js';
import type { TraceFormat } from '../../sim/workload/trace-reader.js';
import { repeatWorkload, scaleRate, sliceWorkload, type Workload } from '../../sim/workload/workload.js';
import { fmtNum } from '../format-table.js';
import { layoutFromOptions, speculativeFromOptions } from '../deployment-options.js';
import { acceptanceProbability, draftTokenCount, memoryFraction, parseOptions, positiveInt } from '../parse-options.js';
import { startProgress } from '../progress.js';

const positive = z.coerce.number({ error: 'expected a number' }).positive('expected a positive number');

const schema = z.object({
  trace: z.string().optional(),
  format: z.enum(['azure', 'mooncake', 'vidur', 'jsonl']).optional(),
  rate: positive.optional(),
  requests: positiveInt.optional(),
  isl: positiveInt.optional(),
  osl: positiveInt.optional(),
  model: z.string().min(1, 'required (or give a scenario file)'),
  accelerator: z.string().min(1, 'required (or give a scenario file)'),
  tp: positiveInt,
  pp: positiveInt,
  dp: positiveInt,
  ep: positiveInt.optional(),
  precision: z.string().optional(),
  kvPrecision: z.string().optional(),
  engine: z.string(),
  replicas: positiveInt,
  memoryUtilization: memoryFraction.optional(),
  maxBatchedTokens: positiveInt.optional(),
  speculativeTokens: draftTokenCount.optional(),
  acceptanceRate: acceptanceProbability.optional(),
  router: z.string(),
  prefixCache: z.boolean().optional(),
  repeat: positiveInt,
  rateScale: positive,
  maxRequests: positiveInt.optional(),
  sloTtftMs: positive.optional(),
  sloTpotMs: positive.optional(),
  seed: z.coerce.number().int('expected a whole number'),
  skipInvalid: z.boolean().optional(),
  timeline: z.string().optional(),
  timelineInterval: positive,
  requestsCsv: z.string().optional(),
  report: z.string().optional(),
  modelConfigs: z.array(z.string()).optional(),
  json: z.boolean().optional(),
});

function loadWorkload(o: z.infer<typeof schema>, maxContextTokens: number): { workload: Workload; skipped: number; source: string } {
  if (o.trace) {
    const text = readTextFile(o.trace);
    const format: TraceFormat = o.format ?? detectTraceFormat(o.trace, text.slice(0, text.indexOf('\n') >>> 0 || text.length));
    const { workload, skipped } = readTrace(text, o.trace, format, { skipInvalid: o.skipInvalid, maxContextTokens });
    return { workload, skipped, source: `${o.trace} (${format})` };
  }
  if (o.rate === undefined || o.isl === undefined || o.osl === undefined) {
    throw new InvalidInputError('give a trace (--trace FILE) or a synthetic load (--rate R --isl N --osl N [--requests N])', '--trace');
  }
  const count = o.requests ?? 10_000;
  return {
    workload: poissonWorkload({ ratePerSecond: o.rate, count, lengths: { kind: 'fixed', prompt: o.isl, output: o.osl }, seed: o.seed }),
    skipped: 0,
    source: `Poisson ${o.rate} req/s, ${count} requests of ${o.isl}+${o.osl} tokens`,
  };
}

const optionalSpeculative = (speculative: SpeculativeConfig | undefined) => (speculative ? { speculative } : {});

const scenarioFlags = z.object({
  memoryUtilization: z.undefined({ error: 'a scenario file sets memoryUtilization per pool (pools[].memoryUtilization), not on the command line' }).optional(),
  maxBatchedTokens: z.undefined({ error: 'a scenario file sets the token budget per pool (pools[].maxBatchedTokens), not on the command line' }).optional(),
  speculativeTokens: z.undefined({ error: 'a scenario file sets speculative decoding per pool (pools[].speculative), not on the command line' }).optional(),
  acceptanceRate: z.undefined({ error: 'a scenario file sets speculative decoding per pool (pools[].speculative), not on the command line' }).optional(),
  json: z.boolean().optional(),
  timeline: z.string().optional(),
  timelineInterval: positive,
  requestsCsv: z.string().optional(),
  report: z.string().optional(),
  modelConfigs: z.array(z.string()).optional(),
});

/** `simulate scenario.yaml`: mixed pools, disaggregation, traces or ServeGen load, from a validated file. */
function simulateScenario(file: string, raw: unknown): void {
  const o = parseOptions(scenarioFlags, raw);
  const sc = loadSimulationScenario(file);
  const rel = (p: string) => resolvePath(sc.baseDir, p);
  const dirs = o.modelConfigs ?? [];
  const pools = sc.pools.map((p) => {
    const modelRef = existsSync(rel(p.model)) ? rel(p.model) : p.model;
    return {
      name: p.name,
      role: p.role,
      model: resolveModel(modelRef, dirs).spec,
      accelerator: getAccelerator(p.accelerator),
      engine: p.engine,
      parallel: { tp: p.tp, pp: p.pp, dp: p.dp, ...(p.ep !== undefined ? { ep: p.ep } : {}) },
      precision: {
        ...(p.precision ? { weights: p.precision, moeWeights: p.precision } : {}),
        ...(p.kvPrecision ? { kv: p.kvPrecision } : {}),
      },
      replicas: p.replicas,
      ...(p.maxBatchedTokens !== undefined ? { maxBatchedTokens: p.maxBatchedTokens } : {}),
      ...(p.memoryUtilization !== undefined ? { memoryUtilization: p.memoryUtilization } : {}),
      ...(p.speculative !== undefined ? { speculative: p.speculative } : {}),
    };
  });
  const w = sc.workload;
  let workload: Workload;
  let skipped = 0;
  let source: string;
  if (w.trace) {
    const path = rel(w.trace);
    const text = readTextFile(path, `${file}: workload.trace ${path}`);
    const format: TraceFormat = w.format ?? detectTraceFormat(path, text.slice(0, text.indexOf('\n') >>> 0 || text.length));
    const maxContext = Math.min(...pools.map((p) => p.model.maxPositionEmbeddings));
    const r = readTrace(text, path, format, { skipInvalid: w.skipInvalid, maxContextTokens: maxContext });
    workload = r.workload;
    skipped = r.skipped;
    source = `${path} (${format})`;
  } else if (w.synthetic) {
    const lengths = { kind: 'fixed' as const, prompt: w.synthetic.isl, output: w.synthetic.osl };
    const base = { ratePerSecond: w.synthetic.rate, count: w.synthetic.requests, lengths, seed: sc.seed };
    workload = w.synthetic.cv !== undefined ? gammaWorkload({ ...base, cv: w.synthetic.cv }) : poissonWorkload(base);
    source = `${w.synthetic.cv !== undefined ? `Gamma (CV ${w.synthetic.cv})` : 'Poisson'} ${w.synthetic.rate} req/s, ${w.synthetic.requests} requests of ${w.synthetic.isl}+${w.synthetic.osl} tokens`;
  } else {
    const g = w.servegen!;
    const clients = loadServegenDir(rel(g.dir));
    workload = servegenWorkload(clients, { startSeconds: g.startSeconds, durationSeconds: g.durationSeconds, seed: sc.seed, ...(g.maxClients !== undefined ? { maxClients: g.maxClients } : {}) });
    source = `ServeGen ${rel(g.dir)}: ${workload.tenantNames.length} clients, ${g.durationSeconds} s from ${g.startSeconds} s`;
  }
  if (w.repeat > 1) workload = repeatWorkload(workload, w.repeat);
  if (w.rateScale !== 1) workload = scaleRate(workload, w.rateScale);
  if (w.maxRequests !== undefined) workload = sliceWorkload(workload, w.maxRequests);
  const config: ClusterConfig = {
    pools,
    router: sc.router,
    ...(sc.decodeRouter ? { decodeRouter: sc.decodeRouter } : {}),
    prefixCache: sc.prefixCache,
    seed: sc.seed,
    ...(sc.slo ? { slo: sc.slo } : {}),
    ...timelineOption(o, workload),
    keepRequests: o.requestsCsv !== undefined,
  };
  run(config, workload, { ...o, source, skipped, title: basename(file) });
}

export function simulateCommand(scenario: string | undefined, raw: unknown): void {
  if (scenario !== undefined) {
    simulateScenario(scenario, raw);
    return;
  }
  const o = parseOptions(schema, raw);
  const { spec } = resolveModel(o.model, o.modelConfigs ?? []);
  const accelerator = getAccelerator(o.accelerator);
  const engine = getEngine(o.engine).id;
  const loaded = loadWorkload(o, spec.maxPositionEmbeddings);
  let workload = loaded.workload;
  if (o.repeat > 1) workload = repeatWorkload(workload, o.repeat);
  if (o.rateScale !== 1) workload = scaleRate(workload, o.rateScale);
  if (o.maxRequests !== undefined) workload = sliceWorkload(workload, o.maxRequests);
  const config: ClusterConfig = {
    pools: [
      {
        name: `${accelerator.id}-${engine}`,
        role: 'mixed',
        model: spec,
        accelerator,
        engine,
        ...layoutFromOptions(o),
        replicas: o.replicas,
        ...(o.memoryUtilization !== undefined ? { memoryUtilization: o.memoryUtilization } : {}),
        ...(o.maxBatchedTokens !== undefined ? { maxBatchedTokens: o.maxBatchedTokens } : {}),
        ...optionalSpeculative(speculativeFromOptions(o)),
      },
    ],
    router: o.router,
    prefixCache: o.prefixCache ?? false,
    seed: o.seed,
    ...(o.sloTtftMs !== undefined || o.sloTpotMs !== undefined ? { slo: { ttftMs: o.sloTtftMs, tpotMs: o.sloTpotMs } } : {}),
    ...timelineOption(o, workload),
    keepRequests: o.requestsCsv !== undefined,
  };
  run(config, workload, { ...o, source: loaded.source, skipped: loaded.skipped, title: `${spec.id} on ${accelerator.id}` });
}

/**
 * The timeline the run records: at `--timeline-interval` when `--timeline`
 * writes it, else for `--report` about 120 intervals over the arrivals.
 */
function timelineOption(o: { timeline?: string; timelineInterval: number; report?: string }, workload: Workload): { timelineIntervalMs?: number } {
  if (o.timeline) return { timelineIntervalMs: o.timelineInterval * 1000 };
  if (o.report) return { timelineIntervalMs: chartTimelineIntervalMs(workload) };
  return {};
}

function run(
  config: ClusterConfig,
  workload: Workload,
  o: { json?: boolean; timeline?: string; requestsCsv?: string; report?: string; source: string; skipped: number; title: string },
): void {
  // Read before simulating, so that a missing build fails at once rather than after a long run.
  const chartScript = o.report ? simulationReportScript() : undefined;
  const progress = startProgress('simulate', workload.count, !o.json && workload.count >= 100_000);
  let last = 0;
  const started = performance.now();
  const result = simulateCluster(config, workload, {
    onProgress: (done) => {
      progress.tick(done - last);
      last = done;
    },
  });
  progress.stop();
  const wallSeconds = (performance.now() - started) / 1000;
  if (o.timeline && result.timelineCsv !== undefined) writeOut(o.timeline, result.timelineCsv, '--timeline');
  if (o.requestsCsv && result.requestsCsv !== undefined) writeOut(o.requestsCsv, result.requestsCsv, '--requests');
  if (o.report && chartScript !== undefined) {
    const report = { title: o.title, workload: o.source, skippedRows: o.skipped, config, result, wallSeconds };
    writeOut(o.report, renderSimulationReport(report, chartScript), '--report');
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(simulationJson(result, wallSeconds, o.skipped), null, 2) + '\n');
    return;
  }
  process.stdout.write(readable(result, wallSeconds, o.source, o.skipped) + (o.report ? `\nreport       ${o.report}` : '') + '\n');
}

function writeOut(file: string, text: string, option: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new InvalidInputError(`cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `${option} ${file}`);
  }
}

function lat(l: LatencySummary, digits = 1): string {
  return `mean ${fmtNum(l.mean, digits)}  p50 ${fmtNum(l.p50, digits)}  p90 ${fmtNum(l.p90, digits)}  p99 ${fmtNum(l.p99, digits)}`;
}

function readable(r: SimulationResult, wallSeconds: number, source: string, skipped: number): string {
  const s = r.summary;
  const pools = r.pools.map((p) => `${p.name}: ${p.replicas} replicas x ${p.acceleratorsPerReplica} ${p.accelerator}, KV ${fmtNum(p.kvCapacityTokens)} tokens each`);
  const lines = [
    `workload     ${source}${skipped ? ` (${skipped} invalid rows skipped)` : ''}`,
    ...pools.map((p) => `pool         ${p}`),
    '',
    `requests     ${fmtNum(s.completed)} completed of ${fmtNum(s.requests)}${r.rejected ? `, ${fmtNum(r.rejected)} rejected (longer than a replica's KV cache)` : ''}; ${fmtNum(s.preemptions)} preemptions`,
    `TTFT ms      ${lat(s.ttftMs)}`,
    `TPOT ms      ${lat(s.tpotMs, 2)}`,
    `E2E ms       ${lat(s.e2eMs)}`,
    `queue ms     ${lat(s.queueMs)}`,
    `throughput   ${fmtNum(s.throughput.requestsPerSecond, 2)} req/s, ${fmtNum(s.throughput.inputTokensPerSecond)} input tok/s, ${fmtNum(s.throughput.outputTokensPerSecond)} output tok/s`,
  ];
  if (s.sloAttainment !== null) lines.push(`SLO          ${(s.sloAttainment * 100).toFixed(1)}% of requests met the targets; goodput ${fmtNum(s.goodput?.requestsPerSecond, 2)} req/s`);
  if (s.prefixHitRate !== null && s.prefixHitRate > 0) lines.push(`prefix cache ${(s.prefixHitRate * 100).toFixed(1)}% of input tokens served from cache`);
  lines.push(
    r.cost.usdPerMillionOutputTokens === null
      ? `cost         unknown: ${r.cost.assumptions.filter((a) => /no (price|TDP)|not computed/.test(a)).join('; ')}`
      : `cost         $${fmtNum(r.cost.usdPerMillionOutputTokens, 3)} per million output tokens (chips amortised over 4 years plus power at TDP; assumptions in --json)`,
    '',
    `simulated ${fmtNum(r.simulatedSeconds, 1)} s in ${wallSeconds.toFixed(2)} s of wall time (${fmtNum(r.steps)} engine steps, ${fmtNum(r.events)} events)`,
  );
  return lines.join('\n');
}
