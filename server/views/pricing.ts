/** Pricing labels: where a view's prices come from, combined from its markets' (see model.ts Pricing). */
import type { Pricing } from './model';

export const oraclePricing = (block: number): Pricing => ({ source: 'ORACLE_CALL', asOfBlock: block, unpricedMarkets: [] });
export const unpriced = (marketId: string): Pricing => ({ source: 'NONE', asOfBlock: null, unpricedMarkets: [marketId] });

/** One label for several markets: unpriced markets are listed, the rest say where their prices come from. */
export function combinePricing(parts: Pricing[]): Pricing {
  const priced = parts.filter((p) => p.source !== 'NONE');
  const sources = new Set(priced.map((p) => p.source));
  const blocks = priced.map((p) => p.asOfBlock).filter((b): b is number => b !== null);
  return {
    source: sources.size === 0 ? 'NONE' : sources.size === 1 ? [...sources][0] : 'MIXED',
    asOfBlock: blocks.length ? Math.min(...blocks) : null,
    unpricedMarkets: [...new Set(parts.flatMap((p) => p.unpricedMarkets))],
  };
}
