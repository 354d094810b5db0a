import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../core/errors.js';
import type { AcceleratorOffer, ConfigCapacity, PlanInput } from './plan-input.js';
import { buildPlanModel, periodPosition, priceUsdPerChip, supplyCapChips } from './to-lp-format.js';

function offer(over: Partial<AcceleratorOffer> & Pick<AcceleratorOffer, 'accelerator'>): AcceleratorOffer {
  return {
    vendor: 'nvidia',
    domestic: false,
    priceUsd: 30_000,
    powerWatts: 1000,
    engine: 'vllm',
    availableFrom: '2026Q1',
    leadTimeQuarters: 0,
    supplyUnits: {},
    source: 'test',
    ...over,
  };
}

function capacity(workload: string, accelerator: string, tokensPerSecondPerAccelerator: number): ConfigCapacity {
  return { workload, accelerator, engine: 'vllm', tokensPerSecondPerAccelerator, layout: 'tp1', acceleratorsPerReplica: 1, concurrencyPerReplica: 8, ttftMs: 100, tpotMs: 20, confidence: 'prior' };
}

/** Two quarters, two sites (one domestic-only), an imported chip with gates and lead time, a domestic chip. */
const tiny: PlanInput = {
  name: 'tiny',
  periods: [
    { id: '2026Q1', hours: 2160, year: 2026 },
    { id: '2026Q2', hours: 2184, year: 2026 },
  ],
  workloads: [{ id: 'chat', model: 'm', inputTokens: 1000, outputTokens: 200, slo: { ttftMs: 1000, tpotMs: 50 } }],
  demand: [
    { period: '2026Q1', workload: 'chat', averageTokensPerSecond: 10_000, peakFactor: 1.5 },
    { period: '2026Q2', workload: 'chat', averageTokensPerSecond: 20_000, peakFactor: 1.5 },
  ],
  offers: [
    offer({
      accelerator: 'h200-sxm',
      leadTimeQuarters: 1,
      supplyUnits: { '2026Q1': 64 },
      gates: { '2026Q1': { usExport: 'capped', usCapUnits: 32, revenueShare: 0.25, chinaApproval: 'approved' } },
    }),
    offer({ accelerator: 'ascend-910c', vendor: 'huawei', domestic: true, priceUsd: 20_000, powerWatts: 800, engine: 'mindie', supplyUnits: { '2026Q2': 16 } }),
  ],
  sites: [
    { id: 'site-a', powerMw: 1, pue: 1.25, electricityUsdPerKwh: 0.08, hostingUsdPerAcceleratorMonth: 100, domesticOnly: false },
    { id: 'site-b', powerMw: 0.5, pue: 1.1, electricityUsdPerKwh: 0.06, hostingUsdPerAcceleratorMonth: 80, maxAccelerators: 64, domesticOnly: true },
  ],
  budgets: [{ id: 'nvidia-2026', periods: ['2026Q1', '2026Q2'], vendors: ['nvidia'], usd: 1_000_000 }],
  installed: [{ site: 'site-a', accelerator: 'ascend-910c', units: 8, retiresAfter: '2026Q1' }],
  objective: { kind: 'min-cost', unmetPenaltyUsdPerMillionTokens: 2 },
  unitsPerServer: 8,
};
const tinyCapacities = [capacity('chat', 'h200-sxm', 2000), capacity('chat', 'ascend-910c', 900)];

