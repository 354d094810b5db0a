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

interface WindowEntry {
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly atMs: number;
  tokens: number;
}

interface TenantState {
  /** Reservations of the last window, oldest first; `head` is the first live index. */
  log: WindowEntry[];
  head: number;
  byId: Map<string, WindowEntry>;
  /** Sum of `tokens` over the live log. */
  windowTokens: number;
  /** Unsettled reservations in reservation order: id -> reserved at (ms) and cost (micro-USD). */
  inFlight: Map<string, { atMs: number; costMicroUsd: number }>;
  inFlightMicroUsd: number;
  /** Latest reservation time, so that a clock stepping back cannot break the log's order. */
  lastAtMs: number;
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
    const entry: WindowEntry = { id, atMs, tokens };
    s.log.push(entry);
    s.byId.set(id, entry);
    s.windowTokens += tokens;
    s.inFlight.set(id, { atMs, costMicroUsd });
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
    const entry = s.byId.get(reservation.id);
    if (entry !== undefined) {
      const tokens = usedTokens(actual);
      s.windowTokens += tokens - entry.tokens;
      entry.tokens = tokens;
    }
  }

  private check(tenant: Tenant, s: TenantState, tokens: number, costMicroUsd: number, spendUsd: number, nowMs: number): Refusal | undefined {
    const live = s.log.length - s.head;
    if (tenant.rpm !== undefined && live >= tenant.rpm) {
      // The window must lose live - rpm + 1 entries; the last of them frees the slot.
      const freeing = s.log[s.head + live - tenant.rpm]!;
      return { reason: 'rpm', retryAfterMs: freeing.atMs + this.windowMs - nowMs };
    }
    if (tenant.tpm !== undefined && s.windowTokens + tokens > tenant.tpm) {
      if (tokens > tenant.tpm) return { reason: 'tpm', retryAfterMs: undefined };
      let remaining = s.windowTokens;
      for (let i = s.head; i < s.log.length; i++) {
        const e = s.log[i]!;
        remaining -= e.tokens;
        if (remaining + tokens <= tenant.tpm) return { reason: 'tpm', retryAfterMs: e.atMs + this.windowMs - nowMs };
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
      s = { log: [], head: 0, byId: new Map(), windowTokens: 0, inFlight: new Map(), inFlightMicroUsd: 0, lastAtMs: -Infinity };
      this.tenants.set(tenantId, s);
    }
    return s;
  }

  /** Drops log entries older than the window and in-flight reservations older than the TTL. */
  private purge(s: TenantState, nowMs: number): void {
    const windowStart = nowMs - this.windowMs;
    while (s.head < s.log.length && s.log[s.head]!.atMs <= windowStart) {
      const e = s.log[s.head]!;
      s.windowTokens -= e.tokens;
      s.byId.delete(e.id);
      s.head++;
    }
    if (s.head === s.log.length) {
      if (s.head > 0) s.log = [];
      s.head = 0;
    } else if (s.head > 1024 && s.head * 2 > s.log.length) {
      s.log = s.log.slice(s.head);
      s.head = 0;
    }
    const ttlStart = nowMs - this.ttlMs;
    for (const [id, held] of s.inFlight) {
      if (held.atMs > ttlStart) break;
      s.inFlight.delete(id);
      s.inFlightMicroUsd -= held.costMicroUsd;
    }
  }
}
