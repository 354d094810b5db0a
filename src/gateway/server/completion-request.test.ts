import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_MAX_TOKENS, parseChatCompletionBody, parseCompletionBody } from './completion-request.js';
import { InvalidRequestError } from './gateway-errors.js';

function paramOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidRequestError) return e.param;
    throw e;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('completion request bodies', () => {
  it('normalises a chat body, counting its prompt tokens (see count-prompt-tokens.test.ts)', () => {
    const job = parseChatCompletionBody({
      model: 'm',
      messages: [
        { role: 'system', content: 'abcde' },
        { role: 'user', content: [{ type: 'text', text: 'abc' }, { type: 'image_url', image_url: { url: 'http://x' } }, { type: 'text', text: 'de' }] },
        { role: 'assistant', content: null, tool_calls: [] },
      ],
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    });
    // reply priming + per message (3 + role) + content; the image counts IMAGE_PART_TOKENS (85)
    expect(job).toMatchObject({ kind: 'chat', model: 'm', promptTokens: 3 + (4 + 2) + (4 + 1 + 85 + 1) + 4, maxOutputTokens: DEFAULT_CHAT_MAX_TOKENS, stream: true, includeUsage: true });
  });

  it('prefers max_completion_tokens and ignores include_usage without stream', () => {
    const job = parseChatCompletionBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 9, max_completion_tokens: 7, stream_options: { include_usage: true } });
    expect(job).toMatchObject({ maxOutputTokens: 7, stream: false, includeUsage: false });
  });

  it('names the first bad field', () => {
    expect(paramOf(() => parseChatCompletionBody({ messages: [] }))).toBe('model');
    expect(paramOf(() => parseChatCompletionBody({ model: 'm', messages: [] }))).toBe('messages');
    expect(paramOf(() => parseChatCompletionBody({ model: 'm', messages: [{ role: 'user', content: 3 }] }))).toBe('messages[0].content');
    expect(paramOf(() => parseChatCompletionBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }))).toBe('max_tokens');
    expect(paramOf(() => parseChatCompletionBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }))).toBe('n');
    expect(paramOf(() => parseChatCompletionBody([]))).toBe('(body)');
    expect(paramOf(() => parseCompletionBody({ model: 'm', prompt: ['a', 'b'] }))).toBe('prompt');
  });

  it('takes the same bodies, and names the same fields, on the hand-checked path as on the schema', () => {
    const chat = (extra: object, message: object = { role: 'user', content: 'x' }) => () => parseChatCompletionBody({ model: 'm', messages: [message], ...extra });
    expect(paramOf(chat({}, { role: 'user', content: 'x', name: null }))).toBe('messages[0].name');
    expect(paramOf(chat({}, { role: 'robot', content: 'x' }))).toBe('messages[0].role');
    expect(paramOf(() => parseChatCompletionBody({ model: 'm', messages: [{ role: 'user' }, 'x'] }))).toBe('messages[1]');
    expect(paramOf(chat({ model: '' }))).toBe('model');
    expect(paramOf(chat({ stream: 'yes' }))).toBe('stream');
    expect(paramOf(chat({ stream_options: { include_usage: 1 } }))).toBe('stream_options.include_usage');
    expect(paramOf(chat({ max_completion_tokens: 1.5 }))).toBe('max_completion_tokens');
    expect(paramOf(chat({ max_tokens: -1 }))).toBe('max_tokens');
    expect(paramOf(() => parseCompletionBody({ model: 'm', prompt: [1] }))).toBe('prompt');
    expect(paramOf(() => parseCompletionBody({ model: 'm', prompt: 'x', n: 3 }))).toBe('n');
    // What the hand check takes: no content, a name, nulls for the optional fields, unknown fields passed over.
    const job = parseChatCompletionBody({
      model: 'm',
      messages: [{ role: 'assistant', name: 'bob', tool_calls: [] }, { role: 'user', content: 'hi' }],
      stream: null,
      stream_options: null,
      max_tokens: null,
      max_completion_tokens: 5,
      n: 1,
      temperature: 0,
    });
    expect(job).toEqual({
      kind: 'chat',
      model: 'm',
      messages: [{ role: 'assistant', content: null, name: 'bob' }, { role: 'user', content: 'hi' }],
      promptTokens: job.promptTokens,
      maxOutputTokens: 5,
      stream: false,
      includeUsage: false,
    });
    expect(parseCompletionBody({ model: 'm', prompt: 'abc', stream: true, stream_options: { include_usage: true }, max_tokens: 3 })).toEqual({
      kind: 'text',
      model: 'm',
      prompt: 'abc',
      promptTokens: 1,
      maxOutputTokens: 3,
      stream: true,
      includeUsage: true,
    });
  });

  it('normalises a completion body, with one prompt in an array accepted', () => {
    expect(parseCompletionBody({ model: 'm', prompt: ['abcdefghi'] })).toMatchObject({ kind: 'text', prompt: 'abcdefghi', promptTokens: 2, maxOutputTokens: 16 });
  });
});
