/**
 * @module A replica's prefix cache: KV blocks identified by the hash of their
 * content (and of everything before them), kept in LRU order up to a capacity
 * in blocks. A request reuses the longest run of its leading blocks that is
 * cached, as vLLM's automatic prefix caching and SGLang's radix cache do.
 */

export class PrefixCache {
  /** Block hash -> present; Map iteration order is the LRU order (oldest first). */
  private readonly blocks = new Map<number, true>();
  private hitBlocks = 0;
  private lookedUpBlocks = 0;

  /** `capacityBlocks`: blocks kept at most (Infinity for an unbounded cache). */
  constructor(readonly capacityBlocks: number) {}

  get size(): number {
    return this.blocks.size;
  }
  /** Blocks found over all lookups. */
  get hits(): number {
    return this.hitBlocks;
  }
  /** Blocks looked up over all lookups. */
  get lookups(): number {
    return this.lookedUpBlocks;
  }

  /**
   * Counts the leading blocks of `hashes[start, end)` already cached, then
   * records all of them as most recently used (the request will hold them).
   * Returns the number of leading cached blocks.
   */
  lookupAndInsert(hashes: ArrayLike<number>, start = 0, end = hashes.length): number {
    let leading = 0;
    let stillLeading = true;
    for (let i = start; i < end; i++) {
      const h = hashes[i]!;
      const present = this.blocks.has(h);
      if (present) {
        this.blocks.delete(h);
        if (stillLeading) leading++;
      } else {
        stillLeading = false;
      }
      this.blocks.set(h, true);
    }
    this.lookedUpBlocks += end - start;
    this.hitBlocks += leading;
    while (this.blocks.size > this.capacityBlocks) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
    }
    return leading;
  }
}
