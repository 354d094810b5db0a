import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { resolveModel } from './model-registry.js';
import { loadPlanScenario, parsePlanScenario, planScenarioJsonSchema, toPlanInputs } from './plan-scenario.js';
import type { PlanInput } from '../plan/plan-input.js';

const small = `
name: t
periods: { from: 2026Q1, to: 2026Q4 }
workloads:
  - { id: chat, model: Qwen/Qwen3-32B, inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 1000, tpotMs: 50 }, share: 1 }
demand: { baseTokensPerSecond: 1000000, basePeriod: 2025Q4, annualGrowth: 16, peakFactor: 1.5 }
accelerators:
  - id: h200-sxm
    availableFrom: 2026Q1
    supply: [{ unitsPerQuarter: 100, fillRate: 0.5 }]
    gates: [{ usExport: capped, cap: 40, revenueShare: 0.25, chinaApproval: conditional, fillRate: 0.5 }]
  - id: ascend-910c
    powerWatts: 1000
    supply: { 2026Q1: 10, 2026Q2: 20, 2026Q3: 30, 2026Q4: 40 }
  - id: h20
    orderable: false
sites:
  - { id: main, powerMw: 10, pue: 1.3, electricityUsdPerKwh: 0.08, hostingUsdPerAcceleratorMonth: 100 }
budgets:
  - { id: y2026, year: 2026, usd: 1.0e8 }
installed:
  - { site: main, accelerator: h20, units: 50, retiresAfter: 2026Q2 }
objective: { unmetPenaltyUsdPerMillionTokens: 1 }
variants:
  - name: v
    description: d
    changes:
      - { kind: set-gates, accelerator: h200-sxm, from: 2026Q2, to: 2026Q3, usExport: allowed, chinaApproval: blocked }
`;

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form YAML edits in tests

