/**
 * @module The pool sizes of disaggregated rows that do not state their workers, taken from the rows that do.
 *
 * Most disaggregated measurements record each side's layout (`decode_tp_size`, ...) but not how many workers
 * of it ran. The database-dump rows state them, and they show how these deployments were built: from serving
 * recipes with pools of fixed size, not from the fewest workers that hold the load. TensorRT-LLM's decode pools
 * are 4 workers of TP8 (32 GPUs) from 4 to 256 clients, and SGLang's 8-32 GPUs, where the fewest workers that
 * hold the sequences are one; per-rank decode batches of 1-8 at low concurrency, not 4-64. Sized by load alone,
 * those rows decode on one worker and their TPOT was over-predicted (log bias +0.6 to +0.9 at up to 64 clients
 * on B200 with TensorRT-LLM).
 *
 * DISAGG_RECIPE_POOL_DEVICES holds the medians of the stated pools in the training rows (each side's workers x
 * its GPUs per worker; held-out rows and models excluded): what a row without workers is assumed to have run at
 * least (ASSUMPTION: a median recipe; the load-based inference still adds workers above it). A test recomputes
 * them from the measurements.
 */
import type { EngineId } from '../core/catalogue/accelerator-spec.js';
import type { SiliconRow } from './silicon-row.js';

/** Median prefill and decode pool sizes (GPUs) of the training rows that state their workers, per engine. */
export const DISAGG_RECIPE_POOL_DEVICES: Readonly<Partial<Record<EngineId, { readonly prefill: number; readonly decode: number }>>> = {
  trtllm: { prefill: 8, decode: 32 },
  sglang: { prefill: 8, decode: 16 },
};

/** The least devices each side of a disaggregated row is taken to have had when the row does not state its workers. */
export function rowDisaggPools(row: SiliconRow, engine: EngineId): { readonly prefill?: number; readonly decode?: number } {
  if (row.mode !== 'disagg') return {};
  return DISAGG_RECIPE_POOL_DEVICES[engine] ?? {};
}
