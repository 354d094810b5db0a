/** @module `tokenfleet catalog`: accelerators, models and engines, with sources. */
import type { AcceleratorSpec } from '../../core/catalogue/accelerator-spec.js';
import { listEngines } from '../../core/catalogue/engines.js';
import type { Fact } from '../../core/catalogue/fact.js';
import { getAccelerator, listAccelerators } from '../../core/catalogue/find-accelerator.js';
import { kvBytesPerToken, parameterBreakdown, weightBytes } from '../../core/catalogue/model-size.js';
import { calibrationFor } from '../../core/perf/calibration.js';
import type { Calibration } from '../../core/perf/efficiency.js';
import { resolveModel } from '../../config/model-registry.js';
import { listModelSummaries, modelSummary } from '../../config/model-summaries.js';
import { fmtGB, fmtNum, formatTable } from '../format-table.js';

const CONF_MARK: Record<string, string> = { datasheet: '', reported: '~', estimate: '≈', assumption: '?', unknown: '' };

function fv(f: Fact<number>, scale: number, digits: number, unit = ''): string {
  if (f.value === null) return 'unknown';
  return `${CONF_MARK[f.confidence] ?? ''}${fmtNum(f.value / scale, digits)}${unit}`;
}

export function listAcceleratorsCommand(opts: { json?: boolean }): void {
  const accs = listAccelerators();
  if (opts.json) {
    process.stdout.write(JSON.stringify(accs, null, 2) + '\n');
    return;
  }
  const rows = accs.map((a) => [
    a.id,
    a.vendor,
    fv(a.memoryBytes, 1e9, 0, ' GB'),
    fv(a.memoryBandwidthBytesPerSecond, 1e12, 2, ' TB/s'),
    fv(a.peakFlopsPerSecond.bf16, 1e12, 0),
    fv(a.peakFlopsPerSecond.fp8, 1e12, 0),
    fv(a.peakFlopsPerSecond.fp4, 1e12, 0),
    fv(a.tdpWatts, 1, 0, ' W'),
    a.priceUsd.value === null ? 'unknown' : `${CONF_MARK[a.priceUsd.confidence] ?? ''}$${fmtNum(a.priceUsd.value)}`,
    a.availableFrom.value ?? 'unknown',
  ]);
  process.stdout.write(
    formatTable(['id', 'vendor', 'memory', 'bandwidth', 'bf16 TFLOPS', 'fp8 TFLOPS', 'fp4 TFLOPS', 'TDP', 'price', 'available'], rows, [
      'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left',
    ]) +
      '\n\nDense peaks (sparse figures halved). Marks: ~ reported, ≈ estimate, ? assumption; no mark: datasheet.\n' +
      'Every value has a source: tokenfleet catalog accelerator <id> (or --json).\n',
  );
}

function factLine(label: string, f: Fact<number | string>, show: (v: number | string) => string): string[] {
  const value = f.value === null ? 'unknown' : show(f.value);
  const out = [`  ${label.padEnd(22)} ${value}  [${f.confidence}]`, `  ${''.padEnd(22)} source: ${f.source}`];
  if (f.note) out.push(`  ${''.padEnd(22)} note: ${f.note}`);
  return out;
}

export function showAcceleratorCommand(id: string, opts: { json?: boolean }): void {
  const a: AcceleratorSpec = getAccelerator(id);
  if (opts.json) {
    process.stdout.write(JSON.stringify(a, null, 2) + '\n');
    return;
  }
  const n = (scale: number, unit: string, digits = 1) => (v: number | string) => (typeof v === 'number' ? `${fmtNum(v / scale, digits)} ${unit}` : v);
  const s = (v: number | string) => String(v);
  const lines = [
    `${a.name} (${a.id})  vendor ${a.vendor}, family ${a.family}${a.aliases.length ? `, aliases ${a.aliases.join(', ')}` : ''}`,
    '',
    ...factLine('memory', a.memoryBytes, n(1e9, 'GB', 0)),
    ...factLine('memory type', a.memoryType, s),
    ...factLine('memory bandwidth', a.memoryBandwidthBytesPerSecond, n(1e12, 'TB/s', 2)),
    ...factLine('bf16/fp16 dense', a.peakFlopsPerSecond.bf16, n(1e12, 'TFLOPS', 0)),
    ...factLine('fp8 dense', a.peakFlopsPerSecond.fp8, n(1e12, 'TFLOPS', 0)),
    ...factLine('int8 dense', a.peakFlopsPerSecond.int8, n(1e12, 'TOPS', 0)),
    ...factLine('fp4 dense', a.peakFlopsPerSecond.fp4, n(1e12, 'TFLOPS', 0)),
    ...factLine('scale-up link', a.scaleUp.name, s),
    ...factLine('scale-up bandwidth', a.scaleUp.bandwidthBytesPerSecond, n(1e9, 'GB/s per direction', 0)),
    ...factLine('scale-up domain', a.scaleUp.domainSize, n(1, 'chips', 0)),
    ...factLine('scale-out network', a.scaleOut.name, s),
    ...factLine('scale-out bandwidth', a.scaleOut.bandwidthBytesPerSecond, n(1e9, 'GB/s per direction', 0)),
    ...factLine('TDP', a.tdpWatts, n(1, 'W', 0)),
    ...factLine(`price (${a.priceDate})`, a.priceUsd, (v) => `$${fmtNum(Number(v))}`),
    ...factLine('available from', a.availableFrom, s),
    '',
    `  precisions             ${a.precisions.join(', ')}`,
    `  engines                ${a.engines.join(', ')}`,
    `  export status (China)  ${a.exportStatus}`,
    ...(a.notes ? [`  notes                  ${a.notes}`] : []),
    '',
    '  calibration:',
    ...a.engines.flatMap((e) => {
      const line = (label: string, c: Calibration) =>
        `    ${label.padEnd(15)} ${c.source.padEnd(12)} TPOT ±${(c.errorBand.tpotMedian * 100).toFixed(0)}% TTFT ±${(c.errorBand.ttftMedian * 100).toFixed(0)}% (median)  ${c.note}`;
      const agg = calibrationFor(a, e, 'agg');
      const disagg = calibrationFor(a, e, 'disagg');
      // A separate fit of disaggregated deployments, where there is one.
      return disagg.mode === 'disagg' ? [line(e, agg), line(`${e} disagg`, disagg)] : [line(e, agg)];
    }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function listModelsCommand(opts: { json?: boolean; modelConfigs?: string }): void {
  const { models: out, failures } = listModelSummaries(opts.modelConfigs);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ models: out, failures }, null, 2) + '\n');
    return;
  }
  const rows = out.map((m) => [
    String(m.id),
    String(m.attention),
    String(m.moe),
    fmtNum(Number(m.layers)),
    `${fmtNum(Number(m.totalParams) / 1e9, 1)}B`,
    `${fmtNum(Number(m.activeParams) / 1e9, 1)}B`,
    fmtGB(Number(m.weightBytesFp8)),
    `${fmtNum(Number(m.kvBytesPerTokenBf16) / 1024, 1)} KiB`,
  ]);
  process.stdout.write(
    formatTable(['model', 'attention', 'MoE', 'layers', 'total', 'active', 'weights fp8', 'KV/token bf16'], rows, ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right']) +
      '\n' +
      (failures.length ? `\nnot parsed:\n${failures.map((f) => '  ' + f).join('\n')}\n` : '') +
      `\nConfigs: Hugging Face config.json files from NVIDIA AIConfigurator's collection (Apache-2.0), see data/model-configs/README.md.\n`,
  );
}

