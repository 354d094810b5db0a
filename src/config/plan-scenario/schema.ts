/** @module The zod schema of the plan scenario file (field descriptions and defaults), its types, and the JSON Schema it yields for editors. */
import { z } from 'zod';
import { memoryUtilizationSchema, speculativeSchema } from '../serving-options-schema.js';
import { ENGINE_IDS, VENDORS } from '../../core/catalogue/accelerator-spec.js';
import { QUARTER_RE } from './quarters.js';

const quarter = z.string().regex(QUARTER_RE, 'expected a quarter like 2026Q1');
const kebab = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id, e.g. long-context');
const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const units = z.number().int().nonnegative();
const share = z.number().min(0).max(1);
const vendor = z.enum(VENDORS);

const rangeShape = {
  from: quarter.optional().describe('First quarter it applies to (default: the first period)'),
  to: quarter.optional().describe('Last quarter it applies to (default: the last period)'),
};

const gateShape = {
  usExport: z.enum(['allowed', 'capped', 'banned']).describe('US export gate: allowed, capped (licences up to `cap` units per quarter) or banned'),
  cap: units.optional().describe('Licensed units per quarter when usExport is capped'),
  revenueShare: share.default(0).describe('Share of the price paid to the US government (0.25 = 25%), raising the effective price'),
  chinaApproval: z.enum(['approved', 'blocked', 'conditional']).describe('Chinese import/use gate: approved, blocked, or conditional (a share of orders approved)'),
  fillRate: share.optional().describe('Share of orders China approves when chinaApproval is conditional'),
};

export interface GateFields {
  readonly usExport: 'allowed' | 'capped' | 'banned';
  readonly cap?: number | undefined;
  readonly revenueShare: number;
  readonly chinaApproval: 'approved' | 'blocked' | 'conditional';
  readonly fillRate?: number | undefined;
}

function checkGate(g: GateFields, ctx: z.RefinementCtx): void {
  if ((g.usExport === 'capped') !== (g.cap !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['cap'], message: 'give cap (units per quarter) exactly when usExport is capped' });
  }
  if ((g.chinaApproval === 'conditional') !== (g.fillRate !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['fillRate'], message: 'give fillRate exactly when chinaApproval is conditional' });
  }
}

const gateRangeSchema = z.object({ ...rangeShape, ...gateShape }).strict().superRefine(checkGate);

const supplyRangeSchema = z
  .object({
    ...rangeShape,
    unitsPerQuarter: units.describe('Units ordered (or offered to us) per quarter'),
    fillRate: share.default(1).describe('Share of those units actually delivered (yield, HBM, allocation)'),
  })
  .strict();

const supplySchema = z
  .union([z.array(supplyRangeSchema), z.record(quarter, units)], {
    error: 'expected a list of { from, to, unitsPerQuarter, fillRate } or a map from quarter to units',
  })
  .describe('Units deliverable per quarter; omit for no cap. A map of quarter -> units counts as a fill rate of 1');

const offerSchema = z
  .object({
    id: z.string().min(1).describe('Catalogue id or alias, e.g. h200-sxm, ascend-910c (tokenfleet catalog accelerators)'),
    orderable: z.boolean().default(true).describe('false: cannot be bought (e.g. installed base only): supply 0 and no price needed'),
    domestic: z.boolean().optional().describe('Made or sold in China, without US export gate (default: every vendor but Nvidia and AMD)'),
    priceUsd: z.number().nonnegative().optional().describe('Price per chip before revenue share, USD (default: the catalogue price; an error when it has none)'),
    powerWatts: positive.optional().describe('Power per chip including host, network and cooling overhead before PUE, watts (default: catalogue TDP x hostOverheadFactor)'),
    engine: z.enum(ENGINE_IDS).optional().describe('Serving engine (default: the first the catalogue lists for the chip)'),
    availableFrom: quarter.optional().describe('First quarter it can be ordered in (default: the catalogue date, at the earliest the first period)'),
    leadTimeQuarters: units.default(1).describe('Quarters between order and service (default 1, an assumption)'),
    supply: supplySchema.optional(),
    gates: z.array(gateRangeSchema).optional().describe('US export and Chinese import gates over periods, for imported chips; must cover every period it can be ordered in'),
    source: z.string().optional().describe('Where the numbers come from, or that they are assumptions'),
  })
  .strict();

