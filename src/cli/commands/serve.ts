/**
 * @module `tokenfleet serve` (and `npm start`): the OpenAI-compatible gateway
 * on the fleet of gateway.yaml (by default an emulated mixed fleet), with the
 * ledger and tenants in SQLite (or PostgreSQL) and limits in memory (or Redis).
 * Mounts the dashboard (its API and the built front end) on the same port and
 * plans its scenario in the background, in a worker thread.
 * Prints the URL, the dashboard URL (with the admin token when generated), a
 * demo key and a curl example.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readEnv } from '../../config/env.js';
import { readTextFile } from '../../config/read-text-file.js';
import { createDashboard } from '../../dashboard/create-dashboard.js';
import { workerExecutor } from '../../dashboard/jobs/worker-executor.js';
import { DEFAULT_WEB_DIR } from '../../dashboard/static-files.js';
import { loadGatewayConfig } from '../../gateway/config/gateway-config.js';
import { openPgLedger } from '../../gateway/ledger/pg-ledger.js';
import { openSqliteLedger } from '../../gateway/ledger/sqlite-ledger.js';
import type { Ledger } from '../../gateway/ledger/ledger.js';
import type { Limiter } from '../../gateway/limits/limiter.js';
import { MemoryLimiter } from '../../gateway/limits/memory-limiter.js';
import { monthSpendCache } from '../../gateway/limits/month-spend-cache.js';
import { RedisLimiter } from '../../gateway/limits/redis-limiter.js';
import { createGatewayMetrics } from '../../gateway/metrics/gateway-metrics.js';
import { createConfiguredBackends } from '../../gateway/server/create-configured-backends.js';
import { createGateway } from '../../gateway/server/create-gateway.js';
import { realGatewayClock, type GatewayLog } from '../../gateway/server/gateway-context.js';
import { ensureDemoTenant } from '../../gateway/tenants/demo-tenant.js';
import { openPgTenantStore } from '../../gateway/tenants/pg-tenant-store.js';
import { openSqliteTenantStore } from '../../gateway/tenants/sqlite-tenant-store.js';
import type { TenantStore } from '../../gateway/tenants/tenant-store.js';
import { startLoad, type LoadRun } from '../../loadgen/start-load.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseOptions } from '../parse-options.js';

const schema = z.object({
  config: z.string(),
  port: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).optional(),
  host: z.string().optional(),
  dataDir: z.string().optional(),
  quiet: z.boolean().optional(),
  scenario: z.string().optional(),
  plan: z.boolean().optional(),
  planCache: z.string(),
  tracesDir: z.string(),
  demoLoad: z.coerce.number({ error: 'expected requests per second' }).min(0, 'expected 0 (none) or more requests per second').max(100, 'a demo load is gentle: at most 100 requests per second (use tokenfleet load for more)'),
});

/** The background demo load: three tenants, short prompts and answers, half streamed. */
const DEMO_LOAD = { tenants: 3, streamShare: 0.5, maxPromptTokens: 1024, maxOutputTokens: 256 } as const;

/** The dashboard's scenario when --scenario is not given (skipped with a warning if absent). */
const DEFAULT_SCENARIO = 'scenarios/bytedance-2026.yaml';

/** Structured JSON logs, one object per line on stderr (stdout keeps the human banner). */
function jsonLog(quiet: boolean): GatewayLog {
  const write = (level: string, message: string, fields?: Readonly<Record<string, unknown>>) => {
    if (quiet && level === 'info') return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
  };
  return { info: (m, f) => write('info', m, f), warn: (m, f) => write('warn', m, f), error: (m, f) => write('error', m, f) };
}

/** Why the server could not listen, said for the person who typed the command (other errors pass through). */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (e.code) {
    case 'EADDRINUSE':
      return new InvalidInputError(`${host}:${port} is already in use (another tokenfleet serve?): stop it, or choose another port with --port N (0 picks a free one)`, 'port');
    case 'EACCES':
      return new InvalidInputError(`not allowed to listen on ${host}:${port} (ports below 1024 need privileges): choose another with --port N`, 'port');
    case 'EADDRNOTAVAIL':
      return new InvalidInputError(`${host} is not an address of this machine: fix listen.host in the config or pass --host`, 'host');
    default:
      return e;
  }
}

