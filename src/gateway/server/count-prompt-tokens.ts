/**
 * @module The prompt length the gateway counts before forwarding a request
 * (for the limiter's estimate and the router).
 *
 * TODO(tokenizer): an approximation for now, ceil(characters / 4) per message
 * content (text parts only; images count 0), the usual rule of thumb for
 * English text with BPE tokenizers. Replace with the served model's real
 * tokenizer; meanwhile the ledger bills the backend's own count when it
 * reports one.
 */
import type { ChatMessage } from '../backends/backend.js';

/** Characters per token of the approximation. */
export const CHARS_PER_TOKEN = 4;

/** Tokens of a text, approximated (see the module comment). */
export function approxTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Tokens of a chat prompt: the sum over messages of each content's approximation. */
export function countChatPromptTokens(messages: readonly ChatMessage[]): number {
  let tokens = 0;
  for (const m of messages) {
    const c = m.content;
    if (typeof c === 'string') tokens += approxTextTokens(c);
    else if (c !== null) {
      let chars = 0;
      for (const part of c) if (part.type === 'text') chars += part.text.length;
      tokens += Math.ceil(chars / CHARS_PER_TOKEN);
    }
  }
  return tokens;
}
