/** @module `tokenfleet estimate`: one model on one accelerator configuration at a closed-loop load. */
import { z } from 'zod';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { defaultTokenBudget, getEngine } from '../../core/catalogue/engines.js';
import { InvalidInputError } from '../../core/errors.js';
import { resolveModel } from '../../config/model-registry.js';
import { expectedTokensPerStep, type ParallelConfig } from '../../core/perf/deployment.js';
import { estimateBenchmark, standardHarness, type BenchmarkHarness } from '../../sim/benchmark-harness.js';
import type { ServingEstimate, WorkerLayout } from '../../sim/estimate-serving.js';
import { fmtGB, fmtNum } from '../format-table.js';
import { layoutFromOptions, speculativeFromOptions } from '../deployment-options.js';
import { fitHint } from '../fit-hint.js';
import { acceptanceProbability, draftTokenCount, memoryFraction, parseOptions, positiveInt } from '../parse-options.js';

const schema = z.object({
  model: z.string().min(1),
  accelerator: z.string().min(1),
  tp: positiveInt,
  pp: positiveInt,
  ep: positiveInt.optional(),
  dp: positiveInt,
  precision: z.string().optional(),
  kvPrecision: z.string().optional(),
  engine: z.string(),
  isl: positiveInt,
  osl: positiveInt,
  concurrency: positiveInt,
  memoryUtilization: memoryFraction.optional(),
  maxBatchedTokens: positiveInt.optional(),
  speculativeTokens: draftTokenCount.optional(),
  acceptanceRate: acceptanceProbability.optional(),
  streamInterval: positiveInt.optional(),
  prefillTp: positiveInt.optional(),
  prefillDp: positiveInt.optional(),
  prefillEp: positiveInt.optional(),
  prefillWorkers: positiveInt.optional(),
  decodeTp: positiveInt.optional(),
  decodeDp: positiveInt.optional(),
  decodeEp: positiveInt.optional(),
  decodeWorkers: positiveInt.optional(),
  modelConfigs: z.array(z.string()).optional(),
  json: z.boolean().optional(),
});

/** A utilization with two decimals (0.90), or in full when that would round it (0.955). */
function fmtFraction(x: number): string {
  const two = x.toFixed(2);
  return Number(two) === x ? two : String(x);
}

/** The benchmark an estimate stands for, in words. */
function harnessText(h: BenchmarkHarness): string {
  const [low, high] = h.lengthRange;
  return `as validated: lengths ${low}-${high}x the stated ones (vLLM bench --random-range-ratio ${low}), the clients' first requests 1/${h.benchmarkRequestsPerClient} of the means`;
}

export function estimateJson(e: ServingEstimate, maxBatchedTokens?: number, harness?: BenchmarkHarness, streamInterval?: number): Record<string, unknown> {
  const m = e.memory;
  return {
    ttftMs: e.ttftMs,
    tpotMs: e.tpotMs,
    e2eMs: e.e2eMs,
    queueMs: e.queueMs,
    outputTokensPerSecond: e.outputTokensPerSecond,
    outputTokensPerSecondPerAccelerator: e.outputTokensPerSecondPerAccelerator,
    requestsPerSecond: e.requestsPerSecond,
    accelerators: e.accelerators,
    fits: e.fits,
    maxConcurrency: e.maxConcurrency,
    memory: {
      deviceMemoryBytes: m.deviceMemoryBytes,
      memoryUtilization: m.memoryUtilization,
      usableBytes: m.usableBytes,
      weightBytesPerDevice: m.weightBytesPerDevice,
      activationBytesPerDevice: m.activationBytesPerDevice,
      kvCacheBytesPerDevice: m.kvCacheBytesPerDevice,
      kvBytesPerTokenPerDevice: m.kvBytesPerTokenPerDevice,
      kvCapacityTokens: m.kvCapacityTokens,
      kvCapacityBlocks: m.kvCapacityBlocks,
      neededBytesPerDevice: m.neededBytesPerDevice,
      ...(m.reason ? { reason: m.reason } : {}),
    },
    ...(harness && { benchmark: { lengthRange: harness.lengthRange, requestsPerClient: harness.benchmarkRequestsPerClient } }),
    decodeStepMs: { ...e.decodeStep },
    prefillStepMs: { ...e.prefillStep },
    ...(e.prefillDeployment && {
      disagg: {
        prefill: { parallel: e.prefillDeployment.parallel, workers: e.workers.prefill, acceleratorsPerWorker: e.prefillDeployment.devices },
        decode: { parallel: e.deployment.parallel, workers: e.workers.decode, acceleratorsPerWorker: e.deployment.devices },
      },
    }),
    deployment: {
      model: e.deployment.model.id,
      accelerator: e.deployment.accelerator.id,
      engine: e.deployment.engine,
      parallel: e.deployment.parallel,
      precision: e.deployment.precision,
      maxBatchedTokens: maxBatchedTokens ?? defaultTokenBudget(getEngine(e.deployment.engine), e.deployment.accelerator.memoryBytes.value),
      ...(e.deployment.speculative ? { speculative: { ...e.deployment.speculative, tokensPerStep: expectedTokensPerStep(e.deployment.speculative) } } : {}),
      ...(streamInterval !== undefined && streamInterval > 1 ? { streamInterval } : {}),
    },
    confidence: {
      source: e.confidence.source,
      ttftMsRange: e.confidence.ttftMsRange,
      tpotMsRange: e.confidence.tpotMsRange,
      errorBand: e.calibration.errorBand,
      note: e.confidence.note,
      assumptions: e.confidence.assumptions,
    },
  };
}

