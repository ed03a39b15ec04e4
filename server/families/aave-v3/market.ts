/**
 * An Aave V3 reserve's totals at one block from indexed state, in underlying units and valued in the
 * oracle's base currency.
 */
import { normalizedDebt, normalizedIncome, type ReserveIndexes } from './math';
import { AAVE_V30_RULES, type AaveRules, type TokenBalanceRules } from './rules';
import { max, ratio } from '../../metrics/decimal';

export interface AaveReserveTotalsInput extends ReserveIndexes {
  decimals: number;
  price: bigint | null;
  scaledTotalSupply: bigint;
  scaledTotalVariableDebt: bigint;
  /** Reserve's accruedToTreasury (scaled), not yet minted to the treasury. */
  accruedToTreasuryScaled: bigint;
  /** The treasury's own scaled aToken balance. */
  treasuryScaledBalance: bigint;
  /**
   * Aave v3.3+ reserve deficit (underlying): debt written off and burned by liquidations, not yet
   * covered (Pool.getReserveDeficit). 0 on v3.0.
   */
  deficit: bigint;
  /** whole tokens, 0 = none */
  supplyCap: bigint;
  borrowCap: bigint;
  /** 2 decimals (ReserveConfiguration.DEBT_CEILING_DECIMALS), 0 = not isolated */
  debtCeiling: bigint;
  isolationModeTotalDebt: bigint;
  /** The market's token implementations' rounding (totalSupply, balanceOf); absent: the Pool's rules. */
  tokens?: TokenBalanceRules;
  /** The reserve's cash read from the chain (v3.1+ virtual balance, v3.0 the aToken's underlying balance); null = unknown. */
  cash?: bigint | null;
}

export interface ReserveTotals {
  /** aToken totalSupply */
  totalSupplied: bigint;
  /** variable debt token totalSupply */
  totalBorrowed: bigint;
  accruedToTreasury: bigint;
  treasuryBalance: bigint;
  /** accruedToTreasury + the treasury's aTokens: the protocol's own cushion in this reserve. */
  reserves: bigint;
  /**
   * The reserve's cash: as read from the chain when known, else from the balance identity
   * (aToken supply + accruedToTreasury = cash + debt + deficit), which drifts below the real cash
   * while debt compounds and supply income is linear (up to ~66 ppm seen on the devnet).
   */
  availableLiquidity: bigint;
  deficit: bigint;
  /** Suppliers' claims: aToken supply minus the treasury's own aTokens. */
  supplierClaims: bigint;
  /** 18-decimal fixed point; null when nothing is supplied. */
  utilization: bigint | null;
  supplyCapUtilization: bigint | null;
  borrowCapUtilization: bigint | null;
  debtCeilingUtilization: bigint | null;
}

export function aaveReserveTotals(r: AaveReserveTotalsInput, timestamp: bigint, rules: AaveRules = AAVE_V30_RULES): ReserveTotals {
  const income = normalizedIncome(r, timestamp);
  // AToken.totalSupply / VariableDebtToken.totalSupply round like the token implementation's balances
  const tokens = r.tokens ?? rules;
  const totalSupplied = tokens.aTokenBalance(r.scaledTotalSupply, income);
  const totalBorrowed = tokens.debtBalance(r.scaledTotalVariableDebt, normalizedDebt(r, timestamp, rules.compoundedInterest));
  const accruedToTreasury = tokens.aTokenBalance(r.accruedToTreasuryScaled, income);
  const treasuryBalance = tokens.aTokenBalance(r.treasuryScaledBalance, income);
  const unit = 10n ** BigInt(r.decimals);
  const availableLiquidity = r.cash ?? max(0n, totalSupplied + accruedToTreasury - totalBorrowed - r.deficit);
  return {
    totalSupplied,
    totalBorrowed,
    accruedToTreasury,
    treasuryBalance,
    reserves: accruedToTreasury + treasuryBalance,
    availableLiquidity,
    deficit: r.deficit,
    supplierClaims: totalSupplied - treasuryBalance,
    // ReserveLogic usage ratio: debt / (available liquidity + debt)
    utilization: ratio(totalBorrowed, availableLiquidity + totalBorrowed),
    // ValidationLogic checks the supply cap against supply plus accruedToTreasury
    supplyCapUtilization: r.supplyCap === 0n ? null : ratio(totalSupplied + accruedToTreasury, r.supplyCap * unit),
    borrowCapUtilization: r.borrowCap === 0n ? null : ratio(totalBorrowed, r.borrowCap * unit),
    debtCeilingUtilization: r.debtCeiling === 0n ? null : ratio(r.isolationModeTotalDebt, r.debtCeiling),
  };
}

/** amount (underlying units) x price / 10^decimals, truncated like the protocol's own valuation. */
export function toBase(amount: bigint, price: bigint, decimals: number): bigint {
  return (amount * price) / 10n ** BigInt(decimals);
}
