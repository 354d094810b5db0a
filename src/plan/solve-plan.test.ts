import { beforeAll, describe, expect, it } from 'vitest';
import { loadSolver, type Solver } from './highs-solver.js';
import type { AcceleratorOffer, ConfigCapacity, Gates, PlanInput, Site } from './plan-input.js';
import type { PlanFound, PlanResult } from './plan-result.js';
import { solvePlan } from './solve-plan.js';
import { createRng } from '../sim/workload/rng.js';

let solver: Solver;
beforeAll(async () => {
  solver = await loadSolver();
});

const QUARTER_HOURS = 2184;
const quarters = (n: number): PlanInput['periods'] =>
  Array.from({ length: n }, (_, i) => ({ id: `2026Q${i + 1}`, hours: QUARTER_HOURS, year: 2026 }));

function offer(accelerator: string, over: Partial<AcceleratorOffer> = {}): AcceleratorOffer {
  return { accelerator, vendor: 'nvidia', domestic: false, priceUsd: 30_000, powerWatts: 1000, engine: 'vllm', availableFrom: '2026Q1', leadTimeQuarters: 0, supplyUnits: {}, source: 'test', ...over };
}

function site(id: string, over: Partial<Site> = {}): Site {
  return { id, powerMw: 10, pue: 1.2, electricityUsdPerKwh: 0.08, hostingUsdPerAcceleratorMonth: 100, domesticOnly: false, ...over };
}

function capacity(workload: string, accelerator: string, tokensPerSecondPerAccelerator: number): ConfigCapacity {
  return { workload, accelerator, engine: 'vllm', tokensPerSecondPerAccelerator, layout: 'tp1', acceleratorsPerReplica: 1, concurrencyPerReplica: 8, ttftMs: 100, tpotMs: 20, confidence: 'prior' };
}

function workload(id: string): PlanInput['workloads'][number] {
  return { id, model: 'm', inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 1000, tpotMs: 50 } };
}

/** One quarter, one site, one workload; override what the case needs. */
function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    name: 'test',
    periods: quarters(1),
    workloads: [workload('chat')],
    demand: [{ period: '2026Q1', workload: 'chat', averageTokensPerSecond: 30_000, peakFactor: 1.2 }],
    offers: [offer('a')],
    sites: [site('site-a')],
    budgets: [],
    installed: [],
    objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 5 },
    unitsPerServer: 4,
    ...over,
  };
}

function found(result: PlanResult): PlanFound {
  if (!result.found) throw new Error(`no plan: ${result.status}: ${result.explanation}`);
  return result;
}

const chipsOf = (byAccelerator: Readonly<Record<string, number>> | undefined, accelerator: string): number => byAccelerator?.[accelerator] ?? 0;
const total = (bySite: Readonly<Record<string, Readonly<Record<string, number>>>>, accelerator: string): number =>
  Object.values(bySite).reduce((s, m) => s + chipsOf(m, accelerator), 0);