/** The error message of parsing `small` after `edit`; fails the test when it parses. */
function errorOf(edit: (doc: Doc) => void): string {
  const doc = YAML.parse(small) as Doc;
  edit(doc);
  try {
    parsePlanScenario(YAML.stringify(doc), 's.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).message).toMatch(/^s\.yaml: invalid scenario:\n {2}/);
    return (e as Error).message;
  }
  throw new Error('expected an InvalidInputError');
}

const offer = (input: PlanInput, id: string) => {
  const o = input.offers.find((x) => x.accelerator === id);
  if (o === undefined) throw new Error(`no offer ${id}`);
  return o;
};

describe('plan scenario: normalisation', () => {
  const inputs = toPlanInputs(parsePlanScenario(small, 's.yaml'), 'all');
  const base = inputs.base;

  it('expands periods to quarters with hours and years', () => {
    expect(base.periods).toEqual([
      { id: '2026Q1', hours: 90 * 24, year: 2026 },
      { id: '2026Q2', hours: 91 * 24, year: 2026 },
      { id: '2026Q3', hours: 92 * 24, year: 2026 },
      { id: '2026Q4', hours: 92 * 24, year: 2026 },
    ]);
  });
  it('grows demand per quarter from the base period (16x a year = 2x a quarter)', () => {
    expect(base.demand.map((d) => d.averageTokensPerSecond)).toEqual([2e6, 4e6, 8e6, 16e6].map((x) => expect.closeTo(x, 3)));
    expect(base.demand.every((d) => d.peakFactor === 1.5 && d.workload === 'chat')).toBe(true);
  });
  it('applies supply fill rates and passes the gates per period (the planner applies them)', () => {
    const h200 = offer(base, 'h200-sxm');
    expect(h200.supplyUnits).toEqual({ '2026Q1': 50, '2026Q2': 50, '2026Q3': 50, '2026Q4': 50 }); // 100 x 0.5
    expect(h200.gates?.['2026Q1']).toEqual({ usExport: 'capped', usCapUnits: 40, revenueShare: 0.25, chinaApproval: 'conditional', chinaFillRate: 0.5 });
    expect(h200).toMatchObject({ domestic: false, vendor: 'Nvidia', priceUsd: 20000, powerWatts: 700 * 1.3, engine: 'vllm', leadTimeQuarters: 1 });
    const ascend = offer(base, 'ascend-910c');
    expect(ascend).toMatchObject({ domestic: true, priceUsd: 28000, powerWatts: 1000, engine: 'mindie', availableFrom: '2026Q1' });
    expect(ascend.gates).toBeUndefined();
    expect(ascend.supplyUnits).toEqual({ '2026Q1': 10, '2026Q2': 20, '2026Q3': 30, '2026Q4': 40 });
    expect(offer(base, 'h20').supplyUnits).toEqual({ '2026Q1': 0, '2026Q2': 0, '2026Q3': 0, '2026Q4': 0 });
  });
  it('says where price and power come from', () => {
    expect(offer(base, 'h200-sxm').source).toMatch(/price: catalogue 20000 \(reported.*power: TDP: catalogue 700 \(datasheet\) x 1\.3/);
    expect(offer(base, 'ascend-910c').source).toMatch(/power: scenario 1000 W/);
  });
  it('expands annual budgets, and passes sites, installed fleet and objective through', () => {
    expect(base.budgets).toEqual([{ id: 'y2026', periods: ['2026Q1', '2026Q2', '2026Q3', '2026Q4'], usd: 1e8 }]);
    expect(base.sites[0]).toMatchObject({ id: 'main', powerMw: 10, domesticOnly: false });
    expect(base.installed).toEqual([{ site: 'main', accelerator: 'h20', units: 50, retiresAfter: '2026Q2' }]);
    expect(base.objective).toEqual({ kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 1 });
    expect(base.unitsPerServer).toBe(8);
  });
  it('applies set-gates over from..to and restores the old gate after', () => {
    const v = inputs.variants[0]!;
    expect(v).toMatchObject({ name: 'v', description: 'd' });
    const h200 = offer(v.input, 'h200-sxm');
    expect(h200.gates?.['2026Q1']?.chinaApproval).toBe('conditional');
    expect(h200.gates?.['2026Q2']).toEqual({ usExport: 'allowed', revenueShare: 0, chinaApproval: 'blocked' });
    expect(h200.gates?.['2026Q3']?.chinaApproval).toBe('blocked');
    expect(h200.gates?.['2026Q4']).toEqual(offer(base, 'h200-sxm').gates?.['2026Q4']);
    expect(h200.supplyUnits).toEqual(offer(base, 'h200-sxm').supplyUnits);
  });
  it('applies every other kind of change', () => {
    const doc = YAML.parse(small) as Doc;
    doc.variants = [
      { name: 'late', description: 'x', changes: [{ kind: 'delay-availability', accelerators: ['H200'], quarters: 2 }] },
      { name: 'fill', description: 'x', changes: [{ kind: 'supply-fill-rate', vendors: ['Huawei'], fillRate: 0.5 }, { kind: 'supply-fill-rate', accelerators: ['h200-sxm'], scale: 3 }] },
      { name: 'chip', description: 'x', changes: [{ kind: 'set-offer', offer: { id: 'seedchip', availableFrom: '2026Q4', priceUsd: 5000, supply: [{ unitsPerQuarter: 8 }] } }] },
      { name: 'site', description: 'x', changes: [{ kind: 'set-site', site: 'main', powerMw: 5, domesticOnly: false }] },
      { name: 'slow', description: 'x', changes: [{ kind: 'demand-growth', annualGrowth: 1 }] },
    ];
    const r = toPlanInputs(parsePlanScenario(YAML.stringify(doc), 's.yaml'), ['late', 'fill', 'chip', 'site', 'slow']);
    const [late, fill, chip, site, slow] = r.variants.map((v) => v.input);
    expect(offer(late!, 'h200-sxm')).toMatchObject({ availableFrom: '2026Q3', supplyUnits: { '2026Q1': 0, '2026Q2': 0, '2026Q3': 50, '2026Q4': 50 } });
    expect(offer(fill!, 'ascend-910c').supplyUnits).toEqual({ '2026Q1': 5, '2026Q2': 10, '2026Q3': 15, '2026Q4': 20 });
    expect(offer(fill!, 'h200-sxm').supplyUnits['2026Q1']).toBe(100); // fill 0.5 x 3, capped at 1
    expect(offer(chip!, 'inhouse-h20class')).toMatchObject({ vendor: 'ByteDance', domestic: true, priceUsd: 5000, supplyUnits: { '2026Q1': 0, '2026Q3': 0, '2026Q4': 8 } });
    expect(site!.sites[0]!.powerMw).toBe(5);
    expect(slow!.demand.map((d) => d.averageTokensPerSecond)).toEqual([1e6, 1e6, 1e6, 1e6]);
    expect(r.base.offers).toHaveLength(3);
  });
  it('takes demand from a base date and explicit overrides', () => {
    const doc = YAML.parse(small) as Doc;
    doc.workloads[0].share = 0.75;
    doc.workloads.push({ id: 'code', model: 'm', inputTokens: 2000, outputTokens: 30, slo: { ttftMs: 500, tpotMs: 30 }, share: 0.25 });
    doc.demand = {
      baseTokensPerSecond: 1e6, baseDate: '2026-02-15', annualGrowth: 10, peakFactor: 2,
      overrides: [{ period: '2026Q2', averageTokensPerSecond: 4e6 }, { period: '2026Q2', workload: 'code', averageTokensPerSecond: 7, peakFactor: 3 }],
    };
    const d = toPlanInputs(parsePlanScenario(YAML.stringify(doc), 's.yaml'), []).base.demand;
    expect(d[0]).toMatchObject({ period: '2026Q1', workload: 'chat', averageTokensPerSecond: 750_000 }); // 2026-02-15 is Q1's middle
    expect(d.filter((x) => x.period === '2026Q2')).toEqual([
      { period: '2026Q2', workload: 'chat', averageTokensPerSecond: 3e6, peakFactor: 2 },
      { period: '2026Q2', workload: 'code', averageTokensPerSecond: 7, peakFactor: 3 },
    ]);
  });
  it("leaves the memory utilization to the engines unless the scenario sets one, for the base and every variant", () => {
    expect(base.memoryUtilization).toBeUndefined();
    const set = toPlanInputs(parsePlanScenario(`${small}memoryUtilization: 0.95\n`, 's.yaml'), 'all');
    expect(set.base.memoryUtilization).toBe(0.95);
    expect(set.variants.map((v) => v.input.memoryUtilization)).toEqual([0.95]);
  });
  it('passes a workload\'s speculative decoding through, and leaves it out where none is given', () => {
    expect(base.workloads[0]).not.toHaveProperty('speculative');
    const doc = YAML.parse(small) as Doc;
    doc.workloads[0].share = 0.5;
    doc.workloads[0].speculative = { draftTokens: 2, acceptanceRate: 0.75 };
    doc.workloads.push({ id: 'code', model: 'Qwen/Qwen3-32B', inputTokens: 2000, outputTokens: 30, slo: { ttftMs: 500, tpotMs: 30 }, share: 0.5 });
    const r = toPlanInputs(parsePlanScenario(YAML.stringify(doc), 's.yaml'), 'all');
    expect(r.base.workloads[0]!.speculative).toEqual({ draftTokens: 2, acceptanceRate: 0.75 });
    expect(r.base.workloads[1]).not.toHaveProperty('speculative');
    expect(r.variants[0]!.input.workloads[0]!.speculative).toEqual({ draftTokens: 2, acceptanceRate: 0.75 });
  });
  it('has a JSON Schema for editors', () => {
    const schema = planScenarioJsonSchema() as { properties: Record<string, { description?: string }> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['periods', 'workloads', 'demand', 'accelerators', 'sites', 'budgets', 'installed', 'objective', 'variants']));
    expect(schema.properties.memoryUtilization).toMatchObject({ exclusiveMinimum: 0, maximum: 1 });
    expect(schema.properties.memoryUtilization!.description).toMatch(/fraction of device memory/i);
    type Prop = { description?: string; minimum?: number; maximum?: number; exclusiveMaximum?: number; required?: string[]; properties?: Record<string, Prop> };
    const workload = (schema.properties.workloads as { items: { properties: Record<string, Prop>; required?: string[] } }).items;
    const speculative = workload.properties.speculative!;
    expect(workload.required).not.toContain('speculative');
    expect(speculative.description).toMatch(/speculative decoding/i);
    expect(speculative.required).toEqual(['draftTokens', 'acceptanceRate']);
    expect(speculative.properties!.draftTokens).toMatchObject({ minimum: 1, maximum: 8 });
    expect(speculative.properties!.draftTokens!.description).toMatch(/drafter/);
    expect(speculative.properties!.acceptanceRate).toMatchObject({ minimum: 0, exclusiveMaximum: 1 });
    expect(speculative.properties!.acceptanceRate!.description).toMatch(/accepted/);
  });
});

describe('plan scenario: shipped files', () => {
  it('bytedance-2026 parses and normalises', () => {
    const r = toPlanInputs(loadPlanScenario('scenarios/bytedance-2026.yaml'), 'all');
    const base = r.base;
    expect(base.offers.length).toBeGreaterThanOrEqual(20);
    expect(base.periods.map((p) => p.id)).toEqual(['2026Q1', '2026Q2', '2026Q3', '2026Q4', '2027Q1', '2027Q2', '2027Q3', '2027Q4']);
    expect(base.workloads).toHaveLength(4);
    expect(base.sites).toHaveLength(3);
    expect(base.sites.filter((s) => s.domesticOnly)).toHaveLength(1);
    expect(r.variants.map((v) => v.name)).toEqual(['h200-blocked', 'h200-late', 'domestic-30pct', 'inhouse-ready', 'growth-5x']);

    // 50e12 tokens/day (5.787e8/s) on 2025-12-18, x10 a year, to the middle of 2026Q1 (Feb 15; 2027Q4: Nov 16)
    const years = (Date.UTC(2026, 1, 15) - Date.UTC(2025, 11, 18)) / (365.25 * 86_400_000);
    const q1 = base.demand.filter((d) => d.period === '2026Q1').reduce((s, d) => s + d.averageTokensPerSecond, 0);
    expect(q1).toBeCloseTo(5.787e8 * 10 ** years, -3);
    expect(q1 / 5.787e8).toBeGreaterThan(1.4);

    expect(base.budgets.find((b) => b.id === 'nvidia-2026')).toMatchObject({ vendors: ['Nvidia'], usd: 14e9 });
    expect(base.budgets.find((b) => b.id === 'ai-2026')?.usd).toBe(23e9);
    expect(offer(base, 'b200-sxm').gates?.['2026Q1']?.usExport).toBe('banned');
    expect(offer(base, 'rtx-pro-6000d').gates?.['2026Q1']?.chinaApproval).toBe('blocked');

    const h200 = offer(base, 'h200-sxm');
    expect(h200.gates?.['2026Q1']?.chinaApproval).toBe('blocked');
    expect(h200.gates?.['2026Q2']).toMatchObject({ chinaApproval: 'conditional', revenueShare: 0.25 });
    expect(h200.supplyUnits['2026Q2']).toBeGreaterThan(0);

    const input = (name: string) => r.variants.find((v) => v.name === name)!.input;
    const blocked = offer(input('h200-blocked'), 'h200-sxm');
    for (const p of ['2026Q2', '2026Q3', '2026Q4', '2027Q1', '2027Q2', '2027Q3', '2027Q4']) {
      expect(blocked.gates?.[p]).toMatchObject({ usExport: 'capped', revenueShare: 0.25, chinaApproval: 'blocked' });
    }
    expect(blocked.gates?.['2026Q1']).toEqual(h200.gates?.['2026Q1']);
    expect(offer(input('h200-late'), 'h200-sxm').availableFrom).toBe('2026Q3');
    expect(offer(input('domestic-30pct'), 'ascend-910c').supplyUnits['2026Q1']).toBe(9000);
    expect(offer(input('domestic-30pct'), 'inhouse-h20class').supplyUnits).toEqual(offer(base, 'inhouse-h20class').supplyUnits);
    expect(offer(base, 'inhouse-h20class').supplyUnits['2026Q4']).toBe(0);
    expect(offer(input('inhouse-ready'), 'inhouse-h20class')).toMatchObject({ availableFrom: '2026Q4', priceUsd: 6000 });
    expect(offer(input('inhouse-ready'), 'inhouse-h20class').supplyUnits['2026Q4']).toBeGreaterThan(0);
    const last = (i: PlanInput) => i.demand.filter((d) => d.period === '2027Q4').reduce((s, d) => s + d.averageTokensPerSecond, 0);
    expect(last(input('growth-5x')) / last(base)).toBeCloseTo(0.5 ** ((Date.UTC(2027, 10, 16) - Date.UTC(2025, 11, 18)) / (365.25 * 86_400_000)), 6);
  });
  it('names built-in models (resolved by the planner, checked here for the shipped files)', () => {
    for (const file of ['scenarios/bytedance-2026.yaml', 'scenarios/plan-small.yaml']) {
      for (const w of loadPlanScenario(file).workloads) expect(resolveModel(w.model).matchedBy, w.model).toBe('exact');
    }
  });
  it('plan-small parses and normalises', () => {
    const r = toPlanInputs(loadPlanScenario('scenarios/plan-small.yaml'), 'all');
    expect(r.base.workloads).toHaveLength(1);
    expect(r.base.offers).toHaveLength(3);
    expect(r.base.periods).toHaveLength(4);
    expect(r.base.sites).toHaveLength(1);
    expect(r.variants).toHaveLength(1);
    expect(offer(r.variants[0]!.input, 'h200-sxm').gates?.['2026Q3']?.chinaApproval).toBe('blocked');
    expect(offer(r.base, 'h200-sxm').gates?.['2026Q3']?.chinaApproval).toBe('conditional');
  });
});

describe('plan scenario: errors give the path', () => {
  const cases: [string, (d: Doc) => void, RegExp][] = [
    ['unknown accelerator', (d) => d.accelerators.push({ id: 'h201', orderable: false }), /accelerators\[3\]\.id: unknown accelerator 'h201'; closest matches: /],
    ['empty model', (d) => (d.workloads[0].model = ' '), /workloads\[0\]\.model: expected a model id/],
    ['negative demand', (d) => (d.demand.baseTokensPerSecond = -1), /demand\.baseTokensPerSecond: demand cannot be negative/],
    ['negative override', (d) => (d.demand.overrides = [{ period: '2026Q1', averageTokensPerSecond: -5 }]), /demand\.overrides\[0\]\.averageTokensPerSecond: demand cannot be negative/],
    ['override of an unknown workload', (d) => (d.demand.overrides = [{ period: '2026Q1', workload: 'x', averageTokensPerSecond: 5 }]), /demand\.overrides\[0\]\.workload: unknown workload 'x'/],
    ['shares not summing to 1', (d) => (d.workloads[0].share = 0.9), /workloads: shares sum to 0\.9; they must sum to 1/],
    ['both base period and date', (d) => (d.demand.baseDate = '2025-12-18'), /demand\.basePeriod: give exactly one of basePeriod or baseDate/],
    ['to before from', (d) => (d.periods.to = '2025Q4'), /periods\.to: 2025Q4 is before periods\.from \(2026Q1\)/],
    ['bad quarter', (d) => (d.periods.from = '2026-Q1'), /periods\.from: expected a quarter like 2026Q1/],
    ['memory utilization above 1', (d) => (d.memoryUtilization = 1.5), /memoryUtilization: expected a fraction of device memory above 0 and at most 1/],
    ['memory utilization of 0', (d) => (d.memoryUtilization = 0), /memoryUtilization: expected a fraction of device memory above 0 and at most 1/],
    ['no drafted tokens', (d) => (d.workloads[0].speculative = { draftTokens: 0, acceptanceRate: 0.8 }), /workloads\[0\]\.speculative\.draftTokens: expected 1 to 8 drafted tokens/],
    ['too many drafted tokens', (d) => (d.workloads[0].speculative = { draftTokens: 9, acceptanceRate: 0.8 }), /workloads\[0\]\.speculative\.draftTokens: expected 1 to 8 drafted tokens/],
    ['a fraction of a drafted token', (d) => (d.workloads[0].speculative = { draftTokens: 1.5, acceptanceRate: 0.8 }), /workloads\[0\]\.speculative\.draftTokens: expected a whole number/],
    ['acceptance rate of 1', (d) => (d.workloads[0].speculative = { draftTokens: 1, acceptanceRate: 1 }), /workloads\[0\]\.speculative\.acceptanceRate: expected a probability of at least 0 and below 1/],
    ['negative acceptance rate', (d) => (d.workloads[0].speculative = { draftTokens: 1, acceptanceRate: -0.1 }), /workloads\[0\]\.speculative\.acceptanceRate: expected a probability of at least 0 and below 1/],
    ['speculative without an acceptance rate', (d) => (d.workloads[0].speculative = { draftTokens: 1 }), /workloads\[0\]\.speculative\.acceptanceRate: /],
    ['speculative with an unknown field', (d) => (d.workloads[0].speculative = { draftTokens: 1, acceptanceRate: 0.8, drafter: 'eagle' }), /workloads\[0\]\.speculative: .*drafter/],
    ['duplicate workload', (d) => d.workloads.push({ ...d.workloads[0], share: 0 }), /workloads\[1\]\.id: workload id 'chat' is used twice/],
    ['duplicate offer by alias', (d) => d.accelerators.push({ id: 'H200', orderable: false }), /accelerators\[3\]\.id: accelerator 'h200-sxm' is used twice/],
    ['duplicate site', (d) => d.sites.push({ ...d.sites[0] }), /sites\[1\]\.id: site id 'main' is used twice/],
    ['duplicate variant', (d) => d.variants.push({ ...d.variants[0] }), /variants\[1\]\.name: variant name 'v' is used twice/],
    ['overlapping supply', (d) => (d.accelerators[0].supply = [{ to: '2026Q2', unitsPerQuarter: 1 }, { from: '2026Q2', unitsPerQuarter: 2 }]), /accelerators\[0\]\.supply\[1\]: overlaps accelerators\[0\]\.supply\[0\]/],
    ['overlapping gates', (d) => d.accelerators[0].gates.push({ from: '2026Q4', usExport: 'banned', chinaApproval: 'approved' }), /accelerators\[0\]\.gates\[1\]: overlaps/],
    ['supply gap', (d) => (d.accelerators[0].supply = [{ to: '2026Q2', unitsPerQuarter: 1 }]), /accelerators\[0\]\.supply: no supply for 2026Q3, 2026Q4/],
    ['gates gap', (d) => (d.accelerators[0].gates[0].to = '2026Q1'), /accelerators\[0\]\.gates: no gates for 2026Q2, 2026Q3, 2026Q4/],
    ['gates on a domestic chip', (d) => (d.accelerators[1].gates = [{ usExport: 'allowed', chinaApproval: 'approved' }]), /accelerators\[1\]\.gates: ascend-910c is domestic/],
    ['capped without a cap', (d) => delete d.accelerators[0].gates[0].cap, /accelerators\[0\]\.gates\[0\]\.cap: give cap/],
    ['supply in an unknown period', (d) => (d.accelerators[1].supply['2027Q1'] = 5), /accelerators\[1\]\.supply\.2027Q1: unknown period 2027Q1/],
    ['unknown price', (d) => d.accelerators.push({ id: 'ascend-910b' }), /accelerators\[3\]\.priceUsd: the catalogue has no price for ascend-910b/],
    ['unknown power', (d) => delete d.accelerators[1].powerWatts, /accelerators\[1\]\.powerWatts: the catalogue has no TDP for ascend-910c/],
    ['unknown availability', (d) => d.accelerators.push({ id: 'hygon-k100', priceUsd: 1, powerWatts: 1 }), /accelerators\[3\]\.availableFrom: the catalogue has no availability date/],
    ['engine not on the chip', (d) => (d.accelerators[1].engine = 'trtllm'), /accelerators\[1\]\.engine: trtllm is not known to run on ascend-910c/],
    ['a site without power', (d) => (d.sites[0].powerMw = 0), /sites\[0\]\.powerMw: a site without power/],
    ['budget naming an unknown period', (d) => (d.budgets[0] = { id: 'b', periods: ['2026Q1', '2029Q1'], usd: 1 }), /budgets\[0\]\.periods\[1\]: unknown period 2029Q1 \(the horizon is 2026Q1\.\.2026Q4\)/],
    ['budget for a year outside', (d) => (d.budgets[0].year = 2030), /budgets\[0\]\.year: no period in 2030/],
    ['budget with an unknown vendor', (d) => (d.budgets[0].vendors = ['Nvidea']), /budgets\[0\]\.vendors\[0\]/],
    ['installed at an unknown site', (d) => (d.installed[0].site = 'x'), /installed\[0\]\.site: unknown site 'x'/],
    ['installed chip not offered', (d) => (d.installed[0].accelerator = 'h100-sxm'), /installed\[0\]\.accelerator: h100-sxm is not among the scenario's accelerators/],
    ['imported chip at a domestic-only site', (d) => (d.sites[0].domesticOnly = true), /installed\[0\]\.accelerator: site 'main' is domestic-only but h20 is imported/],
    ['variant naming an unknown accelerator', (d) => (d.variants[0].changes[0].accelerator = 'h2000'), /variants\[0\]\.changes\[0\]\.accelerator: unknown accelerator 'h2000'/],
    ['variant naming an accelerator not offered', (d) => (d.variants[0].changes = [{ kind: 'delay-availability', accelerators: ['b200-sxm'], quarters: 1 }]), /variants\[0\]\.changes\[0\]\.accelerators\[0\]: b200-sxm is not among/],
    ['variant naming an unknown site', (d) => (d.variants[0].changes = [{ kind: 'set-site', site: 'moon', powerMw: 3 }]), /variants\[0\]\.changes\[0\]\.site: unknown site 'moon'/],
    ['variant gating a domestic chip', (d) => (d.variants[0].changes[0].accelerator = 'ascend-910c'), /variants\[0\]\.changes\[0\]\.accelerator: ascend-910c is domestic/],
    ['variant offer without a price', (d) => (d.variants[0].changes = [{ kind: 'set-offer', offer: { id: 'mlu590', availableFrom: '2026Q1', powerWatts: 1 } }]), /variants\[0\]\.changes\[0\]\.offer\.priceUsd: the catalogue has no price/],
    ['variant with an unknown kind', (d) => (d.variants[0].changes[0].kind = 'ban'), /variants\[0\]\.changes\[0\]\.kind/],
    ['variant with two selectors', (d) => (d.variants[0].changes = [{ kind: 'delay-availability', accelerators: ['h20'], vendors: ['Nvidia'], quarters: 1 }]), /variants\[0\]\.changes\[0\]\.accelerators: give exactly one of accelerators or vendors/],
    ['variant that breaks a rule once applied', (d) => {
      d.sites[0].domesticOnly = true;
      d.installed[0].accelerator = 'ascend-910c';
      d.variants[0].changes = [{ kind: 'set-offer', offer: { id: 'ascend-910c', domestic: false, powerWatts: 1, gates: [{ usExport: 'allowed', chinaApproval: 'approved' }] } }];
    }, /variants\[0\] \(v\), after its changes: installed\[0\]\.accelerator: site 'main' is domestic-only/],
    ['unknown key', (d) => (d.site = []), /\(top level\): Unrecognized key: "site"/],
    ['supply of the wrong shape', (d) => (d.accelerators[0].supply = 5), /accelerators\[0\]\.supply: expected a list of/],
  ];
  it.each(cases)('%s', (_name, edit, expected) => {
    expect(errorOf(edit)).toMatch(expected);
  });
  it('rejects bad YAML, an unreadable file and an unknown variant name', () => {
    expect(() => parsePlanScenario('periods: [', 's.yaml')).toThrow(/s\.yaml: not valid YAML/);
    expect(() => loadPlanScenario('/nonexistent/plan.yaml')).toThrow(/cannot read: ENOENT/);
    expect(() => toPlanInputs(parsePlanScenario(small, 's.yaml'), ['w'])).toThrow(/unknown variant 'w' \(variants: v\)/);
  });
});
