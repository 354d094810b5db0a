/** @module Structural checks on a plan input that the LP model relies on (unique ids, known references). */
import { InvalidInputError } from '../core/errors.js';
import type { PlanInput } from './plan-input.js';

/**
 * Structural checks the model relies on; value checks belong to the scenario loader.
 * @throws InvalidInputError naming the field and how to fix it.
 */
export function checkPlanInput(input: PlanInput): void {
  if (!Number.isInteger(input.unitsPerServer) || input.unitsPerServer < 1) {
    throw new InvalidInputError(`expected a positive whole number, got ${input.unitsPerServer}`, 'unitsPerServer');
  }
  const ids = (what: string, list: readonly string[]): Set<string> => {
    const set = new Set(list);
    if (set.size !== list.length) {
      const dup = list.find((x, i) => list.indexOf(x) !== i);
      throw new InvalidInputError(`'${dup}' appears twice; ids must be unique`, what);
    }
    return set;
  };
  const periods = ids('periods', input.periods.map((p) => p.id));
  const workloads = ids('workloads', input.workloads.map((w) => w.id));
  const sites = ids('sites', input.sites.map((s) => s.id));
  const offers = ids('offers', input.offers.map((o) => o.accelerator));
  ids('budgets', input.budgets.map((b) => b.id));
  const seen = new Set<string>();
  for (const [i, d] of input.demand.entries()) {
    const where = `demand[${i}]`;
    if (!periods.has(d.period)) throw new InvalidInputError(`unknown period '${d.period}' (periods: ${[...periods].join(', ')})`, where);
    if (!workloads.has(d.workload)) throw new InvalidInputError(`unknown workload '${d.workload}' (workloads: ${[...workloads].join(', ')})`, where);
    const key = `${d.period} ${d.workload}`;
    if (seen.has(key)) throw new InvalidInputError(`a second demand for ${key}; give one per period and workload`, where);
    seen.add(key);
  }
  for (const [i, f] of input.installed.entries()) {
    const where = `installed[${i}]`;
    if (!sites.has(f.site)) throw new InvalidInputError(`unknown site '${f.site}' (sites: ${[...sites].join(', ')})`, where);
    if (!offers.has(f.accelerator)) {
      throw new InvalidInputError(`'${f.accelerator}' has no offer, so its power is unknown; add an offer for it (supply 0 if it is no longer sold)`, where);
    }
  }
}
