// Shared getters/creators for accounts and positions, and the single place where scaled balances
// change (so market totals and counts always move with the positions).
import { Address, BigInt, Bytes, Entity, Value, ethereum } from '@graphprotocol/graph-ts'
import { Account, Market, Position, Protocol, ProtocolAccount } from '../../generated/schema'
import { positionId, protocolAccountId } from './ids'
import { ZERO } from './math'

export function getOrCreateAccount(address: Address): Account {
  let account = Account.load(address)
  if (account == null) {
    account = new Account(address)
    account.save()
  }
  return account
}

export function getOrCreateProtocolAccount(protocolId: Bytes, address: Address): ProtocolAccount {
  const id = protocolAccountId(protocolId, address)
  let pa = ProtocolAccount.load(id)
  if (pa == null) {
    getOrCreateAccount(address)
    pa = new ProtocolAccount(id)
    pa.protocol = protocolId
    pa.account = address
    pa.eModeCategoryId = 0
    pa.openPositionCount = 0
    pa.save()
    const protocol = Protocol.load(protocolId)
    if (protocol != null) {
      protocol.accountCount += 1
      protocol.save()
    }
  }
  return pa
}

/** Loads or creates (and saves) a position; the market's positionCount moves on creation. */
export function getOrCreatePosition(market: Market, address: Address, block: ethereum.Block): Position {
  const id = positionId(market.id, address)
  let position = Position.load(id)
  if (position == null) {
    getOrCreateProtocolAccount(market.protocol, address)
    position = new Position(id)
    position.protocol = market.protocol
    position.market = market.id
    position.account = address
    position.scaledSupplyBalance = ZERO
    position.scaledVariableDebt = ZERO
    position.collateralEnabled = false
    position.open = false
    position.createdAtBlock = block.number
    position.updatedAtBlock = block.number
    position.updatedAtTimestamp = block.timestamp
    position.save()
    market.positionCount += 1
  }
  return position
}

function nonZero(v: BigInt | null): boolean {
  return v !== null && !v.isZero()
}

/** Whether a position holds any balance: index-scaled (Aave) or share-accounted (Morpho) fields. */
function holdsBalance(p: Position): boolean {
  return !p.scaledSupplyBalance.isZero() || !p.scaledVariableDebt.isZero() || nonZero(p.supplyShares) || nonZero(p.borrowShares) || nonZero(p.collateralBalance) || nonZero(p.principalDebt)
}

/**
 * The single place a changed position is saved: stamps the block and keeps Position.open and the
 * account's openPositionCount in step with the balances (protocol-wide reads filter on them).
 */
export function savePosition(position: Position, block: ethereum.Block): void {
  position.updatedAtBlock = block.number
  position.updatedAtTimestamp = block.timestamp
  const open = holdsBalance(position)
  if (open != position.open) {
    position.open = open
    const pa = ProtocolAccount.load(protocolAccountId(position.protocol, Address.fromBytes(position.account)))
    if (pa != null) {
      pa.openPositionCount += open ? 1 : -1
      pa.save()
    }
  }
  position.save()
}

/** Adds a (signed) scaled delta to an account's supply balance and the market total. Saves both. */
export function applyScaledSupplyDelta(market: Market, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreatePosition(market, account, block)
  const before = position.scaledSupplyBalance
  const after = before.plus(delta)
  position.scaledSupplyBalance = after
  savePosition(position, block)
  market.scaledTotalSupply = market.scaledTotalSupply.plus(delta)
  if (before.isZero() && !after.isZero()) market.supplierCount += 1
  if (!before.isZero() && after.isZero()) market.supplierCount -= 1
  market.save()
  return position
}

/** Adds a (signed) scaled delta to an account's variable debt and the market total. Saves both. */
export function applyScaledDebtDelta(market: Market, account: Address, delta: BigInt, block: ethereum.Block): Position {
  const position = getOrCreatePosition(market, account, block)
  const before = position.scaledVariableDebt
  const after = before.plus(delta)
  position.scaledVariableDebt = after
  savePosition(position, block)
  market.scaledTotalVariableDebt = market.scaledTotalVariableDebt.plus(delta)
  if (before.isZero() && !after.isZero()) market.borrowerCount += 1
  if (!before.isZero() && after.isZero()) market.borrowerCount -= 1
  market.save()
  return position
}

/**
 * Fills the LendingEvent fields every immutable event entity carries (schema.graphql, interface
 * LendingEvent): one place instead of five lines in every handler.
 */
export function stampEvent(e: Entity, protocol: Bytes, event: ethereum.Event): void {
  e.set('protocol', Value.fromBytes(protocol))
  e.set('blockNumber', Value.fromBigInt(event.block.number))
  e.set('timestamp', Value.fromBigInt(event.block.timestamp))
  e.set('txHash', Value.fromBytes(event.transaction.hash))
  e.set('logIndex', Value.fromBigInt(event.logIndex))
}
