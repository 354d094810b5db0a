/**
 * @module The plan scenario file (`tokenfleet plan scenario.yaml`): a zod schema
 * (which also yields the JSON Schema for editors), loading with errors that give
 * the path in the file, cross-field rules, a small language of variant changes,
 * and normalisation into the planner's PlanInput (src/plan/plan-input.ts).
 *
 * Supply in PlanInput is the units offered per period times the supply fill rate
 * (0 before the offer is available or when it cannot be ordered; absent for no
 * cap). The gates go through per period untouched: the planner applies them on
 * top (src/plan/to-lp-format.ts: banned or blocked -> 0, capped -> at most the
 * US cap, conditional -> times the China fill rate, revenue share -> price).
 */
import { readTextFile } from './read-text-file.js';
import YAML from 'yaml';
import { z } from 'zod';
import { ENGINE_IDS, VENDORS, type AcceleratorSpec } from '../core/catalogue/accelerator-spec.js';
import { getAccelerator } from '../core/catalogue/find-accelerator.js';
import { InvalidInputError, NoSuchEntryError } from '../core/errors.js';
import type { AcceleratorOffer, Budget, Demand, Gates, Period, PlanInput } from '../plan/plan-input.js';

// --- quarters ---------------------------------------------------------------------------------

const QUARTER_RE = /^(\d{4})Q([1-4])$/;
const MS_PER_YEAR = 365.25 * 86_400_000;

/** Quarters since year 0: `2026Q1` -> 8104. */
function quarterIndex(id: string): number {
  const m = QUARTER_RE.exec(id);
  if (m === null) throw new InvalidInputError(`expected a quarter like 2026Q1, got '${id}'`);
  return Number(m[1]) * 4 + Number(m[2]) - 1;
}

function quarterId(index: number): string {
  return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
}

function quarterStartMs(index: number): number {
  return Date.UTC(Math.floor(index / 4), (index % 4) * 3, 1);
}

function periodOf(index: number): Period {
  const hours = (quarterStartMs(index + 1) - quarterStartMs(index)) / 3_600_000;
  return { id: quarterId(index), hours, year: Math.floor(index / 4) };
}

/** The catalogue's availability (`2024`, `2024-02`, `2026-Q1`) as a quarter index, or undefined. */
function catalogueQuarter(spec: AcceleratorSpec): number | undefined {
  const m = /^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$/.exec(spec.availableFrom.value ?? '');
  if (m === null) return undefined;
  const q = m[2] !== undefined ? Number(m[2]) - 1 : m[3] !== undefined ? Math.floor((Number(m[3]) - 1) / 3) : 0;
  return Number(m[1]) * 4 + q;
}

// --- schema -----------------------------------------------------------------------------------

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

interface GateFields {
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
type Offer = PlanScenario['accelerators'][number];
type Variant = PlanScenario['variants'][number];
type Change = Variant['changes'][number];
type GateRange = NonNullable<Offer['gates']>[number];
type SupplyRange = z.infer<typeof supplyRangeSchema>;

/** The JSON Schema of the plan scenario file, for editors. */
export function planScenarioJsonSchema(): unknown {
  return z.toJSONSchema(planScenarioSchema, { io: 'input' });
}

// --- loading ----------------------------------------------------------------------------------

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** Lines `path: message`; a union reports the branch that matched the shape of the input. */
function issueLines(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
  return issues.flatMap((i) => {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union' && i.errors.length > 0) {
      const branch = i.errors.find((b) => !b.some((x) => x.code === 'invalid_type' && x.path.length === 0));
      if (branch !== undefined) return issueLines(branch, path);
    }
    if (i.code === 'invalid_key') return issueLines(i.issues, path);
    return [`${pathOf(path) || '(top level)'}: ${i.message}`];
  });
}

function invalid(lines: readonly string[], file: string): InvalidInputError {
  const shown = lines.slice(0, 12);
  const more = lines.length > shown.length ? `\n  ... and ${lines.length - shown.length} more` : '';
  return new InvalidInputError(`invalid scenario:\n  ${shown.join('\n  ')}${more}`, file);
}

