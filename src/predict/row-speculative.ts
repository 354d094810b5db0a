/**
 * @module Speculative decoding that a silicon row does not state but its release shows: the runs of some
 * releases drafted with the model's own multi-token-prediction (MTP) layer.
 *
 * The evidence is in the measurements. DeepSeek-R1 on B200 with TensorRT-LLM was measured twice in 16
 * configurations (same precision, lengths, concurrency and layout): with the 1.2.0rc6.post2 image
 * (2026-01-29 to 02-03) and with 1.2.0rc6.post3 (02-05 to 02-06). The post3 runs' TPOT is 0.43-0.80 of
 * post2's (median 0.60), lowest at low concurrency and nearest 1 at 8k prompts and high concurrency, while
 * their TTFT is the same (median ratio 1.08). A patch release does not make decode 1.7x faster and leave
 * prefill alone; a drafted token accepted most of the time does, and gains least where the steps are
 * compute-bound. InferenceMAX, whose harness these rows follow, runs DeepSeek on TensorRT-LLM both with and
 * without MTP.
 */
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import type { SpeculativeConfig } from '../core/perf/deployment.js';
import type { SiliconRow } from './silicon-row.js';

/** TensorRT-LLM releases whose rows were measured with MTP drafting (see the module comment). */
export const MTP_RELEASES: readonly string[] = ['1.2.0rc6.post3'];

/**
 * MTP as DeepSeek runs it: one drafted token from the checkpoint's MTP layer, accepted 85% of the time
 * (DeepSeek-V3 technical report, arXiv:2412.19437, section 5.4.3: "the acceptance rate of the second token
 * prediction ranges between 85% and 90%"; the lower end, as benchmark prompts are not the report's).
 */
export const MTP_DRAFT: SpeculativeConfig = { draftTokens: 1, acceptanceRate: 0.85 };

/** The engine release a row was measured with: `backend_version`, else the image tag in `silicon_data_source`. */
export function rowRelease(row: SiliconRow): string | undefined {
  const v = (row.fields.backend_version ?? '').trim();
  if (v !== '') return v;
  const m = /(?:image=|nvcr\.io|lmsysorg|vllm)[^;\s]*:([^;:\s]+)\s*(?:;|$)/.exec(row.fields.silicon_data_source ?? '');
  return m?.[1];
}

/** The speculative decoding a row ran without stating it; undefined: none. */
export function rowSpeculative(row: SiliconRow, model: ModelSpec): SpeculativeConfig | undefined {
  if (row.backend.trim().toLowerCase() !== 'trtllm' || (model.mtpLayers ?? 0) < 1) return undefined;
  const release = rowRelease(row);
  return release !== undefined && MTP_RELEASES.includes(release) ? MTP_DRAFT : undefined;
}
