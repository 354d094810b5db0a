/**
 * @module The limiter shared by several gateway instances: the same sliding
 * logs as MemoryLimiter, kept in Redis and checked-and-reserved by one Lua
 * script (atomic on the server), settled by another. Time comes from the
 * caller's `nowMs`, passed into the scripts, never from Redis TIME.
 *
 * Keys per tenant, all sharing the hash tag `{tenant}` (one cluster slot):
 *   <prefix>{tenant}:win   zset  reservation id -> reserved at (ms), last window
 *   <prefix>{tenant}:tok   hash  reservation id -> tokens, plus '~total'
 *   <prefix>{tenant}:fly   zset  reservation id -> reserved at (ms), unsettled
 *   <prefix>{tenant}:cost  hash  reservation id -> micro-USD, plus '~total'
 * Each key also gets a real-time PEXPIRE so that idle tenants leave nothing behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Tenant } from '../auth/tenant.js';
import {
  DEFAULT_RESERVATION_TTL_MS,
  DEFAULT_WINDOW_MS,
  IN_FLIGHT_RETRY_MS,
  msUntilNextMonthUtc,
  reservedTokens,
  toMicroUsd,
  toMicroUsdCeil,
  toRejection,
  usedTokens,
  type ActualUsage,
  type Limiter,
  type LimiterOptions,
  type Refusal,
  type Rejection,
  type Reservation,
  type SpendSource,
  type UsageEstimate,
} from './limiter.js';

// Drops the entries of zset KEYS[z] scored <= upto, and their values in hash
// KEYS[h], keeping h's '~total' equal to the sum of what is left. Pages of 500
// keep unpack() well inside Lua's stack limit.
const DROP = `
local function drop(z, h, upto)
  local freed = 0
  while true do
    local ids = redis.call('ZRANGEBYSCORE', z, '-inf', upto, 'LIMIT', 0, 500)
    if #ids == 0 then break end
    local vals = redis.call('HMGET', h, unpack(ids))
    for i = 1, #vals do freed = freed + (tonumber(vals[i]) or 0) end
    redis.call('HDEL', h, unpack(ids))
    redis.call('ZREM', z, unpack(ids))
  end
  if freed ~= 0 then redis.call('HINCRBY', h, '~total', string.format('%d', -freed)) end
end
`;

/**
 * ARGV: 1 nowMs, 2 windowMs, 3 ttlMs, 4 id, 5 rpm, 6 tpm, 7 tokens, 8 budget
 * micro-USD, 9 spend micro-USD, 10 cost micro-USD, 11 key expiry ms (limits: -1 = none).
 * Returns {'ok'}, {'rpm'|'tpm', retryAfterMs ('-1': never fits)} or {'budget', 'month'|'inflight'}.
 */
const RESERVE = `${DROP}
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local id = ARGV[4]
local rpm = tonumber(ARGV[5])
local tpm = tonumber(ARGV[6])
local tokens = tonumber(ARGV[7])
local budget = tonumber(ARGV[8])
local spend = tonumber(ARGV[9])
local cost = tonumber(ARGV[10])
drop(KEYS[1], KEYS[2], now - windowMs)
drop(KEYS[3], KEYS[4], now - tonumber(ARGV[3]))

if rpm >= 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n >= rpm then
    if rpm == 0 then return {'rpm', tostring(windowMs)} end
    local e = redis.call('ZRANGE', KEYS[1], n - rpm, n - rpm, 'WITHSCORES')
    return {'rpm', tostring(tonumber(e[2]) + windowMs - now)}
  end
end
if tpm >= 0 then
  local remaining = tonumber(redis.call('HGET', KEYS[2], '~total') or '0')
  if remaining + tokens > tpm then
    if tokens > tpm then return {'tpm', '-1'} end
    local start = 0
    while true do
      local page = redis.call('ZRANGE', KEYS[1], start, start + 99, 'WITHSCORES')
      if #page == 0 then break end
      for i = 1, #page, 2 do
        remaining = remaining - (tonumber(redis.call('HGET', KEYS[2], page[i])) or 0)
        if remaining + tokens <= tpm then return {'tpm', tostring(tonumber(page[i + 1]) + windowMs - now)} end
      end
      start = start + 100
    end
    return {'tpm', tostring(windowMs)}
  end
end
if budget >= 0 then
  if spend + cost > budget then return {'budget', 'month'} end
  local inflight = tonumber(redis.call('HGET', KEYS[4], '~total') or '0')
  if spend + inflight + cost > budget then return {'budget', 'inflight'} end
end

redis.call('ZADD', KEYS[1], ARGV[1], id)
redis.call('HSET', KEYS[2], id, ARGV[7])
redis.call('HINCRBY', KEYS[2], '~total', ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[1], id)
redis.call('HSET', KEYS[4], id, ARGV[10])
redis.call('HINCRBY', KEYS[4], '~total', ARGV[10])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[11]) end
return {'ok'}
`;

