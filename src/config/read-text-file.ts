/** @module Reads a text file the user named; a missing or unreadable file is bad input that says which file and why. */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.js';

/** The file's text; throws InvalidInputError naming `where` (default: the path) and the system's reason (ENOENT, EISDIR, ...). */
export function readTextFile(path: string, where: string = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, where);
  }
}
