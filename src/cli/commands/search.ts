/**
 * @module `tokenfleet search`: the best serving configuration (parallel layout, concurrency per replica) of one
 * model on one or more accelerators and engines at a TTFT and TPOT target, by the planner's configuration search.
 */
import { z } from 'zod';
import type { AcceleratorSpec, EngineId } from '../../core/catalogue/accelerator-spec.js';
import { getEngine } from '../../core/catalogue/engines.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import type { ModelSpec } from '../../core/catalogue/model-spec.js';
import { InvalidInputError, NoSuchEntryError } from '../../core/errors.js';
import { UnsupportedError } from '../../core/perf/hardware-rates.js';
import { resolveModel } from '../../config/model-registry.js';
import { validLayouts } from '../../plan/candidate-layouts.js';
import { searchResolved, type LayoutOutcome } from '../../plan/config-search.js';
import { searchDisagg } from '../../plan/disagg-search.js';
import type { WorkloadClass } from '../../plan/plan-input.js';
import { speculativeFromOptions } from '../deployment-options.js';
import { acceptanceProbability, draftTokenCount, memoryFraction, parseOptions, positiveInt } from '../parse-options.js';
import { startProgress } from '../progress.js';
import { disaggRow, searchJson, searchRow, searchText, sortRows, type SearchRow } from '../search-results.js';

/** A latency target in ms given as a CLI string (fractions allowed: a 7.5 ms TPOT). */
const targetMs = z.coerce.number({ error: 'expected a number' }).positive('expected a positive number of milliseconds');

/** Share of prompt tokens served from the prefix cache, as the plan scenario takes it. */
const prefixShare = z.coerce.number({ error: 'expected a number' }).min(0, 'expected a share from 0 to 0.99').max(0.99, 'expected a share from 0 to 0.99');

const schema = z.object({
  model: z.string().min(1),
  accelerator: z.string(),
  engine: z.string().optional(),
  isl: positiveInt,
  osl: positiveInt,
  sloTtftMs: targetMs,
  sloTpotMs: targetMs,
  prefixHitRate: prefixShare.optional(),
  speculativeTokens: draftTokenCount.optional(),
  acceptanceRate: acceptanceProbability.optional(),
  memoryUtilization: memoryFraction.optional(),
  layouts: z.boolean().optional(),
  disagg: z.boolean().optional(),
  modelConfigs: z.array(z.string()).optional(),
  json: z.boolean().optional(),
});

/** The ids of a comma-separated list, in order, without blanks. */
function idList(value: string, flag: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (ids.length === 0) throw new InvalidInputError(`expected one or more comma-separated ids, got '${value}'`, flag);
  return ids;
}

/** `look()`, with an unknown id's error (and its closest matches) prefixed by the option that named it. */
function fromOption<T>(flag: string, look: () => T): T {
  try {
    return look();
  } catch (e) {
    if (e instanceof NoSuchEntryError) throw new InvalidInputError(e.message, flag);
    throw e;
  }
}

/**
 * The engines to search on `acc`: those of `given` that run on it (all of `given` when none does, so that each says
 * why), else every engine it runs; with speculative decoding only those that have it (else its first, which says so).
 */
export function enginesFor(acc: AcceleratorSpec, given: readonly EngineId[] | undefined, speculative: boolean): EngineId[] {
  if (given !== undefined) {
    const runs = given.filter((e) => acc.engines.includes(e));
    return runs.length > 0 ? runs : [...given];
  }
  if (!speculative) return [...acc.engines];
  const able = acc.engines.filter((e) => getEngine(e).features.speculativeDecoding);
  return able.length > 0 ? able : acc.engines.slice(0, 1);
}

/** Layouts the search will report for `model` on `acc` (for the progress bar); 0 for a catalogue gap. */
function layoutCount(model: ModelSpec, acc: AcceleratorSpec): number {
  try {
    return validLayouts(model, acc).layouts.length;
  } catch (e) {
    if (e instanceof UnsupportedError) return 0;
    throw e;
  }
}

export function searchCommand(raw: unknown): void {
  const o = parseOptions(schema, raw);
  const speculative = speculativeFromOptions(o);
  const accelerators = [...new Map(idList(o.accelerator, '--accelerator').map((id) => fromOption('--accelerator', () => getAccelerator(id))).map((a) => [a.id, a])).values()];
  const engines = o.engine === undefined ? undefined : [...new Set(idList(o.engine, '--engine').map((id) => fromOption('--engine', () => getEngine(id).id)))];
  const { spec } = fromOption('--model', () => resolveModel(o.model, o.modelConfigs ?? []));
  const workload: WorkloadClass = {
    id: 'search',
    model: spec.id,
    inputTokens: o.isl,
    outputTokens: o.osl,
    slo: { ttftMs: o.sloTtftMs, tpotMs: o.sloTpotMs },
    ...(o.prefixHitRate !== undefined && { prefixHitRate: o.prefixHitRate }),
    ...(speculative !== undefined && { speculative }),
  };

  const pairs = accelerators.flatMap((acc) => enginesFor(acc, engines, speculative !== undefined).map((engine) => ({ acc, engine })));
  const counts = new Map(accelerators.map((a) => [a.id, layoutCount(spec, a)]));
  const progress = startProgress('search', pairs.reduce((s, p) => s + counts.get(p.acc.id)!, 0), !o.json);
  const rows: SearchRow[] = [];
  for (const { acc, engine } of pairs) {
    const outcomes: LayoutOutcome[] = [];
    const result = searchResolved(workload, spec, acc, engine, {
      ...(o.memoryUtilization !== undefined && { memoryUtilization: o.memoryUtilization }),
      onLayout: (outcome) => {
        outcomes.push(outcome);
        progress.tick();
      },
    });
    // A pair that stops before its layouts (an engine that does not run there) still completes its share of the bar.
    const left = counts.get(acc.id)! - outcomes.length;
    if (left > 0) progress.tick(left);
    const row = searchRow(workload, result, o.layouts ? outcomes : undefined);
    if (!o.disagg) {
      rows.push(row);
      continue;
    }
    const { accelerator, engine: rowEngine, ...rest } = row;
    rows.push({ accelerator, engine: rowEngine, mode: 'agg', ...rest });
    // Engines without prefill/decode disaggregation get no disaggregated row.
    if (acc.engines.includes(engine) && getEngine(engine).features.disaggregation) {
      rows.push(disaggRow(searchDisagg(workload, spec, acc, engine, { ...(o.memoryUtilization !== undefined && { memoryUtilization: o.memoryUtilization }) })));
    }
  }
  progress.stop();

  const sorted = sortRows(rows);
  const out = o.json ? JSON.stringify(searchJson(workload, sorted), null, 2) : searchText(workload, sorted, o.memoryUtilization);
  process.stdout.write(out + '\n');
}
