/**
 * @module Serving engines: their features and the scheduler defaults the
 * performance model and the simulator use. Calibrated efficiencies live in
 * `core/perf/calibration-data.ts`; this file says what each engine does.
 */
import { NoSuchEntryError, closestMatches } from '../errors.js';
import { ENGINE_IDS, type EngineId } from './accelerator-spec.js';

/** How an engine mixes prefill and decode work in one iteration. */
export type BatchingPolicy =
  /** Prefill chunks and decode tokens share one step under a token budget (vLLM v1, TensorRT-LLM in-flight batching). */
  | 'mixed-chunked'
  /** A step is either a prefill batch or a decode batch; waiting prefills go first (SGLang's default, without --enable-mixed-chunk). */
  | 'prefill-first';

export interface EngineSpec {
  readonly id: EngineId;
  readonly name: string;
  readonly description: string;
  readonly features: {
    readonly chunkedPrefill: boolean;
    readonly prefixCaching: boolean;
    readonly disaggregation: boolean;
    readonly speculativeDecoding: boolean;
  };
  readonly batching: BatchingPolicy;
  /** Default token budget per iteration (max_num_batched_tokens / chunked_prefill_size / max_num_tokens). */
  readonly maxBatchedTokens: number;
  /** A larger default budget the engine picks on devices with at least `minMemoryBytes` (SGLang sizes chunked_prefill_size by GPU memory). */
  readonly largeMemoryTokenBudget?: { readonly minMemoryBytes: number; readonly maxBatchedTokens: number };
  /** Default cap on running sequences per replica (or per attention-DP rank). */
  readonly maxRunningSequences: number;
  /**
   * With attention DP: iterations a new prompt may be held back, while fewer prompts than ranks wait, so that
   * the ranks' context work stays balanced (the simulator's `contextWaitSteps`); absent: none.
   */
  readonly attentionDpContextWaitSteps?: number;
  /**
   * What a request must find free in the KV cache to be admitted: 'prompt', its prompt's blocks (vLLM, SGLang:
   * running sequences are preempted when decoding runs out); 'whole-sequence', its prompt and every output
   * token it may produce, beside what the running ones may still grow to (TensorRT-LLM's default
   * GUARANTEED_NO_EVICT capacity scheduler: never preempts, queues instead).
   */
  readonly kvAdmission: 'prompt' | 'whole-sequence';
  /** KV cache block (page) size in tokens. */
  readonly kvBlockTokens: number;
  /**
   * Whether attention runs in fp8, at the chip's fp8 rate, when the KV cache is fp8 (TensorRT-LLM's FP8 context
   * FMHA and fp8 generation kernels); otherwise an fp8 cache only halves the KV bytes stored and read, and the
   * kernels dequantise it and compute at the bf16 rate (vLLM's and SGLang's default attention backends).
   */
  readonly fp8Attention: boolean;
  /**
   * The rate at which GEMMs with fp4 weights compute on a chip without fp4 units (Hopper, Ampere): 'bf16' for
   * weight-only kernels that dequantise to bf16 (W4A16: vLLM's Marlin and Triton MXFP4 paths, SGLang's); 'fp8'
   * where the engine quantises the activations to fp8 (W4A8: TensorRT-LLM's MXFP4 x FP8 MoE).
   */
  readonly fp4WithoutFp4Units: 'fp8' | 'bf16';
  /** Fraction of memory the engine may use: of the device for weights, activations and KV, or of what is free after the weights (memoryUtilizationOf). */
  readonly memoryUtilization: number;
  /**
   * What memoryUtilization is a fraction of: 'device', the whole device memory for weights, activations and
   * KV (vLLM gpu_memory_utilization, SGLang mem_fraction_static); 'free', the memory left once the weights
   * and activations are in, all of it for KV (TensorRT-LLM's KvCacheConfig free_gpu_memory_fraction).
   */
  readonly memoryUtilizationOf: 'device' | 'free';
  /** Where the defaults come from. */
  readonly source: string;
}

