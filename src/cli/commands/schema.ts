/** @module `tokenfleet schema <kind>`: the JSON Schema of a file format, for editors. */
import { InvalidInputError } from '../../core/errors.js';
import { planScenarioJsonSchema } from '../../config/plan-scenario.js';
import { simulationScenarioJsonSchema } from '../../config/simulation-scenario.js';
import { gatewayConfigJsonSchema } from '../../gateway/config/gateway-config.js';

const SCHEMAS: Record<string, () => unknown> = { simulation: simulationScenarioJsonSchema, plan: planScenarioJsonSchema, gateway: gatewayConfigJsonSchema };

export function schemaCommand(kind: string): void {
  const make = SCHEMAS[kind];
  if (!make) throw new InvalidInputError(`unknown schema '${kind}'; one of: ${Object.keys(SCHEMAS).join(', ')}`, 'schema');
  process.stdout.write(JSON.stringify(make(), null, 2) + '\n');
}
