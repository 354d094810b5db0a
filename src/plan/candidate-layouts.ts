/** @module The parallel layouts (TP, attention DP, EP, precision) the configuration search tries for a model on a chip. */
import type { AcceleratorSpec, EngineId } from '../core/catalogue/accelerator-spec.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import type { Precision } from '../core/catalogue/precision.js';
import { InvalidInputError } from '../core/errors.js';
import { makeDeployment, type Deployment, type SpeculativeConfig } from '../core/perf/deployment.js';
import { planMemory } from '../core/perf/memory-plan.js';
import { kvPrecisionFor, weightPrecisionFor } from './precision-choice.js';

/** One parallel layout and precision choice of a replica. */
export interface Layout {
  /** Tensor parallelism of attention and dense layers within one attention-DP rank. */
  readonly tp: number;
  /** Attention data-parallel ranks (1: off). */
  readonly dp: number;
  /** Expert parallelism (MoE models only; expert TP is tp x dp / ep). */
  readonly ep?: number;
  /** Weights, routed experts included. */
  readonly precision: Precision;
  readonly kvPrecision: Precision;
}

/** Largest TP tried on chips with a known scale-up domain (beyond it, TP across nodes is never worth it). */
const MAX_TP = 16;
/** Largest TP tried on cards without a known scale-up domain: 8 cards in a PCIe server (ASSUMPTION). */
const PCIE_MAX_TP = 8;
/** Largest attention-DP (and, for tp 1, expert-parallel) group tried. */
const MAX_DP = 16;
/** Most chips in one replica (tp x dp, MoE models): two to four 8-chip servers, as in wide-EP deployments. */
const MAX_REPLICA_DEVICES = 32;

/** `from`, `2 from`, `4 from`, ... up to `to`. */
export function powersOfTwo(from: number, to: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x *= 2) out.push(x);
  return out;
}

/** Largest TP to try, with a note when the chip has no known scale-up domain. */
function tpLimit(acc: AcceleratorSpec): { maxTp: number; note?: string } {
  const domain = acc.scaleUp.domainSize.value;
  if (domain === null || domain <= 1) {
    return { maxTp: PCIE_MAX_TP, note: `${acc.id}: scale-up domain ${domain === null ? 'unknown' : 'of 1'}; TP up to ${PCIE_MAX_TP} tried over PCIe` };
  }
  return { maxTp: Math.min(domain, MAX_TP) };
}

/**
 * The deployment of `model` on `acc` with `engine` in layout `l`, with speculative decoding when given.
 * @throws InvalidInputError when `speculative` is given and the engine has no speculative decoding.
 */
export function deploymentOf(model: ModelSpec, acc: AcceleratorSpec, engine: EngineId, l: Layout, speculative?: SpeculativeConfig): Deployment {
  return makeDeployment({
    model,
    accelerator: acc,
    engine,
    parallel: { tp: l.tp, dp: l.dp, ...(l.ep !== undefined && { ep: l.ep }) },
    precision: { weights: l.precision, moeWeights: l.precision, kv: l.kvPrecision },
    ...(speculative !== undefined && { speculative }),
  });
}

/** Layouts valid for the model (TP divides the heads, EP the experts), fit not checked, with notes on assumptions. */
export function validLayouts(model: ModelSpec, acc: AcceleratorSpec): { layouts: Layout[]; notes: string[] } {
  const precision = weightPrecisionFor(acc);
  const kvPrecision = kvPrecisionFor(acc);
  const { maxTp, note } = tpLimit(acc);
  const tps = powersOfTwo(1, maxTp).filter((tp) => model.numAttentionHeads % tp === 0);
  const shapes: { tp: number; dp: number; ep?: number }[] = [];
  if (!model.moe) {
    for (const tp of tps) shapes.push({ tp, dp: 1 });
  } else {
    for (const tp of tps) {
      shapes.push({ tp, dp: 1, ep: tp });
      // Experts tensor-parallel instead of expert-parallel (vLLM's default for MoE).
      if (tp > 1) shapes.push({ tp, dp: 1, ep: 1 });
    }
    for (const dp of powersOfTwo(2, MAX_DP)) {
      for (const tp of tps) if (tp * dp <= MAX_REPLICA_DEVICES) shapes.push({ tp, dp, ep: tp * dp });
    }
  }
  const layouts: Layout[] = [];
  for (const s of shapes) {
    const layout: Layout = { ...s, precision, kvPrecision };
    try {
      deploymentOf(model, acc, 'generic', layout);
      layouts.push(layout);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
    }
  }
  return { layouts, notes: note === undefined ? [] : [note] };
}

/**
 * Layouts worth estimating for `model` on `acc`: TP over powers of two that
 * divide the attention heads, up to the scale-up domain (at most 16; 8 on PCIe
 * cards); for MoE models also expert-TP layouts, attention-DP layouts (tp 1,
 * dp = ep = 2..16) and tp x dp with ep = tp x dp (up to 32 chips). Weights at
 * the narrowest precision the chip runs natively, KV at 8 bits where it can.
 * Layouts whose weights do not fit in the engine's share of memory (`memoryUtilization`,
 * default the engine's; with a speculative drafter's layer when `speculative` is given) are left out.
 * @throws UnsupportedError when the chip's memory is unknown.
 * @throws InvalidInputError when `speculative` is given and the engine has no speculative decoding.
 */
export function candidateLayouts(
  model: ModelSpec,
  acc: AcceleratorSpec,
  engine: EngineId = 'generic',
  memoryUtilization?: number,
  speculative?: SpeculativeConfig,
): Layout[] {
  return validLayouts(model, acc).layouts.filter((l) => planMemory(deploymentOf(model, acc, engine, l, speculative), { memoryUtilization }).fits);
}

/** e.g. `tp8 fp8`, `tp1 dp16 ep16 fp8`, `tp4 ep1 int8 kv int8`. */
export function layoutName(l: Layout): string {
  const parts = [`tp${l.tp}`];
  if (l.dp > 1) parts.push(`dp${l.dp}`);
  if (l.ep !== undefined && (l.ep > 1 || l.tp > 1)) parts.push(`ep${l.ep}`);
  parts.push(l.precision);
  if (l.kvPrecision !== l.precision) parts.push(`kv ${l.kvPrecision}`);
  return parts.join(' ');
}
