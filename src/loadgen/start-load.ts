/**
 * @module The load generator's programmatic API: `startLoad(options)` finds
 * or creates the tenants and keys, picks the models, then sends requests on
 * an open-loop schedule (Poisson at `rps`, or a ServeGen replay) over one
 * keep-alive agent until `durationSeconds` or `stop()`. Open loop: a request
 * is sent when it is due whatever is still in flight (up to `maxInFlight`,
 * past which it is counted as skipped), so a slow gateway shows as latency
 * rather than as a lower offered rate.
 *
 * `tokenfleet load` runs it from the command line; `tokenfleet serve` can run
 * a gentle one in the background.
 */
import { Agent, type ClientRequest } from 'node:http';
import { InvalidInputError } from '../core/errors.js';
import { loadServegenDir } from '../sim/workload/servegen-files.js';
import type { ServegenClient } from '../sim/workload/servegen.js';
import { completionBodies } from './completion-body.js';
import { listModels, provisionTenants, type LoadTenant } from './gateway-admin.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, DEFAULT_MAX_PROMPT_TOKENS, SHAREGPT_LIKE_LENGTHS, type LoadLengths } from './load-lengths.js';
import { emptyPlannedRequest, poissonSchedule, servegenSchedule, type LoadSchedule } from './load-schedule.js';
import { LoadStats, type LoadSummary } from './load-stats.js';
import { sendCompletion, type CompletionResult, type CompletionTarget } from './send-completion.js';
import { assignKeys, planClientTenants, planLoadTenants } from './tenant-plan.js';

export const DEFAULT_LOAD_URL = 'http://127.0.0.1:8080';

export interface ServegenReplay {
  /** A ServeGen profile folder (chunk-<n>-trace.csv + chunk-<n>-dataset.json per client). */
  readonly dir: string;
  /** Where in the profile's day to start, seconds (default 0). */
  readonly startSeconds?: number;
  /** Multiplies every client's rate (default 1). */
  readonly rateScale?: number;
  /** Keep only the busiest clients over the day (default all). */
  readonly maxClients?: number;
}

export interface LoadOptions {
  /** Base URL of the gateway (default http://127.0.0.1:8080). */
  readonly url?: string;
  /** Poisson arrivals at this mean rate, requests per second (or `servegen`). */
  readonly rps?: number;
  /** Replay ServeGen's per-client rates instead of `rps`, one tenant per client. */
  readonly servegen?: ServegenReplay;
  /** Stop sending after this long, seconds (default: until stop()). */
  readonly durationSeconds?: number;
  /** Create (or reuse by name) this many tenants `load-1..K` through the admin API (or give `keys`). */
  readonly tenants?: number;
  /** Admin bearer token, needed to create tenants. */
  readonly adminToken?: string;
  /** API keys to send with instead of creating tenants; schedule tenant i uses keys[i mod n]. */
  readonly keys?: readonly string[];
  /** Models to spread requests over (default: every model of GET /v1/models). */
  readonly models?: readonly string[];
  /** Share of streamed requests, 0 to 1 (default 0.5). */
  readonly streamShare?: number;
  /** Prompt and output lengths (default: ShareGPT-like lognormals; ServeGen brings its own). */
  readonly lengths?: LoadLengths;
  /** Caps of the lengths, tokens (defaults 4096 and 2048). */
  readonly maxPromptTokens?: number;
  readonly maxOutputTokens?: number;
  /** Seed of the schedule (default 1). */
  readonly seed?: number;
  /** Extra headers on every completion request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Most requests waiting for an answer at once (default 10,000). */
  readonly maxInFlight?: number;
  /** Called with every outcome and the tenant it was sent as. */
  readonly onResult?: (result: CompletionResult, tenant: LoadTenant) => void;
  /** Monotonic clock, ms (default performance.now). */
  readonly now?: () => number;
}

export interface StopOptions {
  /** How long requests in flight may still finish before they are cut, ms (default 10,000). */
  readonly drainTimeoutMs?: number;
}

