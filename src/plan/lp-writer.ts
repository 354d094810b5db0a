/** @module CPLEX LP text pieces: linear terms, numbers that read back exactly, line wrapping. */
import { InvalidInputError } from '../core/errors.js';

/** One term of a linear expression: coefficient times column. */
export type Term = [coefficient: number, column: string];

/** Shortest text that reads back as `x` to 15 significant digits. */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new InvalidInputError(`a model coefficient is ${x}; check prices, power, hours and demand for missing or infinite values`);
  return String(Number.parseFloat(x.toPrecision(15)));
}

/** `3 x + 2 y - z`, five terms per line; an optional constant at the end. */
export function formatTerms(terms: readonly Term[], constant = 0): string {
  const parts = terms.map(([c, name], i) => {
    const sign = c < 0 ? '-' : '+';
    const abs = Math.abs(c);
    const coef = abs === 1 ? '' : `${num(abs)} `;
    const head = i === 0 ? (c < 0 ? '- ' : '') : `${sign} `;
    return `${head}${coef}${name}`;
  });
  if (constant !== 0 || parts.length === 0) parts.push(`${constant < 0 ? '-' : '+'} ${num(Math.abs(constant))}`);
  return chunk(parts, 5)
    .map((c) => c.join(' '))
    .join('\n   ');
}

/** `list` in consecutive pieces of at most `size` items. */
export function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** `text` with every run of whitespace (newlines included) as one space, safe in a `\` comment line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