describe('solvePlan', () => {
  it('matches brute-force enumeration on 1 period x 2 accelerators x 1 site', () => {
    const cases = [
      { powerMw: 0.03, budget: 400_000, penalty: 3, supplyB: undefined },
      { powerMw: 0.05, budget: 2_000_000, penalty: 4, supplyB: 12 },
      { powerMw: 0.012, budget: 150_000, penalty: 8, supplyB: undefined },
      { powerMw: 1, budget: 1_000_000, penalty: 0.5, supplyB: 8 },
    ];
    for (const c of cases) {
      const s = site('site-a', { powerMw: c.powerMw, pue: 1.2, electricityUsdPerKwh: 0.1, hostingUsdPerAcceleratorMonth: 50 });
      const a = offer('a', { priceUsd: 25_000, powerWatts: 700 });
      const b = offer('b', { priceUsd: 12_000, powerWatts: 400, vendor: 'other', supplyUnits: c.supplyB === undefined ? {} : { '2026Q1': c.supplyB } });
      const plan = input({
        offers: [a, b],
        sites: [s],
        budgets: [{ id: 'all', periods: ['2026Q1'], usd: c.budget }],
        objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: c.penalty },
      });
      const caps = [capacity('chat', 'a', 1500), capacity('chat', 'b', 600)];
      const target = 30_000 * 1.2;
      const penaltyPerTps = ((QUARTER_HOURS * 3600) / 1e6) * c.penalty;
      const running = (o: AcceleratorOffer): number => (o.powerWatts * s.pue * QUARTER_HOURS * s.electricityUsdPerKwh) / 1000 + s.hostingUsdPerAcceleratorMonth * 3;
      let best = Infinity;
      for (let na = 0; na <= 40; na++) {
        for (let nb = 0; nb <= 40; nb++) {
          const ca = 4 * na;
          const cb = 4 * nb;
          if (ca * a.powerWatts * s.pue + cb * b.powerWatts * s.pue > s.powerMw * 1e6) continue;
          if (ca * a.priceUsd + cb * b.priceUsd > c.budget) continue;
          if (c.supplyB !== undefined && cb > c.supplyB) continue;
          const served = Math.min(target, ca * 1500 + cb * 600);
          const cost = ca * (a.priceUsd + running(a)) + cb * (b.priceUsd + running(b)) + (target - served) * penaltyPerTps;
          best = Math.min(best, cost);
        }
      }
      const result = found(solvePlan(plan, caps, solver, { mipRelGap: 1e-9 }));
      expect(result.status).toBe('optimal');
      expect(Math.abs(result.objectiveUsd - best) / best).toBeLessThan(1e-6);
    }
  });

  it('buys a mixed fleet when two workloads favour different chips', () => {
    const twoWorkloads = input({
      workloads: [workload('chat'), workload('code')],
      demand: [
        { period: '2026Q1', workload: 'chat', averageTokensPerSecond: 20_000, peakFactor: 1 },
        { period: '2026Q1', workload: 'code', averageTokensPerSecond: 20_000, peakFactor: 1 },
      ],
      offers: [offer('a'), offer('b')],
      objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 20 },
    });
    const caps = [capacity('chat', 'a', 2000), capacity('code', 'a', 200), capacity('chat', 'b', 200), capacity('code', 'b', 2000)];
    const mixed = found(solvePlan(twoWorkloads, caps, solver));
    const only = (id: string): PlanFound =>
      found(solvePlan({ ...twoWorkloads, offers: twoWorkloads.offers.filter((o) => o.accelerator === id) }, caps, solver));
    const purchases = mixed.periods[0]!.purchases;
    expect(total(purchases, 'a')).toBeGreaterThan(0);
    expect(total(purchases, 'b')).toBeGreaterThan(0);
    expect(mixed.objectiveUsd).toBeLessThan(only('a').objectiveUsd * 0.9);
    expect(mixed.objectiveUsd).toBeLessThan(only('b').objectiveUsd * 0.9);
    const chat = mixed.allocations.find((x) => x.workload === 'chat');
    expect(chat?.servedBy[0]?.accelerator).toBe('a');
  });

  it('leaves demand unmet under a tight budget and names the budget with a positive shadow price', () => {
    const plan = input({
      unitsPerServer: 2,
      budgets: [{ id: 'capex-2026', periods: ['2026Q1'], usd: 200_000 }],
      objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 100 },
    });
    const result = found(solvePlan(plan, [capacity('chat', 'a', 1000)], solver));
    const period = result.periods[0]!;
    expect(period.capexUsd).toBeLessThanOrEqual(200_000);
    expect(period.capexUsd).toBe(180_000);
    expect(period.unmetTokensPerSecond).toBeGreaterThan(0);
    const budget = result.binding.find((b) => b.constraint === 'budget capex-2026');
    expect(budget?.shadowPrice).toBeGreaterThan(0);
    expect(budget?.unit).toBe('USD per USD');
    expect(budget?.period).toBeUndefined();
  });

  it('prices the budget in tokens when maximising tokens served', () => {
    const plan = input({
      unitsPerServer: 2,
      budgets: [{ id: 'capex-2026', periods: ['2026Q1'], usd: 200_000 }],
      objective: { kind: 'max-served', unmetPenaltyUsdPerMillionTokens: 0 },
    });
    const result = found(solvePlan(plan, [capacity('chat', 'a', 1000)], solver));
    expect(total(result.periods[0]!.purchases, 'a')).toBe(6);
    const expected = (6000 * QUARTER_HOURS * 3600) / 1e6;
    expect(Math.abs(result.servedMillionTokens - expected) / expected).toBeLessThan(1e-6);
    const budget = result.binding.find((b) => b.constraint === 'budget capex-2026');
    expect(budget?.unit).toBe('million tokens per USD');
    expect(budget?.shadowPrice).toBeGreaterThan(0);
  });

  it('buys no more than the demand when maximising with money to spare', () => {
    const plan = input({ objective: { kind: 'max-served', unmetPenaltyUsdPerMillionTokens: 0 }, budgets: [{ id: 'big', periods: ['2026Q1'], usd: 1e9 }] });
    const result = found(solvePlan(plan, [capacity('chat', 'a', 1000)], solver));
    expect(total(result.periods[0]!.purchases, 'a')).toBe(36);
    expect(result.periods[0]!.unmetTokensPerSecond).toBeCloseTo(0, 6);
  });

  it('finds the least cost at the tokens served even when the first stage overbuys within its gap', () => {
    const plan = input({
      periods: quarters(2),
      workloads: [workload('chat'), workload('code')],
      demand: ['2026Q1', '2026Q2'].flatMap((period) => [
        { period, workload: 'chat', averageTokensPerSecond: 30_000, peakFactor: 1.2 },
        { period, workload: 'code', averageTokensPerSecond: 10_000, peakFactor: 1.5 },
      ]),
      offers: [offer('a'), offer('b', { priceUsd: 18_000, powerWatts: 700 })],
      budgets: [{ id: 'big', periods: ['2026Q1', '2026Q2'], usd: 1e9 }],
    });
    const caps = [capacity('chat', 'a', 1500), capacity('code', 'a', 900), capacity('chat', 'b', 700), capacity('code', 'b', 800)];
    // A first stage that stops at an incumbent with ten useless servers, as HiGHS may within a 1e-4 gap.
    let calls = 0;
    const overbuying: Solver = {
      solve(lp, options) {
        const solution = solver.solve(lp, options);
        if (calls++ > 0) return solution;
        const columnValues = new Map(solution.columnValues);
        columnValues.set('buy_2026Q1_site_a_a', (columnValues.get('buy_2026Q1_site_a_a') ?? 0) + 10);
        return { ...solution, columnValues };
      },
    };
    const served = found(solvePlan({ ...plan, objective: { kind: 'max-served', unmetPenaltyUsdPerMillionTokens: 0 } }, caps, overbuying));
    const cheapest = found(solvePlan({ ...plan, objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 1e4 } }, caps, solver));
    expect(calls).toBe(3);
    expect(served.periods.every((p) => p.unmetTokensPerSecond < 1e-6)).toBe(true);
    expect(served.objectiveUsd).toBeLessThanOrEqual(cheapest.objectiveUsd * (1 + 1e-4));
  });

  it('never buys a banned or China-blocked accelerator', () => {
    const gates: Record<string, Gates> = {
      '2026Q1': { usExport: 'banned', revenueShare: 0, chinaApproval: 'approved' },
      '2026Q2': { usExport: 'allowed', revenueShare: 0.25, chinaApproval: 'blocked' },
      '2026Q3': { usExport: 'allowed', revenueShare: 0.25, chinaApproval: 'approved' },
    };
    const plan = input({
      periods: quarters(3),
      demand: ['2026Q1', '2026Q2', '2026Q3'].map((period) => ({ period, workload: 'chat', averageTokensPerSecond: 30_000, peakFactor: 1 })),
      offers: [offer('h200', { priceUsd: 20_000, gates }), offer('domestic', { priceUsd: 40_000, domestic: true, vendor: 'huawei' })],
    });
    const result = found(solvePlan(plan, [capacity('chat', 'h200', 3000), capacity('chat', 'domestic', 800)], solver));
    const bought = result.periods.map((p) => total(p.purchases, 'h200'));
    expect(bought.slice(0, 2)).toEqual([0, 0]);
    expect(total(result.periods[0]!.purchases, 'domestic')).toBeGreaterThan(0);
  });

  it('keeps every site within its power and reports the power limit as binding', () => {
    const plan = input({ sites: [site('site-a', { powerMw: 0.02, pue: 1.25 })], objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 50 } });
    const result = found(solvePlan(plan, [capacity('chat', 'a', 1000)], solver));
    const period = result.periods[0]!;
    expect(period.powerMw['site-a']).toBeLessThanOrEqual(0.02);
    expect(total(period.installed, 'a')).toBe(16);
    expect(period.unmetTokensPerSecond).toBeCloseTo(36_000 - 16_000, 6);
    const power = result.binding.find((b) => b.constraint === 'power site-a 2026Q1');
    expect(power).toMatchObject({ kind: 'power', period: '2026Q1', unit: 'USD per W' });
    expect(power!.shadowPrice).toBeGreaterThan(0);
  });

  it('serves from a Q1 order only from Q2 when the lead time is one quarter', () => {
    const plan = input({
      periods: quarters(2),
      demand: ['2026Q1', '2026Q2'].map((period) => ({ period, workload: 'chat', averageTokensPerSecond: 8000, peakFactor: 1 })),
      offers: [offer('a', { leadTimeQuarters: 1 })],
    });
    const result = found(solvePlan(plan, [capacity('chat', 'a', 1000)], solver));
    const [q1, q2] = result.periods;
    expect(total(q1!.purchases, 'a')).toBe(8);
    expect(q1!.installed).toEqual({});
    expect(q1!.unmetTokensPerSecond).toBeCloseTo(8000, 6);
    expect(q2!.purchases).toEqual({});
    expect(q2!.installed).toEqual({ 'site-a': { a: 8 } });
    expect(q2!.unmetTokensPerSecond).toBeCloseTo(0, 6);
  });

  it('buys only domestic chips for a domestic-only site', () => {
    const plan = input({
      demand: [{ period: '2026Q1', workload: 'chat', averageTokensPerSecond: 60_000, peakFactor: 1 }],
      offers: [offer('h200', { priceUsd: 20_000 }), offer('ascend', { priceUsd: 30_000, domestic: true, vendor: 'huawei' })],
      sites: [site('site-a', { powerMw: 0.03 }), site('state', { powerMw: 0.03, domesticOnly: true })],
      objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 50 },
    });
    const result = found(solvePlan(plan, [capacity('chat', 'h200', 2000), capacity('chat', 'ascend', 1500)], solver));
    const purchases = result.periods[0]!.purchases;
    expect(chipsOf(purchases['state'], 'ascend')).toBeGreaterThan(0);
    expect(chipsOf(purchases['state'], 'h200')).toBe(0);
    expect(chipsOf(purchases['site-a'], 'h200')).toBeGreaterThan(0);
  });

  it('explains an input no plan can satisfy instead of solving it', () => {
    const plan = input({ sites: [site('site-a', { powerMw: 0.001 })], installed: [{ site: 'site-a', accelerator: 'a', units: 8 }] });
    const result = solvePlan(plan, [capacity('chat', 'a', 1000)], solver);
    expect(result).toMatchObject({ found: false, status: 'infeasible' });
    expect(!result.found && result.explanation).toMatch(/power site-a 2026Q1: the installed fleet already draws 0.0096 MW of 0.001 MW/);
  });

  it('measures solve time with the injected clock', () => {
    const ticks = [1000, 3500];
    const result = solvePlan(input(), [capacity('chat', 'a', 1000)], solver, { now: () => ticks.shift() ?? 3500 });
    expect(result.solveSeconds).toBe(2.5);
  });

  it('returns plans that respect every budget, supply, power, space and gate (20 seeded random instances)', () => {
    const random = mulberry32(20260101);
    for (let k = 0; k < 20; k++) {
      const { plan, caps } = randomInstance(random);
      const result = found(solvePlan(plan, caps, solver, { timeLimitSeconds: 20 }));
      expect(violations(plan, caps, result), `instance ${k}`).toEqual([]);
    }
  });
});