export function showModelCommand(id: string, opts: { json?: boolean }): void {
  const r = resolveModel(id);
  const summary: Record<string, unknown> & { attention?: unknown } = { ...modelSummary(r.spec), file: r.file, matchedBy: r.matchedBy, spec: r.spec, parameters: parameterBreakdown(r.spec) };
  if (opts.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  const s = r.spec;
  const p = parameterBreakdown(s);
  const lines = [
    `${s.id} (${s.modelType}) from ${r.file} [${r.matchedBy}]`,
    `  layers ${s.numLayers}, hidden ${s.hiddenSize}, heads ${s.numAttentionHeads} (kv ${s.numKeyValueHeads}, dim ${s.headDim}), vocab ${fmtNum(s.vocabSize)}`,
    `  attention ${String(summary.attention)}${s.slidingWindowTokens ? `, window ${s.slidingWindowTokens}` : ''}${s.mla ? `, MLA kv_lora ${s.mla.kvLoraRank} q_lora ${s.mla.qLoraRank} rope ${s.mla.qkRopeHeadDim}` : ''}`,
    `  MLP ${s.moe ? `MoE ${s.moe.numExperts} experts top-${s.moe.topK}, expert size ${s.moe.expertIntermediateSize}, shared ${s.moe.numSharedExperts}, ${s.moe.moeLayerCount} MoE layers` : `dense, intermediate ${s.intermediateSize}`}`,
    `  parameters ${fmtNum(p.totalParams / 1e9, 2)}B total, ${fmtNum(p.activeParams / 1e9, 2)}B active per token`,
    `  weights ${fmtGB(weightBytes(s, 'bf16'))} bf16, ${fmtGB(weightBytes(s, 'fp8'))} fp8, ${fmtGB(weightBytes(s, 'fp4'))} fp4`,
    `  KV cache ${fmtNum(kvBytesPerToken(s, 'bf16'))} bytes/token bf16, ${fmtNum(kvBytesPerToken(s, 'fp8'))} fp8`,
    ...(s.declaredWeightPrecision ? [`  declared quantisation ${s.declaredWeightPrecision}`] : []),
    ...s.parseNotes.map((n) => `  note: ${n}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function listEnginesCommand(opts: { json?: boolean }): void {
  const engines = listEngines();
  if (opts.json) {
    process.stdout.write(JSON.stringify(engines, null, 2) + '\n');
    return;
  }
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const rows = engines.map((e) => [
    e.id,
    e.name,
    e.batching,
    fmtNum(e.maxBatchedTokens),
    fmtNum(e.maxRunningSequences),
    String(e.kvBlockTokens),
    `${e.memoryUtilization} of ${e.memoryUtilizationOf === 'free' ? 'free' : 'device'}`,
    yes(e.features.chunkedPrefill),
    yes(e.features.prefixCaching),
    yes(e.features.disaggregation),
    yes(e.features.speculativeDecoding),
  ]);
  process.stdout.write(
    formatTable(['id', 'name', 'batching', 'token budget', 'max seqs', 'block', 'memory', 'chunked', 'prefix cache', 'disagg', 'spec. dec.'], rows) +
      '\n\n' +
      engines.map((e) => `${e.id}: ${e.description}\n  defaults from: ${e.source}`).join('\n') +
      '\n',
  );
}
