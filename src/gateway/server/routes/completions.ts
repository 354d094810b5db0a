/** @module `POST /v1/completions` (legacy text completions, one prompt): plain JSON or an SSE stream. */
import { parseCompletionBody } from '../completion-request.js';
import type { RouteHandler } from '../gateway-context.js';
import { serveCompletion } from '../serve-completion.js';

export const completionsRoute: RouteHandler = (ctx, call) => serveCompletion(ctx, call, parseCompletionBody);
