import { countTokens, encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../backends/backend.js';
import {
  approxTextTokens,
  countChatPromptTokens,
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