/** Small seeded PRNG (mulberry32) for the property test. */
/** A seeded uniform [0, 1) generator: the project's named streams. */
function mulberry32(seed: number): () => number {
  const stream = createRng(seed).stream('test');
  return () => stream.next();
}

function randomInstance(random: () => number): { plan: PlanInput; caps: ConfigCapacity[] } {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const periods = quarters(int(2, 3));
  const workloads = Array.from({ length: int(1, 2) }, (_, i) => workload(`w${i}`));
  const sites = Array.from({ length: int(1, 2) }, (_, i) =>
    site(`s${i}`, { powerMw: 0.01 + random() * 0.05, domesticOnly: i === 1 && random() < 0.5, ...(random() < 0.4 ? { maxAccelerators: int(8, 40) } : {}) }),
  );
  const offers = Array.from({ length: int(2, 4) }, (_, i) => {
    const domestic = random() < 0.4;
    const gates: Record<string, Gates> = {};
    if (!domestic) {
      for (const p of periods) {
        gates[p.id] = {
          usExport: pick(['allowed', 'capped', 'banned'] as const),
          usCapUnits: int(0, 40),
          revenueShare: pick([0, 0.15, 0.25]),
          chinaApproval: pick(['approved', 'blocked', 'conditional'] as const),
          chinaFillRate: random(),
        };
      }
    }
    return offer(`x${i}`, {
      vendor: pick(['nvidia', 'huawei', 'amd']),
      domestic,
      priceUsd: int(10, 40) * 1000,
      powerWatts: int(400, 1200),
      availableFrom: pick(periods).id,
      leadTimeQuarters: int(0, 1),
      supplyUnits: Object.fromEntries(periods.filter(() => random() < 0.6).map((p) => [p.id, int(0, 60)])),
      gates,
    });
  });
  const caps = workloads.flatMap((w) => offers.filter(() => random() < 0.85).map((o) => capacity(w.id, o.accelerator, int(200, 3000))));
  const installed = random() < 0.5 ? [{ site: sites[0]!.id, accelerator: offers[0]!.accelerator, units: 4, retiresAfter: periods[0]!.id }] : [];
  const plan: PlanInput = {
    name: 'random',
    periods,
    workloads,
    demand: periods.flatMap((p) => workloads.map((w) => ({ period: p.id, workload: w.id, averageTokensPerSecond: int(5, 80) * 1000, peakFactor: 1 + random() }))),
    offers,
    sites,
    budgets: [
      { id: 'all', periods: periods.map((p) => p.id), usd: int(2, 30) * 100_000 },
      { id: 'nvidia-first', periods: [periods[0]!.id], vendors: ['nvidia'], usd: int(0, 10) * 100_000 },
    ],
    installed,
    objective: { kind: random() < 0.7 ? 'min-cost' : 'max-served', unmetPenaltyUsdPerMillionTokens: int(1, 40) },
    unitsPerServer: pick([1, 2, 4, 8]),
  };
  return { plan, caps };
}

