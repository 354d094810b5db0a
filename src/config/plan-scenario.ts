/**
 * @module The plan scenario file (`tokenfleet plan scenario.yaml`): the public entry.
 * The pieces live in ./plan-scenario/: the zod schema and its JSON Schema
 * (schema.ts), loading with errors that give the path in the file (parse.ts),
 * cross-field rules (rules.ts), a small language of variant changes
 * (apply-variant.ts), and normalisation into the planner's PlanInput
 * (to-plan-input.ts).
 */
export { applyVariant } from './plan-scenario/apply-variant.js';
export { loadPlanScenario, parsePlanScenario } from './plan-scenario/parse.js';
export { planScenarioJsonSchema, planScenarioSchema, type PlanScenario } from './plan-scenario/schema.js';
export { toPlanInputs, type PlanInputs } from './plan-scenario/to-plan-input.js';
