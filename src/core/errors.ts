/**
 * @module Typed errors of the core. Each says what is wrong and how to fix it;
 * the CLI and the gateway render them once, at their edge.
 */

/** Base class: every error the user can cause derives from it. */
export class TokenfleetError extends Error {
  /** Exit code the CLI uses for this error (2: bad input, 1: a failure). */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The user gave something malformed or nonsensical (exit code 2). */
export class InvalidInputError extends TokenfleetError {
  override readonly exitCode = 2;
  constructor(
    message: string,
    /** Where the problem is: a file, row, field or option name. */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
  }
}

/** An id that is not in a registry; lists the closest ones. */
export class NoSuchEntryError extends TokenfleetError {
  override readonly exitCode = 2;
  constructor(
    readonly kind: 'accelerator' | 'model' | 'engine',
    readonly id: string,
    readonly closest: readonly string[],
  ) {
    super(
      `unknown ${kind} '${id}'` +
        (closest.length > 0 ? `; closest matches: ${closest.join(', ')}` : '') +
        ` (list them with: tokenfleet catalog ${kind === 'accelerator' ? 'accelerators' : kind + 's'})`,
    );
  }
}

/** Levenshtein distance, for "did you mean" lists. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The `n` candidates closest to `query` (substring matches first, then by edit distance). */
export function closestMatches(query: string, candidates: readonly string[], n = 5): string[] {
  const q = query.toLowerCase();
  return [...candidates]
    .map((c) => {
      const lc = c.toLowerCase();
      const sub = lc.includes(q) || q.includes(lc) ? 0 : 1;
      return { c, score: sub * 1000 + editDistance(q, lc) };
    })
    .sort((x, y) => x.score - y.score || x.c.localeCompare(y.c))
    .slice(0, n)
    .map((x) => x.c);
}
