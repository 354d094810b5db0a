/**
 * @module The limiter of a single gateway instance: per-tenant sliding logs in
 * memory. Checks and reservations run synchronously after the one await (the
 * spend look-up), so concurrent calls in one process cannot overbook.
 */
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

/** Initial capacity of a tenant's log ring (a power of two; doubled when full). */
const INITIAL_LOG_CAPACITY = 64;

/** An unsettled reservation. */
interface Held {
  /** Its position in the log (a sequence number, see TenantState). */
  readonly seq: number;
  /** Milliseconds since the epoch. */
  readonly atMs: number;
  readonly costMicroUsd: number;
}

/**
 * A tenant's sliding log of reservations, oldest first, in two typed-array rings: the entry with sequence
 * number `seq` sits at `seq & (capacity - 1)`; `head` is the oldest live entry's, `tail` the next one's.
 * An entry outlives its request by the window (a minute): as numbers in a ring, and not as an object per
 * request, it costs the garbage collector nothing (objects that live that long get promoted and
 * are only freed by full collections).
 */
interface TenantState {
  atMs: Float64Array;
  tokens: Float64Array;
  head: number;
  tail: number;
  /** Sum of `tokens` over the live log. */
  windowTokens: number;
  /** Unsettled reservations in reservation order. */
  inFlight: Map<string, Held>;
  inFlightMicroUsd: number;
  /** Latest reservation time, so that a clock stepping back cannot break the log's order. */
  lastAtMs: number;
}

/** Appends an entry to the log, doubling the rings when they are full. */
function append(s: TenantState, atMs: number, tokens: number): number {
  let capacity = s.atMs.length;
  if (s.tail - s.head === capacity) {
    const atMsGrown = new Float64Array(capacity * 2);
    const tokensGrown = new Float64Array(capacity * 2);
    const from = capacity - 1;
    const to = capacity * 2 - 1;
    for (let seq = s.head; seq < s.tail; seq++) {
      atMsGrown[seq & to] = s.atMs[seq & from]!;
      tokensGrown[seq & to] = s.tokens[seq & from]!;
    }
    s.atMs = atMsGrown;
    s.tokens = tokensGrown;
    capacity *= 2;
  }
  const seq = s.tail++;
  s.atMs[seq & (capacity - 1)] = atMs;
  s.tokens[seq & (capacity - 1)] = tokens;
  return seq;
}

export interface MemoryLimiterOptions extends LimiterOptions {
  /** Reservation ids; default a per-limiter counter. */
  newId?: () => string;
}

export class MemoryLimiter implements Limiter {
  private readonly tenants = new Map<string, TenantState>();
  private readonly spendSource: SpendSource;
  private readonly windowMs: number;
  private readonly ttlMs: number;
  private readonly newId: () => string;

  constructor(options: MemoryLimiterOptions) {
    this.spendSource = options.spendSource;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    let counter = 0;
    this.newId = options.newId ?? (() => `r${++counter}`);
  }

  async reserve(tenant: Tenant, estimate: UsageEstimate, nowMs: number): Promise<Reservation | Rejection> {
    const spendUsd = tenant.budgetUsdPerMonth === undefined ? 0 : await this.spendSource(tenant.id);
    // No await below this line: check and reserve are atomic within the process.
    const s = this.stateOf(tenant.id);
    this.purge(s, nowMs);
    const tokens = reservedTokens(estimate);
    const costMicroUsd = toMicroUsdCeil(estimate.costUsd);
    const refusal = this.check(tenant, s, tokens, costMicroUsd, spendUsd, nowMs);
    if (refusal !== undefined) return toRejection(tenant, estimate, refusal, this.windowMs);

    const atMs = Math.max(nowMs, s.lastAtMs);
    s.lastAtMs = atMs;
    const id = this.newId();
    const seq = append(s, atMs, tokens);
    s.windowTokens += tokens;
    s.inFlight.set(id, { seq, atMs, costMicroUsd });
    s.inFlightMicroUsd += costMicroUsd;
    return { ok: true, id, tenantId: tenant.id, reservedAtMs: atMs, tokens, costUsd: estimate.costUsd };
  }