/**
 * ARGV: 1 id, 2 actual tokens, 3 nowMs, 4 ttlMs. Only a reservation still in
 * flight is settled: a second settle, or one after the reservation TTL (left
 * for the next reserve to drop), changes nothing.
 */
const SETTLE = `
local id = ARGV[1]
local at = redis.call('ZSCORE', KEYS[3], id)
if not at or tonumber(at) <= tonumber(ARGV[3]) - tonumber(ARGV[4]) then return 0 end
local c = redis.call('HGET', KEYS[4], id)
if not c then return 0 end
redis.call('HDEL', KEYS[4], id)
redis.call('ZREM', KEYS[3], id)
redis.call('HINCRBY', KEYS[4], '~total', string.format('%d', -tonumber(c)))
local prev = redis.call('HGET', KEYS[2], id)
if prev then
  redis.call('HSET', KEYS[2], id, ARGV[2])
  redis.call('HINCRBY', KEYS[2], '~total', string.format('%d', tonumber(ARGV[2]) - tonumber(prev)))
end
return 1
`;

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const reserveScript = script(RESERVE);
const settleScript = script(SETTLE);

export interface RedisLimiterOptions extends LimiterOptions {
  redis: Redis;
  /** Prepended to every key, e.g. `tf:limits:`; distinct per deployment (and per test run). */
  keyPrefix: string;
  /** Reservation ids, unique across instances; default randomUUID. */
  newId?: () => string;
}

export class RedisLimiter implements Limiter {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly spendSource: SpendSource;
  private readonly windowMs: number;
  private readonly ttlMs: number;
  private readonly expireMs: number;
  private readonly newId: () => string;

  constructor(options: RedisLimiterOptions) {
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix;
    this.spendSource = options.spendSource;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.expireMs = Math.ceil(Math.max(this.windowMs, this.ttlMs) + 60_000);
    this.newId = options.newId ?? randomUUID;
  }

  async reserve(tenant: Tenant, estimate: UsageEstimate, nowMs: number): Promise<Reservation | Rejection> {
    const spendUsd = tenant.budgetUsdPerMonth === undefined ? 0 : await this.spendSource(tenant.id);
    const id = this.newId();
    const tokens = reservedTokens(estimate);
    const costMicroUsd = toMicroUsdCeil(estimate.costUsd);
    const reply = await this.run(reserveScript, this.keysOf(tenant.id), [
      nowMs,
      this.windowMs,
      this.ttlMs,
      id,
      tenant.rpm ?? -1,
      tenant.tpm ?? -1,
      tokens,
      tenant.budgetUsdPerMonth === undefined ? -1 : toMicroUsd(tenant.budgetUsdPerMonth),
      toMicroUsd(spendUsd),
      costMicroUsd,
      this.expireMs,
    ]);
    const refusal = this.refusalOf(reply, nowMs);
    if (refusal !== undefined) return toRejection(tenant, estimate, refusal, this.windowMs);
    return { ok: true, id, tenantId: tenant.id, reservedAtMs: nowMs, tokens, costUsd: estimate.costUsd };
  }

  async settle(reservation: Reservation, actual: ActualUsage, nowMs: number): Promise<void> {
    await this.run(settleScript, this.keysOf(reservation.tenantId), [reservation.id, usedTokens(actual), nowMs, this.ttlMs]);
  }

  private refusalOf(reply: unknown, nowMs: number): Refusal | undefined {
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error(`unexpected reply from the limiter script: ${JSON.stringify(reply)}`);
    const [kind, detail] = reply as [string, string | undefined];
    switch (kind) {
      case 'ok':
        return undefined;
      case 'rpm':
        return { reason: 'rpm', retryAfterMs: Number(detail) };
      case 'tpm':
        return { reason: 'tpm', retryAfterMs: detail === '-1' ? undefined : Number(detail) };
      case 'budget':
        return detail === 'month'
          ? { reason: 'budget', retryAfterMs: msUntilNextMonthUtc(nowMs), inFlight: false }
          : { reason: 'budget', retryAfterMs: IN_FLIGHT_RETRY_MS, inFlight: true };
      default:
        throw new Error(`unexpected reply from the limiter script: ${JSON.stringify(reply)}`);
    }
  }

  /** The tenant's four keys; the id is URI-encoded so that braces in it cannot break the hash tag. */
  private keysOf(tenantId: string): string[] {
    const base = `${this.keyPrefix}{${encodeURIComponent(tenantId)}}`;
    return [`${base}:win`, `${base}:tok`, `${base}:fly`, `${base}:cost`];
  }

  /** EVALSHA, loading the script with EVAL when the server does not have it yet (NOSCRIPT). */
  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    const argv = args.map((a) => (typeof a === 'number' ? numberArg(a) : a));
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...argv);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return await this.redis.eval(s.source, keys.length, ...keys, ...argv);
    }
  }
}

/** Integers are written without exponent (HINCRBY needs a plain integer; 1e21 would not be). */
function numberArg(n: number): string {
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}
