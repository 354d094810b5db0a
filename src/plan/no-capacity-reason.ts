/** @module Why the configuration search found no capacity, in words, from what each layout did at concurrency 1. */
import type { ServingEstimate } from '../sim/estimate-serving.js';
import { layoutName, type Layout } from './candidate-layouts.js';
import type { LayoutOutcome } from './concurrency-search.js';
import type { WorkloadClass } from './plan-input.js';

const ms = (x: number): string => `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 })} ms`;

/** Why nothing met the SLO, from what each layout did at concurrency 1. */
export function noCapacityReason(w: WorkloadClass, outcomes: readonly LayoutOutcome[], exhausted: boolean, estimates: number): string {
  const fitted = outcomes.filter((o) => o.first !== undefined && o.notFit === undefined);
  const notFit = outcomes.filter((o) => o.notFit !== undefined);
  const untried = outcomes.length - fitted.length - notFit.length;
  if (fitted.length === 0) {
    if (exhausted && untried > 0) return `search stopped after ${estimates} estimates (maxEstimates) before any layout fitted`;
    if (notFit.length === 0) return `no valid layout for ${w.model} on this accelerator`;
    // The layout closest to fitting, with its memory figures.
    const closest = [...notFit].sort((a, b) => a.notFit!.neededBytesPerDevice / a.notFit!.usableBytes - b.notFit!.neededBytesPerDevice / b.notFit!.usableBytes)[0]!;
    const most = Math.max(...notFit.map((o) => o.layout.tp * o.layout.dp));
    return `does not fit: none of ${notFit.length} layouts (up to ${most} chips) fits in memory; closest, ${layoutName(closest.layout)}: ${closest.notFit!.reason ?? 'too little memory'}`;
  }
  const firsts = fitted.map((o) => ({ o, e: o.first! }));
  const minBy = (f: (e: ServingEstimate) => number) => firsts.reduce((a, b) => (f(b.e) < f(a.e) ? b : a));
  const bestTtft = minBy((e) => e.ttftMs);
  const bestTpot = minBy((e) => e.tpotMs);
  const onEvery = (best: Layout): string =>
    fitted.length === 1 ? `on the only layout that fits (${layoutName(best)})` : `on every layout (best: ${layoutName(best)})`;
  const parts: string[] = [];
  if (bestTtft.e.ttftMs > w.slo.ttftMs) {
    parts.push(`TTFT at concurrency 1 is ${ms(bestTtft.e.ttftMs)} > ${ms(w.slo.ttftMs)} ${onEvery(bestTtft.o.layout)}`);
  }
  if (bestTpot.e.tpotMs > w.slo.tpotMs) {
    parts.push(`TPOT at concurrency 1 is ${ms(bestTpot.e.tpotMs)} > ${ms(w.slo.tpotMs)} ${onEvery(bestTpot.o.layout)}`);
  }
  if (parts.length === 0) {
    // Each target is met by some layout, never both by one.
    const closest = minBy((e) => Math.max(e.ttftMs / w.slo.ttftMs, e.tpotMs / w.slo.tpotMs));
    parts.push(
      `no layout meets both targets at concurrency 1; closest, ${layoutName(closest.o.layout)}: TTFT ${ms(closest.e.ttftMs)} (target ${ms(w.slo.ttftMs)}), TPOT ${ms(closest.e.tpotMs)} (target ${ms(w.slo.tpotMs)})`,
    );
  }
  if (notFit.length > 0) parts.push(`${notFit.length} of ${outcomes.length} layouts do not fit in memory`);
  if (exhausted && untried > 0) parts.push(`search stopped after ${estimates} estimates (maxEstimates) with ${untried} layouts untried`);
  return parts.join('; ');
}
