// Share-accounted positions (Morpho Blue; fits any protocol that books supply and debt as shares of a
// pool and collateral as a raw amount). Position.supplyShares / borrowShares / collateralBalance are
// nullable in the schema (null for index-scaled protocols such as Aave): a share position holds 0 in
// all three from creation. Like the scaled-balance helpers in ./entities, these are the single place
// where share balances change, so the market totals (Market.totalSupplyShares, totalBorrowShares,
// totalCollateral) and the supplier/borrower counts always move with the positions.
import { Address, BigInt, ethereum } from '@graphprotocol/graph-ts'
import { Market, Position } from '../../generated/schema'
import { getOrCreatePosition, savePosition } from './entities'
import { ZERO } from './math'

export function orZero(value: BigInt | null): BigInt {
  return value === null ? ZERO : value
}

/** Loads or creates a position whose share fields are set (0 when new). Does not save the market. */
export function getOrCreateSharePosition(market: Market, account: Address, block: ethereum.Block): Position {
  const position = getOrCreatePosition(market, account, block)
  if (position.supplyShares === null || position.borrowShares === null || position.collateralBalance === null) {
    position.supplyShares = orZero(position.supplyShares)
    position.borrowShares = orZero(position.borrowShares)
    position.collateralBalance = orZero(position.collateralBalance)
  }
  return position
}

/** Adds a (signed) delta to an account's supply shares and to market.totalSupplyShares. Saves the position; the caller saves the market. */
export function applySupplySharesDelta(market: Market, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateSharePosition(market, account, block)
  const before = orZero(position.supplyShares)
  const after = before.plus(delta)
  position.supplyShares = after
  savePosition(position, block)
  market.totalSupplyShares = orZero(market.totalSupplyShares).plus(delta)
  if (before.isZero() && !after.isZero()) market.supplierCount += 1
  if (!before.isZero() && after.isZero()) market.supplierCount -= 1
  return position
}

/** Adds a (signed) delta to an account's borrow shares and to market.totalBorrowShares. Saves the position; the caller saves the market. */
export function applyBorrowSharesDelta(market: Market, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateSharePosition(market, account, block)
  const before = orZero(position.borrowShares)
  const after = before.plus(delta)
  position.borrowShares = after
  savePosition(position, block)
  market.totalBorrowShares = orZero(market.totalBorrowShares).plus(delta)
  if (before.isZero() && !after.isZero()) market.borrowerCount += 1
  if (!before.isZero() && after.isZero()) market.borrowerCount -= 1
  return position
}

/**
 * Adds a (signed) delta to an account's collateral and to market.totalCollateral. Saves the
 * position; the caller saves the market.
 * collateralEnabled follows the balance (collateral deposited in a share-accounted market always
 * backs that market's debt).
 */
export function applyCollateralDelta(market: Market, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateSharePosition(market, account, block)
  const after = orZero(position.collateralBalance).plus(delta)
  position.collateralBalance = after
  position.collateralEnabled = !after.isZero()
  savePosition(position, block)
  market.totalCollateral = orZero(market.totalCollateral).plus(delta)
  return position
}
