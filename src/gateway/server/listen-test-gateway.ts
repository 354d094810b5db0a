/**
 * @module For tests: a gateway with the usual test collaborators filled in
 * (memory limits with no spend so far, its own metrics, the real clock, no
 * admin token, a silent log), listening on a free port of 127.0.0.1.
 */
import type { AddressInfo } from 'node:net';
import { MemoryLimiter } from '../limits/memory-limiter.js';
import { createGatewayMetrics } from '../metrics/gateway-metrics.js';
import { createGateway, type CreateGatewayOptions, type Gateway } from './create-gateway.js';
import { realGatewayClock, silentLog } from './gateway-context.js';

export type TestGatewayOptions = Pick<CreateGatewayOptions, 'config' | 'tenants' | 'ledger' | 'backendsByModel'> & Partial<CreateGatewayOptions>;

export async function listenTestGateway(options: TestGatewayOptions): Promise<{ gateway: Gateway; port: number }> {
  const gateway = createGateway({
    limiter: new MemoryLimiter({ spendSource: () => Promise.resolve(0) }),
    metrics: createGatewayMetrics(),
    clock: realGatewayClock,
    adminToken: undefined,
    log: silentLog,
    ...options,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
  return { gateway, port: (gateway.server.address() as AddressInfo).port };
}
