/** @module Loads and parses a plan scenario file: YAML, then the schema, then the cross-field rules (also after each variant), with every problem reported as `path: message`. */
import YAML from 'yaml';
import type { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { readTextFile } from '../read-text-file.js';
import { applyVariant } from './apply-variant.js';
import { canonicalise } from './canonicalise.js';
import { checkScenario } from './rules.js';
import { planScenarioSchema, type PlanScenario } from './schema.js';

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