/** Parses and validates a plan scenario; every problem is reported as `file: path: message`. Accelerator ids come back as catalogue ids. */
export function parsePlanScenario(text: string, file: string): PlanScenario {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new InvalidInputError(`not valid YAML: ${(e as Error).message}`, file);
  }
  const r = planScenarioSchema.safeParse(doc);
  if (!r.success) throw invalid(issueLines(r.error.issues), file);
  const issues = checkScenario(r.data);
  if (issues.length > 0) throw invalid(issues, file);
  const scenario = canonicalise(r.data);
  const variantIssues = scenario.variants.flatMap((v, i) =>
    checkScenario(applyVariant(scenario, v)).map((line) => `variants[${i}] (${v.name}), after its changes: ${line}`),
  );
  if (variantIssues.length > 0) throw invalid(variantIssues, file);
  return scenario;
}

export function loadPlanScenario(file: string): PlanScenario {
  const text = readTextFile(file);
  return parsePlanScenario(text, file);
}

// --- cross-field rules ------------------------------------------------------------------------

interface Horizon {
  readonly first: number;
  readonly last: number;
}

const IMPORTED_VENDORS: readonly string[] = ['Nvidia', 'AMD'];
const SHARE_TOLERANCE = 1e-6;

function horizonOf(s: PlanScenario): Horizon {
  return { first: quarterIndex(s.periods.from), last: quarterIndex(s.periods.to) };
}

function isDomestic(o: Offer, spec: AcceleratorSpec): boolean {
  return o.domestic ?? !IMPORTED_VENDORS.includes(spec.vendor);
}

/** First quarter index it can be ordered in: the scenario's, else the catalogue's; never before the horizon. */
function availableIndex(o: Offer, spec: AcceleratorSpec, h: Horizon): number | undefined {
  const given = o.availableFrom !== undefined ? quarterIndex(o.availableFrom) : catalogueQuarter(spec);
  return given === undefined ? undefined : Math.max(given, h.first);
}

function tryAccelerator(id: string): AcceleratorSpec | NoSuchEntryError {
  try {
    return getAccelerator(id);
  } catch (e) {
    if (e instanceof NoSuchEntryError) return e;
    throw e;
  }
}

type Add = (path: string, message: string) => void;

function horizonText(h: Horizon): string {
  return `the horizon is ${quarterId(h.first)}..${quarterId(h.last)}`;
}

function checkQuarter(id: string, path: string, h: Horizon, add: Add): number | undefined {
  const i = quarterIndex(id);
  if (i < h.first || i > h.last) {
    add(path, `unknown period ${id} (${horizonText(h)})`);
    return undefined;
  }
  return i;
}

function checkDuplicates(ids: readonly string[], path: (i: number) => string, what: string, add: Add): void {
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined) add(path(i), `${what} '${id}' is used twice (also at ${path(first)})`);
    else seen.set(id, i);
  });
}

/** Checks from/to of ranges and that no two overlap; returns the resolved [from, to] indices (undefined where invalid). */
function checkRanges(ranges: readonly { from?: string | undefined; to?: string | undefined }[], path: string, h: Horizon, add: Add): ([number, number] | undefined)[] {
  const resolved = ranges.map((r, i): [number, number] | undefined => {
    const from = r.from === undefined ? h.first : checkQuarter(r.from, `${path}[${i}].from`, h, add);
    const to = r.to === undefined ? h.last : checkQuarter(r.to, `${path}[${i}].to`, h, add);
    if (from === undefined || to === undefined) return undefined;
    if (to < from) {
      add(`${path}[${i}].to`, `${quarterId(to)} is before from (${quarterId(from)})`);
      return undefined;
    }
    return [from, to];
  });
  resolved.forEach((a, i) => {
    const j = a === undefined ? -1 : resolved.findIndex((b, k) => k < i && b !== undefined && b[0] <= a[1] && a[0] <= b[1]);
    if (j >= 0) add(`${path}[${i}]`, `overlaps ${path}[${j}]; each period may be covered once`);
  });
  return resolved;
}

