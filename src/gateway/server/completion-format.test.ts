import { describe, expect, it } from 'vitest';
import { completionFormat } from './completion-format.js';

/** The JSON of a `data: ...\n\n` frame. */
function json(frame: string): unknown {
  expect(frame.startsWith('data: ') && frame.endsWith('\n\n')).toBe(true);
  return JSON.parse(frame.slice(6, -2));
}

const usage = { promptTokens: 5, completionTokens: 2, cachedTokens: 1 };
const openAiUsage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } };

describe('completionFormat', () => {
  it('writes the chat stream frames OpenAI sends, text escaped', () => {
    const f = completionFormat('chat', 'chatcmpl-1', 'm"x', 1700000000);
    const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'm"x' };
    expect(json(f.startFrame)).toEqual({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
    expect(json(f.tokenFrame('a "b"\n'))).toEqual({ ...head, choices: [{ index: 0, delta: { content: 'a "b"\n' }, logprobs: null, finish_reason: null }] });
    expect(json(f.finishFrame('length'))).toEqual({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }] });
    expect(json(f.usageFrame(usage))).toEqual({ ...head, choices: [], usage: openAiUsage });
    expect(f.body('ab', 'stop', usage)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'm"x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ab', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: openAiUsage,
    });
  });

  it('writes the text completion frames, with no start frame', () => {
    const f = completionFormat('text', 'cmpl-1', 'm', 1);
    const head = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm' };
    expect(f.startFrame).toBe('');
    expect(json(f.tokenFrame('x'))).toEqual({ ...head, choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: null }] });
    expect(json(f.finishFrame('stop'))).toEqual({ ...head, choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }] });
    expect(json(f.usageFrame(usage))).toEqual({ ...head, choices: [], usage: openAiUsage });
  });
});
