/**
 * The arithmetic that differs between Aave V3 generations, as data: one rules object per generation,
 * chosen from what the subgraph recorded (AavePool.scaledRounding, from the Pool's revision). The
 * account and reserve formulas take a rules object instead of branching on versions.
 */
import { compoundedInterest, compoundedInterestV36, mulDivCeil, percentMul, rayMul, rayMulCeil, rayMulFloor, wadDiv } from './math';

export interface AaveRules {
  name: string;
  /** MathUtils.calculateCompoundedInterest */
  compoundedInterest(rate: bigint, lastUpdateTimestamp: bigint, timestamp: bigint): bigint;
  /** aToken balance from a scaled balance and the normalized income */
  aTokenBalance(scaled: bigint, index: bigint): bigint;
  /** variable debt balance from a scaled balance and the normalized debt */
  debtBalance(scaled: bigint, index: bigint): bigint;
  /** GenericLogic._getUserDebtInBaseCurrency's valuation of a debt amount */
  debtValue(amount: bigint, price: bigint, unit: bigint): bigint;
  /** v3.0 counts a collateral-flagged asset only if its liquidation threshold is not 0 */
  collateralNeedsThreshold: boolean;
  /** v3.0: an asset whose own LTV is 0 adds no LTV even inside its e-mode category */
  ownZeroLtvWins: boolean;
  /** health factor from Σ(value x threshold), total collateral and total debt (debt > 0) */
  healthFactor(weightedThresholds: bigint, totalCollateral: bigint, totalDebt: bigint): bigint;
}

/** @aave/core-v3 1.19 (v3.0.x): WadRayMath half-up everywhere (GenericLogic, ScaledBalanceTokenBase). */
export const AAVE_V30_RULES: AaveRules = {
  name: 'v3.0',
  compoundedInterest,
  aTokenBalance: rayMul,
  debtBalance: rayMul,
  debtValue: (amount, price, unit) => (amount * price) / unit,
  collateralNeedsThreshold: true,
  ownZeroLtvWins: true,
  // percentMul(totalCollateral, avgLiquidationThreshold).wadDiv(totalDebt), the average truncated
  healthFactor: (weighted, collateral, debt) => wadDiv(percentMul(collateral, collateral === 0n ? 0n : weighted / collateral), debt),
};

/**
 * aave-v3-origin v3.6 (TokenMath since v3.5): aToken balances round down, debt up
 * (getATokenBalance = rayMulFloor, getVTokenBalance = rayMulCeil), debt valued with mulDivCeil, and
 * the health factor divides the un-averaged Σ(value x threshold): wadDiv(Σ, debt) / 1e4.
 */
export const AAVE_V36_RULES: AaveRules = {
  name: 'v3.6',
  compoundedInterest: compoundedInterestV36,
  aTokenBalance: rayMulFloor,
  debtBalance: rayMulCeil,
  debtValue: mulDivCeil,
  collateralNeedsThreshold: false,
  ownZeroLtvWins: false,
  healthFactor: (weighted, _collateral, debt) => wadDiv(weighted, debt) / 10_000n,
};

/** How a token implementation turns a scaled balance into balanceOf / totalSupply. */
export interface TokenBalanceRules {
  aTokenBalance(scaled: bigint, index: bigint): bigint;
  debtBalance(scaled: bigint, index: bigint): bigint;
}

/**
 * A market's token rounding from what the subgraph recorded per token implementation
 * (AaveReserve.supplyTokenRounding / debtTokenRounding): an in-place upgrade switches the Pool and its
 * tokens in different transactions, and in between each token still rounds as its own code does.
 * Null rounding: the Pool's rules.
 */
export function tokenBalanceRules(pool: AaveRules, supplyRounding: string | null, debtRounding: string | null): TokenBalanceRules {
  const of = (r: string | null) => (r === null ? pool : aaveRulesFor(r));
  return { aTokenBalance: of(supplyRounding).aTokenBalance, debtBalance: of(debtRounding).debtBalance };
}

/**
 * aave-v3-origin v3.4 (POOL_REVISION 8): still half-up WadRayMath and the v3.0 health factor, but
 * MathUtils.calculateCompoundedInterest became x + x(x/2 + x^2/6) (x = rate x elapsed / year), the
 * formula v3.6 keeps.
 */
export const AAVE_V34_RULES: AaveRules = { ...AAVE_V30_RULES, name: 'v3.4', compoundedInterest: compoundedInterestV36 };

/** First POOL_REVISION with the v3.4 compounding formula (aave-v3-origin tag v3.4.0 PoolInstance). */
export const POOL_REVISION_V34_COMPOUNDING = 8;

/**
 * Rules for what the subgraph recorded: AavePool.scaledRounding (TokenMath from revision 9) and
 * AavePool.revision (compounding from revision 8); v3.0 when unknown.
 */
export function aaveRulesFor(scaledRounding: string | null, revision: number | null = null): AaveRules {
  if (scaledRounding === 'FLOOR_CEIL') return AAVE_V36_RULES;
  return revision !== null && revision >= POOL_REVISION_V34_COMPOUNDING ? AAVE_V34_RULES : AAVE_V30_RULES;
}
