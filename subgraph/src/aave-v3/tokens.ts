// aToken and variable debt token handlers: scaled balances replayed exactly like
// ScaledBalanceTokenBase (v3.0): the events carry enough to recompute each amountScaled.
import { BigInt, dataSource } from '@graphprotocol/graph-ts'
import { Market } from '../../generated/schema'
import { rayDiv, ZERO } from '../common/math'

export function contextMarket(): Market | null {
  return Market.load(dataSource.context().getBytes('market'))
}

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