export const ENGINES: Readonly<Record<EngineId, EngineSpec>> = {
  vllm: {
    id: 'vllm',
    name: 'vLLM',
    description: 'vLLM v1: continuous batching, chunked prefill mixed with decode under a token budget, paged KV cache.',
    features: { chunkedPrefill: true, prefixCaching: true, disaggregation: true, speculativeDecoding: true },
    batching: 'mixed-chunked',
    maxBatchedTokens: 8192,
    maxRunningSequences: 1024,
    kvAdmission: 'prompt',
    kvBlockTokens: 16,
    fp8Attention: false,
    fp4WithoutFp4Units: 'bf16',
    memoryUtilization: 0.9,
    memoryUtilizationOf: 'device',
    source: 'vLLM v1 engine arguments: max_num_batched_tokens 8192 for the API server, max_num_seqs 1024, block_size 16, gpu_memory_utilization 0.9',
  },
  sglang: {
    id: 'sglang',
    name: 'SGLang',
    description: 'SGLang: RadixAttention prefix cache, prefill batches scheduled ahead of decode batches (mixed chunks off by default), page size 1.',
    features: { chunkedPrefill: true, prefixCaching: true, disaggregation: true, speculativeDecoding: true },
    batching: 'prefill-first',
    maxBatchedTokens: 8192,
    // server_args.py: chunked_prefill_size 8192 below 160 GiB per GPU (H100, H200), 16384 from there (B200, GB200, B300, MI300X).
    largeMemoryTokenBudget: { minMemoryBytes: 160 * 2 ** 30, maxBatchedTokens: 16384 },
    maxRunningSequences: 1024,
    kvAdmission: 'prompt',
    kvBlockTokens: 1,
    fp8Attention: false,
    fp4WithoutFp4Units: 'bf16',
    memoryUtilization: 0.88,
    memoryUtilizationOf: 'device',
    source: 'SGLang server arguments: chunked_prefill_size 8192 (16384 on GPUs with 160 GiB or more), enable_mixed_chunk false, page_size 1, mem_fraction_static about 0.88 on 80-192 GB GPUs',
  },
  trtllm: {
    id: 'trtllm',
    name: 'TensorRT-LLM',
    description: 'TensorRT-LLM PyTorch backend: in-flight batching with chunked context, CUDA graphs for decode, paged KV cache.',
    features: { chunkedPrefill: true, prefixCaching: true, disaggregation: true, speculativeDecoding: true },
    batching: 'mixed-chunked',
    maxBatchedTokens: 8192,
    maxRunningSequences: 2048,
    // ASSUMPTION: attention-DP context balancing on (as AIConfigurator's attention-DP configurations run it),
    // with TensorRT-LLM's attention_dp_config timeout_iters of 50. The measured DeepSeek rows with attention DP
    // show it: TTFT is a median of 92 TPOTs there and grows with the output length, not the prompt's work.
    attentionDpContextWaitSteps: 50,
    kvAdmission: 'whole-sequence',
    kvBlockTokens: 32,
    fp8Attention: true,
    fp4WithoutFp4Units: 'fp8',
    memoryUtilization: 0.9,
    memoryUtilizationOf: 'free',
    source: 'TensorRT-LLM LLM API defaults: max_num_tokens 8192, max_batch_size 2048, tokens_per_block 32, free_gpu_memory_fraction 0.9, capacity_scheduler_policy GUARANTEED_NO_EVICT; attention-DP context wait 50 iterations (attention_dp_config timeout_iters, ASSUMPTION: balancing on)',
  },
  mindie: {
    id: 'mindie',
    name: 'MindIE',
    description: 'Huawei MindIE on CANN (Ascend): continuous batching with a prefill/decode split scheduler.',
    features: { chunkedPrefill: true, prefixCaching: true, disaggregation: true, speculativeDecoding: true },
    batching: 'prefill-first',
    maxBatchedTokens: 8192,
    maxRunningSequences: 512,
    kvAdmission: 'prompt',
    kvBlockTokens: 128,
    fp8Attention: false,
    fp4WithoutFp4Units: 'bf16',
    memoryUtilization: 0.85,
    memoryUtilizationOf: 'device',
    source: 'MindIE Service configuration (maxPrefillTokens 8192, maxBatchSize, cacheBlockSize 128); ASSUMPTION where the documentation gives ranges',
  },
  generic: {
    id: 'generic',
    name: 'Generic engine',
    description: 'A vLLM-like engine with uncalibrated, conservative efficiencies; use for accelerators without engine measurements.',
    features: { chunkedPrefill: true, prefixCaching: true, disaggregation: false, speculativeDecoding: false },
    batching: 'mixed-chunked',
    maxBatchedTokens: 8192,
    maxRunningSequences: 512,
    kvAdmission: 'prompt',
    kvBlockTokens: 16,
    fp8Attention: false,
    fp4WithoutFp4Units: 'bf16',
    memoryUtilization: 0.9,
    memoryUtilizationOf: 'device',
    source: 'ASSUMPTION: vLLM-like defaults',
  },
};

/** The engine's default token budget per iteration on a device with `memoryBytes` of memory (unknown memory: the base default). */
export function defaultTokenBudget(engine: EngineSpec, memoryBytes: number | null): number {
  const large = engine.largeMemoryTokenBudget;
  return large !== undefined && memoryBytes !== null && memoryBytes >= large.minMemoryBytes ? large.maxBatchedTokens : engine.maxBatchedTokens;
}

export function listEngines(): readonly EngineSpec[] {
  return ENGINE_IDS.map((id) => ENGINES[id]);
}

export function getEngine(id: string): EngineSpec {
  const key = id.toLowerCase().replace(/[-_ ]/g, '');
  const alias: Record<string, EngineId> = { tensorrtllm: 'trtllm', trt: 'trtllm' };
  const found = (ENGINE_IDS as readonly string[]).includes(key) ? (key as EngineId) : alias[key];
  if (!found) throw new NoSuchEntryError('engine', id, closestMatches(id, ENGINE_IDS));
  return ENGINES[found];
}
