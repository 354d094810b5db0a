/**
 * @module The limiter interface checked before a request is forwarded:
 * reserve an estimate (RPM, TPM, budget) and settle it with the actual usage.
 *
 * Semantics shared by every implementation (see limiter.test.ts, the contract):
 *
 * - RPM and TPM are exact sliding windows of `windowMs` (60 s): a reservation
 *   made at time t counts while `now < t + windowMs`. A sliding log rather than
 *   a token bucket, because a bucket of capacity N refilling N per minute lets
 *   up to 2N requests through in some 60 s span; the log guarantees that no 60 s
 *   span ever holds more than `rpm` requests (or `tpm` tokens), across every
 *   gateway instance sharing the store. It costs one entry per request in the
 *   last minute per tenant.
 * - A request counts against RPM when reserved, whatever happens to it later.
 * - TPM reserves `inputTokens + maxOutputTokens` and settle replaces that with
 *   `inputTokens + outputTokens` actually used; the tokens stay dated at the
 *   reservation time. Settling after the window has passed changes nothing.
 * - Budget: the month's settled spend (from `spendSource`, i.e. the ledger)
 *   plus the cost of reservations in flight plus the estimate must not exceed
 *   `budgetUsdPerMonth`. Settle removes the reservation from the in-flight set,
 *   so the caller records the actual cost in the ledger first, then settles.
 *   A reservation never settled (crashed instance) stops counting after
 *   `reservationTtlMs`. Months are calendar months in UTC.
 * - An absent limit is not checked. Only a reservation still in flight is
 *   settled: settling twice (the first settle wins), or settling an unknown
 *   reservation or one older than `reservationTtlMs`, is a no-op.
 * - Time is the `nowMs` argument (milliseconds since the epoch), never a clock
 *   read inside the limiter.
 */
import type { Tenant } from '../auth/tenant.js';

/** What a request is expected to use, known before it is forwarded. */
export interface UsageEstimate {
  /** Prompt tokens (counted or estimated). */
  inputTokens: number;
  /** The request's output cap (max_tokens), in tokens. */
  maxOutputTokens: number;
  /** Worst-case cost of the request, in US dollars. */
  costUsd: number;
}

/** What a request actually used, known when it ends. */
export interface ActualUsage {
  inputTokens: number;
  outputTokens: number;
  /** In US dollars. The ledger records it; the limiter only drops the in-flight estimate. */
  costUsd: number;
}

export interface Reservation {
  ok: true;
  /** Unique across gateway instances sharing a store. */
  id: string;
  tenantId: string;
  /** Milliseconds since the epoch. */
  reservedAtMs: number;
  /** Tokens held against TPM until settled. */
  tokens: number;
  /** Estimated cost held against the budget until settled, in US dollars. */
  costUsd: number;
}

export type LimitReason = 'rpm' | 'tpm' | 'budget';

export interface Rejection {
  ok: false;
  reason: LimitReason;
  /** Whole seconds (at least 1) after which the same request may pass: the HTTP Retry-After value. */
  retryAfterSeconds: number;
  /** Human-readable, safe to return to the tenant. */
  message: string;
}

export interface Limiter {
  reserve(tenant: Tenant, estimate: UsageEstimate, nowMs: number): Promise<Reservation | Rejection>;
  settle(reservation: Reservation, actual: ActualUsage, nowMs: number): Promise<void>;
}

/** The tenant's settled spend this month, in US dollars (from the ledger). */
export type SpendSource = (tenantId: string) => Promise<number>;

export interface LimiterOptions {
  spendSource: SpendSource;
  /** Length of the RPM/TPM sliding window, in milliseconds (default 60 000). */
  windowMs?: number;
  /** After this many milliseconds an unsettled reservation stops counting against the budget (default 10 minutes). */
  reservationTtlMs?: number;
}

export const DEFAULT_WINDOW_MS = 60_000;
export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/**
 * Money is held as integer micro-dollars in the stores so that sums of many
 * in-flight costs stay exact. Estimates round up (never under-reserve); the
 * 1e-6 slack absorbs binary noise such as 0.01 * 1e6 = 10000.000000000002.
 */
export function toMicroUsdCeil(usd: number): number {
  return Math.max(0, Math.ceil(usd * 1e6 - 1e-6));
}

/** Rounds to the nearest micro-dollar (spend and budget figures). */
export function toMicroUsd(usd: number): number {
  return Math.round(usd * 1e6);
}

/** Milliseconds from `nowMs` to the start of the next calendar month in UTC. */
export function msUntilNextMonthUtc(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - nowMs;
}

/** Tokens an estimate holds against TPM. */
export function reservedTokens(e: UsageEstimate): number {
  return Math.max(0, Math.ceil(e.inputTokens) + Math.ceil(e.maxOutputTokens));
}

/** Tokens actually used. */
export function usedTokens(a: ActualUsage): number {
  return Math.max(0, Math.ceil(a.inputTokens) + Math.ceil(a.outputTokens));
}

/** Why a check failed, as both limiters find it; `retryAfterMs` undefined means "not before the limit changes". */
export type Refusal =
  | { reason: 'rpm'; retryAfterMs: number }
  | { reason: 'tpm'; retryAfterMs: number | undefined }
  | { reason: 'budget'; retryAfterMs: number; inFlight: boolean };

/** Renders a refusal for the tenant, with a Retry-After of at least one second. */
export function toRejection(tenant: Tenant, estimate: UsageEstimate, refusal: Refusal, windowMs: number): Rejection {
  const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
  const windowText = windowMs === 60_000 ? 'per minute' : `per ${windowMs / 1000} s`;
  switch (refusal.reason) {
    case 'rpm':
      return {
        ok: false,
        reason: 'rpm',
        retryAfterSeconds: seconds(refusal.retryAfterMs),
        message: `rate limit reached: ${tenant.rpm} requests ${windowText}; retry after ${seconds(refusal.retryAfterMs)} s`,
      };
    case 'tpm':
      if (refusal.retryAfterMs === undefined) {
        return {
          ok: false,
          reason: 'tpm',
          retryAfterSeconds: seconds(windowMs),
          message: `this request may use ${reservedTokens(estimate)} tokens (input + max_tokens), more than the limit of ${tenant.tpm} tokens ${windowText}; lower max_tokens or shorten the prompt`,
        };
      }
      return {
        ok: false,
        reason: 'tpm',
        retryAfterSeconds: seconds(refusal.retryAfterMs),
        message: `token rate limit reached: ${tenant.tpm} tokens ${windowText}; retry after ${seconds(refusal.retryAfterMs)} s or lower max_tokens`,
      };
    case 'budget':
      return {
        ok: false,
        reason: 'budget',
        retryAfterSeconds: seconds(refusal.retryAfterMs),
        message: refusal.inFlight
          ? `monthly budget of $${tenant.budgetUsdPerMonth} is held by requests in progress; retry shortly`
          : `monthly budget of $${tenant.budgetUsdPerMonth} would be exceeded by this request (up to $${estimate.costUsd.toFixed(6)}); it resets at the start of next month (UTC)`,
      };
    default: {
      const never: never = refusal;
      return never;
    }
  }
}

/** Retry-After when the budget is held only by requests in flight: they usually finish within seconds. */
export const IN_FLIGHT_RETRY_MS = 1_000;
