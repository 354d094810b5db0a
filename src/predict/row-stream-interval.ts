/**
 * @module The stream interval a silicon row does not state but its TTFT shows: TensorRT-LLM serving
 * DeepSeek returns tokens every 10 iterations, the first one included.
 *
 * The evidence is in the measurements. On aggregated TensorRT-LLM, DeepSeek-R1 and DeepSeek-V3 at 1k-token
 * prompts measure a TTFT well above the model's prefill (160-230 ms on 8 B200 at 4-8 clients, against
 * 80-100 ms simulated), while Llama-3.1-70B and gpt-oss-120b on the same engine, chips and harness do not
 * (their simulated TTFT is within a few decode steps of the measured one, or above it). The excess is not a
 * fixed time: counted in the row's own decode steps (measured TTFT minus simulated, over the measured TPOT)
 * it is a median 6-12 steps in every release and system without speculative decoding (1.2.0rc6.post2 on
 * B200: 7.4 and 6.4 for the two campaigns; the unversioned B200 and H200 rows: 12.1 and 9.5; 1.1.0rc2.post2
 * from the database dump: 9.4 and 10.2), which is about 2x the time on H200 that it is on B200, as decode
 * steps are. Rows with MTP (1.2.0rc6.post3, 1.85 tokens per step) show 24 TPOTs, 13 steps. That is the
 * signature of a server that hands tokens to the client every 10 iterations (TensorRT-LLM's
 * `stream_interval`, set to 10 in throughput-oriented serving configurations; ASSUMPTION: the rows do not
 * record it) and holds the first token until the 10th. At 8k-token prompts the excess is smaller than the
 * prefill's uncertainty, and the disaggregated rows (Dynamo's frontend streams from the decode workers) do
 * not show it: their simulated TTFT is already above the measured one at 1k (see docs/calibration.md).
 */
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import type { SiliconRow } from './silicon-row.js';

/** Iterations between two responses of TensorRT-LLM serving DeepSeek in the measured runs (see the module comment). */
export const DEEPSEEK_TRTLLM_STREAM_INTERVAL = 10;

/** Whether `model` is of the DeepSeek-V3 architecture: multi-head latent attention with routed experts. */
function isDeepSeekV3Family(model: ModelSpec): boolean {
  return model.mla !== undefined && model.moe !== undefined;
}

/** The stream interval a row ran with without stating it; 1 when every iteration streams. */
export function rowStreamInterval(row: SiliconRow, model: ModelSpec): number {
  if (row.backend.trim().toLowerCase() !== 'trtllm' || row.mode !== 'agg' || !isDeepSeekV3Family(model)) return 1;
  return DEEPSEEK_TRTLLM_STREAM_INTERVAL;
}