function checkCoverage(covered: readonly ([number, number] | undefined)[], from: number, h: Horizon, path: string, what: string, add: Add): void {
  const missing: string[] = [];
  for (let q = from; q <= h.last; q++) if (!covered.some((r) => r !== undefined && r[0] <= q && q <= r[1])) missing.push(quarterId(q));
  if (missing.length > 0) add(path, `no ${what} for ${missing.join(', ')}; ${what === 'supply' ? 'give units for every period it can be ordered in, or omit supply for no cap' : 'give usExport and chinaApproval for every period it can be ordered in'}`);
}

/** Rules of one offer; returns its catalogue entry when the id is known. */
function checkOffer(o: Offer, path: string, h: Horizon, add: Add): AcceleratorSpec | undefined {
  const spec = tryAccelerator(o.id);
  if (spec instanceof NoSuchEntryError) {
    add(`${path}.id`, spec.message);
    return undefined;
  }
  if (o.engine !== undefined && !spec.engines.includes(o.engine)) {
    add(`${path}.engine`, `${o.engine} is not known to run on ${spec.id} (known: ${spec.engines.join(', ')})`);
  }
  if (o.powerWatts === undefined && spec.tdpWatts.value === null) {
    add(`${path}.powerWatts`, `the catalogue has no TDP for ${spec.id}; give powerWatts (per chip, with host overhead) and say where it comes from`);
  }
  const from = o.orderable ? availableIndex(o, spec, h) : undefined;
  if (o.orderable && o.priceUsd === undefined && spec.priceUsd.value === null) {
    add(`${path}.priceUsd`, `the catalogue has no price for ${spec.id} (${spec.priceUsd.note ?? 'no public price'}); give priceUsd and say where it comes from or that it is an assumption`);
  }
  if (o.orderable && from === undefined) add(`${path}.availableFrom`, `the catalogue has no availability date for ${spec.id}; give availableFrom`);
  if (o.supply !== undefined) {
    const covered = Array.isArray(o.supply)
      ? checkRanges(o.supply, `${path}.supply`, h, add)
      : Object.keys(o.supply).map((q): [number, number] | undefined => {
          const i = checkQuarter(q, `${path}.supply.${q}`, h, add);
          return i === undefined ? undefined : [i, i];
        });
    if (from !== undefined) checkCoverage(covered, from, h, `${path}.supply`, 'supply', add);
  }
  if (isDomestic(o, spec)) {
    if (o.gates !== undefined) add(`${path}.gates`, `${spec.id} is domestic and has no export gates (set domestic: false to gate it)`);
  } else {
    const covered = checkRanges(o.gates ?? [], `${path}.gates`, h, add);
    if (from !== undefined) checkCoverage(covered, from, h, `${path}.gates`, 'gates', add);
  }
  return spec;
}

function checkChange(c: Change, path: string, s: PlanScenario, specs: ReadonlyMap<string, AcceleratorSpec>, h: Horizon, add: Add): void {
  const offerOf = (id: string, p: string): Offer | undefined => {
    const spec = tryAccelerator(id);
    if (spec instanceof NoSuchEntryError) {
      add(p, spec.message);
      return undefined;
    }
    const o = s.accelerators.find((x) => specs.get(x.id)?.id === spec.id);
    if (o === undefined) add(p, `${spec.id} is not among the scenario's accelerators`);
    return o;
  };
  const selected = (sel: { accelerators?: string[] | undefined; vendors?: string[] | undefined }): Offer[] => {
    const byId = (sel.accelerators ?? []).flatMap((id, k) => offerOf(id, `${path}.accelerators[${k}]`) ?? []);
    (sel.vendors ?? []).forEach((v, k) => {
      if (!s.accelerators.some((o) => specs.get(o.id)?.vendor === v)) add(`${path}.vendors[${k}]`, `no offer from ${v} in the scenario`);
    });
    return [...byId, ...s.accelerators.filter((o) => (sel.vendors ?? []).some((v) => specs.get(o.id)?.vendor === v))];
  };
  switch (c.kind) {
    case 'set-gates': {
      const o = offerOf(c.accelerator, `${path}.accelerator`);
      const spec = o === undefined ? undefined : specs.get(o.id);
      if (o !== undefined && spec !== undefined && isDomestic(o, spec)) add(`${path}.accelerator`, `${spec.id} is domestic and has no export gates`);
      const from = checkQuarter(c.from, `${path}.from`, h, add);
      const to = c.to === undefined ? undefined : checkQuarter(c.to, `${path}.to`, h, add);
      if (from !== undefined && to !== undefined && to < from) add(`${path}.to`, `${c.to} is before from (${c.from})`);
      return;
    }
    case 'delay-availability':
      selected(c);
      return;
    case 'supply-fill-rate':
      for (const o of selected(c)) {
        if (o.orderable && o.supply === undefined) add(path, `${o.id} has no supply schedule to apply a fill rate to; give it supply`);
      }
      return;
    case 'set-offer':
      checkOffer(c.offer, `${path}.offer`, h, add);
      return;
    case 'set-site':
      if (!s.sites.some((x) => x.id === c.site)) add(`${path}.site`, `unknown site '${c.site}' (sites: ${s.sites.map((x) => x.id).join(', ')})`);
      return;
    case 'demand-growth':
      return;
    default: {
      const never: never = c;
      throw new Error(`unhandled change ${JSON.stringify(never)}`);
    }
  }
}

