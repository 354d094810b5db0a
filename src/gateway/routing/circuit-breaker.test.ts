import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

function make(opts: { failureThreshold?: number; coolDownMs?: number; probeTimeoutMs?: number } = {}) {
  const clock = { t: 0, now() { return this.t; } };
  return { clock, breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, ...opts, clock }) };
}

describe('circuit breaker', () => {
  it('stays closed below the threshold; a success resets the count', () => {
    const { breaker } = make();
    breaker.recordFailure('a');
    breaker.recordFailure('a');
    expect(breaker.state('a')).toBe('closed');
    breaker.recordSuccess('a');
    expect(breaker.consecutiveFailures('a')).toBe(0);
    breaker.recordFailure('a');
    breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(true);
    expect(breaker.state('b')).toBe('closed');
  });

  it('opens after N consecutive failures for the cool-down, then lets one probe through', () => {
    const { breaker, clock } = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure('a');
    expect(breaker.state('a')).toBe('open');
    expect(breaker.allows('a')).toBe(false);
    expect(breaker.begin('a')).toBe(false);
    expect(breaker.allows('b')).toBe(true); // per backend
    clock.t = 999;
    expect(breaker.allows('a')).toBe(false);
    clock.t = 1000;
    expect(breaker.state('a')).toBe('half-open');
    expect(breaker.allows('a')).toBe(true);
    expect(breaker.begin('a')).toBe(true);
    expect(breaker.allows('a')).toBe(false); // only one probe
    expect(breaker.begin('a')).toBe(false);
    breaker.recordSuccess('a');
    expect(breaker.state('a')).toBe('closed');
    expect(breaker.allows('a')).toBe(true);
  });

  it('reopens for another cool-down when the probe fails', () => {
    const { breaker, clock } = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure('a');
    clock.t = 1000;
    expect(breaker.begin('a')).toBe(true);
    clock.t = 1200;
    breaker.recordFailure('a');
    expect(breaker.state('a')).toBe('open');
    clock.t = 2199;
    expect(breaker.allows('a')).toBe(false);
    clock.t = 2200;
    expect(breaker.allows('a')).toBe(true);
  });

  it('frees the probe slot on release, or after the probe timeout', () => {
    const { breaker, clock } = make({ probeTimeoutMs: 500 });
    for (let i = 0; i < 3; i++) breaker.recordFailure('a');
    clock.t = 1000;
    breaker.begin('a');
    breaker.release('a');
    expect(breaker.begin('a')).toBe(true);
    clock.t = 1499;
    expect(breaker.allows('a')).toBe(false);
    clock.t = 1500;
    expect(breaker.allows('a')).toBe(true);
  });

  it('counts a late failure of an open circuit without extending it', () => {
    const { breaker, clock } = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure('a');
    clock.t = 500;
    breaker.recordFailure('a'); // a request sent before it opened
    clock.t = 1000;
    expect(breaker.state('a')).toBe('half-open');
  });

  it('rejects a bad threshold', () => {
    expect(() => make({ failureThreshold: 0 })).toThrow(/failureThreshold/);
  });
});
