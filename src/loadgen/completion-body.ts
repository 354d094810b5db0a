/**
 * @module Request bodies of a load run, built by concatenation: a prompt of
 * `n` tokens is a slice of one prebuilt `a a a ...` string (one o200k token
 * per word), so a body costs a few string joins, not a tokenizer or
 * JSON.stringify of the prompt.
 */

/** Builds chat completion bodies for a fixed list of models. */
export interface CompletionBodies {
  /** The JSON body asking `models[model]` for `outputTokens` tokens after a `promptTokens`-token prompt. */
  body(model: number, promptTokens: number, outputTokens: number, stream: boolean): string;
}

export function completionBodies(models: readonly string[], maxPromptTokens: number): CompletionBodies {
  const filler = 'a' + ' a'.repeat(Math.max(0, maxPromptTokens - 1));
  const heads = models.map((m) => `{"model":${JSON.stringify(m)},"messages":[{"role":"user","content":"`);
  return {
    body(model, promptTokens, outputTokens, stream) {
      const prompt = filler.slice(0, 2 * Math.min(promptTokens, maxPromptTokens) - 1);
      return `${heads[model]}${prompt}"}],"max_tokens":${outputTokens}${stream ? ',"stream":true,"stream_options":{"include_usage":true}}' : '}'}`;
    },
  };
}
