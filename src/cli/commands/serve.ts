/**
 * @module `tokenfleet serve` (and `npm start`): the OpenAI-compatible gateway
 * on the fleet of gateway.yaml (by default an emulated mixed fleet), with the
 * ledger and tenants in SQLite (or PostgreSQL) and limits in memory (or Redis).
 * Prints the URL, the admin token when generated, a demo key and a curl example.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { readEnv } from '../../config/env.js';
import { loadGatewayConfig } from '../../gateway/config/gateway-config.js';
import { openPgLedger } from '../../gateway/ledger/pg-ledger.js';
import { openSqliteLedger } from '../../gateway/ledger/sqlite-ledger.js';
import type { Ledger } from '../../gateway/ledger/ledger.js';
import type { Limiter } from '../../gateway/limits/limiter.js';
import { MemoryLimiter } from '../../gateway/limits/memory-limiter.js';
import { RedisLimiter } from '../../gateway/limits/redis-limiter.js';
import { createGatewayMetrics } from '../../gateway/metrics/gateway-metrics.js';
import { createConfiguredBackends } from '../../gateway/server/create-configured-backends.js';
import { createGateway } from '../../gateway/server/create-gateway.js';
import { realGatewayClock, type GatewayLog } from '../../gateway/server/gateway-context.js';
import { ensureDemoTenant } from '../../gateway/tenants/demo-tenant.js';
import { openPgTenantStore } from '../../gateway/tenants/pg-tenant-store.js';
import { openSqliteTenantStore } from '../../gateway/tenants/sqlite-tenant-store.js';
import type { TenantStore } from '../../gateway/tenants/tenant-store.js';
import { parseOptions } from '../parse-options.js';

const schema = z.object({
  config: z.string(),
  port: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).optional(),
  host: z.string().optional(),
  dataDir: z.string().optional(),
  quiet: z.boolean().optional(),
});

/** Structured JSON logs, one object per line on stderr (stdout keeps the human banner). */
function jsonLog(quiet: boolean): GatewayLog {
  const write = (level: string, message: string, fields?: Readonly<Record<string, unknown>>) => {
    if (quiet && level === 'info') return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
  };
  return { info: (m, f) => write('info', m, f), warn: (m, f) => write('warn', m, f), error: (m, f) => write('error', m, f) };
}

export async function serveCommand(raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  const { config, warnings } = loadGatewayConfig(o.config);
  const log = jsonLog(o.quiet ?? false);
  for (const w of warnings) log.warn(w);
  const dataDir = resolve(o.dataDir ?? config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clock = realGatewayClock;
  const ledger: Ledger = config.ledger.kind === 'postgres' ? await openPgLedger({ connectionString: config.ledger.url! }) : openSqliteLedger({ dataDir });
  const tenants: TenantStore =
    config.ledger.kind === 'postgres'
      ? await openPgTenantStore({ connectionString: config.ledger.url!, nowMs: () => Date.now() })
      : openSqliteTenantStore({ dataDir, nowMs: () => Date.now() });
  const spendSource = (tenantId: string) => ledger.monthSpendUsd(tenantId, Date.now());
  let redisClose: (() => Promise<unknown>) | undefined;
  let limiter: Limiter;
  if (config.limits.kind === 'redis') {
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.limits.url!, { lazyConnect: false, maxRetriesPerRequest: 2 });
    redisClose = () => redis.quit();
    limiter = new RedisLimiter({ redis, keyPrefix: 'tokenfleet:limits:', spendSource });
  } else {
    limiter = new MemoryLimiter({ spendSource });
  }
  const env = readEnv();
  const generatedAdmin = env.adminToken === undefined;
  const adminToken = env.adminToken ?? `tfadmin-${randomBytes(24).toString('base64url')}`;
  const backends = createConfiguredBackends(config);
  const metrics = createGatewayMetrics();
  const gateway = createGateway({ config, tenants, ledger, limiter, metrics, backendsByModel: backends.backendsByModel, weightOf: (b) => backends.weightOf(b), clock, adminToken, log });
  const demo = config.demoTenant
    ? await ensureDemoTenant(tenants, config.demoTenant.name, {
        createKey: true,
        fields: { budgetUsdPerMonth: config.demoTenant.budgetUsdPerMonth, rpm: config.demoTenant.rpm, tpm: config.demoTenant.tpm },
      })
    : undefined;
  const host = o.host ?? config.listen.host;
  const port = o.port ?? config.listen.port;
  await new Promise<void>((resolveListen, reject) => {
    gateway.server.once('error', reject);
    gateway.server.listen(port, host, () => resolveListen());
  });
  const address = gateway.server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  const firstModel = config.models[0]!.id;
  const lines = [
    `tokenfleet gateway listening on ${url}`,
    `  models:    ${config.models.map((m) => `${m.id} (${m.pools.map((p) => p.name).join(', ')})`).join('; ')}`,
    `  data:      ${config.ledger.kind === 'postgres' ? 'PostgreSQL' : dataDir}; limits in ${config.limits.kind}`,
    `  metrics:   ${url}/metrics`,
    generatedAdmin ? `  admin token (generated for this run; set TOKENFLEET_ADMIN_TOKEN to choose one): ${adminToken}` : '  admin token: from TOKENFLEET_ADMIN_TOKEN',
  ];
  if (demo?.key) {
    lines.push(
      `  demo tenant '${demo.tenant.name}' (${demo.tenant.id}), new key: ${demo.key.key}`,
      '',
      'Try it:',
      `  curl -s ${url}/v1/chat/completions -H "Authorization: Bearer ${demo.key.key}" -H "Content-Type: application/json" \\`,
      `    -d '{"model":"${firstModel}","messages":[{"role":"user","content":"Hello"}],"max_tokens":32}'`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down');
  await gateway.close({ drainTimeoutMs: 5000 });
  backends.close();
  await ledger.close();
  await tenants.close();
  await redisClose?.();
}