  async settle(reservation: Reservation, actual: ActualUsage, nowMs: number): Promise<void> {
    const s = this.tenants.get(reservation.tenantId);
    if (s === undefined) return;
    this.purge(s, nowMs);
    // Only a reservation still in flight is settled: a second settle, or one after the TTL, changes nothing.
    const held = s.inFlight.get(reservation.id);
    if (held === undefined) return;
    s.inFlight.delete(reservation.id);
    s.inFlightMicroUsd -= held.costMicroUsd;
    // Its entry may have left the window already.
    if (held.seq >= s.head) {
      const i = held.seq & (s.tokens.length - 1);
      const tokens = usedTokens(actual);
      s.windowTokens += tokens - s.tokens[i]!;
      s.tokens[i] = tokens;
    }
  }

  private check(tenant: Tenant, s: TenantState, tokens: number, costMicroUsd: number, spendUsd: number, nowMs: number): Refusal | undefined {
    const live = s.tail - s.head;
    const mask = s.atMs.length - 1;
    if (tenant.rpm !== undefined && live >= tenant.rpm) {
      // The window must lose live - rpm + 1 entries; the last of them frees the slot.
      const freeingAtMs = s.atMs[(s.head + live - tenant.rpm) & mask]!;
      return { reason: 'rpm', retryAfterMs: freeingAtMs + this.windowMs - nowMs };
    }
    if (tenant.tpm !== undefined && s.windowTokens + tokens > tenant.tpm) {
      if (tokens > tenant.tpm) return { reason: 'tpm', retryAfterMs: undefined };
      let remaining = s.windowTokens;
      for (let seq = s.head; seq < s.tail; seq++) {
        remaining -= s.tokens[seq & mask]!;
        if (remaining + tokens <= tenant.tpm) return { reason: 'tpm', retryAfterMs: s.atMs[seq & mask]! + this.windowMs - nowMs };
      }
      return { reason: 'tpm', retryAfterMs: this.windowMs };
    }
    if (tenant.budgetUsdPerMonth !== undefined) {
      const budget = toMicroUsd(tenant.budgetUsdPerMonth);
      const spend = toMicroUsd(spendUsd);
      if (spend + costMicroUsd > budget) return { reason: 'budget', retryAfterMs: msUntilNextMonthUtc(nowMs), inFlight: false };
      if (spend + s.inFlightMicroUsd + costMicroUsd > budget) return { reason: 'budget', retryAfterMs: IN_FLIGHT_RETRY_MS, inFlight: true };
    }
    return undefined;
  }

  private stateOf(tenantId: string): TenantState {
    let s = this.tenants.get(tenantId);
    if (s === undefined) {
      s = {
        atMs: new Float64Array(INITIAL_LOG_CAPACITY),
        tokens: new Float64Array(INITIAL_LOG_CAPACITY),
        head: 0,
        tail: 0,
        windowTokens: 0,
        inFlight: new Map(),
        inFlightMicroUsd: 0,
        lastAtMs: -Infinity,
      };
      this.tenants.set(tenantId, s);
    }
    return s;
  }

  /** Drops log entries older than the window and in-flight reservations older than the TTL. */
  private purge(s: TenantState, nowMs: number): void {
    const windowStart = nowMs - this.windowMs;
    const mask = s.atMs.length - 1;
    while (s.head < s.tail && s.atMs[s.head & mask]! <= windowStart) {
      s.windowTokens -= s.tokens[s.head & mask]!;
      s.head++;
    }
    // An emptied window returns to exact zero (no rounding drift from the additions and subtractions).
    if (s.head === s.tail) s.windowTokens = 0;
    const ttlStart = nowMs - this.ttlMs;
    for (const [id, held] of s.inFlight) {
      if (held.atMs > ttlStart) break;
      s.inFlight.delete(id);
      s.inFlightMicroUsd -= held.costMicroUsd;
    }
  }
}
