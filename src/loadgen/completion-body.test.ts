import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { completionBodies } from './completion-body.js';

describe('completionBodies', () => {
  const bodies = completionBodies(['m-1', 'other"model'], 100);

  it('builds valid chat requests with prompts of the asked token count', () => {
    const plain = JSON.parse(bodies.body(0, 37, 12, false)) as { model: string; messages: { content: string }[]; max_tokens: number; stream?: boolean };
    expect(plain.model).toBe('m-1');
    expect(plain.max_tokens).toBe(12);
    expect(plain.stream).toBeUndefined();
    expect(countTokens(plain.messages[0]!.content)).toBe(37);
    const streamed = JSON.parse(bodies.body(1, 1, 3, true)) as { model: string; stream: boolean; stream_options: { include_usage: boolean }; messages: { content: string }[] };
    expect(streamed.model).toBe('other"model');
    expect(streamed.stream).toBe(true);
    expect(streamed.stream_options.include_usage).toBe(true);
    expect(streamed.messages[0]!.content).toBe('a');
  });

  it('caps prompts at the longest prebuilt one', () => {
    const b = JSON.parse(bodies.body(0, 5000, 1, false)) as { messages: { content: string }[] };
    expect(countTokens(b.messages[0]!.content)).toBe(100);
  });
});