type DisaggOptions = Pick<z.infer<typeof schema>, 'prefillTp' | 'prefillDp' | 'prefillEp' | 'prefillWorkers' | 'decodeTp' | 'decodeDp' | 'decodeEp' | 'decodeWorkers'>;

/** The prefill and decode sides when any --prefill-* or --decode-* option is given; their unset sizes are the aggregated layout's. */
export function disaggFromOptions(o: DisaggOptions, base: Partial<ParallelConfig>): { prefill: WorkerLayout; decode: WorkerLayout } | undefined {
  const given = [o.prefillTp, o.prefillDp, o.prefillEp, o.prefillWorkers, o.decodeTp, o.decodeDp, o.decodeEp, o.decodeWorkers].some((v) => v !== undefined);
  if (!given) return undefined;
  const side = (tp: number | undefined, dp: number | undefined, ep: number | undefined, workers: number | undefined): WorkerLayout => {
    const sideTp = tp ?? base.tp ?? 1;
    const sideDp = dp ?? base.dp ?? 1;
    // The aggregated layout's expert parallelism carries over only to a side of the same TP x DP.
    const sideEp = ep ?? (sideTp === (base.tp ?? 1) && sideDp === (base.dp ?? 1) ? base.ep : undefined);
    return { parallel: { tp: sideTp, dp: sideDp, pp: base.pp ?? 1, ...(sideEp !== undefined && { ep: sideEp }) }, ...(workers !== undefined && { workers }) };
  };
  return { prefill: side(o.prefillTp, o.prefillDp, o.prefillEp, o.prefillWorkers), decode: side(o.decodeTp, o.decodeDp, o.decodeEp, o.decodeWorkers) };
}

