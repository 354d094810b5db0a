/**
 * @module Test helpers for routers: mutable replica views and a seeded routing context.
 */
import { createRng } from '../workload/rng.js';
import type { ReplicaView, RouteRequest, RouterContext } from './router.js';

/** A replica view whose load the test updates; predicted completion grows with outstanding. */
export interface TestView extends ReplicaView {
  outstanding: number;
  pendingPrefillTokens: number;
  running: number;
  kvUsedFraction: number;
  /** Predicted milliseconds per outstanding request ahead, plus one for the request itself. */
  msPerRequest: number;
}

export function view(index: number, load: Partial<Omit<TestView, 'index' | 'predictCompletionMs'>> = {}): TestView {
  return {
    index,
    pool: 0,
    outstanding: 0,
    pendingPrefillTokens: 0,
    running: 0,
    kvUsedFraction: 0,
    msPerRequest: 100,
    ...load,
    predictCompletionMs(this: TestView) {
      return this.msPerRequest * (this.outstanding + 1);
    },
  };
}

export function views(n: number, first = 0): TestView[] {
  return Array.from({ length: n }, (_, i) => view(first + i));
}

/** A context drawing from the seeded `routing` stream, as the simulator does. */
export function seededContext(seed: number): RouterContext {
  const stream = createRng(seed).stream('routing');
  return { random: () => stream.next() };
}

export function request(id: number, blockHashes?: ArrayLike<number>): RouteRequest {
  return { id, promptTokens: 512, outputTokens: 128, tenant: 0, blockHashes };
}