/** The small named rules across fields; returns `path: message` lines. */
function checkScenario(s: PlanScenario): string[] {
  const issues: string[] = [];
  const add: Add = (path, message) => issues.push(`${path}: ${message}`);
  const h = horizonOf(s);
  if (h.last < h.first) {
    add('periods.to', `${s.periods.to} is before periods.from (${s.periods.from})`);
    return issues;
  }

  checkDuplicates(s.workloads.map((w) => w.id), (i) => `workloads[${i}].id`, 'workload id', add);
  const shares = s.workloads.reduce((sum, w) => sum + w.share, 0);
  if (Math.abs(shares - 1) > SHARE_TOLERANCE) add('workloads', `shares sum to ${+shares.toFixed(6)}; they must sum to 1`);

  const workloadIds = new Set(s.workloads.map((w) => w.id));
  s.demand.overrides.forEach((o, i) => {
    checkQuarter(o.period, `demand.overrides[${i}].period`, h, add);
    if (o.workload !== undefined && !workloadIds.has(o.workload)) add(`demand.overrides[${i}].workload`, `unknown workload '${o.workload}' (workloads: ${[...workloadIds].join(', ')})`);
  });
  checkDuplicates(s.demand.overrides.map((o) => `${o.period}/${o.workload ?? '(total)'}`), (i) => `demand.overrides[${i}]`, 'period/workload', add);

  const specs = new Map<string, AcceleratorSpec>();
  s.accelerators.forEach((o, i) => {
    const spec = checkOffer(o, `accelerators[${i}]`, h, add);
    if (spec !== undefined) specs.set(o.id, spec);
  });
  checkDuplicates(s.accelerators.map((o) => specs.get(o.id)?.id ?? o.id), (i) => `accelerators[${i}].id`, 'accelerator', add);

  checkDuplicates(s.sites.map((x) => x.id), (i) => `sites[${i}].id`, 'site id', add);

  checkDuplicates(s.budgets.map((b) => b.id), (i) => `budgets[${i}].id`, 'budget id', add);
  s.budgets.forEach((b, i) => {
    b.periods?.forEach((p, j) => checkQuarter(p, `budgets[${i}].periods[${j}]`, h, add));
    if (b.year !== undefined && (b.year * 4 + 3 < h.first || b.year * 4 > h.last)) add(`budgets[${i}].year`, `no period in ${b.year} (${horizonText(h)})`);
  });

  s.installed.forEach((f, i) => {
    const site = s.sites.find((x) => x.id === f.site);
    if (site === undefined) add(`installed[${i}].site`, `unknown site '${f.site}' (sites: ${s.sites.map((x) => x.id).join(', ')})`);
    const spec = tryAccelerator(f.accelerator);
    if (spec instanceof NoSuchEntryError) {
      add(`installed[${i}].accelerator`, spec.message);
    } else {
      const offer = s.accelerators.find((o) => specs.get(o.id)?.id === spec.id);
      if (offer === undefined) add(`installed[${i}].accelerator`, `${spec.id} is not among the scenario's accelerators (list it, with orderable: false if it cannot be bought)`);
      else if (site?.domesticOnly === true && !isDomestic(offer, spec)) add(`installed[${i}].accelerator`, `site '${site.id}' is domestic-only but ${spec.id} is imported`);
    }
    if (f.retiresAfter !== undefined) checkQuarter(f.retiresAfter, `installed[${i}].retiresAfter`, h, add);
  });

  checkDuplicates(s.variants.map((v) => v.name), (i) => `variants[${i}].name`, 'variant name', add);
  s.variants.forEach((v, i) => v.changes.forEach((c, j) => checkChange(c, `variants[${i}].changes[${j}]`, s, specs, h, add)));
  return issues;
}

