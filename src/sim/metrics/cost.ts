/**
 * @module Cost per million tokens of a simulated run, from catalogue prices and
 * power: straight-line amortisation of the accelerators plus their
 * electricity. Unknown prices stay unknown: the result is then null, with the
 * reason, never an invented figure.
 */

import { InvalidInputError } from '../../core/errors.js';

export interface CostAccelerator {
  /** Catalogue id, used in the assumptions text. */
  readonly id?: string;
  /** Chips of this kind in the simulated fleet. */
  readonly count: number;
  /** Price per chip, USD; null when the catalogue has none. */
  readonly priceUsd: number | null;
  /** Board power per chip, watts; null when unknown. */
  readonly tdpWatts: number | null;
}

export interface CostInput {
  readonly accelerators: readonly CostAccelerator[];
  /** Length of the simulated run, seconds. */
  readonly simulatedSeconds: number;
  /** Output tokens produced in the run. */
  readonly outputTokens: number;
  /** Prompt tokens processed in the run. */
  readonly inputTokens: number;
  /** Years over which the purchase price is spread; default 4 (see DEFAULTS). */
  readonly amortisationYears?: number;
  /** Power usage effectiveness of the data centre; default 1.3 (see DEFAULTS). */
  readonly pue?: number;
  /** Price of electricity, USD per kWh; default 0.08 (see DEFAULTS). */
  readonly electricityUsdPerKwh?: number;
  /** A note on utilisation to pass through, e.g. "replicas busy 63% of the run". */
  readonly utilisationNote?: string;
}

export interface CostResult {
  /** Purchase price spread over the amortisation period, USD per hour; null when a price is unknown. */
  readonly capexUsdPerHour: number | null;
  /** Electricity at TDP times PUE, USD per hour; null when a TDP is unknown. */
  readonly powerUsdPerHour: number | null;
  /** Cost of the run per million output tokens, USD; null when any input to it is unknown or no tokens. */
  readonly usdPerMillionOutputTokens: number | null;
  /** Cost of the run per million input + output tokens, USD. */
  readonly usdPerMillionTotalTokens: number | null;
  /** Every assumption made and every reason for a null, in plain words. */
  readonly assumptions: string[];
}

export const COST_DEFAULTS = {
  // ASSUMPTION: accelerators are written off over 4 years, straight line, no
  // residual value; a common depreciation schedule for data-centre GPUs
  // (operators use 4 to 6 years).
  amortisationYears: 4,
  // ASSUMPTION: PUE 1.3, roughly a modern air-cooled colocation facility
  // (hyperscalers report ~1.1, the industry average is ~1.5).
  pue: 1.3,
  // ASSUMPTION: 0.08 USD per kWh, a typical US industrial electricity rate.
  electricityUsdPerKwh: 0.08,
} as const;

// ASSUMPTION: a year of 365 days, every hour of it billed (8,760 hours).
const HOURS_PER_YEAR = 365 * 24;

export function costPerMillionTokens(input: CostInput): CostResult {
  const years = input.amortisationYears ?? COST_DEFAULTS.amortisationYears;
  const pue = input.pue ?? COST_DEFAULTS.pue;
  const usdPerKwh = input.electricityUsdPerKwh ?? COST_DEFAULTS.electricityUsdPerKwh;
  positive(years, 'amortisationYears');
  if (!(pue >= 1 && Number.isFinite(pue))) throw new InvalidInputError(`expected a number >= 1, got ${pue}`, 'pue');
  nonNegative(usdPerKwh, 'electricityUsdPerKwh');
  nonNegative(input.simulatedSeconds, 'simulatedSeconds');
  nonNegative(input.outputTokens, 'outputTokens');
  nonNegative(input.inputTokens, 'inputTokens');
  if (input.accelerators.length === 0) throw new InvalidInputError('expected at least one accelerator', 'accelerators');

  const assumptions = [
    `accelerator purchase price amortised straight-line over ${years} years of ${HOURS_PER_YEAR} hours, no residual value` +
      ` (only the chips: hosts, network, storage, staff and financing are not counted)`,
    `every chip draws its TDP for the whole run (an upper bound on power), times PUE ${pue}, at ${usdPerKwh} USD/kWh`,
  ];
  if (input.utilisationNote !== undefined) assumptions.push(input.utilisationNote);

  let capexUsd: number | null = 0;
  let watts: number | null = 0;
  for (const [i, a] of input.accelerators.entries()) {
    const name = a.id ?? `accelerators[${i}]`;
    if (!(Number.isInteger(a.count) && a.count >= 0)) {
      throw new InvalidInputError(`expected a whole number >= 0, got ${a.count}`, `accelerators[${i}].count`);
    }
    if (a.priceUsd === null) {
      capexUsd = null;
      assumptions.push(`no price is known for ${name}: capital cost not computed`);
    } else {
      nonNegative(a.priceUsd, `accelerators[${i}].priceUsd`);
      if (capexUsd !== null) capexUsd += a.count * a.priceUsd;
    }
    if (a.tdpWatts === null) {
      watts = null;
      assumptions.push(`no TDP is known for ${name}: power cost not computed`);
    } else {
      nonNegative(a.tdpWatts, `accelerators[${i}].tdpWatts`);
      if (watts !== null) watts += a.count * a.tdpWatts;
    }
  }

  const capexUsdPerHour = capexUsd === null ? null : capexUsd / (years * HOURS_PER_YEAR);
  const powerUsdPerHour = watts === null ? null : (watts / 1000) * pue * usdPerKwh;
  let runUsd: number | null = null;
  if (capexUsdPerHour !== null && powerUsdPerHour !== null) {
    runUsd = (capexUsdPerHour + powerUsdPerHour) * (input.simulatedSeconds / 3600);
  } else {
    assumptions.push('cost per token not computed: it needs both the price and the TDP of every accelerator');
  }
  const totalTokens = input.inputTokens + input.outputTokens;
  if (runUsd !== null && input.outputTokens === 0) assumptions.push('no output tokens: cost per output token not computed');
  if (runUsd !== null && totalTokens === 0) assumptions.push('no tokens: cost per token not computed');
  return {
    capexUsdPerHour,
    powerUsdPerHour,
    usdPerMillionOutputTokens: runUsd !== null && input.outputTokens > 0 ? (runUsd / input.outputTokens) * 1e6 : null,
    usdPerMillionTotalTokens: runUsd !== null && totalTokens > 0 ? (runUsd / totalTokens) * 1e6 : null,
    assumptions,
  };
}

function nonNegative(x: number, where: string): void {
  if (!(x >= 0 && Number.isFinite(x))) throw new InvalidInputError(`expected a number >= 0, got ${x}`, where);
}

function positive(x: number, where: string): void {
  if (!(x > 0 && Number.isFinite(x))) throw new InvalidInputError(`expected a number > 0, got ${x}`, where);
}
