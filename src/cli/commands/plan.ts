/** @module `tokenfleet plan`: configurations, fleet mix and multi-quarter procurement for a scenario, with variants and a report. */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { openFileConfigCache } from '../../config/file-config-cache.js';
import { loadPlanScenario, toPlanInputs } from '../../config/plan-scenario.js';
import { searchAll } from '../../plan/config-search.js';
import { loadSolver } from '../../plan/highs-solver.js';
import type { AcceleratorOffer, ConfigCapacity, PlanInput } from '../../plan/plan-input.js';
import { planJson, type SolvedPlan } from '../../plan/plan-json.js';
import { renderPlanReport } from '../../plan/plan-report-html.js';
import type { PlanResult } from '../../plan/plan-result.js';
import { solvePlan } from '../../plan/solve-plan.js';
import { fmtNum, formatTable } from '../format-table.js';
import { parseOptions, positiveInt } from '../parse-options.js';
import { startProgress } from '../progress.js';

const schema = z.object({
  variant: z.array(z.string()).optional(),
  allVariants: z.boolean().optional(),
  json: z.boolean().optional(),
  report: z.string().optional(),
  cache: z.string(),
  timeLimit: positiveInt,
});

type Solved = SolvedPlan;

export async function planCommand(file: string, raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  const scenario = loadPlanScenario(file);
  const inputs = toPlanInputs(scenario, o.allVariants ? 'all' : (o.variant ?? []));
  // Every offer of the base and of the variants (a variant may add one), searched once each.
  const offers = new Map<string, Pick<AcceleratorOffer, 'accelerator' | 'engine'>>();
  for (const input of [inputs.base, ...inputs.variants.map((v) => v.input)]) {
    for (const offer of input.offers) offers.set(`${offer.accelerator}/${offer.engine}`, offer);
  }
  const cache = openFileConfigCache(o.cache);
  const total = inputs.base.workloads.length * offers.size;
  const progress = startProgress('configurations', total, !o.json);
  let last = 0;
  const searchStarted = performance.now();
  const capacities = searchAll(inputs.base.workloads, [...offers.values()], {
    cache,
    ...(inputs.base.memoryUtilization !== undefined && { memoryUtilization: inputs.base.memoryUtilization }),
    onProgress: (done) => {
      progress.tick(done - last);
      last = done;
    },
  });
  progress.stop();
  cache.save();
  const searchSeconds = (performance.now() - searchStarted) / 1000;
  // A fresh HiGHS instance per plan: its WebAssembly memory only grows.
  const solve = async (input: PlanInput) => solvePlan(input, capacities, await loadSolver({ fresh: true }), { timeLimitSeconds: o.timeLimit });
  const base: Solved = { name: 'base', description: 'the scenario as written', input: inputs.base, result: await solve(inputs.base) };
  const variants: Solved[] = [];
  for (const v of inputs.variants) variants.push({ ...v, result: await solve(v.input) });
  if (o.report) {
    const html = renderPlanReport({ scenarioName: scenario.name, base: { ...base, capacities }, variants });
    try {
      writeFileSync(o.report, html);
    } catch (e) {
      throw new InvalidInputError(`cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `--report ${o.report}`);
    }
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(planJson(base, variants, capacities, { searchSeconds, cacheHits: cache.hits }), null, 2) + '\n');
    return;
  }
  process.stdout.write(readable(scenario.name, base, variants, capacities, searchSeconds, cache.hits, total) + (o.report ? `\nreport written to ${o.report}\n` : ''));
}

const totals = (r: PlanResult) =>
  r.found
    ? {
        capex: r.periods.reduce((s, p) => s + p.capexUsd, 0),
        opex: r.periods.reduce((s, p) => s + p.opexUsd, 0),
        unmetShare: r.periods.reduce((s, p) => s + p.unmetTokensPerSecond, 0) / Math.max(1, r.periods.reduce((s, p) => s + p.demandTokensPerSecond, 0)),
      }
    : undefined;

function vendorChips(input: PlanInput, purchases: Readonly<Record<string, Readonly<Record<string, number>>>>): Map<string, number> {
  const vendorOf = new Map(input.offers.map((o) => [o.accelerator, o.vendor]));
  const out = new Map<string, number>();
  for (const bySite of Object.values(purchases)) {
    for (const [acc, chips] of Object.entries(bySite)) out.set(vendorOf.get(acc) ?? acc, (out.get(vendorOf.get(acc) ?? acc) ?? 0) + chips);
  }
  return out;
}

function readable(name: string, base: Solved, variants: readonly Solved[], capacities: readonly ConfigCapacity[], searchSeconds: number, hits: number, total: number): string {
  const lines = [`${name}`, `configurations: ${total} (workload x accelerator) in ${searchSeconds.toFixed(1)} s, ${hits} from the cache; ${capacities.filter((c) => c.tokensPerSecondPerAccelerator > 0).length} meet their SLO`, ''];
  const r = base.result;
  if (!r.found) {
    lines.push(`no plan (${r.status}): ${r.explanation}`);
  } else {
    const t = totals(r)!;
    lines.push(
      `status ${r.status} (MIP gap ${(r.mipGap * 100).toFixed(3)}%), solved in ${r.solveSeconds.toFixed(1)} s; ${r.model.columns} columns (${r.model.integerColumns} integer), ${r.model.rows} rows`,
      `objective $${fmtNum(r.objectiveUsd / 1e9, 2)}B (${r.objectiveKind}); capex $${fmtNum(t.capex / 1e9, 2)}B, opex $${fmtNum(t.opex / 1e9, 2)}B; unmet ${(t.unmetShare * 100).toFixed(1)}% of demand`,
      '',
      formatTable(
        ['period', 'bought (chips by vendor)', 'capex $B', 'power MW', 'demand tok/s', 'served tok/s', 'unmet tok/s'],
        r.periods.map((p) => [
          p.period,
          [...vendorChips(base.input, p.purchases).entries()].map(([v, n]) => `${v} ${fmtNum(n)}`).join(', ') || '-',
          fmtNum(p.capexUsd / 1e9, 2),
          fmtNum(Object.values(p.powerMw).reduce((s, x) => s + x, 0), 0),
          p.demandTokensPerSecond.toExponential(2),
          p.servedTokensPerSecond.toExponential(2),
          p.unmetTokensPerSecond.toExponential(2),
        ]),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
      'binding constraints (what loosening each is worth):',
      ...r.binding.slice(0, 10).map((b) => `  ${b.constraint.padEnd(40)} ${b.shadowPrice.toPrecision(4)} ${b.unit}`),
    );
  }
  if (variants.length > 0) {
    lines.push('', 'variants:');
    const rows = [base, ...variants].map((v) => {
      const t = totals(v.result);
      return [
        v.name,
        v.result.status,
        t ? fmtNum(t.capex / 1e9, 2) : '-',
        t ? fmtNum(t.opex / 1e9, 2) : '-',
        t ? `${(t.unmetShare * 100).toFixed(1)}%` : '-',
        v.result.found ? (v.result.binding[0]?.constraint ?? '-') : v.result.explanation.slice(0, 60),
      ];
    });
    lines.push(formatTable(['variant', 'status', 'capex $B', 'opex $B', 'unmet', 'most binding'], rows, ['left', 'left', 'right', 'right', 'right', 'left']));
  }
  return lines.join('\n') + '\n';
}
