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

/**
 * One realized loss and who absorbed it, in underlying units: `covered` by an insurance fund or the
 * protocol's reserves (Aave: deficit eliminated by DeficitCovered; Gearbox: treasury shares burnt),
 * `socialized` to suppliers (Morpho Blue: Liquidate.badDebtAssets; Gearbox: IncurUncoveredLoss), and
 * the rest, amount - covered - socialized, still booked as a deficit (Aave v3.3+). Never counted twice.
 */
export interface LossAbsorption {
  covered: bigint;
  socialized: bigint;
}

export interface LossSplit {
  count: number;
  totalBase: bigint;
  coveredBase: bigint;
  socializedBase: bigint;
  /** totalBase - coveredBase - socializedBase: valued as the remainder so the parts add up exactly. */
  deficitBase: bigint;
}

/** Base-currency value of `amount` of the fact's asset at the fact's own price. */
function partValueBase(f: RealizedLossFact, amount: bigint): bigint {
  return lossValueBase({ ...f, amount });
}

/** The losses in `range` (optionally of one market), each valued at its own block's price, split by who absorbed them. */
export function lossSplit(losses: { fact: RealizedLossFact; absorbed: LossAbsorption }[], range: Range, marketId?: string): LossSplit {
  const out: LossSplit = { count: 0, totalBase: 0n, coveredBase: 0n, socializedBase: 0n, deficitBase: 0n };
  for (const { fact, absorbed } of losses) {
    if (marketId !== undefined && fact.marketId !== marketId) continue;
    if (!inRange(fact, range)) continue;
    const total = lossValueBase(fact);
    const covered = partValueBase(fact, absorbed.covered);
    const socialized = partValueBase(fact, absorbed.socialized);
    out.count++;
    out.totalBase += total;
    out.coveredBase += covered;
    out.socializedBase += socialized;
    out.deficitBase += total - covered - socialized;
  }
  return out;
}

/**
 * Aave v3.3+: which deficits a market's coverage paid. `eliminateReserveDeficit` lowers a reserve's
 * one deficit figure and names no write-off, so the gateway allocates each market's covered total (up
 * to the block) to its deficits oldest first; since inception the parts are exact (covered = Σ
 * DeficitCovered, deficit = Pool.getReserveDeficit), within a range they follow this convention.
 * `losses` newest first (as the sources return them); the result is in the same order.
 */
export function allocateCoverageOldestFirst(losses: RealizedLossFact[], coveredByMarket: ReadonlyMap<string, bigint>): LossAbsorption[] {
  const left = new Map(coveredByMarket);
  const out: LossAbsorption[] = losses.map(() => ({ covered: 0n, socialized: 0n }));
  for (let i = losses.length - 1; i >= 0; i--) {
    const f = losses[i];
    const available = left.get(f.marketId) ?? 0n;
    const covered = available < f.amount ? available : f.amount;
    out[i].covered = covered;
    left.set(f.marketId, available - covered);
  }
  return out;
}
