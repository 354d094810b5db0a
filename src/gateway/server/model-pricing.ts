/**
 * @module The price of a request from its model's pricing (USD per million
 * tokens): prompt tokens served from a prefix cache at the cached price
 * (default: the input price), the others at the input price, output tokens at
 * the output price.
 */
import type { GatewayModelConfig } from '../config/gateway-config.js';

type Pricing = GatewayModelConfig['pricing'];

/** Cost, US dollars. Token counts are tokens; `cachedTokens` is part of `inputTokens`. */
export function requestCostUsd(pricing: Pricing, inputTokens: number, cachedTokens: number, outputTokens: number): number {
  const cached = Math.min(cachedTokens, inputTokens);
  const cachedPrice = pricing.cachedInputUsdPerMillion ?? pricing.inputUsdPerMillion;
  return ((inputTokens - cached) * pricing.inputUsdPerMillion + cached * cachedPrice + outputTokens * pricing.outputUsdPerMillion) / 1e6;
}

/** The most a request may cost (no cache hit, every output token produced), US dollars: the limiter's estimate. */
export function worstCaseCostUsd(pricing: Pricing, inputTokens: number, maxOutputTokens: number): number {
  return requestCostUsd(pricing, inputTokens, 0, maxOutputTokens);
}
