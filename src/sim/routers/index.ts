/**
 * @module The registry of routing policies, and lookup by name (the `--router` option).
 */
import { InvalidInputError } from '../../core/errors.js';
import { leastKv } from './least-kv.js';
import { leastOutstanding } from './least-outstanding.js';
import { perfAware } from './perf-aware.js';
import { powerOfTwo } from './power-of-two.js';
import { prefixAffinity } from './prefix-affinity.js';
import { roundRobin } from './round-robin.js';
import type { Router, RouterFactory } from './router.js';

/** Names of the routing policies, in the order help texts list them. */
export const ROUTER_NAMES = ['round-robin', 'least-outstanding', 'least-kv', 'power-of-two', 'prefix-affinity', 'perf-aware'] as const;

export type RouterName = (typeof ROUTER_NAMES)[number];

export const ROUTERS = {
  'round-robin': roundRobin,
  'least-outstanding': leastOutstanding,
  'least-kv': leastKv,
  'power-of-two': powerOfTwo,
  'prefix-affinity': prefixAffinity,
  'perf-aware': perfAware,
} satisfies Record<RouterName, RouterFactory>;

export function isRouterName(name: string): name is RouterName {
  return (ROUTER_NAMES as readonly string[]).includes(name);
}

/**
 * A fresh router (with its own state) for `name`.
 * @throws InvalidInputError at `--router`, listing the valid names, when `name` is unknown.
 *   (NoSuchEntryError's kinds are accelerator, model and engine; a router is none of them.)
 */
export function makeRouter(name: string): Router {
  if (!isRouterName(name)) {
    throw new InvalidInputError(`unknown router '${name}'; valid routers: ${ROUTER_NAMES.join(', ')}`, '--router');
  }
  return ROUTERS[name]();
}