export function estimateCommand(raw: unknown): void {
  const o = parseOptions(schema, raw);
  const accelerator = getAccelerator(o.accelerator);
  // planMemory throws a plain Error for a chip without a memory figure; say so as bad input instead of an internal error.
  if (accelerator.memoryBytes.value === null) {
    throw new InvalidInputError(`the memory of ${accelerator.id} is unknown, so no deployment can be sized on it; pick an accelerator with a known memory figure (tokenfleet catalog accelerators)`, '--accelerator');
  }
  const engine = getEngine(o.engine).id;
  const { spec } = resolveModel(o.model, o.modelConfigs ?? []);
  const layout = layoutFromOptions(o);
  const disagg = disaggFromOptions(o, layout.parallel);
  if (disagg && !getEngine(engine).features.disaggregation) {
    throw new InvalidInputError(`the ${engine} engine has no prefill/decode disaggregation`, '--engine');
  }
  // The benchmark the validation simulates for such a deployment: the figures carry its measured error band.
  const harness = standardHarness(engine, disagg !== undefined);
  const e = estimateBenchmark({
    model: spec,
    accelerator,
    engine,
    ...layout,
    ...(disagg ? { disagg } : {}),
    inputTokens: o.isl,
    outputTokens: o.osl,
    concurrency: o.concurrency,
    ...(o.memoryUtilization !== undefined ? { memoryUtilization: o.memoryUtilization } : {}),
    ...(o.maxBatchedTokens !== undefined ? { maxBatchedTokens: o.maxBatchedTokens } : {}),
    speculative: speculativeFromOptions(o),
    ...(o.streamInterval !== undefined && { streamInterval: o.streamInterval }),
  }, harness);
  if (o.json) {
    process.stdout.write(JSON.stringify(estimateJson(e, o.maxBatchedTokens, harness, o.streamInterval), null, 2) + '\n');
    return;
  }
  const d = e.deployment;
  const m = e.memory;
  const p = d.parallel;
  const layoutText = (q: ParallelConfig) => `tp${q.tp} pp${q.pp} dp${q.dp} ep${q.ep}`;
  const lines = [
    e.prefillDeployment
      ? `${d.model.id} on ${e.accelerators} x ${accelerator.name}, disaggregated (${engine}): prefill ${e.workers.prefill} x (${layoutText(e.prefillDeployment.parallel)})${disagg?.prefill.workers === undefined ? ' [workers inferred]' : ''} + decode ${e.workers.decode} x (${layoutText(p)})${disagg?.decode.workers === undefined ? ' [workers inferred]' : ''}; weights ${d.precision.weights}, experts ${d.precision.moeWeights}, kv ${d.precision.kv}`
      : `${d.model.id} on ${e.accelerators} x ${accelerator.name} (${engine}; ${layoutText(p)}; weights ${d.precision.weights}, experts ${d.precision.moeWeights}, kv ${d.precision.kv})`,
    `closed loop: ${o.concurrency} clients x (${o.isl} in + ${o.osl} out tokens)${o.maxBatchedTokens !== undefined ? `; a token budget of ${o.maxBatchedTokens} per iteration and rank` : ''}`,
    `benchmark          ${harnessText(harness)}`,
    '',
    `memory per device  ${fmtGB(m.usableBytes)} usable (${m.memoryUtilizationOf === 'free' ? `of ${fmtGB(m.deviceMemoryBytes)}, KV ${fmtFraction(m.memoryUtilization)} of what is free` : `${fmtFraction(m.memoryUtilization)} of ${fmtGB(m.deviceMemoryBytes)}`}): weights ${fmtGB(m.weightBytesPerDevice)}, reserve ${fmtGB(m.activationBytesPerDevice)}, KV ${fmtGB(Math.max(0, m.kvCacheBytesPerDevice))}`,
  ];
  if (!e.fits) {
    lines.push(
      `fits               NO: ${m.reason ?? 'not enough memory'}`,
      `hint               ${fitHint({ deployment: d, memoryUtilization: m.memoryUtilization, sequenceTokens: o.isl + o.osl, concurrency: o.concurrency })}`,
    );
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  const band = (r: readonly [number, number]) => `${fmtNum(r[0], 1)}-${fmtNum(r[1], 1)}`;
  lines.push(
    `KV cache           ${fmtNum(m.kvCapacityTokens)} tokens (${fmtNum(m.kvCapacityBlocks)} blocks of ${m.kvBlockTokens}); holds ${fmtNum(e.maxConcurrency)} requests of ${o.isl + o.osl} tokens`,
    '',
    `TTFT (mean)        ${fmtNum(e.ttftMs, 1)} ms   (likely ${band(e.confidence.ttftMsRange)} ms)`,
    `TPOT (mean)        ${fmtNum(e.tpotMs, 2)} ms   (likely ${band(e.confidence.tpotMsRange)} ms)`,
    `queueing (mean)    ${fmtNum(e.queueMs, 1)} ms`,
    `output tokens/s    ${fmtNum(e.outputTokensPerSecond)} total, ${fmtNum(e.outputTokensPerSecondPerAccelerator)} per accelerator`,
    `requests/s         ${fmtNum(e.requestsPerSecond, 2)}`,
    '',
    `decode step        ${fmtNum(e.decodeStep.totalMs, 2)} ms = GEMM ${fmtNum(e.decodeStep.denseGemmMs, 2)} + MoE ${fmtNum(e.decodeStep.moeMs, 2)} + attention ${fmtNum(e.decodeStep.attentionMs, 2)} + LM head ${fmtNum(e.decodeStep.lmHeadMs, 2)} + comm ${fmtNum(e.decodeStep.commMs, 2)} + overhead ${fmtNum(e.decodeStep.overheadMs, 2)}${e.decodeStep.draftMs > 0 ? ` + draft ${fmtNum(e.decodeStep.draftMs, 2)}; all per token, a step yielding ${fmtNum(expectedTokensPerStep(d.speculative!), 2)}` : ''}`,
    `prefill step       ${fmtNum(e.prefillStep.totalMs, 2)} ms for one chunk (GEMM ${fmtNum(e.prefillStep.denseGemmMs, 2)}, MoE ${fmtNum(e.prefillStep.moeMs, 2)}, attention ${fmtNum(e.prefillStep.attentionMs, 2)}, comm ${fmtNum(e.prefillStep.commMs, 2)})`,
    '',
    `confidence         ${e.confidence.source}: ${e.confidence.note}`,
    ...e.confidence.assumptions.map((a) => `assumption         ${a}`),
  );
  process.stdout.write(lines.join('\n') + '\n');
}
