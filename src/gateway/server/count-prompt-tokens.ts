/**
 * @module The prompt length the gateway counts before forwarding a request
 * (for the limiter's estimate and the router), with the o200k_base BPE
 * encoding (GPT-4o and later) from gpt-tokenizer.
 *
 * Exact for o200k_base text of up to EXACT_PROMPT_CHARS characters; beyond,
 * the rest of the prompt is extrapolated at the rate of its counted part. For a
 * served model with another tokenizer (Llama, Qwen, DeepSeek) it is an estimate
 * either way, and the ledger bills the backend's own count when it reports one.
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

/**
 * Characters of a prompt the tokenizer counts, characters; the rest is extrapolated at the rate of the counted
 * part. BPE encoding runs at about 0.3 us per token on this project's machine: a 3,000-token prompt of varied
 * words cost the gateway 1.2 ms of CPU, nine times the rest of its work per request (`npm run bench:gateway --
 * --pin --prompt-words 1000`: 850 requests/s, so at 1,000 requests/s it fell seconds behind). With the bound, a
 * prompt costs at most ~0.2 ms of counting whatever its length; prompts of up to 1,024 characters (most chat
 * turns) are still counted exactly.
 */
export const EXACT_PROMPT_CHARS = 1024;

/** Tokens of a text in o200k_base (exact unless it has a run longer than MAX_RUN_CHARS). */
function exactTextTokens(text: string): number {
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

/** Where to cut a text to count its first `budget` characters: at a space when one is near, never inside a surrogate pair. */
function cutAt(text: string, budget: number): number {
  const space = text.lastIndexOf(' ', budget);
  let cut = space >= budget / 2 ? space : budget;
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut = cut > 1 ? cut - 1 : cut + 1;
  return cut;
}

/** Counts the texts of one prompt: exactly while the budget of EXACT_PROMPT_CHARS lasts, then at the counted rate. */
class PromptCounter {
  private budget = EXACT_PROMPT_CHARS;
  private countedChars = 0;
  private countedTokens = 0;

  count(text: string): number {
    if (text.length <= this.budget) {
      const tokens = exactTextTokens(text);
      this.budget -= text.length;
      this.countedChars += text.length;
      this.countedTokens += tokens;
      return tokens;
    }
    let tokens = 0;
    let rest = text.length;
    if (this.budget > 0) {
      const cut = cutAt(text, this.budget);
      tokens = exactTextTokens(text.slice(0, cut));
      this.budget = 0;
      this.countedChars += cut;
      this.countedTokens += tokens;
      rest -= cut;
    }
    return tokens + Math.round((rest * this.countedTokens) / Math.max(1, this.countedChars));
  }
}

/** Tokens of a text in o200k_base: exact up to EXACT_PROMPT_CHARS characters (and runs of at most MAX_RUN_CHARS), extrapolated beyond. */
export function approxTextTokens(text: string): number {
  return new PromptCounter().count(text);
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
  const counter = new PromptCounter();
  let tokens = TOKENS_PRIMING_REPLY;
  for (const m of messages) {
    tokens += TOKENS_PER_MESSAGE + ROLE_TOKENS[m.role];
    if (m.name !== undefined) tokens += TOKENS_PER_NAME + counter.count(m.name);
    const c = m.content;
    if (typeof c === 'string') tokens += counter.count(c);
    else if (c !== null) {
      for (const part of c) tokens += part.type === 'text' ? counter.count(part.text) : IMAGE_PART_TOKENS;
    }
  }
  return tokens;
}