const workloadSchema = z
  .object({
    id: kebab,
    model: z.string().trim().min(1, 'expected a model id, e.g. deepseek-ai/DeepSeek-V3').describe('Model id (resolved by the planner)'),
    inputTokens: positive.describe('Mean prompt tokens per request'),
    outputTokens: positive.describe('Mean output tokens per request'),
    prefixHitRate: z.number().min(0).max(0.99).default(0).describe('Share of prompt tokens served from the prefix cache, 0..0.99 (multi-turn chat and shared system prompts reuse KV)'),
    slo: z.object({ ttftMs: positive.describe('Time to first token target, ms'), tpotMs: positive.describe('Time per output token target, ms') }).strict(),
    share: share.describe('Share of total demand (tokens/s); all shares sum to 1'),
    speculative: speculativeSchema
      .optional()
      .describe("Speculative decoding for this workload on every offer: the configuration search sizes memory with the drafter's layer and estimates capacity and latency with it; an offer whose engine has none (generic) gets no capacity for this workload. Absent: one token per decode step"),
  })
  .strict();

const nonNegativeDemand = z.number().min(0, 'demand cannot be negative');

const demandSchema = z
  .object({
    baseTokensPerSecond: nonNegativeDemand.describe('Average tokens/s (input + output) at the base period or date'),
    basePeriod: quarter.optional().describe('Quarter the base rate is measured in (give this or baseDate)'),
    baseDate: z.iso.date().optional().describe('Day the base rate is measured on, YYYY-MM-DD (give this or basePeriod)'),
    annualGrowth: positive.describe('Demand multiplier per year (10 = 10x a year), compounded per quarter'),
    peakFactor: z.number().min(1).describe('Provisioning target over the average (peak-to-average)'),
    overrides: z
      .array(
        z
          .object({
            period: quarter,
            workload: z.string().optional().describe('Workload id; omit to set the total, split by shares'),
            averageTokensPerSecond: nonNegativeDemand,
            peakFactor: z.number().min(1).optional(),
          })
          .strict(),
      )
      .default([])
      .describe('Explicit demand for some periods, replacing the growth curve there'),
  })
  .strict()
  .refine((d) => (d.basePeriod === undefined) !== (d.baseDate === undefined), { path: ['basePeriod'], message: 'give exactly one of basePeriod or baseDate' });

const siteFields = {
  powerMw: z.number().positive('a site without power: powerMw must be more than 0').describe('Power for IT load times PUE, MW'),
  pue: z.number().min(1).describe('Power usage effectiveness'),
  electricityUsdPerKwh: z.number().nonnegative(),
  hostingUsdPerAcceleratorMonth: z.number().nonnegative().describe('Space and maintenance per accelerator per month, USD'),
  maxAccelerators: positiveInt.optional().describe('Most accelerators the site can hold, if limited'),
  domesticOnly: z.boolean().default(false).describe('State-funded: domestic chips only'),
};

const siteSchema = z.object({ id: kebab, ...siteFields }).strict();

const budgetSchema = z
  .object({
    id: kebab,
    year: z.number().int().optional().describe('Calendar year whose purchases count (give this or periods)'),
    periods: z.array(quarter).min(1).optional(),
    vendors: z.array(vendor).min(1).optional().describe('Vendors whose purchases count (default: all)'),
    usd: positive,
  })
  .strict()
  .refine((b) => (b.year === undefined) !== (b.periods === undefined), { path: ['year'], message: 'give exactly one of year or periods' });

const installedSchema = z
  .object({
    site: z.string().min(1),
    accelerator: z.string().min(1).describe('Catalogue id; must also be listed under accelerators (for its power and engine)'),
    units: positiveInt,
    retiresAfter: quarter.optional().describe('Last quarter it serves in (default: through the horizon)'),
  })
  .strict();

const objectiveSchema = z
  .object({
    kind: z.enum(['min-cost', 'max-served']).default('min-cost'),
    unmetPenaltyUsdPerMillionTokens: z.number().nonnegative().optional().describe('Cost of each million tokens of demand not served, USD (required for min-cost)'),
  })
  .strict()
  .refine((o) => o.kind !== 'min-cost' || o.unmetPenaltyUsdPerMillionTokens !== undefined, {
    path: ['unmetPenaltyUsdPerMillionTokens'],
    message: 'min-cost needs a penalty for unmet demand',
  });

