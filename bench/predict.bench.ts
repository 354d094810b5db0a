/**
 * Speed of `predict` over the 3,042 shared measurements and of one `estimate`.
 * Run: npm run bench:predict
 */
import { readFileSync } from 'node:fs';
import { getAccelerator } from '../src/core/catalogue/find-accelerator.js';
import { resolveModel } from '../src/config/model-registry.js';
import { cachedResolver } from '../src/cli/commands/predict.js';
import { predictRow } from '../src/predict/predict-rows.js';
import { parseSiliconCsv } from '../src/predict/silicon-row.js';
import { estimateServing } from '../src/sim/estimate-serving.js';

const file = new URL('../../shared/data/validation/silicon-measurements.csv', import.meta.url);
const rows = parseSiliconCsv(readFileSync(file, 'utf8'), 'silicon-measurements.csv');
const resolve = cachedResolver([]);
for (const r of rows.slice(0, 200)) predictRow(r, resolve); // warm-up
let started = performance.now();
let ok = 0;
for (const r of rows) if (predictRow(r, resolve).error === '') ok++;
console.log(`predict: ${rows.length} rows (${ok} predicted) in ${((performance.now() - started) / 1000).toFixed(2)} s`);

const model = resolveModel('meta-llama/Llama-3.1-70B').spec;
const accelerator = getAccelerator('h200-sxm');
const times: number[] = [];
for (let i = 0; i < 20; i++) {
  started = performance.now();
  estimateServing({ model, accelerator, engine: 'vllm', parallel: { tp: 4 }, precision: { weights: 'fp8' }, inputTokens: 2048, outputTokens: 512, concurrency: 128 });
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(`estimate (Llama-3.1-70B, 4 x H200, concurrency 128): median ${times[10]!.toFixed(1)} ms, max ${times[19]!.toFixed(1)} ms`);
