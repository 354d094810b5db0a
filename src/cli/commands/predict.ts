/** @module `tokenfleet predict`: TTFT and TPOT for each row of a silicon-sample CSV. */
import { writeFileSync } from 'node:fs';
import { readTextFile } from '../../config/read-text-file.js';
import { InvalidInputError } from '../../core/errors.js';
import { loadModelConfigDir, resolveModel } from '../../config/model-registry.js';
import { predictRow, type ModelResolver, type RowPrediction } from '../../predict/predict-rows.js';
import { parseSiliconCsv, type SiliconRow } from '../../predict/silicon-row.js';
import { startProgress } from '../progress.js';

export function readRows(file: string): SiliconRow[] {
  const text = readTextFile(file);
  return parseSiliconCsv(text, file);
}

export function cachedResolver(dirs: readonly string[]): ModelResolver {
  const cache = new Map<string, ReturnType<ModelResolver> | Error>();
  return (name) => {
    let hit = cache.get(name);
    if (hit === undefined) {
      try {
        const r = resolveModel(name, [...dirs]);
        hit = { spec: r.spec, file: r.file, matchedBy: r.matchedBy };
      } catch (e) {
        hit = e as Error;
      }
      cache.set(name, hit);
    }
    if (hit instanceof Error) throw hit;
    return hit;
  };
}

export function predictionsCsv(preds: readonly RowPrediction[]): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '');
  return ['id,ttft_ms,tpot_ms,error', ...preds.map((p) => [esc(p.id), fmt(p.ttftMs), fmt(p.tpotMs), esc(p.error)].join(','))].join('\n') + '\n';
}

export function predictCommand(file: string, opts: { modelConfigs?: string[]; out?: string; quiet?: boolean }): void {
  const rows = readRows(file);
  // A bad directory is bad input for the whole run, not an 'unknown model' on every row.
  for (const dir of opts.modelConfigs ?? []) loadModelConfigDir(dir);
  const resolve = cachedResolver(opts.modelConfigs ?? []);
  const progress = startProgress('predict', rows.length, !opts.quiet && opts.out !== undefined);
  const started = performance.now();
  const preds: RowPrediction[] = [];
  for (const row of rows) {
    preds.push(predictRow(row, resolve));
    progress.tick();
  }
  progress.stop();
  const csv = predictionsCsv(preds);
  if (opts.out) {
    try {
      writeFileSync(opts.out, csv);
    } catch (e) {
      throw new InvalidInputError(`cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `--out ${opts.out}`);
    }
    if (!opts.quiet) {
      const ok = preds.filter((p) => p.error === '').length;
      const files = new Map<string, string>();
      preds.forEach((p, i) => {
        if (p.modelFile) files.set(rows[i]!.modelPath, `${p.modelFile} (${p.matchedBy})`);
      });
      process.stderr.write(
        `predicted ${ok} of ${rows.length} rows in ${((performance.now() - started) / 1000).toFixed(1)} s -> ${opts.out}\n` +
          [...files.entries()].map(([m, f]) => `  ${m} -> ${f}`).join('\n') +
          '\n',
      );
    }
  } else {
    process.stdout.write(csv);
  }
}
