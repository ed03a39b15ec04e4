/**
 * Realized bad debt: losses a protocol has booked (Aave v3.3+ deficits; later Morpho Blue bad-debt
 * liquidations, Compound III absorbs, Liquity redistributions), each valued at its own block's price.
 */
import { MetricError } from './errors';

export interface RealizedLossFact {
  id: string;
  marketId: string;
  block: number;
  timestamp: number;
  /** Underlying units written off. */
  amount: bigint;
  /** Oracle price at that block, base currency units; null when the oracle had none. */
  price: bigint | null;
  decimals: number;
}

export function lossValueBase(f: RealizedLossFact): bigint {
  if (f.price === null) throw new MetricError('PRICE_UNAVAILABLE', `realized bad debt ${f.id} has no oracle price recorded`);
  return (f.amount * f.price) / 10n ** BigInt(f.decimals);
}

export interface Range {
  fromBlock?: number | null;
  toBlock?: number | null;
  fromTimestamp?: number | null;
  toTimestamp?: number | null;
}

export function inRange(f: { block: number; timestamp: number }, r: Range): boolean {
  return (
    (r.fromBlock == null || f.block >= r.fromBlock) &&
    (r.toBlock == null || f.block <= r.toBlock) &&
    (r.fromTimestamp == null || f.timestamp >= r.fromTimestamp) &&
    (r.toTimestamp == null || f.timestamp <= r.toTimestamp)
  );
}

/** Count and base-currency sum of the losses in `range`, optionally of one market. */
export function realizedTotals(facts: RealizedLossFact[], range: Range, marketId?: string): { count: number; amountBase: bigint } {
  let count = 0;
  let amountBase = 0n;
  for (const f of facts) {
    if (marketId !== undefined && f.marketId !== marketId) continue;
    if (!inRange(f, range)) continue;
    count++;
    amountBase += lossValueBase(f);
  }
  return { count, amountBase };
}
