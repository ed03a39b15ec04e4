// Aave V3 positions: the single place where scaled balances change, so the reserve's scaled totals
// (AaveReserveState) and the market's supplier/borrower counts always move with the positions.
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts'
import { AaveReserveState, Position } from '../../generated/schema'
import { getOrCreatePosition, holderDelta, loadPosition, moveHolderCounts, orZero, savePosition } from '../common/entities'
import { protocolOfMarket } from '../common/ids'
import { ZERO } from '../common/math'

/** Loads or creates an Aave position (both scaled balances set, 0 when new); not saved. */
export function getOrCreateAavePosition(market: Bytes, account: Address, block: ethereum.Block): Position {
  const p = getOrCreatePosition(market, protocolOfMarket(market), account, block)
  if (p.scaledSupplyBalance === null) p.scaledSupplyBalance = ZERO
  if (p.scaledVariableDebt === null) p.scaledVariableDebt = ZERO
  return p
}

/** The account's scaled aToken (debt false) or variable debt (debt true) balance in `market`; 0 without a position. */
export function scaledBalance(market: Bytes, account: Address, debt: boolean): BigInt {
  const p = loadPosition(market, account)
  if (p == null) return ZERO
  return orZero(debt ? p.scaledVariableDebt : p.scaledSupplyBalance)
}

/**
 * Adds a (signed) scaled delta to an account's supply balance and the reserve's total. Saves the
 * position (and the market when a count moves); the caller saves the state, once, however many
 * positions its event moves.
 */
export function applyScaledSupplyDelta(state: AaveReserveState, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateAavePosition(state.id, account, block)
  const before = orZero(position.scaledSupplyBalance)
  const after = before.plus(delta)
  position.scaledSupplyBalance = after
  savePosition(position, block)
  state.scaledTotalSupply = state.scaledTotalSupply.plus(delta)
  moveHolderCounts(state.id, holderDelta(before, after), 0)
  return position
}

/** Adds a (signed) scaled delta to an account's variable debt and the reserve's total; saves as applyScaledSupplyDelta. */
export function applyScaledDebtDelta(state: AaveReserveState, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateAavePosition(state.id, account, block)
  const before = orZero(position.scaledVariableDebt)
  const after = before.plus(delta)
  position.scaledVariableDebt = after
  savePosition(position, block)
  state.scaledTotalVariableDebt = state.scaledTotalVariableDebt.plus(delta)
  moveHolderCounts(state.id, 0, holderDelta(before, after))
  return position
}
