/** @module `POST /v1/chat/completions`: plain JSON or an SSE stream (see serve-completion.ts). */
import { parseChatCompletionBody } from '../completion-request.js';
import type { RouteHandler } from '../gateway-context.js';
import { serveCompletion } from '../serve-completion.js';

export const chatCompletionsRoute: RouteHandler = (ctx, call) => serveCompletion(ctx, call, parseChatCompletionBody);
