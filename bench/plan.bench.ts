/**
 * Planner figures: (1) the default scenario's solve times, cold and with the
 * configuration cache; (2) the best mixed fleet against the best single-type
 * fleet on the same demand (one quarter, no budgets, supply caps, gates or
 * installed fleet: the Mélange setting), on the default scenario's workloads.
 * Run: npm run bench:plan
 */
import { loadPlanScenario, toPlanInputs } from '../src/config/plan-scenario.js';
import { memoryCache } from '../src/plan/config-cache.js';
import { searchAll } from '../src/plan/config-search.js';
import { loadSolver } from '../src/plan/highs-solver.js';
import type { PlanInput } from '../src/plan/plan-input.js';
import { solvePlan } from '../src/plan/solve-plan.js';

const scenario = loadPlanScenario(new URL('../scenarios/bytedance-2026.yaml', import.meta.url).pathname);
const { base, variants } = toPlanInputs(scenario, 'all');
const cache = memoryCache();
let t = performance.now();
const capacities = searchAll(base.workloads, [...new Map([base, ...variants.map((v) => v.input)].flatMap((i) => i.offers).map((o) => [`${o.accelerator}/${o.engine}`, o])).values()], { cache });
console.log(`configuration search (cold): ${capacities.length} pairs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
searchAll(base.workloads, base.offers, { cache });
console.log(`configuration search (cached): ${((performance.now() - t) / 1000).toFixed(2)} s`);

for (const input of [base, ...variants.map((v) => v.input)]) {
  const solver = await loadSolver({ fresh: true });
  const r = solvePlan(input, capacities, solver);
  console.log(`solve ${input.name.padEnd(34)} ${r.status.padEnd(9)} ${r.solveSeconds.toFixed(2)} s${r.found ? `  gap ${(r.mipGap * 100).toFixed(3)}%  ${r.model.columns} columns, ${r.model.integerColumns} integer` : ''}`);
}

// Mixed versus single type, one quarter, unconstrained purchases.
const period = base.periods[0]!;
const open = (offers: PlanInput['offers']): PlanInput => ({
  ...base,
  name: 'one quarter',
  periods: [period],
  demand: base.demand.filter((d) => d.period === period.id),
  offers: offers.map((o) => ({ ...o, availableFrom: period.id, leadTimeQuarters: 0, supplyUnits: {}, gates: undefined })),
  sites: base.sites.map((s) => ({ ...s, powerMw: 1e6, maxAccelerators: undefined, domesticOnly: false })),
  budgets: [],
  installed: [],
  objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 1e6 },
});
const priced = base.offers.filter((o) => o.priceUsd > 0);
const servable = priced.filter((o) => base.workloads.every((w) => (capacities.find((c) => c.workload === w.id && c.accelerator === o.accelerator)?.tokensPerSecondPerAccelerator ?? 0) > 0));
const cost = async (offers: PlanInput['offers']) => {
  const r = solvePlan(open(offers), capacities, await loadSolver({ fresh: true }));
  return r.found ? r.objectiveUsd : Number.NaN;
};
const mixed = await cost(priced);
let best = { id: '', usd: Number.POSITIVE_INFINITY };
for (const o of servable) {
  const usd = await cost([o]);
  if (usd < best.usd) best = { id: o.accelerator, usd };
}
console.log(`one quarter (${period.id}) of the default demand, no supply, budget or gate limits, ${priced.length} priced offers (${servable.length} serve every workload):`);
console.log(`  best single type: ${best.id}, $${(best.usd / 1e9).toFixed(2)}B (capex + quarter opex)`);
console.log(`  best mixed fleet: $${(mixed / 1e9).toFixed(2)}B, saving ${((1 - mixed / best.usd) * 100).toFixed(1)}% over the best single type`);

// The same, among the accelerators the gates allow in 2026Q2 (what the company can actually buy).
const q2 = base.periods[1]!.id;
const allowed = priced.filter((o) => {
  const g = o.gates?.[q2];
  return g === undefined ? o.domestic : g.usExport !== 'banned' && g.chinaApproval !== 'blocked';
});
const allowedServable = allowed.filter((o) => servable.includes(o));
const mixedAllowed = await cost(allowed);
let bestAllowed = { id: '', usd: Number.POSITIVE_INFINITY };
for (const o of allowedServable) {
  const usd = await cost([o]);
  if (usd < bestAllowed.usd) bestAllowed = { id: o.accelerator, usd };
}
console.log(`among the ${allowed.length} offers the gates allow in ${q2} (${allowed.map((o) => o.accelerator).join(', ')}):`);
console.log(`  best single type: ${bestAllowed.id}, $${(bestAllowed.usd / 1e9).toFixed(2)}B; best mixed fleet: $${(mixedAllowed / 1e9).toFixed(2)}B, saving ${((1 - mixedAllowed / bestAllowed.usd) * 100).toFixed(1)}%`);
