/** @module An error that carries the exit code; commands throw it, only main.ts exits. */
import { TokenfleetError } from '../core/errors.js';

export class ExitError extends TokenfleetError {
  override readonly exitCode: number;
  constructor(code: number, message: string) {
    super(message);
    this.exitCode = code;
  }
}
