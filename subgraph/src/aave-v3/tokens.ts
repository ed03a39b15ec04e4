// aToken and variable debt token handlers' core: scaled balances replayed exactly like
// ScaledBalanceTokenBase, for both rounding generations (generation.ts decides which applies, per token).
import { Address, BigInt, Bytes, dataSource, log } from '@graphprotocol/graph-ts'
import { AavePool, AaveReserveState } from '../../generated/schema'
import { ONE, RAY, rayDiv, rayMulCeil, rayMulFloor, ZERO } from '../common/math'
import { applyTokenRevision, FLOOR_CEIL, readTokenRevision } from './generation'
import { scaledBalance } from './positions'
import { loadReserve, loadReserveState, saveReserve } from './reserve'

/** The token template's reserve id (its data source context, set at ReserveInitialized). */
function contextReserveId(): Bytes {
  return dataSource.context().getBytes('market')
}

/** The accounting of the token's reserve. */
export function contextState(): AaveReserveState | null {
  return loadReserveState(contextReserveId())
}

/** The token's proxy switched implementation (Upgraded): its Mint/Burn follow the new one's generation from here. */
export function refreshTokenGeneration(token: Address, debt: boolean): void {
  const reserve = loadReserve(contextReserveId())
  if (reserve == null) return
  const pool = AavePool.load(dataSource.context().getBytes('protocol'))
  if (pool == null) return
  applyTokenRevision(reserve, pool, debt, readTokenRevision(token, debt))
  saveReserve(reserve)
}

/**
 * True when this reserve's aToken (debt false) or variable debt token (debt true) rounds with
 * TokenMath (v3.5+): its own implementation's generation (generation.ts tokenRounding).
 */
export function tokenUsesTokenMath(reserveId: Bytes, debt: boolean): boolean {
  const reserve = loadReserve(reserveId)
  if (reserve == null) return false
  return (debt ? reserve.debtTokenRounding : reserve.supplyTokenRounding) == FLOOR_CEIL
}

// ------------------------------------------------------------------------------------------------
// Aave v3.0-v3.4 (@aave/core-v3 ScaledBalanceTokenBase): the events carry the underlying amount, and
// the token scaled it with rayDiv (half up), so each delta follows from the event alone.
// ------------------------------------------------------------------------------------------------

/**
 * Scaled delta of a Mint(caller, onBehalfOf, value, balanceIncrease, index) log. Three emitters:
 *  - _mintScaled(amount):          value = amount + balanceIncrease   -> +rayDiv(amount, index)
 *  - _burnScaled(amount) when balanceIncrease > amount:
 *                                  value = balanceIncrease - amount   -> -rayDiv(amount, index)
 *  - _transfer interest notices:   value == balanceIncrease           -> 0 (BalanceTransfer moves it)
 * amount > 0 in both mint and burn (they require amountScaled != 0), so value == balanceIncrease
 * only comes from _transfer. rayDiv(amount, index) is exactly the contract's amountScaled.
 */
export function mintScaledDelta(value: BigInt, balanceIncrease: BigInt, index: BigInt): BigInt {
  if (value.gt(balanceIncrease)) return rayDiv(value.minus(balanceIncrease), index)
  if (value.lt(balanceIncrease)) return ZERO.minus(rayDiv(balanceIncrease.minus(value), index))
  return ZERO
}

/** Burn(from, target, value = amount - balanceIncrease, balanceIncrease, index) -> -rayDiv(amount, index). */
export function burnScaledDelta(value: BigInt, balanceIncrease: BigInt, index: BigInt): BigInt {
  return ZERO.minus(rayDiv(value.plus(balanceIncrease), index))
}

