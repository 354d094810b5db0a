/**
 * @module What the gateway asks of a backend: one serving replica (a real
 * OpenAI-compatible upstream or a built-in emulated engine) that streams the
 * tokens of a chat or completion request, says whether it is healthy, and
 * shows its load to the router.
 */
import type { AbortLike } from './abort-switch.js';

/** One part of a multi-part message (OpenAI's content array); only text is read by the gateway itself. */
export type ChatContentPart = { readonly type: 'text'; readonly text: string } | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

/** A chat message as the OpenAI API carries it. */
export interface ChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  readonly content: string | readonly ChatContentPart[] | null;
  readonly name?: string;
}

export interface BackendChatRequest {
  /** The gateway's id of the request (for logs and for deterministic emulation). */
  readonly requestId: string;
  /** Chat messages (chat completions); absent for a plain completion. */
  readonly messages?: readonly ChatMessage[];
  /** Prompt text (completions); absent for a chat completion. */
  readonly prompt?: string;
  /** Prompt length, tokens, as the gateway counted or estimated it. */
  readonly promptTokens: number;
  /** Output tokens at most (the request's max_tokens, or the gateway's default). */
  readonly maxOutputTokens: number;
  /**
   * Emulated backends only: the response ends (finish reason `stop`) after
   * this many tokens when fewer than maxOutputTokens; real upstreams ignore it.
   */
  readonly outputTokens?: number;
  /** Whether the client asked for a stream (a backend may still yield token chunks either way). */
  readonly stream: boolean;
  /** Aborted when the client goes away or the gateway gives up: the backend stops generating. */
  readonly signal: AbortLike;
}

export interface BackendUsage {
  /** Prompt tokens, as the backend counted them. */
  readonly promptTokens: number;
  /** Output tokens produced. */
  readonly completionTokens: number;
  /** Prompt tokens served from a prefix cache. */
  readonly cachedTokens: number;
}

/**
 * What a backend yields: token chunks, then exactly one `done` or one
 * `error`. A stream aborted through the request's signal ends without either.
 */
export type BackendChunk =
  | { readonly type: 'token'; readonly text: string }
  | { readonly type: 'done'; readonly usage: BackendUsage; readonly finishReason: 'stop' | 'length' }
  | { readonly type: 'error'; readonly status: number; readonly message: string };

/** Requests in flight a backend that does not say otherwise takes (vLLM's long-standing default max_num_seqs). */
export const DEFAULT_MAX_IN_FLIGHT = 256;

/** A backend's load, for routing. */
export interface BackendSnapshot {
  /** Requests accepted and not yet finished (queued or running). */
  readonly outstanding: number;
  /** Prompt tokens still to prefill over queued and running requests, tokens. */
  readonly queuedPromptTokens: number;
}

export interface Backend {
  /** Unique within the gateway. */
  readonly id: string;
  /** The pool it belongs to. */
  readonly pool: string;
  /** The model id it serves (as clients name it). */
  readonly model: string;
  /**
   * Requests the gateway sends it at once before it counts as saturated (the
   * rest wait in the model's fair queue, see fair-admission.ts); default
   * DEFAULT_MAX_IN_FLIGHT (256).
   */
  readonly maxInFlight?: number;
  /** The response's chunks; a stream may also hand them over in batches (see chunk-batches.ts), which the gateway then reads. */
  chat(req: BackendChatRequest): AsyncIterable<BackendChunk>;
  health(): Promise<boolean>;
  snapshot(): BackendSnapshot;
}