describe('buildPlanModel', () => {
  it('writes the tiny model as LP text', () => {
    expect(buildPlanModel(tiny, tinyCapacities).lp).toMatchSnapshot();
  });

  it('names every column and row once, with LP-safe characters, and all appear in the text', () => {
    const model = buildPlanModel(tiny, tinyCapacities);
    const names = [...model.columns.map((c) => c.name), ...model.rows.map((r) => r.name)];
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z][A-Za-z0-9_]*$/);
      expect(model.lp).toContain(name);
    }
    expect(names).toContain('buy_2026Q1_site_a_h200_sxm');
  });

  it('writes orders only where they are allowed and delivered within the horizon', () => {
    const buys = buildPlanModel(tiny, tinyCapacities).columns.filter((c) => c.kind === 'buy');
    // h200: lead time 1, so only Q1 orders serve (in Q2); never at the domestic-only site.
    // ascend: Q1 has no supply figure (unlimited), Q2 has 16; both sites.
    expect(buys.map((b) => b.name)).toEqual([
      'buy_2026Q1_site_a_h200_sxm',
      'buy_2026Q1_site_a_ascend_910c',
      'buy_2026Q1_site_b_ascend_910c',
      'buy_2026Q2_site_a_ascend_910c',
      'buy_2026Q2_site_b_ascend_910c',
    ]);
    const h200 = buys.find((b) => b.accelerator === 'h200-sxm');
    expect(h200).toMatchObject({ priceUsdPerChip: 37_500, servesFrom: '2026Q2', chipsPerServer: 8 });
  });

  it('counts the initial fleet until it retires and moves it to the right-hand side', () => {
    const model = buildPlanModel(tiny, tinyCapacities);
    const fleet = model.fleet.filter((f) => f.site === 'site-a' && f.accelerator === 'ascend-910c');
    expect(fleet.map((f) => [f.period, f.initialChips, f.buyColumns.length])).toEqual([
      ['2026Q1', 8, 1],
      ['2026Q2', 0, 2],
    ]);
    const power = model.rows.find((r) => r.name === 'power_2026Q1_site_a');
    expect(power?.rhs).toBeCloseTo(1e6 - 8 * 800 * 1.25, 6);
    const capped = model.rows.find((r) => r.kind === 'supply' && r.accelerator === 'h200-sxm');
    expect(capped).toMatchObject({ rhs: 32, label: 'supply h200-sxm 2026Q1' });
    expect(model.rows.find((r) => r.kind === 'budget')?.label).toBe('budget nvidia-2026');
  });

  it('leaves out banned and blocked orders and applies conditional fill rates', () => {
    const gated: PlanInput = {
      ...tiny,
      offers: [
        offer({
          accelerator: 'h20',
          supplyUnits: { '2026Q1': 100, '2026Q2': 100 },
          gates: {
            '2026Q1': { usExport: 'banned', revenueShare: 0, chinaApproval: 'approved' },
            '2026Q2': { usExport: 'allowed', revenueShare: 0.15, chinaApproval: 'conditional', chinaFillRate: 0.4 },
          },
        }),
        offer({ accelerator: 'h200-sxm', gates: { '2026Q1': { usExport: 'allowed', revenueShare: 0.25, chinaApproval: 'blocked' } } }),
      ],
      installed: [],
    };
    const model = buildPlanModel(gated, [capacity('chat', 'h20', 500), capacity('chat', 'h200-sxm', 2000)]);
    const buys = model.columns.filter((c) => c.kind === 'buy');
    expect(buys.map((b) => b.name)).toEqual(['buy_2026Q2_site_a_h20', 'buy_2026Q2_site_a_h200_sxm']);
    expect(model.rows.find((r) => r.name === 'supply_2026Q2_h20')?.rhs).toBeCloseTo(40, 9);
  });

  it('writes a continuous model with lower bounds for the pricing re-solve', () => {
    const floors = new Map([['buy_2026Q1_site_a_h200_sxm', 3]]);
    const lp = buildPlanModel(tiny, tinyCapacities, { purchaseFloors: floors }).lp;
    expect(lp).not.toContain('Generals');
    expect(lp).toContain(' buy_2026Q1_site_a_h200_sxm >= 3\n');
    expect(lp).toContain(' buy_2026Q2_site_b_ascend_910c >= 0\n');
  });

  it('maximises served tokens with a small cost weight for max-served', () => {
    const model = buildPlanModel({ ...tiny, objective: { kind: 'max-served', unmetPenaltyUsdPerMillionTokens: 0 } }, tinyCapacities);
    expect(model.sense).toBe('maximize');
    expect(model.objectiveUnit).toBe('million tokens');
    expect(model.costWeight).toBeGreaterThan(0);
    expect(model.costWeight).toBeLessThan(1e-3);
    expect(model.lp).toMatch(/^Maximize$/m);
  });

  it('writes the least-cost second stage of max-served with a cap on unmet tokens', () => {
    const model = buildPlanModel({ ...tiny, objective: { kind: 'max-served', unmetPenaltyUsdPerMillionTokens: 0 } }, tinyCapacities, { unmetCapMillionTokens: 12.5 });
    expect(model.sense).toBe('minimize');
    expect(model.objectiveUnit).toBe('USD');
    expect(model.lp).toContain(' served_floor: 7.776 unmet_2026Q1_chat + 7.8624 unmet_2026Q2_chat <= 12.5\n');
    expect(model.lp.split('Subject To')[0]).not.toContain('unmet_');
  });

  it('makes sanitised names unique', () => {
    const clash: PlanInput = { ...tiny, offers: [offer({ accelerator: 'x-1' }), offer({ accelerator: 'x_1' })], installed: [] };
    const names = buildPlanModel(clash, []).columns.map((c) => c.name);
    expect(names).toContain('buy_2026Q1_site_a_x_1');
    expect(names).toContain('buy_2026Q1_site_a_x_1_2');
  });

  it('rejects an installed fleet without an offer, naming the fix', () => {
    const bad: PlanInput = { ...tiny, installed: [{ site: 'site-a', accelerator: 'a100', units: 8 }] };
    expect(() => buildPlanModel(bad, tinyCapacities)).toThrow(InvalidInputError);
    expect(() => buildPlanModel(bad, tinyCapacities)).toThrow(/installed\[0\].*add an offer/);
  });
});

describe('gates and timeline helpers', () => {
  it('caps, bans and prices by period', () => {
    const o = offer({
      accelerator: 'h200-sxm',
      supplyUnits: { a: 100, b: 100 },
      gates: {
        a: { usExport: 'capped', usCapUnits: 30, revenueShare: 0.25, chinaApproval: 'conditional', chinaFillRate: 0.5 },
        b: { usExport: 'allowed', revenueShare: 0, chinaApproval: 'approved' },
      },
    });
    expect(supplyCapChips(o, 'a')).toBe(15);
    expect(supplyCapChips(o, 'b')).toBe(100);
    expect(supplyCapChips(o, 'c')).toBeUndefined();
    expect(priceUsdPerChip(o, 'a')).toBe(37_500);
    expect(priceUsdPerChip(o, 'b')).toBe(30_000);
  });

  it('places ids outside the horizon between periods', () => {
    const at = periodPosition(tiny);
    expect([at('2025Q4'), at('2026Q1'), at('2026Q2'), at('2027Q1')]).toEqual([-0.5, 0, 1, 1.5]);
  });
});
