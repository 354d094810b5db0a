/**
 * @module The bodies of `POST /v1/chat/completions` and `POST /v1/completions`,
 * validated with zod (fields the gateway does not read, such as temperature,
 * pass through unchecked) and normalised into one CompletionJob. A bad body
 * gives an InvalidRequestError naming the field (`messages[0].role: ...`).
 *
 * The common body (string contents, the usual optional fields) is checked by
 * hand first: zod's safeParse cost 5-10% of the gateway's CPU per request. The
 * hand check accepts only bodies the schema accepts; anything else, every
 * invalid body included, goes through zod, which decides and words the error.
 */
import { z } from 'zod';
import type { ChatMessage } from '../backends/backend.js';
import { approxTextTokens, countChatPromptTokens } from './count-prompt-tokens.js';
import { InvalidRequestError } from './gateway-errors.js';

/** Output cap of a chat completion without max_tokens, tokens (ASSUMPTION: a gateway default, not the model's limit). */
export const DEFAULT_CHAT_MAX_TOKENS = 512;
/** Output cap of a completion without max_tokens, tokens (OpenAI's default for /v1/completions). */
export const DEFAULT_COMPLETION_MAX_TOKENS = 16;

export type CompletionKind = 'chat' | 'text';

/** A validated completion request, chat or text. */
export interface CompletionJob {
  readonly kind: CompletionKind;
  /** Served model id, as the client named it. */
  readonly model: string;
  /** Chat only. */
  readonly messages?: readonly ChatMessage[];
  /** Completions only. */
  readonly prompt?: string;
  /** Prompt tokens, approximated (see count-prompt-tokens.ts). */
  readonly promptTokens: number;
  /** Output cap, tokens. */
  readonly maxOutputTokens: number;
  readonly stream: boolean;
  /** stream_options.include_usage: a last chunk carries the usage. */
  readonly includeUsage: boolean;
}

const contentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }).loose(),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }).loose() }).loose(),
]);

const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
    name: z.string().optional(),
  })
  .loose();

const maxTokens = z.number().int().positive().nullish();
const common = {
  model: z.string().min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
  max_tokens: maxTokens,
  n: z.literal(1, 'only n = 1 is supported').nullish(),
};

const chatBody = z.object({ ...common, messages: z.array(message).min(1), max_completion_tokens: maxTokens }).loose();

const completionBody = z
  .object({
    ...common,
    prompt: z.union([z.string(), z.array(z.string()).length(1, 'only a single prompt is supported')]),
  })
  .loose();

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

function invalid(error: z.ZodError): InvalidRequestError {
  const issues = error.issues.map((i) => ({ path: pathOf(i.path) || '(body)', message: i.message }));
  const [first, ...rest] = issues;
  if (first === undefined) return new InvalidRequestError('invalid request body');
  const also = rest.length > 0 ? `; also ${rest.map((i) => `${i.path}: ${i.message}`).join('; ')}` : '';
  return new InvalidRequestError(`${first.path}: ${first.message}${also}`, first.path);
}

type Json = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ROLES: ReadonlySet<unknown> = new Set(message.shape.role.options);

/** Absent, null, or a positive integer (the schema's `maxTokens`). */
function isMaxTokens(v: unknown): v is number | null | undefined {
  return v === undefined || v === null || (Number.isSafeInteger(v) && (v as number) > 0);
}

/** The fields of `common` on a body, when they are of the usual valid forms. */
function hasCommonFields(b: Json): boolean {
  const { stream, stream_options: options, n } = b;
  return (
    typeof b.model === 'string' &&
    b.model.length > 0 &&
    (stream === undefined || stream === null || typeof stream === 'boolean') &&
    (options === undefined || options === null || (isObject(options) && (options.include_usage === undefined || options.include_usage === null || typeof options.include_usage === 'boolean'))) &&
    isMaxTokens(b.max_tokens) &&
    (n === undefined || n === null || n === 1)
  );
}

/** The messages of a chat body whose messages all have string (or null, or no) contents, as ChatMessages; else undefined. */
function simpleMessages(v: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const messages: ChatMessage[] = [];
  for (const m of v as unknown[]) {
    if (!isObject(m) || !ROLES.has(m.role)) return undefined;
    const { content, name } = m;
    if (!(content === undefined || content === null || typeof content === 'string')) return undefined;
    if (!(name === undefined || typeof name === 'string')) return undefined;
    const role = m.role as ChatMessage['role'];
    messages.push(name === undefined ? { role, content: content ?? null } : { role, content: content ?? null, name });
  }
  return messages;
}

function streamFlags(b: { stream?: boolean | null; stream_options?: { include_usage?: boolean | null } | null }) {
  const stream = b.stream === true;
  return { stream, includeUsage: stream && b.stream_options?.include_usage === true };
}

function chatJob(b: z.infer<typeof chatBody>, messages: readonly ChatMessage[]): CompletionJob {
  return {
    kind: 'chat',
    model: b.model,
    messages,
    promptTokens: countChatPromptTokens(messages),
    maxOutputTokens: b.max_completion_tokens ?? b.max_tokens ?? DEFAULT_CHAT_MAX_TOKENS,
    ...streamFlags(b),
  };
}

/** A chat completion body as a job. @throws InvalidRequestError */
export function parseChatCompletionBody(body: unknown): CompletionJob {
  // Fast path: the common well-formed body, checked by hand; anything else goes through zod for its error message.
  if (isObject(body) && hasCommonFields(body) && isMaxTokens(body.max_completion_tokens)) {
    const messages = simpleMessages(body.messages);
    if (messages !== undefined) return chatJob(body as z.infer<typeof chatBody>, messages);
  }
  const r = chatBody.safeParse(body);
  if (!r.success) throw invalid(r.error);
  return chatJob(r.data, r.data.messages.map((m): ChatMessage => ({ role: m.role, content: m.content ?? null, ...(m.name !== undefined && { name: m.name }) })));
}

/** A completion body as a job. @throws InvalidRequestError */
export function parseCompletionBody(body: unknown): CompletionJob {
  let b: z.infer<typeof completionBody>;
  if (isObject(body) && hasCommonFields(body) && (typeof body.prompt === 'string' || (Array.isArray(body.prompt) && body.prompt.length === 1 && typeof body.prompt[0] === 'string'))) {
    b = body as z.infer<typeof completionBody>;
  } else {
    const r = completionBody.safeParse(body);
    if (!r.success) throw invalid(r.error);
    b = r.data;
  }
  const prompt = typeof b.prompt === 'string' ? b.prompt : b.prompt[0]!;
  return {
    kind: 'text',
    model: b.model,
    prompt,
    promptTokens: approxTextTokens(prompt),
    maxOutputTokens: b.max_tokens ?? DEFAULT_COMPLETION_MAX_TOKENS,
    ...streamFlags(b),
  };
}
