/**
 * @module A streaming quantile sketch: a histogram with logarithmically sized
 * buckets (DDSketch-style), so any quantile comes back within a fixed relative
 * error, in bounded memory, and two sketches merge exactly.
 */

export interface LogHistogramOptions {
  /**
   * Relative accuracy of `quantile` for values in [minValue, maxValue]
   * (default 0.005: the returned value is within ±0.5% of a sample at the
   * requested rank; buckets are then about 1% wide).
   */
  readonly relativeAccuracy?: number;
  /** Smallest positive value resolved (default 1e-3); smaller positive values share its bucket. */
  readonly minValue?: number;
  /** Largest value resolved (default 1e8); larger values share its bucket. */
  readonly maxValue?: number;
}

/** One non-empty bucket of a sketch: values between `low` and `high` (both 0 for the bucket of zeros). */
export interface LogHistogramBucket {
  /** Lower bound, in the unit of the values added. */
  readonly low: number;
  /** Upper bound, in the unit of the values added. */
  readonly high: number;
  readonly count: number;
}

const EMPTY = new Float64Array(0);
/** Buckets allocated at the first positive value; the store then doubles as values spread. */
const INITIAL_BUCKETS = 128;

/**
 * Bucket `k` holds the values in (γ^(k-1), γ^k] and answers with
 * 2γ^k/(γ+1), whose relative distance to any value of the bucket is at most
 * (γ-1)/(γ+1) = relativeAccuracy. Zero has its own bucket; negative values and
 * NaN are rejected. The counts live in one Float64Array covering only the keys
 * seen so far (at most ~2,540 buckets, 20 KB, for the defaults), allocated at
 * the first positive value, so an unused sketch costs almost nothing.
 */
export class LogHistogram {
  readonly relativeAccuracy: number;
  readonly minValue: number;
  readonly maxValue: number;
  private readonly gamma: number;
  private readonly lnGamma: number;
  private readonly minKey: number;
  private readonly maxKey: number;
  /** counts[i] is the count of key `offset + i`. */
  private counts: Float64Array = EMPTY;
  private offset = 0;
  private zeroCount = 0;
  private n = 0;
  private total = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(options: LogHistogramOptions = {}) {
    const a = options.relativeAccuracy ?? 0.005;
    const minValue = options.minValue ?? 1e-3;
    const maxValue = options.maxValue ?? 1e8;
    if (!(a > 0 && a < 1)) throw new RangeError(`relativeAccuracy must be in (0, 1), got ${a}`);
    if (!(minValue > 0 && maxValue > minValue && Number.isFinite(maxValue))) {
      throw new RangeError(`need 0 < minValue < maxValue < Infinity, got minValue=${minValue}, maxValue=${maxValue}`);
    }
    this.relativeAccuracy = a;
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.gamma = (1 + a) / (1 - a);
    this.lnGamma = Math.log(this.gamma);
    this.minKey = Math.ceil(Math.log(minValue) / this.lnGamma);
    this.maxKey = Math.ceil(Math.log(maxValue) / this.lnGamma);
  }

  /** Adds one value (>= 0). Allocates only when the value falls outside the keys seen so far. */
  add(x: number): void {
    if (!(x >= 0)) throw new RangeError(`LogHistogram accepts values >= 0, got ${x}`);
    if (x === 0) {
      this.zeroCount++;
    } else {
      const k = this.keyOf(x);
      if (k < this.offset || k >= this.offset + this.counts.length) this.ensure(k);
      this.counts[k - this.offset]! += 1;
    }
    this.n++;
    this.total += x;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
  }

  /** Number of values added. */
  get count(): number {
    return this.n;
  }

  /** Exact sum of the values added. */
  get sum(): number {
    return this.total;
  }

  /** Exact mean; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.total / this.n;
  }

  /** Exact minimum; NaN when empty. */
  get min(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }

  /** Exact maximum; NaN when empty. */
  get max(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }

  /**
   * The value at rank q·(count-1) (0-based, rounded down) within
   * `relativeAccuracy` when it lies in [minValue, maxValue]; always within
   * [min, max]. q = 0 and q = 1 give the exact min and max. NaN when empty.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    if (this.n === 0) return Number.NaN;
    if (q === 0) return this.lo;
    if (q === 1) return this.hi;
    const rank = q * (this.n - 1);
    let cumulative = this.zeroCount;
    if (cumulative > rank) return 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i]!;
      if (cumulative > rank) {
        const estimate = (2 * Math.pow(this.gamma, this.offset + i)) / (this.gamma + 1);
        return Math.min(this.hi, Math.max(this.lo, estimate));
      }
    }
    return this.hi; // only reachable through rounding of the cumulative sum
  }

  /**
   * The non-empty buckets in increasing order (the zero bucket first), for
   * drawing the distribution without keeping the values. A bucket spans
   * (γ^(k-1), γ^k], clamped to the exact min and max so that the edge buckets
   * never reach past the data (values outside [minValue, maxValue] share them).
   */
  buckets(): LogHistogramBucket[] {
    const out: LogHistogramBucket[] = [];
    if (this.zeroCount > 0) out.push({ low: 0, high: 0, count: this.zeroCount });
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i]!;
      if (count === 0) continue;
      const key = this.offset + i;
      const low = key === this.minKey ? 0 : Math.pow(this.gamma, key - 1);
      const high = key === this.maxKey ? Number.POSITIVE_INFINITY : Math.pow(this.gamma, key);
      out.push({ low: Math.max(low, this.lo), high: Math.min(high, this.hi), count });
    }
    return out;
  }

  /** Adds every value of `other` into this sketch; both must have the same options. */
  merge(other: LogHistogram): void {
    if (other.gamma !== this.gamma || other.minKey !== this.minKey || other.maxKey !== this.maxKey) {
      throw new RangeError('cannot merge LogHistograms built with different options');
    }
    const oc = other.counts;
    let first = -1;
    let last = -1;
    for (let i = 0; i < oc.length; i++) {
      if (oc[i]! > 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first >= 0) {
      this.ensure(other.offset + first);
      this.ensure(other.offset + last);
      for (let i = first; i <= last; i++) this.counts[other.offset + i - this.offset]! += oc[i]!;
    }
    this.zeroCount += other.zeroCount;
    this.n += other.n;
    this.total += other.total;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  private keyOf(x: number): number {
    const k = Math.ceil(Math.log(x) / this.lnGamma);
    return k < this.minKey ? this.minKey : k > this.maxKey ? this.maxKey : k;
  }

  /** Grows the store (at least doubling, within [minKey, maxKey]) so that key k has a slot. */
  private ensure(k: number): void {
    const len = this.counts.length;
    const fullSize = this.maxKey - this.minKey + 1;
    if (len === 0) {
      const size = Math.min(fullSize, INITIAL_BUCKETS);
      this.offset = Math.min(Math.max(this.minKey, k - (size >> 1)), this.maxKey - size + 1);
      this.counts = new Float64Array(size);
      return;
    }
    if (k >= this.offset && k < this.offset + len) return;
    const top = this.offset + len - 1;
    const span = Math.max(top, k) - Math.min(this.offset, k) + 1;
    const size = Math.min(fullSize, Math.max(span, 2 * len));
    const offset =
      k < this.offset ? Math.max(this.minKey, top - size + 1) : Math.min(this.offset, this.maxKey - size + 1);
    const grown = new Float64Array(size);
    grown.set(this.counts, this.offset - offset);
    this.counts = grown;
    this.offset = offset;
  }
}
