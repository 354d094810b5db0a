/**
 * @module The prompt length the gateway counts before forwarding a request
 * (for the limiter's estimate and the router), with the o200k_base BPE
 * encoding (GPT-4o and later) from gpt-tokenizer.
 *
 * Exact for o200k_base text; for a served model with another tokenizer it is an
 * estimate (the ledger bills the backend's own count when it reports one).
 * Only the o200k_base table is imported, once, at module load: the encoder and
 * its merge cache are then shared by every request.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage } from '../backends/backend.js';

/**
 * Chat template tokens around each message, tokens: `<|im_start|>`, the
 * separator after the role and `<|im_end|>` in OpenAI's documented recipe
 * (the role's own tokens are counted besides). An approximation of other
 * models' chat templates, which wrap messages differently.
 */
export const TOKENS_PER_MESSAGE = 3;
/** Tokens that prime the reply (`<|im_start|>assistant<|im_sep|>`), once per chat prompt. Same caveat as TOKENS_PER_MESSAGE. */
export const TOKENS_PRIMING_REPLY = 3;
/** Extra tokens of a message that carries a `name`, besides the name's own tokens (OpenAI's recipe for gpt-4o). */
export const TOKENS_PER_NAME = 1;
/**
 * Tokens of an image part, whatever its size, tokens (ASSUMPTION: OpenAI's
 * flat cost of a `detail: low` image on GPT-4o, the cheapest an image can be
 * there). The gateway does not fetch images, so a high-detail image (85 plus
 * 170 per 512-pixel tile) or another model's vision encoder is undercounted;
 * a floor beats counting images as free in the limiter's estimate.
 */
export const IMAGE_PART_TOKENS = 85;
/**
 * Longest run of non-whitespace characters encoded in one piece, characters.
 * BPE merging is quadratic in the length of one pre-tokenised piece (100,000
 * letters without a space take seconds), so a longer run is counted in slices
 * of this length; it may then differ from the exact count by about a token per
 * slice. Text without such runs is counted exactly.
 */
export const MAX_RUN_CHARS = 256;

/** User text that looks like a special token (`<|endoftext|>`) is counted as plain text, never refused. */
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };
const LONG_RUN = new RegExp(`\\S{${MAX_RUN_CHARS + 1}}`, 'u');
/** A full slice of a long run that more non-whitespace follows: a cut goes after it (`u`: never inside a surrogate pair). */
const RUN_SLICE = new RegExp(`\\S{${MAX_RUN_CHARS}}(?=\\S)`, 'gu');

/** Tokens of a text in o200k_base (exact unless it has a run longer than MAX_RUN_CHARS). */
export function approxTextTokens(text: string): number {
  if (!LONG_RUN.test(text)) return countTokens(text, ENCODE_OPTIONS);
  let tokens = 0;
  let from = 0;
  for (const m of text.matchAll(RUN_SLICE)) {
    const to = m.index + m[0].length;
    tokens += countTokens(text.slice(from, to), ENCODE_OPTIONS);
    from = to;
  }
  return tokens + countTokens(text.slice(from), ENCODE_OPTIONS);
}

const ROLE_TOKENS = {
  system: approxTextTokens('system'),
  developer: approxTextTokens('developer'),
  user: approxTextTokens('user'),
  assistant: approxTextTokens('assistant'),
  tool: approxTextTokens('tool'),
} as const satisfies Record<ChatMessage['role'], number>;

/**
 * Tokens of a chat prompt, following OpenAI's recipe for chat models: per
 * message TOKENS_PER_MESSAGE + role + content (each text part, plus
 * IMAGE_PART_TOKENS per image) + name (+ TOKENS_PER_NAME), then
 * TOKENS_PRIMING_REPLY once. Tool calls and other fields are not counted.
 */
export function countChatPromptTokens(messages: readonly ChatMessage[]): number {
  let tokens = TOKENS_PRIMING_REPLY;
  for (const m of messages) {
    tokens += TOKENS_PER_MESSAGE + ROLE_TOKENS[m.role];
    if (m.name !== undefined) tokens += TOKENS_PER_NAME + approxTextTokens(m.name);
    const c = m.content;
    if (typeof c === 'string') tokens += approxTextTokens(c);
    else if (c !== null) {
      for (const part of c) tokens += part.type === 'text' ? approxTextTokens(part.text) : IMAGE_PART_TOKENS;
    }
  }
  return tokens;
}