export async function serveCommand(raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  const { config, warnings } = loadGatewayConfig(o.config);
  const log = jsonLog(o.quiet ?? false);
  for (const w of warnings) log.warn(w);
  const dataDir = resolve(o.dataDir ?? config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clock = realGatewayClock;
  const store: Ledger = config.ledger.kind === 'postgres' ? await openPgLedger({ connectionString: config.ledger.url! }) : openSqliteLedger({ dataDir, checkpoints: 'background' });
  // Budgets read the month's spend from a cache the ledger's own records keep current (no scan per request).
  const { ledger, spendSource } = monthSpendCache(store, { nowMs: () => Date.now() });
  const tenants: TenantStore =
    config.ledger.kind === 'postgres'
      ? await openPgTenantStore({ connectionString: config.ledger.url!, nowMs: () => Date.now() })
      : openSqliteTenantStore({ dataDir, nowMs: () => Date.now() });
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
  const scenarioFile = o.scenario ?? DEFAULT_SCENARIO;
  const scenarioMissing = o.scenario === undefined && !existsSync(scenarioFile);
  if (scenarioMissing) log.warn(`dashboard: no scenario ${scenarioFile} here; the dashboard starts without a plan (pass --scenario FILE)`);
  const dashboard = createDashboard({
    executor: workerExecutor(),
    scenario: scenarioMissing ? undefined : { file: scenarioFile, yaml: readTextFile(scenarioFile, `--scenario ${scenarioFile}`) },
    planCacheFile: o.planCache,
    tracesDir: resolve(o.tracesDir),
    webDir: fileURLToPath(DEFAULT_WEB_DIR),
    // The all-time token count of the dashboard: the ledger's totals now plus what this run adds.
    ledgerTotalsAtStart: await ledger.totals(),
    nowMs: () => clock.epochMs(),
    log,
  });
  const gateway = createGateway({
    config,
    tenants,
    ledger,
    limiter,
    metrics,
    backendsByModel: backends.backendsByModel,
    weightOf: (b) => backends.weightOf(b),
    clock,
    adminToken,
    log,
    fallback: dashboard.fallback,
  });
  dashboard.startSampling(gateway.context);
  const demo = config.demoTenant
    ? await ensureDemoTenant(tenants, config.demoTenant.name, {
        createKey: true,
        fields: { budgetUsdPerMonth: config.demoTenant.budgetUsdPerMonth, rpm: config.demoTenant.rpm, tpm: config.demoTenant.tpm },
      })
    : undefined;
  const host = o.host ?? config.listen.host;
  const port = o.port ?? config.listen.port;
  await new Promise<void>((resolveListen, reject) => {
    gateway.server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, host, port)));
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
    generatedAdmin ? `  dashboard: ${url}/#admin=${adminToken}` : `  dashboard: ${url}/ (paste the admin token from TOKENFLEET_ADMIN_TOKEN for the admin views)`,
  ];
  const planJob = o.plan === false ? undefined : dashboard.planScenario();
  if (planJob !== undefined) lines.push(`  plan:      ${scenarioFile}, all variants, computing in the background (job ${planJob})`);
  if (demo?.key) {
    lines.push(
      `  demo tenant '${demo.tenant.name}' (${demo.tenant.id}), new key: ${demo.key.key}`,
      '',
      'Try it:',
      `  curl -s ${url}/v1/chat/completions -H "Authorization: Bearer ${demo.key.key}" -H "Content-Type: application/json" \\`,
      `    -d '{"model":"${firstModel}","messages":[{"role":"user","content":"Hello"}],"max_tokens":32}'`,
    );
  }
  let demoLoad: LoadRun | undefined;
  if (o.demoLoad > 0) {
    try {
      demoLoad = await startLoad({ url, adminToken, rps: o.demoLoad, ...DEMO_LOAD });
      lines.push('', `A gentle demo load runs in the background: ${o.demoLoad} request(s)/s over tenants ${demoLoad.tenants.map((t) => t.name).join(', ')} (--demo-load 0 to stop it).`);
    } catch (e) {
      log.warn('demo load: could not start', { error: e instanceof Error ? e.message : String(e) });
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down');
  await demoLoad?.stop({ drainTimeoutMs: 2000 });
  dashboard.close();
  await gateway.close({ drainTimeoutMs: 5000 });
  backends.close();
  await ledger.close();
  await tenants.close();
  await redisClose?.();
}
