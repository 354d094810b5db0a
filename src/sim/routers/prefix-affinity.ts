/**
 * @module Prefix-affinity routing: requests that share leading prompt blocks go to the same
 * replica, so its prefix cache serves them, unless that replica is overloaded.
 */
import { leastOutstandingPosition } from './least-outstanding.js';
import type { ReplicaView, Router, RouterFactory } from './router.js';

/** How many leading block hashes make up the affinity key. */
export const AFFINITY_BLOCKS = 4;

const TWO_POW_32 = 4294967296;

/**
 * 32-bit FNV-1a over the first `AFFINITY_BLOCKS` block hashes, each fed as 8 little-endian
 * bytes (low then high 32 bits of the integer), then Murmur3's finaliser. The finaliser is
 * there because FNV's low bits depend only on the inputs' low bits, and `hash mod n` uses them.
 */
export function affinityHash(blockHashes: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  const k = Math.min(AFFINITY_BLOCKS, blockHashes.length);
  for (let i = 0; i < k; i++) {
    const v = blockHashes[i]!;
    h = fnvWord(h, v >>> 0);
    h = fnvWord(h, Math.floor(v / TWO_POW_32) >>> 0);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnvWord(h: number, w: number): number {
  for (let s = 0; s < 32; s += 8) h = Math.imul(h ^ ((w >>> s) & 0xff), 0x01000193);
  return h;
}

/** Overloaded: more outstanding requests than twice the candidates' mean plus 4 (slack for an idle cluster). */
export function isOverloaded(home: ReplicaView, candidates: readonly ReplicaView[]): boolean {
  let total = 0;
  for (let i = 0; i < candidates.length; i++) total += candidates[i]!.outstanding;
  return home.outstanding > (2 * total) / candidates.length + 4;
}

/**
 * The rule: a request with block hashes has a home at position `affinityHash mod
 * candidates.length`; it goes there unless the home is overloaded, in which case, as do
 * requests without block hashes, it goes to the least-outstanding candidate. The home is a
 * position, so it moves if the candidate list changes.
 */
export const prefixAffinity: RouterFactory = (): Router => ({
  name: 'prefix-affinity',
  pick(req, candidates) {
    const hashes = req.blockHashes;
    if (hashes === undefined || hashes.length === 0) return leastOutstandingPosition(candidates);
    const home = affinityHash(hashes) % candidates.length;
    return isOverloaded(candidates[home]!, candidates) ? leastOutstandingPosition(candidates) : home;
  },
});