const selectorShape = {
  accelerators: z.array(z.string().min(1)).min(1).optional().describe('Offer ids it applies to (give this or vendors)'),
  vendors: z.array(vendor).min(1).optional().describe('Vendors whose offers it applies to'),
};
const oneSelector: [(c: { accelerators?: unknown; vendors?: unknown }) => boolean, { path: string[]; message: string }] = [
  (c) => (c.accelerators === undefined) !== (c.vendors === undefined),
  { path: ['accelerators'], message: 'give exactly one of accelerators or vendors' },
];

const changeSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('set-gates').describe('Replace the gates of an imported offer over from..to'), accelerator: z.string().min(1), from: quarter, to: quarter.optional(), ...gateShape })
    .strict()
    .superRefine(checkGate),
  z
    .object({ kind: z.literal('delay-availability').describe('Push availableFrom back'), ...selectorShape, quarters: positiveInt })
    .strict()
    .refine(...oneSelector),
  z
    .object({
      kind: z.literal('supply-fill-rate').describe('Set or scale the supply fill rate (capped at 1)'),
      ...selectorShape,
      fillRate: share.optional(),
      scale: z.number().nonnegative().optional(),
    })
    .strict()
    .refine(...oneSelector)
    .refine((c) => (c.fillRate === undefined) !== (c.scale === undefined), { path: ['fillRate'], message: 'give exactly one of fillRate or scale' }),
  z.object({ kind: z.literal('set-offer').describe('Add an offer, or replace the one with the same id'), offer: offerSchema }).strict(),
  z
    .object({
      kind: z.literal('set-site').describe('Change some fields of a site'),
      site: z.string().min(1),
      ...Object.fromEntries(Object.entries(siteFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof siteFields]: z.ZodOptional<(typeof siteFields)[K]> },
    })
    .strict(),
  z
    .object({ kind: z.literal('demand-growth').describe('Set or scale demand.annualGrowth'), annualGrowth: positive.optional(), scale: positive.optional() })
    .strict()
    .refine((c) => (c.annualGrowth === undefined) !== (c.scale === undefined), { path: ['annualGrowth'], message: 'give exactly one of annualGrowth or scale' }),
]);

const variantSchema = z
  .object({
    name: kebab,
    description: z.string().min(1),
    changes: z.array(changeSchema).min(1).describe('Applied in order on top of the base scenario'),
  })
  .strict();

export const planScenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    periods: z.object({ from: quarter, to: quarter }).strict().describe('Planning horizon, in quarters, both ends included'),
    hostOverheadFactor: z.number().min(1).default(1.3).describe('Power per chip over its TDP for host, network and cooling fans (ASSUMPTION: 1.3)'),
    unitsPerServer: positiveInt.default(8).describe('Chips are bought in servers of this many'),
    memoryUtilization: memoryUtilizationSchema
      .optional()
      .describe("Fraction of device memory every engine may use when the configuration search sizes layouts, above 0 and at most 1 (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static; default: each engine's own, e.g. vLLM 0.9)"),
    workloads: z.array(workloadSchema).min(1),
    demand: demandSchema,
    accelerators: z.array(offerSchema).min(1).describe('Accelerator offers'),
    sites: z.array(siteSchema).min(1),
    budgets: z.array(budgetSchema).default([]),
    installed: z.array(installedSchema).default([]).describe('Fleet in service at the start'),
    objective: objectiveSchema,
    variants: z.array(variantSchema).default([]),
  })
  .strict();

export type PlanScenario = z.infer<typeof planScenarioSchema>;
export type Offer = PlanScenario['accelerators'][number];
export type Variant = PlanScenario['variants'][number];
export type Change = Variant['changes'][number];
export type GateRange = NonNullable<Offer['gates']>[number];
export type SupplyRange = z.infer<typeof supplyRangeSchema>;

/** The JSON Schema of the plan scenario file, for editors. */
export function planScenarioJsonSchema(): unknown {
  return z.toJSONSchema(planScenarioSchema, { io: 'input' });
}
