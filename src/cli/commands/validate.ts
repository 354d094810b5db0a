/** @module `tokenfleet validate` (npm run validate): predict the measurements and report the errors. */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readTextFile } from '../../config/read-text-file.js';
import { builtinModelDirs, resolveModel } from '../../config/model-registry.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { CALIBRATIONS } from '../../core/perf/calibration-data.js';
import { H200_KERNEL_RATES, compareMoeWithKernels, compareWithKernels, h200TimedModels, kernelCheckMarkdown, parseKernelTimings, summariseKernelComparisons } from '../../predict/kernel-check.js';
import { publishedSummaryMarkdown } from '../../predict/published-results-markdown.js';
import { checkPublishedResults, parsePublishedCsv } from '../../predict/published-results.js';
import { validationMarkdown } from '../../predict/validation-markdown.js';
import { bestCaseErrors, measureRepeatability, modelErrorOnRepeats, repeatabilityMarkdown } from '../../predict/repeatability.js';
import { validate } from '../../predict/validation-run.js';
import { startProgress } from '../progress.js';
import { cachedResolver, readRows } from './predict.js';

function calibrationSection(): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    '## Calibrations in use',
    '',
    '| accelerator | engine | deployments | rows fitted | TTFT median | TPOT median | GEMM eff. | memory eff. | attention eff. | step overhead ms |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...CALIBRATIONS.map(
      (c) =>
        `| ${c.accelerator ?? c.family} | ${c.engine} | ${c.mode === 'disagg' ? 'disaggregated' : c.mode === 'agg' ? 'aggregated' : 'both'} | ${c.fittedRows} | ${pct(c.errorBand.ttftMedian)} | ${pct(c.errorBand.tpotMedian)} | ${c.efficiencies.gemmCompute.toFixed(2)} | ${c.efficiencies.memory.toFixed(2)} | ${c.efficiencies.attentionCompute.toFixed(2)} | ${c.efficiencies.stepOverheadMs.toFixed(2)} |`,
    ),
    '',
    'Families and engines without measurements (AMD, Huawei, Cambricon, Moore Threads, MetaX, Kunlunxin, Hygon, Biren, the in-house chip; MindIE) use a transferred fit or a documented prior with a wider error band: see docs/calibration.md.',
    '',
  ].join('\n');
}

/** The kernel-timing section, from the package's data/kernels; empty when the files are not there. */
function kernelSection(): string {
  const modelDir = builtinModelDirs()[0];
  if (modelDir === undefined) return '';
  const dir = join(dirname(modelDir), 'kernels');
  const files = ['h200-sxm-torch.csv', 'h200-sxm-torch-moe.csv'].map((f) => join(dir, f));
  if (!files.every((f) => existsSync(f))) return '';
  const timings = files.flatMap((f) => parseKernelTimings(readTextFile(f), `data/kernels/${f.slice(dir.length + 1)}`));
  const h200 = getAccelerator('h200-sxm');
  const { shapes, stepModel } = h200TimedModels((name) => resolveModel(name).spec);
  const cs = [...compareWithKernels(timings, h200, H200_KERNEL_RATES, shapes, stepModel), ...compareMoeWithKernels(timings, h200, H200_KERNEL_RATES)];
  return kernelCheckMarkdown(summariseKernelComparisons(cs), H200_KERNEL_RATES, `${timings.length} timings from data/kernels/`);
}

export function validateCommand(opts: { measurements: string; published: string; report?: string; json?: boolean }): void {
  const rows = readRows(opts.measurements);
  const resolve = cachedResolver([]);
  const started = performance.now();
  const progress = startProgress('validate', rows.length, !opts.json);
  const v = validate(rows, resolve, () => progress.tick());
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  const publishedText = readTextFile(opts.published);
  const checks = checkPublishedResults(parsePublishedCsv(publishedText, opts.published), resolve);
  const repeats = measureRepeatability(rows);
  const onRepeats = modelErrorOnRepeats(repeats, v.rows);
  const bestCase = bestCaseErrors(repeats, v.rows.filter((r) => r.split !== 'train'));
  if (opts.json) {
    const { rows: _rows, ...summary } = v;
    const { repeatedKeys: _keys, medians: _medians, ...repeatability } = repeats;
    process.stdout.write(JSON.stringify({ ...summary, repeatability: { ...repeatability, model: onRepeats.overall, heldOutBestCase: bestCase }, published: checks, wallSeconds: seconds }, null, 2) + '\n');
  } else {
    const s = v.heldOut;
    const o = v.overall;
    process.stdout.write(
      [
        `predicted ${o.predicted} of ${o.rows} unique rows (${v.totalRows} in the file) in ${seconds.toFixed(1)} s`,
        `held out: TTFT median ${s.ttftMedianApe.toFixed(1)}% p90 ${s.ttftP90Ape.toFixed(1)}%; TPOT median ${s.tpotMedianApe.toFixed(1)}% p90 ${s.tpotP90Ape.toFixed(1)}% (${s.rows} rows)`,
        ...v.heldOutByMode.map((g) => `  ${g.group.padEnd(10)} TTFT median ${g.summary.ttftMedianApe.toFixed(1)}% p90 ${g.summary.ttftP90Ape.toFixed(1)}%; TPOT median ${g.summary.tpotMedianApe.toFixed(1)}% p90 ${g.summary.tpotP90Ape.toFixed(1)}% (${g.summary.rows} rows)`),
        `all rows: TTFT median ${o.ttftMedianApe.toFixed(1)}% p90 ${o.ttftP90Ape.toFixed(1)}%; TPOT median ${o.tpotMedianApe.toFixed(1)}% p90 ${o.tpotP90Ape.toFixed(1)}%; coverage ${(o.coverage * 100).toFixed(1)}%`,
        ...v.bySystem.map((g) => `  ${g.group.padEnd(10)} TTFT ${g.summary.ttftMedianApe.toFixed(1)}%  TPOT ${g.summary.tpotMedianApe.toFixed(1)}%  (${g.summary.rows} rows)`),
        `repeated configurations (${repeats.overall.configurations}, ${repeats.overall.measurements} measurements): the best single answer is off by TTFT median ${repeats.overall.ttftMedianApe.toFixed(1)}% p90 ${repeats.overall.ttftP90Ape.toFixed(1)}%, TPOT median ${repeats.overall.tpotMedianApe.toFixed(1)}% p90 ${repeats.overall.tpotP90Ape.toFixed(1)}%; this model TTFT ${onRepeats.overall.ttftMedianApe.toFixed(1)}%, TPOT ${onRepeats.overall.tpotMedianApe.toFixed(1)}%`,
        `  on the held-out rows the repeats alone cost at least TTFT p90 ${bestCase.ttftP90Ape.toFixed(1)}%, TPOT p90 ${bestCase.tpotP90Ape.toFixed(1)}%`,
        `published results: ${checks.filter((c) => c.status === 'compared').length} compared, ${checks.filter((c) => c.status === 'skipped').length} skipped, ${checks.filter((c) => c.status === 'failed').length} failed`,
      ].join('\n') + '\n',
    );
  }
  if (opts.report) {
    writeFileSync(opts.report, validationMarkdown(v, { calibrationSection: calibrationSection(), kernelSection: kernelSection(), repeatabilitySection: repeatabilityMarkdown(repeats, onRepeats, bestCase), publishedSection: publishedSummaryMarkdown(checks) }));
    if (!opts.json) process.stdout.write(`report written to ${opts.report}\n`);
  }
}
