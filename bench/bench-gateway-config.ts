/**
 * The gateway configuration the gateway benchmarks measure: a SQLite ledger and in-memory limits under a
 * fresh data directory in `dir`, routing to the mock upstream on `mockPort` for `models`. Returns the
 * file's path.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockModelsYaml } from '../test/mock-openai-upstream.js';

export function writeBenchGatewayConfig(dir: string, mockPort: number, models: readonly string[]): string {
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    `listen: { host: 127.0.0.1, port: 0 }
dataDir: ${JSON.stringify(join(dir, 'data'))}
ledger: { kind: sqlite }
limits: { kind: memory }
router: least-outstanding
${mockModelsYaml(mockPort, [...models])}`,
  );
  return config;
}
