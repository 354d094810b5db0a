import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { costPerMillionTokens } from './cost.js';

describe('costPerMillionTokens', () => {
  it('matches a hand-computed case: 8 chips at $20,000 and 700 W for one hour, 1e7 output tokens', () => {
    const r = costPerMillionTokens({
      accelerators: [{ id: 'h100-sxm', count: 8, priceUsd: 20_000, tdpWatts: 700 }],
      simulatedSeconds: 3600,
      outputTokens: 1e7,
      inputTokens: 3e7,
    });
    // capex: 160,000 USD / (4 years x 8,760 h) = 4.566210 USD/h
    expect(r.capexUsdPerHour).toBeCloseTo(160_000 / 35_040, 12);
    // power: 5.6 kW x PUE 1.3 x 0.08 USD/kWh = 0.5824 USD/h
    expect(r.powerUsdPerHour).toBeCloseTo(0.5824, 12);
    // one hour: 5.148610 USD for 10 million output tokens, 40 million tokens in all
    expect(r.usdPerMillionOutputTokens).toBeCloseTo((160_000 / 35_040 + 0.5824) / 10, 12);
    expect(r.usdPerMillionTotalTokens).toBeCloseTo((160_000 / 35_040 + 0.5824) / 40, 12);
    expect(r.assumptions.join('\n')).toMatch(/4 years/);
    expect(r.assumptions.join('\n')).toMatch(/PUE 1\.3, at 0\.08 USD\/kWh/);
  });

  it('sums a mixed fleet and honours overrides', () => {
    const r = costPerMillionTokens({
      accelerators: [
        { count: 2, priceUsd: 10_000, tdpWatts: 500 },
        { count: 1, priceUsd: 30_000, tdpWatts: 1000 },
      ],
      simulatedSeconds: 1800,
      outputTokens: 1e6,
      inputTokens: 0,
      amortisationYears: 5,
      pue: 1,
      electricityUsdPerKwh: 0.1,
      utilisationNote: 'replicas busy 50% of the run',
    });
    expect(r.capexUsdPerHour).toBeCloseTo(50_000 / (5 * 8760), 12);
    expect(r.powerUsdPerHour).toBeCloseTo(0.2, 12);
    expect(r.usdPerMillionOutputTokens).toBeCloseTo((50_000 / (5 * 8760) + 0.2) / 2, 12);
    expect(r.usdPerMillionTotalTokens).toBe(r.usdPerMillionOutputTokens);
    expect(r.assumptions).toContain('replicas busy 50% of the run');
  });

  it('never invents a price: unknown price or TDP gives null with the reason', () => {
    const base = { simulatedSeconds: 3600, outputTokens: 1e6, inputTokens: 1e6 };
    const noPrice = costPerMillionTokens({ ...base, accelerators: [{ id: 'mystery-npu', count: 4, priceUsd: null, tdpWatts: 400 }] });
    expect(noPrice.capexUsdPerHour).toBeNull();
    expect(noPrice.powerUsdPerHour).toBeCloseTo(1.6 * 1.3 * 0.08, 12);
    expect(noPrice.usdPerMillionOutputTokens).toBeNull();
    expect(noPrice.usdPerMillionTotalTokens).toBeNull();
    expect(noPrice.assumptions.join('\n')).toMatch(/no price is known for mystery-npu/);

    const noTdp = costPerMillionTokens({ ...base, accelerators: [{ count: 1, priceUsd: 1000, tdpWatts: null }] });
    expect(noTdp.powerUsdPerHour).toBeNull();
    expect(noTdp.capexUsdPerHour).not.toBeNull();
    expect(noTdp.usdPerMillionOutputTokens).toBeNull();
    expect(noTdp.assumptions.join('\n')).toMatch(/no TDP is known for accelerators\[0\]/);
  });

  it('gives null per token without tokens, and rejects nonsense', () => {
    const r = costPerMillionTokens({ accelerators: [{ count: 1, priceUsd: 1, tdpWatts: 1 }], simulatedSeconds: 1, outputTokens: 0, inputTokens: 0 });
    expect(r.usdPerMillionOutputTokens).toBeNull();
    expect(r.usdPerMillionTotalTokens).toBeNull();
    expect(r.assumptions.join('\n')).toMatch(/no output tokens/);
    const ok = { accelerators: [{ count: 1, priceUsd: 1, tdpWatts: 1 }], simulatedSeconds: 1, outputTokens: 1, inputTokens: 1 };
    expect(() => costPerMillionTokens({ ...ok, pue: 0.9 })).toThrow(InvalidInputError);
    expect(() => costPerMillionTokens({ ...ok, simulatedSeconds: -1 })).toThrow(/simulatedSeconds/);
    expect(() => costPerMillionTokens({ ...ok, accelerators: [{ count: 1.5, priceUsd: 1, tdpWatts: 1 }] })).toThrow(/count/);
    expect(() => costPerMillionTokens({ ...ok, accelerators: [] })).toThrow(/at least one/);
  });
});
