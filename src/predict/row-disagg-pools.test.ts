import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEngine } from '../core/catalogue/engines.js';
import { splitOf } from './holdout.js';
import { DISAGG_RECIPE_POOL_DEVICES, rowDisaggPools } from './row-disagg-pools.js';
import { parseSiliconCsv, rowParallel, type SiliconRow } from './silicon-row.js';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const header = 'id,silicon_data_source,backend,backend_version,model_path,system,mode,isl,osl,decode_tp_size';
const row = (backend: string, mode: string): SiliconRow =>
  parseSiliconCsv(`${header}\nr1,src,${backend},1,deepseek-ai/DeepSeek-R1,b200_sxm,${mode},1024,1024,8\n`, 'rows.csv')[0]!;

describe('rowDisaggPools: the recipe pool sizes of disaggregated rows that do not state their workers', () => {
  it('gives TensorRT-LLM and SGLang disaggregated rows their engine’s pools, and nothing to aggregated rows or other engines', () => {
    expect(rowDisaggPools(row('trtllm', 'disagg'), 'trtllm')).toEqual({ prefill: 8, decode: 32 });
    expect(rowDisaggPools(row('sglang', 'disagg'), 'sglang')).toEqual({ prefill: 8, decode: 16 });
    expect(rowDisaggPools(row('vllm', 'disagg'), 'vllm')).toEqual({});
    expect(rowDisaggPools(row('trtllm', 'agg'), 'trtllm')).toEqual({});
  });

  it('are the medians of the pools that the training rows state (held-out rows and models excluded)', () => {
    const file = resolvePath(process.cwd(), '../shared/data/validation/silicon-measurements.csv');
    const rows = parseSiliconCsv(readFileSync(file, 'utf8'), file).filter(
      (r) => r.mode === 'disagg' && splitOf(r) === 'train' && Number(r.fields.decode_num_workers) > 0 && Number(r.fields.prefill_num_workers) > 0,
    );
    const pools = new Map<string, { prefill: number[]; decode: number[] }>();
    for (const r of rows) {
      const engine = getEngine(r.backend).id;
      const side = (prefix: 'prefill_' | 'decode_') => {
        const p = rowParallel(r, prefix);
        return Number(r.fields[`${prefix}num_workers`]) * p.tp * p.pp * p.dp;
      };
      const e = pools.get(engine) ?? { prefill: [], decode: [] };
      e.prefill.push(side('prefill_'));
      e.decode.push(side('decode_'));
      pools.set(engine, e);
    }
    expect([...pools.keys()].sort()).toEqual(Object.keys(DISAGG_RECIPE_POOL_DEVICES).sort());
    for (const [engine, e] of pools) {
      expect(e.decode.length).toBeGreaterThanOrEqual(40);
      expect({ prefill: median(e.prefill), decode: median(e.decode) }, engine).toEqual(DISAGG_RECIPE_POOL_DEVICES[engine as 'trtllm']);
    }
  });
});
