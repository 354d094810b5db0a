import { describe, expect, it } from 'vitest';
import type { EmulatedBackend } from '../backends/emulated-backend.js';
import { parseGatewayConfig } from '../config/gateway-config.js';
import { createConfiguredBackends } from './create-configured-backends.js';

const config = `
models:
  - id: llama-3.1-8b
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.08 }
    pools:
      - name: a
        backends:
          - { kind: emulated, accelerator: h20, precision: fp8, replicas: 2, memoryUtilization: 0.95 }
          - { kind: emulated, accelerator: h20, precision: fp8 }
`;

describe('createConfiguredBackends', () => {
  it("gives each emulated replica its entry's memoryUtilization, the engine's when the entry has none", () => {
    const built = createConfiguredBackends(parseGatewayConfig(config, '/tmp/g.yaml').config);
    try {
      const backends = built.backendsByModel.get('llama-3.1-8b') as readonly EmulatedBackend[];
      expect(backends.map((b) => [b.id, b.memory.memoryUtilization])).toEqual([
        ['a-0', 0.95],
        ['a-1', 0.95],
        ['a-2', 0.9],
      ]);
      expect(backends[0]!.memory.kvCapacityTokens).toBeGreaterThan(backends[2]!.memory.kvCapacityTokens);
    } finally {
      built.close();
    }
  });
});
