// Flash-loan premiums and the treasury. A flash loan repaid in the same transaction (interest rate
// mode 0) adds the protocol's part of its premium to reserve.accruedToTreasury in
// FlashLoanLogic._handleFlashLoanRepayment, outside the ReserveDataUpdated replay (pool.ts):
//
//   v3.0-v3.4 (@aave/core-v3 FlashLoanLogic._handleFlashLoanRepayment):
//     premiumToProtocol = totalPremium.percentMul(flashLoanPremiumToProtocol)
//     (the rest, premiumToLP, is cumulated into the liquidity index: cumulateToLiquidityIndex)
//     accruedToTreasury += premiumToProtocol.rayDiv(nextLiquidityIndex)          (half up)
//   v3.4+: Pool.FLASHLOAN_PREMIUM_TO_PROTOCOL() is the constant 100_00 (the whole premium;
//     IPoolConfigurator.FlashloanPremiumToProtocolUpdated is "deprecated, from the v3.4 version always 100%").
//   v3.5+ (@aave-dao/aave-v3-origin FlashLoanLogic._handleFlashLoanRepayment, TokenMath):
//     accruedToTreasury += totalPremium.getATokenMintScaledAmount(nextLiquidityIndex)
//                        = totalPremium.rayDivFloor(nextLiquidityIndex)
//
// nextLiquidityIndex is the index updateInterestRates emits in the ReserveDataUpdated that
// _handleFlashLoanRepayment logs just before its FlashLoan (v3.0: already including premiumToLP),
// i.e. AaveReserveState.liquidityIndex when the FlashLoan log is handled. The premium is FlashLoan.premium
// (0 for authorized flash borrowers and for legs left open as debt, which do not reach the treasury).
import { Address, BigInt, ethereum, log } from '@graphprotocol/graph-ts'
import { AavePool, AaveReserveState } from '../../generated/schema'
import { percentMul, RAY, rayDiv, rayDivFloor, rayMul, SECONDS_PER_YEAR, ZERO } from '../common/math'
import { usesTokenMath } from './generation'

/** DataTypes.InterestRateMode.NONE: the flash-loaned amount is paid back with the premium in the same tx. */
export const INTEREST_RATE_MODE_NONE = 0

/**
 * Pool.FLASHLOAN_PREMIUM_TO_PROTOCOL() at this block, basis points (public in every Aave V3 Pool;
 * the constant 100_00 from v3.4 on). Null when it reverts. The calling data source must list the
 * ABI named "AaveV3Pool".
 */
export function readFlashLoanPremiumToProtocol(pool: Address): BigInt | null {
  const r = ethereum.call(
    new ethereum.SmartContractCall('AaveV3Pool', pool, 'FLASHLOAN_PREMIUM_TO_PROTOCOL', 'FLASHLOAN_PREMIUM_TO_PROTOCOL():(uint128)', []),
  )
  if (r == null) {
    log.warning('FLASHLOAN_PREMIUM_TO_PROTOCOL() reverted on {}; flash-loan premiums will not reach accruedToTreasuryScaled', [pool.toHexString()])
    return null
  }
  return r[0].toBigInt()
}

/** Sets the Pool's flashLoanPremiumToProtocol (null = unreadable: unset); does not save. */
export function applyFlashLoanPremiumToProtocol(pool: AavePool, share: BigInt | null): void {
  if (share === null) pool.unset('flashLoanPremiumToProtocol')
  else pool.flashLoanPremiumToProtocol = share
}

/** The premium's protocol part in underlying units (v3.5+: the whole premium). */
export function premiumToProtocol(pool: AavePool, premium: BigInt): BigInt {
  if (usesTokenMath(pool)) return premium
  const share = pool.flashLoanPremiumToProtocol
  if (share === null) return ZERO
  return percentMul(premium, share)
}

/** What _handleFlashLoanRepayment adds to reserve.accruedToTreasury (scaled), at nextLiquidityIndex. */
export function premiumToTreasuryScaled(pool: AavePool, toProtocol: BigInt, nextLiquidityIndex: BigInt): BigInt {
  if (toProtocol.isZero()) return ZERO
  return usesTokenMath(pool) ? rayDivFloor(toProtocol, nextLiquidityIndex) : rayDiv(toProtocol, nextLiquidityIndex)
}

/**
 * v3.0-v3.4: the liquidity index ReserveLogic._accrueToTreasury divides by, for the
 * ReserveDataUpdated being handled (the state still holding the previous update's). It is
 * updateState's index (_updateIndexes: calculateLinearInterest(rate, lastUpdateTimestamp).rayMul(index)
 * when the liquidity rate is non-zero, with calculateLinearInterest = RAY + rate * dt / SECONDS_PER_YEAR),
 * which the event carries too, except after a flash loan: _handleFlashLoanRepayment then runs
 * cumulateToLiquidityIndex(premiumToLP) and updateInterestRates emits that larger index. So: the
 * replayed index when the emitted one is above it, else the emitted one.
 */
export function halfUpAccrualLiquidityIndex(state: AaveReserveState, emitted: BigInt, timestamp: BigInt): BigInt {
  if (!state.lastUpdateTimestamp.lt(timestamp)) return emitted // updateState is a no-op: nothing accrues
  let updated = state.liquidityIndex
  const rate = state.liquidityRate
  if (!rate.isZero()) {
    const dt = timestamp.minus(state.lastUpdateTimestamp)
    updated = rayMul(RAY.plus(rate.times(dt).div(SECONDS_PER_YEAR)), state.liquidityIndex)
  }
  return updated.lt(emitted) ? updated : emitted
}