/** Catalogue ids everywhere an accelerator is named (after checkScenario found them all). */
function canonicalise(s: PlanScenario): PlanScenario {
  const id = (x: string): string => getAccelerator(x).id;
  const offer = (o: Offer): Offer => ({ ...o, id: id(o.id) });
  const change = (c: Change): Change => {
    switch (c.kind) {
      case 'set-gates':
        return { ...c, accelerator: id(c.accelerator) };
      case 'delay-availability':
      case 'supply-fill-rate':
        return c.accelerators === undefined ? c : { ...c, accelerators: c.accelerators.map(id) };
      case 'set-offer':
        return { ...c, offer: offer(c.offer) };
      default:
        return c;
    }
  };
  return {
    ...s,
    accelerators: s.accelerators.map(offer),
    installed: s.installed.map((f) => ({ ...f, accelerator: id(f.accelerator) })),
    variants: s.variants.map((v) => ({ ...v, changes: v.changes.map(change) })),
  };
}

// --- variants ---------------------------------------------------------------------------------

function supplyRanges(supply: NonNullable<Offer['supply']>): SupplyRange[] {
  if (Array.isArray(supply)) return supply;
  return Object.entries(supply).map(([q, n]) => ({ from: q, to: q, unitsPerQuarter: n, fillRate: 1 }));
}

/** Gates with [from, to] replaced by `gate`; ranges around it are cut, not dropped. */
function spliceGates(gates: readonly GateRange[], from: number, to: number, gate: GateFields, h: Horizon): GateRange[] {
  const cut = gates.flatMap((g) => {
    const a = g.from === undefined ? h.first : quarterIndex(g.from);
    const b = g.to === undefined ? h.last : quarterIndex(g.to);
    const pieces: GateRange[] = [];
    if (a < from) pieces.push({ ...g, from: quarterId(a), to: quarterId(Math.min(b, from - 1)) });
    if (b > to) pieces.push({ ...g, from: quarterId(Math.max(a, to + 1)), to: quarterId(b) });
    return b < from || a > to ? [g] : pieces;
  });
  return [...cut, { ...gate, from: quarterId(from), to: quarterId(to) }];
}

function applyChange(s: PlanScenario, c: Change): PlanScenario {
  const h = horizonOf(s);
  const picks = (o: Offer, sel: { accelerators?: string[] | undefined; vendors?: string[] | undefined }): boolean =>
    sel.accelerators?.includes(o.id) === true || sel.vendors?.includes(getAccelerator(o.id).vendor) === true;
  const mapOffers = (f: (o: Offer) => Offer): PlanScenario => ({ ...s, accelerators: s.accelerators.map(f) });
  switch (c.kind) {
    case 'set-gates': {
      const { usExport, cap, revenueShare, chinaApproval, fillRate } = c;
      const to = c.to === undefined ? h.last : quarterIndex(c.to);
      const gate = { usExport, cap, revenueShare, chinaApproval, fillRate };
      return mapOffers((o) => (o.id === c.accelerator ? { ...o, gates: spliceGates(o.gates ?? [], quarterIndex(c.from), to, gate, h) } : o));
    }
    case 'delay-availability':
      return mapOffers((o) => {
        if (!picks(o, c)) return o;
        const from = availableIndex(o, getAccelerator(o.id), h) ?? h.first;
        return { ...o, availableFrom: quarterId(from + c.quarters) };
      });
    case 'supply-fill-rate':
      return mapOffers((o) => {
        if (!picks(o, c) || o.supply === undefined) return o;
        const supply = supplyRanges(o.supply).map((r) => ({ ...r, fillRate: c.fillRate ?? Math.min(1, r.fillRate * (c.scale ?? 1)) }));
        return { ...o, supply };
      });
    case 'set-offer': {
      const replaced = s.accelerators.some((o) => o.id === c.offer.id);
      return replaced ? mapOffers((o) => (o.id === c.offer.id ? c.offer : o)) : { ...s, accelerators: [...s.accelerators, c.offer] };
    }
    case 'set-site': {
      const { kind: _kind, site, ...fields } = c;
      const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      return { ...s, sites: s.sites.map((x) => (x.id === site ? { ...x, ...set } : x)) };
    }
    case 'demand-growth':
      return { ...s, demand: { ...s.demand, annualGrowth: c.annualGrowth ?? s.demand.annualGrowth * (c.scale ?? 1) } };
    default: {
      const never: never = c;
      throw new Error(`unhandled change ${JSON.stringify(never)}`);
    }
  }
}

