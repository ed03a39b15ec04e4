// Share-accounted positions (Morpho Blue, Gearbox V3 pool shares; fits any protocol that books supply
// and debt as shares of a pool and collateral as a raw amount). Position.supplyShares / borrowShares /
// collateralBalance are nullable in the schema (null for index-scaled protocols such as Aave): a share
// position holds 0 in all three from creation. These are the single place where share balances change,
// so Market.supplierCount / borrowerCount always move with the positions. The family's own totals
// (Morpho: MorphoMarketState.totalSupplyShares ...; Gearbox: GearboxPool.totalSupply) are the
// caller's: each helper returns the position, and the Market is loaded only when a count moves.
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts'
import { Position } from '../../generated/schema'
import { getOrCreatePosition, holderDelta, moveHolderCounts, orZero, savePosition } from './entities'

/** Loads or creates a position whose share fields are set (0 when new). */
export function getOrCreateSharePosition(market: Bytes, protocol: Bytes, account: Address, block: ethereum.Block): Position {
  const position = getOrCreatePosition(market, protocol, account, block)
  if (position.supplyShares === null || position.borrowShares === null || position.collateralBalance === null) {
    position.supplyShares = orZero(position.supplyShares)
    position.borrowShares = orZero(position.borrowShares)
    position.collateralBalance = orZero(position.collateralBalance)
  }
  return position
}

/** Adds a (signed) delta to an account's supply shares. Saves the position; the caller moves its own share total. */
export function applySupplySharesDelta(market: Bytes, protocol: Bytes, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateSharePosition(market, protocol, account, block)
  const before = orZero(position.supplyShares)
  const after = before.plus(delta)
  position.supplyShares = after
  savePosition(position, block)
  moveHolderCounts(market, holderDelta(before, after), 0)
  return position
}

/** Adds a (signed) delta to an account's borrow shares. Saves the position; the caller moves its own share total. */
export function applyBorrowSharesDelta(market: Bytes, protocol: Bytes, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateSharePosition(market, protocol, account, block)
  const before = orZero(position.borrowShares)
  const after = before.plus(delta)
  position.borrowShares = after
  savePosition(position, block)
  moveHolderCounts(market, 0, holderDelta(before, after))
  return position
}

/**
 * Adds a (signed) delta to an account's collateral. Saves the position; the caller moves its own
 * collateral total. collateralEnabled follows the balance (collateral deposited in a share-accounted
 * market always backs that market's debt).
 */
export function applyCollateralDelta(market: Bytes, protocol: Bytes, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreateSharePosition(market, protocol, account, block)
  const after = orZero(position.collateralBalance).plus(delta)
  position.collateralBalance = after
  position.collateralEnabled = !after.isZero()
  savePosition(position, block)
  return position
}