export interface LoadRun {
  /** The tenants requests are sent as (schedule tenant i is tenants[i]). */
  readonly tenants: readonly LoadTenant[];
  readonly models: readonly string[];
  /** The counts so far. */
  stats(): LoadSummary;
  /** Stops sending, lets requests in flight finish (cutting them after the drain time), and sums up. */
  stop(options?: StopOptions): Promise<LoadSummary>;
  /** Resolves when the duration has passed and every request has its outcome (never without a duration, until stop()). */
  readonly finished: Promise<LoadSummary>;
}

interface ParsedUrl {
  readonly base: string;
  readonly hostname: string;
  readonly port: number;
  readonly pathPrefix: string;
}

function parseUrl(url: string): ParsedUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidInputError(`expected a URL like ${DEFAULT_LOAD_URL}, got '${url}'`, 'url');
  }
  if (u.protocol !== 'http:') throw new InvalidInputError(`only http:// gateways are supported, got '${url}'`, 'url');
  const pathPrefix = u.pathname.replace(/\/+$/, '');
  return { base: `${u.origin}${pathPrefix}`, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port === '' ? 80 : Number(u.port), pathPrefix };
}

/** The `n` clients with the most requests over the day (all when n is undefined), in their original order. */
export function busiestClients(clients: readonly ServegenClient[], n: number | undefined): ServegenClient[] {
  if (n === undefined || n >= clients.length) return [...clients];
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidInputError(`expected a positive whole number, got ${n}`, 'max-clients');
  const daily = clients.map((c, i) => ({ i, requests: c.windows.reduce((s, w) => s + w.rateRps * c.windowSeconds, 0) }));
  const keep = new Set(daily.sort((a, b) => b.requests - a.requests || a.i - b.i).slice(0, n).map((d) => d.i));
  return clients.filter((_, i) => keep.has(i));
}

interface Plan {
  readonly tenants: LoadTenant[];
  readonly models: string[];
  readonly schedule: LoadSchedule;
  readonly maxPromptTokens: number;
}