/** The scenario with a variant's changes applied in order (and no variants of its own). */
export function applyVariant(s: PlanScenario, v: Variant): PlanScenario {
  return v.changes.reduce(applyChange, { ...s, variants: [] });
}

// --- normalisation ----------------------------------------------------------------------------

function demandOf(s: PlanScenario, h: Horizon): Demand[] {
  const d = s.demand;
  const total = (q: number): number => {
    const years =
      d.basePeriod !== undefined
        ? (q - quarterIndex(d.basePeriod)) / 4
        : ((quarterStartMs(q) + quarterStartMs(q + 1)) / 2 - Date.parse(`${d.baseDate ?? ''}T00:00:00Z`)) / MS_PER_YEAR;
    return d.baseTokensPerSecond * d.annualGrowth ** years;
  };
  const out: Demand[] = [];
  for (let q = h.first; q <= h.last; q++) {
    const period = quarterId(q);
    const totalOverride = d.overrides.find((o) => o.period === period && o.workload === undefined);
    const periodTotal = totalOverride?.averageTokensPerSecond ?? total(q);
    for (const w of s.workloads) {
      const own = d.overrides.find((o) => o.period === period && o.workload === w.id);
      out.push({
        period,
        workload: w.id,
        averageTokensPerSecond: own?.averageTokensPerSecond ?? periodTotal * w.share,
        peakFactor: own?.peakFactor ?? totalOverride?.peakFactor ?? d.peakFactor,
      });
    }
  }
  return out;
}

function gateAt(gates: readonly GateRange[], q: number, h: Horizon): Gates | undefined {
  const g = gates.find((x) => (x.from === undefined ? h.first : quarterIndex(x.from)) <= q && q <= (x.to === undefined ? h.last : quarterIndex(x.to)));
  if (g === undefined) return undefined;
  return {
    usExport: g.usExport,
    ...(g.usExport === 'capped' && g.cap !== undefined ? { usCapUnits: g.cap } : {}),
    revenueShare: g.revenueShare,
    chinaApproval: g.chinaApproval,
    ...(g.chinaApproval === 'conditional' && g.fillRate !== undefined ? { chinaFillRate: g.fillRate } : {}),
  };
}

function floorUnits(x: number): number {
  return Math.floor(x + 1e-9);
}

function describeFact(what: string, f: { value: unknown; confidence: string; source: string; note?: string }): string {
  return `${what}: catalogue ${String(f.value)} (${f.confidence}${f.note === undefined ? '' : `; ${f.note}`})`;
}

