/** @module Detects the weight and KV-cache precisions a checkpoint declares (hf_quant_config.json, quantization_config, expert_dtype). */
import type { Precision } from '../precision.js';
import { type Fields, type Obj, isObj } from './read-fields.js';
import { torchDtype } from './torch-dtype.js';

/** Precision named by a ModelOpt quant_algo or similar tag (NVFP4, W4A8_AWQ, FP8_BLOCK_SCALES...). */
function precisionFromAlgo(algo: string): Precision | undefined {
  const a = algo.toUpperCase();
  if (/NVFP4|MXFP4|FP4/.test(a)) return 'fp4';
  if (/INT4|W4A|AWQ|GPTQ/.test(a)) return 'int4';
  if (/FP8|MXFP8/.test(a)) return 'fp8';
  if (/INT8|W8A|SQ/.test(a)) return 'int8';
  return undefined;
}

const BITS_ORDER: readonly Precision[] = ['fp4', 'int4', 'fp8', 'int8', 'fp16', 'bf16', 'fp32'];
const narrowest = (ps: readonly Precision[]): Precision | undefined =>
  [...ps].sort((a, b) => BITS_ORDER.indexOf(a) - BITS_ORDER.indexOf(b))[0];

function precisionFromBits(bits: unknown, type: unknown): Precision | undefined {
  if (bits === 4) return type === 'int' ? 'int4' : 'fp4';
  if (bits === 8) return type === 'int' ? 'int8' : 'fp8';
  return undefined;
}

function kvPrecisionOf(v: unknown): Precision | undefined {
  if (typeof v === 'string') return precisionFromAlgo(v);
  if (isObj(v)) return precisionFromBits(v.num_bits, v.type);
  return undefined;
}

/** Weight and KV precisions the checkpoint declares, from hf_quant_config.json or quantization_config. */
export function declaredQuantisation(root: Fields, c: Fields, hfQuant: unknown, notes: string[]): { weight?: Precision; kv?: Precision } {
  let q: Obj | undefined;
  let source: string;
  if (isObj(hfQuant) && isObj(hfQuant.quantization)) {
    q = hfQuant.quantization;
    source = 'hf_quant_config.json';
  } else {
    const qc = root.obj.quantization_config ?? c.obj.quantization_config;
    if (qc !== undefined && qc !== null && !isObj(qc)) root.fail('quantization_config', 'an object', qc);
    q = qc ?? undefined;
    source = 'quantization_config';
  }
  const expertDtype = c.str('expert_dtype');
  const expertPrecision = expertDtype === undefined ? undefined : (precisionFromAlgo(expertDtype) ?? torchDtype(expertDtype));
  if (!q) {
    if (expertPrecision) notes.push(`experts stored at ${expertPrecision} (expert_dtype)`);
    return expertPrecision ? { weight: expertPrecision } : {};
  }
  if (expertPrecision) notes.push(`experts stored at ${expertPrecision} (expert_dtype)`);

  const method = typeof q.quant_method === 'string' ? q.quant_method.toLowerCase() : undefined;
  const algo = typeof q.quant_algo === 'string' ? q.quant_algo : undefined;
  const candidates: Precision[] = [];
  const add = (p: Precision | undefined) => {
    if (p) candidates.push(p);
  };
  if (method) {
    const bits = typeof q.bits === 'number' ? q.bits : typeof q.w_bit === 'number' ? q.w_bit : 4;
    const intBits: Precision = bits === 8 ? 'int8' : 'int4';
    const byMethod: Readonly<Record<string, Precision | undefined>> = {
      fp8: 'fp8', fbgemm_fp8: 'fp8', ptpc_fp8: 'fp8', mxfp8: 'fp8', mxfp4: 'fp4', nvfp4: 'fp4', fp4: 'fp4',
      awq: intBits, gptq: intBits, autoround: intBits, awq_marlin: intBits, gptq_marlin: intBits,
      bitsandbytes: q.load_in_4bit === true ? 'int4' : q.load_in_8bit === true ? 'int8' : undefined,
    };
    add(byMethod[method]);
  }
  if (algo && algo.toUpperCase() === 'MIXED_PRECISION' && isObj(q.quantized_layers)) {
    for (const layer of Object.values(q.quantized_layers)) {
      add(isObj(layer) && typeof layer.quant_algo === 'string' ? precisionFromAlgo(layer.quant_algo) : undefined);
    }
  } else if (algo) {
    add(precisionFromAlgo(algo));
  }
  if (typeof q.moe_quant_algo === 'string') add(precisionFromAlgo(q.moe_quant_algo));
  if (isObj(q.config_groups) && (method === 'compressed-tensors' || candidates.length === 0)) {
    for (const g of Object.values(q.config_groups)) {
      if (!isObj(g)) continue;
      const fmt = typeof g.format === 'string' ? precisionFromAlgo(g.format) : undefined;
      add(fmt ?? (isObj(g.weights) ? precisionFromBits(g.weights.num_bits, g.weights.type) : undefined));
    }
  }
  add(expertPrecision);
  const mixed = new Set(candidates).size > 1;

  const weight = narrowest(candidates);
  if (!weight) notes.push(`unrecognised quantisation (${source}: ${method ?? algo ?? 'no quant_method'}); weight precision not declared`);
  else if (mixed) notes.push(`mixed-precision checkpoint (${[...new Set(candidates)].join(', ')}); declared the narrowest, which holds the bulk (MLP/expert) weights`);
  const excluded = [q.modules_to_not_convert, q.ignore, q.exclude_modules].flatMap((v) => (Array.isArray(v) ? v : []));
  const attentionModule = /(self_attn|attn)(\*|\.\*|$)|(self_attn|attn)\.[a-z_]*(q|k|v|o|a|b)_proj/;
  if (excluded.some((m) => typeof m === 'string' && attentionModule.test(m))) notes.push('attention weights excluded from quantisation (kept at bf16)');
  const kv = kvPrecisionOf(q.kv_cache_quant_algo) ?? kvPrecisionOf(q.kv_cache_scheme);
  return { ...(weight && { weight }), ...(kv && { kv }) };
}
