import { countTokens, encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../backends/backend.js';
import {
  approxTextTokens,
  countChatPromptTokens,
  EXACT_PROMPT_CHARS,
  IMAGE_PART_TOKENS,
  MAX_RUN_CHARS,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_NAME,
  TOKENS_PRIMING_REPLY,
} from './count-prompt-tokens.js';

/** Per-message overhead of a message whose role is one token (all five roles are, in o200k_base). */
const MESSAGE_OVERHEAD = TOKENS_PER_MESSAGE + 1;

describe('approxTextTokens', () => {
  it('gives the o200k_base counts of known strings', () => {
    expect(approxTextTokens('')).toBe(0);
    expect(approxTextTokens('hello world')).toBe(2);
    expect(approxTextTokens('Hello, world!')).toBe(4);
    expect(approxTextTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(approxTextTokens('Once upon a time')).toBe(4);
  });

  it('counts special-token look-alikes in user text as plain text instead of throwing', () => {
    expect(approxTextTokens('<|endoftext|>')).toBe(7);
  });

  it('counts a run up to MAX_RUN_CHARS exactly, and a longer one slice by slice', () => {
    const run = 'ab'.repeat(MAX_RUN_CHARS);
    expect(approxTextTokens(run.slice(0, MAX_RUN_CHARS))).toBe(countTokens(run.slice(0, MAX_RUN_CHARS)));
    const slices = [run.slice(0, MAX_RUN_CHARS), run.slice(MAX_RUN_CHARS)];
    expect(approxTextTokens(`x ${run} y`)).toBe(countTokens(`x ${slices[0]}`) + countTokens(`${slices[1]} y`));
  });

  it('never cuts a long run inside a surrogate pair', () => {
    const codePoints = Array.from({ length: MAX_RUN_CHARS + 10 }, () => '😀');
    const bySlices = countTokens(codePoints.slice(0, MAX_RUN_CHARS).join('')) + countTokens(codePoints.slice(MAX_RUN_CHARS).join(''));
    expect(approxTextTokens(codePoints.join(''))).toBe(bySlices);
  });
});

describe('countChatPromptTokens', () => {
  it('adds the per-message overhead and the reply priming to each content', () => {
    expect(countChatPromptTokens([{ role: 'user', content: 'hello world' }])).toBe(MESSAGE_OVERHEAD + 2 + TOKENS_PRIMING_REPLY);
  });

  it('agrees with gpt-tokenizer’s own gpt-4o chat template', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: 'Hello, world!' },
    ];
    const chat = messages.map((m) => ({ role: m.role as 'system' | 'user' | 'assistant', content: m.content as string }));
    expect(countChatPromptTokens(messages)).toBe(encodeChat(chat, 'gpt-4o').length);
  });

  it('counts only the overhead for empty or null content', () => {
    expect(countChatPromptTokens([{ role: 'user', content: '' }])).toBe(MESSAGE_OVERHEAD + TOKENS_PRIMING_REPLY);
    expect(countChatPromptTokens([{ role: 'assistant', content: null }])).toBe(MESSAGE_OVERHEAD + TOKENS_PRIMING_REPLY);
    expect(countChatPromptTokens([{ role: 'user', content: [] }])).toBe(MESSAGE_OVERHEAD + TOKENS_PRIMING_REPLY);
  });

  it('counts text parts with the encoder and each image part as IMAGE_PART_TOKENS', () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hello world' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'text', text: 'Hello, world!' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ];
    expect(countChatPromptTokens(messages)).toBe(MESSAGE_OVERHEAD + 2 + 4 + 2 * IMAGE_PART_TOKENS + TOKENS_PRIMING_REPLY);
  });

  it('counts a name and its extra token', () => {
    const withName = countChatPromptTokens([{ role: 'user', content: 'hello world', name: 'alice' }]);
    expect(withName).toBe(countChatPromptTokens([{ role: 'user', content: 'hello world' }]) + TOKENS_PER_NAME + 1);
  });

  it('is deterministic', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'The quick brown fox jumps over the lazy dog. '.repeat(50) },
      { role: 'user', content: [{ type: 'text', text: `${'z'.repeat(3 * MAX_RUN_CHARS)} ok` }] },
    ];
    const first = countChatPromptTokens(messages);
    for (let i = 0; i < 5; i++) expect(countChatPromptTokens(messages)).toBe(first);
  });
});

describe('long prompts: counted exactly up to EXACT_PROMPT_CHARS, extrapolated beyond', () => {
  /** Deterministic prose-like text of about `chars` characters. */
  function prose(chars: number, seed = 7): string {
    const words = ['the', 'gateway', 'counts', 'tokens', 'of', 'every', 'prompt', 'before', 'it', 'forwards', 'a', 'request', 'to', 'one', 'backend', 'pool', 'with', 'accelerators', 'serving', 'models', 'at', 'scale', 'while', 'tenants', 'pay', 'for', 'what', 'they', 'use'];
    let s = seed;
    let text = '';
    while (text.length < chars) {
      s = (s * 16807) % 2147483647;
      text += words[s % words.length]! + (s % 11 === 0 ? '. ' : s % 13 === 0 ? ', ' : ' ');
    }
    return text;
  }
  const within = (approx: number, exact: number, share: number) => expect(Math.abs(approx - exact) / exact).toBeLessThan(share);

  it('counts a text of EXACT_PROMPT_CHARS characters exactly', () => {
    const text = prose(EXACT_PROMPT_CHARS + 50).slice(0, EXACT_PROMPT_CHARS);
    expect(approxTextTokens(text)).toBe(countTokens(text));
  });

  it('extrapolates a long text at the rate of its counted part: within 5% on homogeneous prose', () => {
    for (const chars of [2_000, 20_000, 200_000]) {
      const text = prose(chars);
      within(approxTextTokens(text), countTokens(text), 0.05);
    }
  });

  it('extrapolates a long text in a script of other density (Chinese) at its own rate', () => {
    const text = '模型在加速器上为每个租户提供服务，网关在转发请求之前统计提示的令牌数量。'.repeat(400);
    within(approxTextTokens(text), countTokens(text), 0.1);
  });

  it('spends one budget over the whole chat: a long conversation is within 5% of the exact count', () => {
    const messages: ChatMessage[] = Array.from({ length: 60 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: prose(700, i + 1) }));
    const exact = TOKENS_PRIMING_REPLY + messages.reduce((n, m) => n + MESSAGE_OVERHEAD + countTokens(m.content as string), 0);
    within(countChatPromptTokens(messages), exact, 0.05);
    // The first messages, within the budget, are counted exactly.
    const short = messages.slice(0, 1);
    expect(countChatPromptTokens(short)).toBe(TOKENS_PRIMING_REPLY + MESSAGE_OVERHEAD + countTokens(short[0]!.content as string));
  });

  it('never cuts a surrogate pair at the budget and still counts the rest', () => {
    const text = 'a'.repeat(EXACT_PROMPT_CHARS - 1) + '😀'.repeat(500);
    const approx = approxTextTokens(text);
    expect(approx).toBeGreaterThan(countTokens('a'.repeat(EXACT_PROMPT_CHARS - 1)));
    expect(Number.isInteger(approx)).toBe(true);
  });
});