// ------------------------------------------------------------------------------------------------
// Aave v3.5+ (aave-v3-origin@3.6.0 src/contracts/protocol/tokenization/base/ScaledBalanceTokenBase.sol
// with TokenMath.getATokenBalance = rayMulFloor for aTokens, getVTokenBalance = rayMulCeil for
// variable debt tokens; call it bal(s, i)). The Pool passes the scaled amount a (rounded by the Pool,
// e.g. supply rayDivFloor, withdraw rayDivCeil, borrow rayDivCeil, repay rayDivFloor), and with S the
// user's scaled balance before, P = bal(S, userIndex) and I the event index the token emits:
//   _mintScaled:                    Mint(value = bal(S + a, I) - P, balanceIncrease = bal(S, I) - P)
//   _burnScaled, nextBalance > P:   Mint(value = bal(S - a, I) - P, balanceIncrease)
//   _burnScaled otherwise:          Burn(value = P - bal(S - a, I), balanceIncrease)
//   AToken._transfer interest:      Mint(value == balanceIncrease)   (scaled moves via BalanceTransfer)
// so value - balanceIncrease = bal(S', I) - bal(S, I) (Mint) and -(value + balanceIncrease) (Burn),
// where S' is the balance after. The event does not carry a, and bal(S + a, I) - bal(S, I) depends on
// S's rounding remainder, so rayDiv(value - balanceIncrease, I) is NOT a here (it is off by one in
// either direction). But S is known (the position), and S' follows exactly: indexes start at RAY
// and never decrease (ReserveLogic), so bal(., I) is strictly increasing (each scaled unit adds
// I / RAY >= 1), and the unique S' with bal(S', I) = B is
//   aToken (floor):     S' = ceil(B * RAY / I)   the least x with x * I >= B * RAY
//   debt token (ceil):  S' = floor(B * RAY / I)  the greatest x with x * I <= B * RAY
// with B = bal(S, I) + value - balanceIncrease (Mint) or bal(S, I) - value - balanceIncrease (Burn).
// This needs the position exact before the event, which the replay keeps (the e2e checks compare
// every position with scaledBalanceOf).
// ------------------------------------------------------------------------------------------------

function tokenMathBalance(scaled: BigInt, index: BigInt, debt: boolean): BigInt {
  return debt ? rayMulCeil(scaled, index) : rayMulFloor(scaled, index)
}

/** The unique scaled balance x with tokenMathBalance(x, index) == balance (see above). */
function tokenMathScaled(balance: BigInt, index: BigInt, debt: boolean): BigInt {
  const n = balance.times(RAY)
  return debt ? n.div(index) : n.plus(index).minus(ONE).div(index)
}

function tokenMathDelta(before: BigInt, target: BigInt, index: BigInt, debt: boolean): BigInt {
  if (target.lt(ZERO) || index.lt(RAY)) {
    log.error('v3.5+ scaled replay out of range: balance before {} target {} index {}', [before.toString(), target.toString(), index.toString()])
  }
  return tokenMathScaled(target, index, debt).minus(before)
}

/** v3.5+ Mint: scaled delta given the account's scaled balance before the log. */
export function tokenMathMintDelta(before: BigInt, value: BigInt, balanceIncrease: BigInt, index: BigInt, debt: boolean): BigInt {
  if (value.equals(balanceIncrease)) return ZERO // AToken._transfer interest notice only
  return tokenMathDelta(before, tokenMathBalance(before, index, debt).plus(value).minus(balanceIncrease), index, debt)
}

/** v3.5+ Burn: scaled delta (negative) given the account's scaled balance before the log. */
export function tokenMathBurnDelta(before: BigInt, value: BigInt, balanceIncrease: BigInt, index: BigInt, debt: boolean): BigInt {
  return tokenMathDelta(before, tokenMathBalance(before, index, debt).minus(value).minus(balanceIncrease), index, debt)
}

/** Scaled delta of a Mint log in this reserve, for either generation. */
export function mintDelta(reserveId: Bytes, account: Address, value: BigInt, balanceIncrease: BigInt, index: BigInt, debt: boolean): BigInt {
  if (value.equals(balanceIncrease)) return ZERO
  if (!tokenUsesTokenMath(reserveId, debt)) return mintScaledDelta(value, balanceIncrease, index)
  return tokenMathMintDelta(scaledBalance(reserveId, account, debt), value, balanceIncrease, index, debt)
}

/** Scaled delta of a Burn log in this reserve, for either generation. */
export function burnDelta(reserveId: Bytes, account: Address, value: BigInt, balanceIncrease: BigInt, index: BigInt, debt: boolean): BigInt {
  if (!tokenUsesTokenMath(reserveId, debt)) return burnScaledDelta(value, balanceIncrease, index)
  return tokenMathBurnDelta(scaledBalance(reserveId, account, debt), value, balanceIncrease, index, debt)
}
