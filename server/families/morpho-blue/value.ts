/**
 * Morpho Blue valued by Morpho: a market's own oracle converts collateral into loan-token units
 * (IOracle.price(): one collateral unit in loan units x ORACLE_PRICE_SCALE, what Morpho._isHealthy
 * and liquidate use), so only the loan token needs a USD price. Bad debt is measured in loan units
 * first, as Morpho would realize it, then valued in USD.
 */
import { max } from '../../metrics/decimal';
import { mulDivDown, ORACLE_PRICE_SCALE } from './math';

/** collateral x price / 1e36, rounded down as Morpho._isHealthy rounds (mulDivDown). */
export const collateralInLoan = (collateral: bigint, oraclePrice: bigint): bigint => mulDivDown(collateral, oraclePrice, ORACLE_PRICE_SCALE);

/** max(0, borrowed - collateral in loan units): what a liquidation of all the collateral leaves unpaid (before its incentive). */
export const badDebtInLoan = (borrowed: bigint, collateral: bigint, oraclePrice: bigint): bigint => max(0n, borrowed - collateralInLoan(collateral, oraclePrice));

/** Loan-token units in USD: amount x usd (per whole token) / 10^decimals, rounded down. */
export const loanToBase = (amount: bigint, usdPerToken: bigint, decimals: number): bigint => (amount * usdPerToken) / 10n ** BigInt(decimals);

/** USD per whole collateral token implied by the oracle and the loan token's USD price (for display). */
export const impliedCollateralUsd = (oraclePrice: bigint, loanUsd: bigint, loanDecimals: number, collateralDecimals: number): bigint =>
  (oraclePrice * loanUsd * 10n ** BigInt(collateralDecimals)) / (ORACLE_PRICE_SCALE * 10n ** BigInt(loanDecimals));
