// Linear-growth pool math (Gearbox V3 PoolV3 / CreditLogic), BigInt only, rounding as the contracts do.
import { BigInt } from '@graphprotocol/graph-ts'
import { RAY, ZERO } from './math'

// CreditLogic.SECONDS_PER_YEAR = 365 days
export const SECONDS_PER_YEAR_365 = BigInt.fromI32(365 * 24 * 3600)

/** CreditLogic.calcLinearGrowth: value * (now - updatedAt) / SECONDS_PER_YEAR, rounded down. */
export function calcLinearGrowth(value: BigInt, updatedAt: BigInt, now: BigInt): BigInt {
  if (now.le(updatedAt)) return ZERO
  return value.times(now.minus(updatedAt)).div(SECONDS_PER_YEAR_365)
}

/**
 * PoolV3.expectedLiquidity() at time `now` from the stored state:
 * expectedLiquidityLU + totalBorrowed * calcLinearGrowth(baseInterestRate) / RAY + calcLinearGrowth(quotaRevenue).
 */
export function expectedLiquidityAt(
  expectedLiquidityLU: BigInt,
  totalBorrowed: BigInt,
  baseInterestRate: BigInt,
  lastBaseInterestUpdate: BigInt,
  quotaRevenue: BigInt,
  lastQuotaRevenueUpdate: BigInt,
  now: BigInt,
): BigInt {
  const base = totalBorrowed.times(calcLinearGrowth(baseInterestRate, lastBaseInterestUpdate, now)).div(RAY)
  return expectedLiquidityLU.plus(base).plus(calcLinearGrowth(quotaRevenue, lastQuotaRevenueUpdate, now))
}

/** Assets per share scaled by 1e27, rounded down; null when there are no shares. */
export function sharePriceRay(assets: BigInt, shares: BigInt): BigInt | null {
  if (shares.isZero()) return null
  return assets.times(RAY).div(shares)
}
