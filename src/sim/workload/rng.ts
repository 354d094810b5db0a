/**
 * @module A seeded pseudo-random generator with named, independent streams.
 *
 * Each stream is a xoshiro128** generator whose 128-bit state is expanded by
 * splitmix32 from a 32-bit hash of (seed, stream name). A stream's sequence
 * depends only on the seed and its own name, so adding a stream (say
 * `routing`) never changes the draws of another (say `arrivals`). This is the
 * determinism contract of the simulator: same seed, same names, same draws.
 */
import { InvalidInputError } from '../../core/errors.js';

/** One independent sequence of draws. */
export interface Stream {
  /** The name the stream was derived from. */
  readonly name: string;
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Exponential with the given mean (same unit as the mean). */
  exponential(mean: number): number;
  /** Gamma with shape k > 0 and scale θ > 0 (mean kθ), by Marsaglia and Tsang (2000). */
  gamma(shape: number, scale: number): number;
  /** Weibull with shape k > 0 and scale λ > 0 (mean λ·Γ(1 + 1/k)), by inversion. */
  weibull(shape: number, scale: number): number;
  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number;
  /** Standard normal (mean 0, variance 1), by Box and Muller. */
  normal(): number;
}

/** A seeded generator: a factory of named streams. */
export interface Rng {
  /** The seed the generator was created with. */
  readonly seed: number;
  /**
   * The stream called `name`. Asking twice for the same name returns the same
   * stream object (so its state is shared), not a fresh copy.
   */
  stream(name: string): Stream;
}

const TWO_POW_32 = 4294967296;

/** Murmur3's 32-bit finaliser: a good avalanche of every input bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a seed (any safe integer) and a stream name (FNV-1a over UTF-16 code units, then mixed). */
export function hashSeedAndName(seed: number, name: string): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  let h = 0x811c9dc5 ^ fmix32(lo ^ 0x9e3779b9) ^ fmix32(hi + 0x7f4a7c15);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h ^ name.length);
}

/** xoshiro128** (Blackman and Vigna): small state, fast, passes BigCrush in its 32-bit output. */
class XoshiroStream implements Stream {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second value of the last Box-Muller pair, or NaN when none is cached. */
  private spareNormal = Number.NaN;

  constructor(
    readonly name: string,
    hash: number,
  ) {
    // splitmix32 expands the hash into four state words; it never yields an all-zero state in practice,
    // and we guard against it anyway since xoshiro would then emit only zeros.
    let x = hash >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      words.push((z ^ (z >>> 16)) >>> 0);
    }
    this.s0 = words[0]!;
    this.s1 = words[1]!;
    this.s2 = words[2]!;
    this.s3 = words[3]! || 1;
  }

  private nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  exponential(mean: number): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.next()) * mean;
  }

  gamma(shape: number, scale: number): number {
    if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma: expected shape > 0 and scale > 0, got ${shape}, ${scale}`);
    if (shape < 1) {
      // Boost: if X ~ Gamma(k + 1) and U ~ U(0, 1], X·U^(1/k) ~ Gamma(k).
      const x = this.gamma(shape + 1, scale);
      return x * Math.pow(1 - this.next(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = this.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  weibull(shape: number, scale: number): number {
    if (!(shape > 0) || !(scale > 0)) throw new RangeError(`weibull: expected shape > 0 and scale > 0, got ${shape}, ${scale}`);
    return scale * Math.pow(-Math.log(1 - this.next()), 1 / shape);
  }

  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) throw new RangeError(`int: expected integers lo <= hi, got ${lo}, ${hi}`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for `seed` (a safe integer; negative values are allowed). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`expected an integer seed, got ${seed}`, 'seed');
  const streams = new Map<string, Stream>();
  return {
    seed,
    stream(name: string): Stream {
      let s = streams.get(name);
      if (s === undefined) {
        s = new XoshiroStream(name, hashSeedAndName(seed, name));
        streams.set(name, s);
      }
      return s;
    },
  };
}
