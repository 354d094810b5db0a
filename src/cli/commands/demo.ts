/** @module `tokenfleet demo`: the accelerator catalogue and example estimates of one model on three chips. */
import { listAcceleratorsCommand } from './catalog.js';
import { estimateCommand } from './estimate.js';

export function demoCommand(): void {
  process.stdout.write('tokenfleet: plan, simulate and serve LLM tokens on a fleet of mixed accelerators\n\n== Accelerators ==\n');
  listAcceleratorsCommand({});
  const examples = [
    { model: 'meta-llama/Llama-3.1-70B', accelerator: 'h200-sxm', tp: '2', precision: 'fp8', engine: 'vllm' },
    { model: 'meta-llama/Llama-3.1-70B', accelerator: 'h20', tp: '4', precision: 'fp8', engine: 'vllm' },
    { model: 'meta-llama/Llama-3.1-70B', accelerator: 'ascend-910c', tp: '2', precision: 'int8', engine: 'mindie' },
  ];
  for (const ex of examples) {
    process.stdout.write(`\n== Estimate: $ tokenfleet estimate --model ${ex.model} --accelerator ${ex.accelerator} --tp ${ex.tp} --precision ${ex.precision} --engine ${ex.engine} --isl 2048 --osl 512 --concurrency 64 ==\n`);
    estimateCommand({ ...ex, pp: '1', dp: '1', isl: '2048', osl: '512', concurrency: '64' });
  }
  process.stdout.write('\nMore: npx tokenfleet --help\n');
}
