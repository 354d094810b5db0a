/** @module Column and row names for LP text: `[A-Za-z0-9_]` only, unique, readable. */

/** Hands out names in the order asked; a name already taken gets `_2`, `_3`, ... */
export class NameRegistry {
  private readonly taken = new Set<string>();
  /** Joins `parts` with `_` after replacing every run of other characters with `_`. */
  take(...parts: string[]): string {
    const base = parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, '_')).join('_');
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}