function offerOf(o: Offer, s: PlanScenario, h: Horizon): AcceleratorOffer {
  const spec = getAccelerator(o.id);
  const domestic = isDomestic(o, spec);
  const catalogueTdp = spec.tdpWatts.value;
  const price = o.priceUsd ?? spec.priceUsd.value ?? (o.orderable ? undefined : 0);
  const power = o.powerWatts ?? (catalogueTdp === null ? undefined : catalogueTdp * s.hostOverheadFactor);
  if (price === undefined) throw new InvalidInputError(`the catalogue has no price for ${spec.id}; give priceUsd`, `accelerators.${spec.id}.priceUsd`);
  if (power === undefined) throw new InvalidInputError(`the catalogue has no TDP for ${spec.id}; give powerWatts`, `accelerators.${spec.id}.powerWatts`);
  const from = availableIndex(o, spec, h) ?? h.first;
  const ranges = o.supply === undefined ? undefined : supplyRanges(o.supply);
  const gates: Record<string, Gates> = {};
  const supplyUnits: Record<string, number> = {};
  for (let q = h.first; q <= h.last; q++) {
    const id = quarterId(q);
    const gate = domestic ? undefined : gateAt(o.gates ?? [], q, h);
    if (gate !== undefined) gates[id] = gate;
    if (!o.orderable || q < from) {
      supplyUnits[id] = 0;
      continue;
    }
    const r = ranges?.find((x) => (x.from === undefined ? h.first : quarterIndex(x.from)) <= q && q <= (x.to === undefined ? h.last : quarterIndex(x.to)));
    if (ranges !== undefined) supplyUnits[id] = r === undefined ? 0 : floorUnits(r.unitsPerQuarter * r.fillRate);
  }
  const source = [
    o.priceUsd !== undefined
      ? `price: scenario ${o.priceUsd}`
      : o.orderable || spec.priceUsd.value !== null
        ? describeFact('price', spec.priceUsd)
        : 'price: none (not orderable; the 0 is never used)',
    o.powerWatts !== undefined ? `power: scenario ${o.powerWatts} W` : `power: ${describeFact('TDP', spec.tdpWatts)} x ${s.hostOverheadFactor} host overhead (assumption)`,
    ...(o.source === undefined ? [] : [o.source]),
  ].join('; ');
  return {
    accelerator: spec.id,
    vendor: spec.vendor,
    domestic,
    priceUsd: price,
    powerWatts: power,
    engine: o.engine ?? spec.engines[0] ?? 'generic',
    availableFrom: quarterId(from),
    leadTimeQuarters: o.leadTimeQuarters,
    supplyUnits,
    ...(domestic ? {} : { gates }),
    source,
  };
}

function toPlanInput(s: PlanScenario, name: string): PlanInput {
  const h = horizonOf(s);
  const periods: Period[] = [];
  for (let q = h.first; q <= h.last; q++) periods.push(periodOf(q));
  const budgets: Budget[] = s.budgets.map((b) => ({
    id: b.id,
    periods: b.periods ?? periods.filter((p) => p.year === b.year).map((p) => p.id),
    ...(b.vendors === undefined ? {} : { vendors: b.vendors }),
    usd: b.usd,
  }));
  return {
    name,
    periods,
    workloads: s.workloads.map((w) => ({ id: w.id, model: w.model, inputTokens: w.inputTokens, outputTokens: w.outputTokens, prefixHitRate: w.prefixHitRate, slo: { ...w.slo } })),
    demand: demandOf(s, h),
    offers: s.accelerators.map((o) => offerOf(o, s, h)),
    sites: s.sites.map((x) => ({ ...x })),
    budgets,
    installed: s.installed.map((f) => ({ ...f, accelerator: getAccelerator(f.accelerator).id })),
    objective: { kind: s.objective.kind, unmetPenaltyUsdPerMillionTokens: s.objective.unmetPenaltyUsdPerMillionTokens ?? 0 },
    unitsPerServer: s.unitsPerServer,
  };
}

export interface PlanInputs {
  readonly base: PlanInput;
  readonly variants: readonly { readonly name: string; readonly description: string; readonly input: PlanInput }[];
}

/** The base scenario and the chosen variants (by name, or all) as planner inputs. */
export function toPlanInputs(scenario: PlanScenario, variantNames: readonly string[] | 'all'): PlanInputs {
  const chosen =
    variantNames === 'all'
      ? scenario.variants
      : variantNames.map((n) => {
          const v = scenario.variants.find((x) => x.name === n);
          if (v === undefined) {
            throw new InvalidInputError(`unknown variant '${n}' (variants: ${scenario.variants.map((x) => x.name).join(', ') || 'none'})`, 'variants');
          }
          return v;
        });
  return {
    base: toPlanInput(scenario, scenario.name),
    variants: chosen.map((v) => ({ name: v.name, description: v.description, input: toPlanInput(applyVariant(scenario, v), `${scenario.name} / ${v.name}`) })),
  };
}
