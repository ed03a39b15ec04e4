/**
 * One Morpho Blue position at a block: its assets from shares (SharesMathLib, virtual shares) and
 * Morpho's own health rule (Morpho._isHealthy). Markets are isolated: health is per (market, account).
 */
import { mulDivDown, ORACLE_PRICE_SCALE, toAssetsDown, toAssetsUp, wDivDown, wMulDown, type MorphoMarketState } from './math';

export interface MorphoPositionState {
  supplyShares: bigint;
  borrowShares: bigint;
  /** collateral-token units */
  collateral: bigint;
}

export interface MorphoPositionFigures {
  /** loan units, rounded down (what the supplier can withdraw: MorphoBalancesLib.expectedSupplyAssets) */
  supplied: bigint;
  /** loan units, rounded up (what Morpho checks health against: MorphoBalancesLib.expectedBorrowAssets) */
  borrowed: bigint;
  /** collateral x price x LLTV, loan units, rounded down; null without an oracle price */
  maxBorrow: bigint | null;
  /** maxBorrow / borrowed, WAD rounded down; null without debt */
  healthFactor: bigint | null;
  /** borrowed > maxBorrow (Morpho._isHealthy is false; a position without debt is always healthy) */
  liquidatable: boolean;
}

/** `m` must already hold the expected totals at the block (expectedMarket). */
export function morphoPosition(m: MorphoMarketState, p: MorphoPositionState, oraclePrice: bigint | null, lltv: bigint): MorphoPositionFigures {
  const supplied = toAssetsDown(p.supplyShares, m.totalSupplyAssets, m.totalSupplyShares);
  const borrowed = p.borrowShares === 0n ? 0n : toAssetsUp(p.borrowShares, m.totalBorrowAssets, m.totalBorrowShares);
  const maxBorrow = oraclePrice === null ? null : wMulDown(mulDivDown(p.collateral, oraclePrice, ORACLE_PRICE_SCALE), lltv);
  if (p.borrowShares === 0n) return { supplied, borrowed, maxBorrow, healthFactor: null, liquidatable: false };
  if (maxBorrow === null) throw new Error('morphoPosition: a position with debt needs the oracle price');
  // borrowShares > 0 gives borrowed >= 1 (toAssetsUp of a positive share count with VIRTUAL_ASSETS = 1).
  return { supplied, borrowed, maxBorrow, healthFactor: wDivDown(maxBorrow, borrowed), liquidatable: borrowed > maxBorrow };
}
