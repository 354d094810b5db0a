/**
 * @module Reads request-length statistics without timestamps, as shipped by
 * sarathi-serve and etalon (`sharegpt_8k_filtered_stats_llama2_tokenizer.csv`,
 * `arxiv_summarization_stats_...`, `bwb_stats_...`): CSV with columns
 * `num_prefill_tokens,num_decode_tokens` (plus `num_total_tokens,pd_ratio`,
 * ignored), one request per row. The result is an empirical length
 * distribution for the synthetic generators.
 */
import { InvalidInputError } from '../../core/errors.js';
import { forEachCsvRow } from './csv-rows.js';
import type { LengthDistribution } from './length-distribution.js';
import { show } from './trace-collector.js';

/** The empirical distribution of the (prompt, output) rows of a length-statistics CSV; a bad row throws with its line. */
export function readLengthStats(text: string, file: string): LengthDistribution & { kind: 'empirical' } {
  let pairs = new Int32Array(Math.max(64, Math.ceil(text.length / 12)));
  let n = 0;
  forEachCsvRow(
    text,
    file,
    ['num_prefill_tokens', 'num_decode_tokens'],
    (row) => {
      const line = row.line;
      const prompt = row.value(0);
      const output = row.value(1);
      for (const [name, v] of [
        ['num_prefill_tokens', prompt],
        ['num_decode_tokens', output],
      ] as const) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0x7fffffff) {
          throw new InvalidInputError(`expected ${name} to be a positive integer, got ${show(v)}`, `${file}:${line}`);
        }
      }
      if (n + 2 > pairs.length) {
        const bigger = new Int32Array(pairs.length * 2);
        bigger.set(pairs);
        pairs = bigger;
      }
      pairs[n++] = prompt as number;
      pairs[n++] = output as number;
    },
    (line, message) => {
      throw new InvalidInputError(message, `${file}:${line}`);
    },
  );
  if (n === 0) throw new InvalidInputError('expected at least one row of lengths', file);
  return { kind: 'empirical', pairs: pairs.slice(0, n) };
}
