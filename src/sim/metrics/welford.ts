/**
 * @module Running mean and variance by Welford's method (numerically stable,
 * unlike a sum of squares), with Chan et al.'s formula to merge two runs.
 */

export class Welford {
  private n = 0;
  private m = 0;
  /** Sum of squared distances to the running mean. */
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const delta = x - this.m;
    this.m += delta / this.n;
    this.m2 += delta * (x - this.m);
  }

  /** Combines another run into this one, as if its values had been added here. */
  merge(other: Welford): void {
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.m = other.m;
      this.m2 = other.m2;
      return;
    }
    const n = this.n + other.n;
    const delta = other.m - this.m;
    this.m += (delta * other.n) / n;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.n = n;
  }

  get count(): number {
    return this.n;
  }

  /** Mean; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.m;
  }

  /** Population variance (divides by n); NaN when empty. */
  get populationVariance(): number {
    return this.n === 0 ? Number.NaN : this.m2 / this.n;
  }

  /** Sample variance (divides by n - 1); NaN with fewer than two values. */
  get sampleVariance(): number {
    return this.n < 2 ? Number.NaN : this.m2 / (this.n - 1);
  }

  /** Sample standard deviation; NaN with fewer than two values. */
  get sampleStdDev(): number {
    return Math.sqrt(this.sampleVariance);
  }
}
