/**
 * @module The OpenAI wire shapes of a completion, chat (`chat.completion`,
 * `chat.completion.chunk`) or text (`text_completion`): the whole body of a
 * plain response, and the server-sent event frames of a stream.
 *
 * A token frame is the same JSON every time but for the text, so its prefix
 * and suffix are built once per request (and only for a stream) and each
 * token costs one JSON.stringify of its text and one string concatenation.
 */
import type { BackendUsage } from '../backends/backend.js';
import type { CompletionKind } from './completion-request.js';

export type FinishReason = 'stop' | 'length';

/** OpenAI's usage object. */
export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

export function openAiUsage(u: BackendUsage): OpenAiUsage {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
  };
}

export interface CompletionFormat {
  /** The frame before the first token (chat: the assistant role), or '' when none. */
  readonly startFrame: string;
  /** The frame of one token of text. */
  tokenFrame(text: string): string;
  /** The frame that gives the finish reason (empty delta or text). */
  finishFrame(reason: FinishReason): string;
  /** The frame with the usage and no choices (stream_options.include_usage). */
  usageFrame(usage: BackendUsage): string;
  /** The body of a plain (non-streaming) response. */
  body(text: string, reason: FinishReason, usage: BackendUsage): unknown;
}

export const DONE_FRAME = 'data: [DONE]\n\n';

/** An error event inside a stream, as OpenAI sends one (the SDKs raise it). */
export function errorFrame(error: unknown): string {
  return `data: ${JSON.stringify(error)}\n\n`;
}

/** The format of a response with id `id` for `model`, created at `createdSeconds` (Unix epoch seconds). Stream frames are built on first use. */
export function completionFormat(kind: CompletionKind, id: string, model: string, createdSeconds: number): CompletionFormat {
  const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  /** The head of every frame's JSON, without its closing brace. */
  let head: string | undefined;
  const headJson = () => (head ??= JSON.stringify({ id, object, created: createdSeconds, model }).slice(0, -1));
  const frame = (rest: string) => `data: ${headJson()},${rest}}\n\n`;
  const usageFrame = (usage: BackendUsage) => frame(`"choices":[],"usage":${JSON.stringify(openAiUsage(usage))}`);
  let prefix: string | undefined;
  if (kind === 'chat') {
    const suffix = '},"logprobs":null,"finish_reason":null}]}\n\n';
    return {
      get startFrame() {
        return frame('"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]');
      },
      tokenFrame: (text) => (prefix ??= `data: ${headJson()},"choices":[{"index":0,"delta":{"content":`) + JSON.stringify(text) + suffix,
      finishFrame: (reason) => frame(`"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":${JSON.stringify(reason)}}]`),
      usageFrame,
      body: (text, reason, usage) => ({
        id,
        object: 'chat.completion',
        created: createdSeconds,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: reason }],
        usage: openAiUsage(usage),
      }),
    };
  }
  const suffix = ',"logprobs":null,"finish_reason":null}]}\n\n';
  return {
    startFrame: '',
    tokenFrame: (text) => (prefix ??= `data: ${headJson()},"choices":[{"index":0,"text":`) + JSON.stringify(text) + suffix,
    finishFrame: (reason) => frame(`"choices":[{"index":0,"text":"","logprobs":null,"finish_reason":${JSON.stringify(reason)}}]`),
    usageFrame,
    body: (text, reason, usage) => ({
      id,
      object: 'text_completion',
      created: createdSeconds,
      model,
      choices: [{ index: 0, text, logprobs: null, finish_reason: reason }],
      usage: openAiUsage(usage),
    }),
  };
}
