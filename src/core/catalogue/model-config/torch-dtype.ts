/** @module Maps a torch dtype name ('torch.bfloat16', 'fp32', 'half') to a Precision. */
import type { Precision } from '../precision.js';

/** The Precision a torch dtype names, or undefined for one that is not a float format we model. */
export function torchDtype(s: string): Precision | undefined {
  const t = s.replace(/^torch\./, '').toLowerCase();
  if (t === 'float32' || t === 'fp32') return 'fp32';
  if (t === 'bfloat16' || t === 'bf16') return 'bf16';
  if (t === 'float16' || t === 'fp16' || t === 'half') return 'fp16';
  return undefined;
}
