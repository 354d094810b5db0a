/** @module The cross-field rules of a plan scenario (periods in the horizon, no duplicates, known ids, supply and gates covering every orderable period), as `path: message` lines. */
import type { AcceleratorSpec } from '../../core/catalogue/accelerator-spec.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { NoSuchEntryError } from '../../core/errors.js';
import { availableIndex, isDomestic } from './offer-defaults.js';
import { horizonOf, quarterId, quarterIndex, type Horizon } from './quarters.js';
import type { Change, Offer, PlanScenario } from './schema.js';

const SHARE_TOLERANCE = 1e-6;

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
export function checkScenario(s: PlanScenario): string[] {
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