/** Every rule of the plan checked from the input alone, independently of the model builder. */
function violations(plan: PlanInput, caps: readonly ConfigCapacity[], result: PlanFound): string[] {
  const out: string[] = [];
  const tol = (x: number): number => 1e-6 * Math.max(1, Math.abs(x));
  const index = new Map(plan.periods.map((p, i) => [p.id, i]));
  const offers = new Map(plan.offers.map((o) => [o.accelerator, o]));
  const sites = new Map(plan.sites.map((s) => [s.id, s]));
  const spent = new Map(plan.budgets.map((b) => [b.id, 0]));
  for (const [p, period] of result.periods.entries()) {
    for (const [siteId, byAccelerator] of Object.entries(period.purchases)) {
      for (const [accelerator, chips] of Object.entries(byAccelerator)) {
        const o = offers.get(accelerator)!;
        const gate = o.domestic ? undefined : o.gates?.[period.period];
        if (chips % plan.unitsPerServer !== 0) out.push(`${period.period}: ${chips} ${accelerator} is not whole servers`);
        if (index.get(o.availableFrom)! > p) out.push(`${period.period}: ${accelerator} bought before ${o.availableFrom}`);
        if (gate?.usExport === 'banned' || gate?.chinaApproval === 'blocked') out.push(`${period.period}: gated ${accelerator} bought`);
        if (sites.get(siteId)!.domesticOnly && !o.domestic) out.push(`${period.period}: imported ${accelerator} at domestic-only ${siteId}`);
        for (const b of plan.budgets) {
          if (b.periods.includes(period.period) && (b.vendors === undefined || b.vendors.includes(o.vendor))) {
            spent.set(b.id, spent.get(b.id)! + chips * o.priceUsd * (1 + (gate?.revenueShare ?? 0)));
          }
        }
      }
    }
    for (const o of plan.offers) {
      const gate = o.domestic ? undefined : o.gates?.[period.period];
      let cap = o.supplyUnits[period.period] ?? Infinity;
      if (gate?.usExport === 'capped') cap = Math.min(cap, gate.usCapUnits ?? 0);
      if (gate?.chinaApproval === 'conditional') cap *= gate.chinaFillRate ?? 1;
      const bought = total(period.purchases, o.accelerator);
      if (bought > cap + tol(cap)) out.push(`${period.period}: ${bought} ${o.accelerator} over supply ${cap}`);
    }
    for (const s of plan.sites) {
      const expected: Record<string, number> = {};
      for (const f of plan.installed) {
        if (f.site === s.id && (f.retiresAfter === undefined || index.get(f.retiresAfter)! >= p)) expected[f.accelerator] = (expected[f.accelerator] ?? 0) + f.units;
      }
      for (const [q, earlier] of result.periods.entries()) {
        for (const [accelerator, chips] of Object.entries(earlier.purchases[s.id] ?? {})) {
          if (q + offers.get(accelerator)!.leadTimeQuarters <= p) expected[accelerator] = (expected[accelerator] ?? 0) + chips;
        }
      }
      const installed = period.installed[s.id] ?? {};
      for (const a of new Set([...Object.keys(expected), ...Object.keys(installed)])) {
        if (chipsOf(installed, a) !== chipsOf(expected, a)) out.push(`${period.period}: ${s.id} ${a} installed ${chipsOf(installed, a)}, expected ${chipsOf(expected, a)}`);
      }
      const watts = Object.entries(installed).reduce((sum, [a, chips]) => sum + chips * offers.get(a)!.powerWatts * s.pue, 0);
      if (watts > s.powerMw * 1e6 + tol(s.powerMw * 1e6)) out.push(`${period.period}: ${s.id} draws ${watts} W over ${s.powerMw} MW`);
      const chips = Object.values(installed).reduce((sum, c) => sum + c, 0);
      if (s.maxAccelerators !== undefined && chips > s.maxAccelerators) out.push(`${period.period}: ${s.id} holds ${chips} over ${s.maxAccelerators}`);
      for (const a of Object.keys(installed)) {
        const used = result.allocations
          .filter((x) => x.period === period.period)
          .flatMap((x) => x.servedBy.filter((y) => y.site === s.id && y.accelerator === a))
          .reduce((sum, y) => sum + y.chips, 0);
        if (used > chipsOf(installed, a) + tol(used)) out.push(`${period.period}: ${s.id} allocates ${used} ${a} of ${chipsOf(installed, a)}`);
      }
    }
  }
  for (const a of result.allocations) {
    const served = a.servedBy.reduce((s, x) => {
      const c = caps.find((y) => y.workload === a.workload && y.accelerator === x.accelerator)!;
      return s + x.chips * c.tokensPerSecondPerAccelerator;
    }, 0);
    if (served + a.unmetTokensPerSecond < a.demandTokensPerSecond - tol(a.demandTokensPerSecond)) out.push(`${a.period} ${a.workload}: target not covered`);
  }
  for (const b of plan.budgets) if (spent.get(b.id)! > b.usd + tol(b.usd)) out.push(`budget ${b.id}: spent ${spent.get(b.id)} of ${b.usd}`);
  return out;
}
