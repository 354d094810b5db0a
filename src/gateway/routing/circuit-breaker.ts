/**
 * @module A circuit breaker per backend: after `failureThreshold` consecutive
 * failures a backend is left alone for `coolDownMs`; then one probe request
 * is let through (half-open), whose success closes the circuit and whose
 * failure opens it again for another cool-down.
 *
 * Time comes from an injected clock, so tests do not sleep. A probe that
 * never reports (its client went away and nobody called release) is given up
 * after `probeTimeoutMs`, and another probe may go.
 */
import type { Clock } from '../backends/clock.js';

export type CircuitState =
  /** Requests flow; failures are counted. */
  | 'closed'
  /** Requests are refused until the cool-down ends. */
  | 'open'
  /** The cool-down is over: one probe may go (or is in flight). */
  | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long an open circuit refuses requests, milliseconds. Default 10,000. */
  readonly coolDownMs?: number;
  /** How long a probe may stay unreported before another may go, milliseconds. Default: coolDownMs. */
  readonly probeTimeoutMs?: number;
  readonly clock: Pick<Clock, 'now'>;
}

interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  /** Clock time the open circuit turns half-open, ms. */
  openUntilMs: number;
  /** Clock time the half-open probe was let through, ms; undefined when none is in flight. */
  probeSinceMs: number | undefined;
}

export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly failureThreshold: number;
  private readonly coolDownMs: number;
  private readonly probeTimeoutMs: number;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(opts: CircuitBreakerOptions) {
    this.failureThreshold = opts.failureThreshold ?? 5;
    this.coolDownMs = opts.coolDownMs ?? 10_000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? this.coolDownMs;
    this.clock = opts.clock;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) throw new RangeError(`failureThreshold must be a positive integer, got ${this.failureThreshold}`);
    if (!(this.coolDownMs >= 0)) throw new RangeError(`coolDownMs must be non-negative, got ${this.coolDownMs}`);
    if (!(this.probeTimeoutMs > 0)) throw new RangeError(`probeTimeoutMs must be positive, got ${this.probeTimeoutMs}`);
  }

  private circuit(id: string): Circuit {
    let c = this.circuits.get(id);
    if (c === undefined) {
      c = { state: 'closed', consecutiveFailures: 0, openUntilMs: 0, probeSinceMs: undefined };
      this.circuits.set(id, c);
    }
    return c;
  }

  /** The state of `id`'s circuit now (an open circuit whose cool-down has passed reads half-open). */
  state(id: string): CircuitState {
    const c = this.circuits.get(id);
    if (c === undefined) return 'closed';
    if (c.state === 'open' && this.clock.now() >= c.openUntilMs) {
      c.state = 'half-open';
      c.probeSinceMs = undefined;
    }
    return c.state;
  }

  /** Whether a request may go to `id` now; does not take the probe slot (see begin). */
  allows(id: string): boolean {
    const s = this.state(id);
    if (s === 'closed') return true;
    if (s === 'open') return false;
    const since = this.circuits.get(id)!.probeSinceMs;
    return since === undefined || this.clock.now() - since >= this.probeTimeoutMs;
  }

  /**
   * Call when a request is sent to `id`: in half-open state it takes the one probe slot.
   * Returns false (and takes nothing) when the circuit does not allow the request.
   */
  begin(id: string): boolean {
    if (!this.allows(id)) return false;
    const c = this.circuit(id);
    if (c.state === 'half-open') c.probeSinceMs = this.clock.now();
    return true;
  }

  /** The request to `id` succeeded: the circuit closes and its failure count resets. */
  recordSuccess(id: string): void {
    const c = this.circuits.get(id);
    if (c === undefined) return;
    c.state = 'closed';
    c.consecutiveFailures = 0;
    c.probeSinceMs = undefined;
  }

  /** The request to `id` failed: a failed probe, or the threshold-th consecutive failure, opens the circuit. */
  recordFailure(id: string): void {
    const c = this.circuit(id);
    const s = this.state(id);
    c.consecutiveFailures++;
    if (s === 'half-open' || (s === 'closed' && c.consecutiveFailures >= this.failureThreshold)) {
      c.state = 'open';
      c.openUntilMs = this.clock.now() + this.coolDownMs;
      c.probeSinceMs = undefined;
    }
  }

  /** The request to `id` ended without a verdict (e.g. the client aborted it): a probe slot it held is freed. */
  release(id: string): void {
    const c = this.circuits.get(id);
    if (c !== undefined && c.state === 'half-open') c.probeSinceMs = undefined;
  }

  /** Consecutive failures recorded for `id` since its last success. */
  consecutiveFailures(id: string): number {
    return this.circuits.get(id)?.consecutiveFailures ?? 0;
  }
}