async function plan(o: LoadOptions, url: ParsedUrl): Promise<Plan> {
  if ((o.rps === undefined) === (o.servegen === undefined)) throw new InvalidInputError('give either a rate (--rps) or a ServeGen profile (--servegen)', 'rps');
  if (o.tenants !== undefined && o.keys !== undefined) throw new InvalidInputError('give either --tenants (created with the admin token) or --key, not both', 'tenants');
  const seed = o.seed ?? 1;
  const streamShare = o.streamShare ?? 0.5;
  const caps = { maxPromptTokens: o.maxPromptTokens ?? DEFAULT_MAX_PROMPT_TOKENS, maxOutputTokens: o.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS };
  for (const [name, v] of [['max-prompt-tokens', caps.maxPromptTokens], ['max-output-tokens', caps.maxOutputTokens]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new InvalidInputError(`expected a positive whole number, got ${v}`, name);
  }
  if (o.durationSeconds !== undefined && !(o.durationSeconds > 0)) throw new InvalidInputError(`expected a positive number of seconds, got ${o.durationSeconds}`, 'duration');

  const clients = o.servegen !== undefined ? busiestClients(loadServegenDir(o.servegen.dir), o.servegen.maxClients) : undefined;
  let tenants: LoadTenant[];
  if (o.keys !== undefined) {
    const slots = clients?.length ?? o.keys.length;
    tenants = assignKeys(o.keys, slots).map((key, i) => ({ name: clients?.[i]?.name ?? `key-${(i % o.keys!.length) + 1}`, key }));
  } else {
    const planned = clients !== undefined ? planClientTenants(clients.map((c) => c.name)) : planLoadTenants(o.tenants ?? 4);
    if (o.adminToken === undefined || o.adminToken === '') {
      throw new InvalidInputError('creating tenants needs the admin token: pass --admin-token or set TOKENFLEET_ADMIN_TOKEN, or send with existing keys (--key)', 'admin-token');
    }
    tenants = await provisionTenants(url.base, o.adminToken, planned);
  }
  const available = await listModels(url.base, tenants[0]!.key);
  const models = o.models !== undefined && o.models.length > 0 ? [...o.models] : available;
  const unknown = models.filter((m) => !available.includes(m));
  if (unknown.length > 0) throw new InvalidInputError(`the gateway does not serve ${unknown.join(', ')} to this key (it serves: ${available.join(', ') || 'nothing'})`, 'models');
  if (models.length === 0) throw new InvalidInputError('the gateway serves no model to this key', 'models');

  const schedule =
    clients !== undefined
      ? servegenSchedule(clients, { seed, modelCount: models.length, streamShare, startSeconds: o.servegen!.startSeconds ?? 0, rateScale: o.servegen!.rateScale ?? 1, caps })
      : poissonSchedule({ rps: o.rps!, seed, tenantCount: tenants.length, modelCount: models.length, streamShare, lengths: o.lengths ?? SHAREGPT_LIKE_LENGTHS, caps });
  return { tenants, models, schedule, maxPromptTokens: caps.maxPromptTokens };
}

/** Plans the run (creating tenants and keys when asked), then starts sending at once. */
export async function startLoad(options: LoadOptions): Promise<LoadRun> {
  const url = parseUrl(options.url ?? DEFAULT_LOAD_URL);
  const maxInFlight = options.maxInFlight ?? 10_000;
  if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1)) throw new InvalidInputError(`expected a positive whole number, got ${maxInFlight}`, 'maxInFlight');
  const { tenants, models, schedule, maxPromptTokens } = await plan(options, url);
  const now = options.now ?? (() => performance.now());
  const agent = new Agent({ keepAlive: true, maxSockets: Math.min(maxInFlight, 4096), scheduling: 'lifo' });
  const target: CompletionTarget = {
    agent,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathPrefix}/v1/chat/completions`,
    ...(options.headers !== undefined && { headers: options.headers }),
  };
  const bodies = completionBodies(models, maxPromptTokens);
  const stats = new LoadStats();
  const inFlight = new Set<ClientRequest>();
  const endMs = options.durationSeconds === undefined ? Number.POSITIVE_INFINITY : options.durationSeconds * 1000;
  const next = emptyPlannedRequest();
  let hasNext = schedule.next(next);
  let sending = true;
  let timer: NodeJS.Timeout | undefined;
  let stoppedAtMs: number | undefined;
  let resolveFinished!: (s: LoadSummary) => void;
  const finished = new Promise<LoadSummary>((resolve) => (resolveFinished = resolve));
  const startMs = now();
  const elapsed = () => (stoppedAtMs ?? now()) - startMs;

  const settleIfDone = () => {
    if (sending || inFlight.size > 0) return;
    stoppedAtMs ??= now();
    agent.destroy();
    resolveFinished(stats.summary(elapsed()));
  };

  const tick = () => {
    timer = undefined;
    if (!sending) return;
    const t = now() - startMs;
    while (hasNext && next.atMs <= t && next.atMs < endMs) {
      if (inFlight.size >= maxInFlight) {
        stats.skipped++;
      } else {
        stats.recordSend(t - next.atMs);
        const tenant = tenants[next.tenant]!;
        const req = sendCompletion(target, tenant.key, bodies.body(next.model, next.promptTokens, next.outputTokens, next.stream), next.stream, now, (r) => {
          inFlight.delete(req);
          stats.record(r);
          options.onResult?.(r, tenant);
          settleIfDone();
        });
        inFlight.add(req);
      }
      hasNext = schedule.next(next);
    }
    if (!hasNext || next.atMs >= endMs) {
      sending = false;
      stoppedAtMs = startMs + Math.min(endMs, t);
      settleIfDone();
      return;
    }
    timer = setTimeout(tick, Math.max(0, next.atMs - (now() - startMs)));
  };
  tick();

  return {
    tenants,
    models,
    stats: () => stats.summary(elapsed()),
    async stop(stopOptions = {}) {
      if (sending) {
        sending = false;
        stoppedAtMs = now();
        if (timer !== undefined) clearTimeout(timer);
        settleIfDone();
      }
      if (inFlight.size > 0) {
        let cut: NodeJS.Timeout | undefined;
        await Promise.race([finished, new Promise<void>((resolve) => (cut = setTimeout(resolve, stopOptions.drainTimeoutMs ?? 10_000)))]);
        clearTimeout(cut);
        for (const req of inFlight) req.destroy();
      }
      return finished;
    },
    finished,
  };
}
