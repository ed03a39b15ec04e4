// Shared getters/creators for accounts and positions, and the single place a changed position is
// saved (so Position.open and the accounts' open-position counts always move with the balances).
//
// graph-node runs every trigger in a fresh wasm instance, so module globals live for one handler
// call: the lists below remember, within one call, the accounts known to exist and the positions and
// protocol accounts already loaded or created, and hand out the same object again instead of a second
// store.get (each one copies the whole entity into wasm memory).
import { Address, BigInt, Bytes, Entity, Value, ethereum } from '@graphprotocol/graph-ts'
import { Account, Position, Protocol, ProtocolAccount } from '../../generated/schema'
import { loadMarketById, saveChanges, saveMarket, track } from './changes'
import { positionId, protocolAccountId } from './ids'
import { ZERO } from './math'

const knownAccounts = new Array<Bytes>(0)
const knownProtocolAccounts = new Array<ProtocolAccount>(0)
/** Protocol accounts created for a new position and not saved yet: savePosition, which follows, saves them. */
const unsavedProtocolAccounts = new Array<ProtocolAccount>(0)
const knownPositions = new Array<Position>(0)
const missingPositions = new Array<Bytes>(0)

function isKnownAccount(address: Bytes): boolean {
  for (let i = 0; i < knownAccounts.length; i++) if (knownAccounts[i].equals(address)) return true
  return false
}

/**
 * Creates the Account if it does not exist yet, without reading it: an account is its id alone, and
 * graph-node merges an id-only store.set into a stored account without writing a version (nothing
 * changed), so saving it always stores what a load-then-save-if-missing did, minus a store read (a
 * database query for a new account).
 */
export function ensureAccount(address: Address): void {
  if (isKnownAccount(address)) return
  knownAccounts.push(address)
  new Account(address).save()
}

function loadProtocolAccount(id: Bytes): ProtocolAccount | null {
  for (let i = 0; i < knownProtocolAccounts.length; i++) if (knownProtocolAccounts[i].id.equals(id)) return knownProtocolAccounts[i]
  const pa = ProtocolAccount.load(id)
  if (pa != null) knownProtocolAccounts.push(pa)
  return pa
}

/** Loads or creates the protocol account; a new one is saved unless `deferSave` (savePosition will). */
export function getOrCreateProtocolAccount(protocolId: Bytes, address: Address, deferSave: boolean = false): ProtocolAccount {
  const id = protocolAccountId(protocolId, address)
  let pa = loadProtocolAccount(id)
  if (pa == null) {
    ensureAccount(address)
    pa = new ProtocolAccount(id)
    pa.protocol = protocolId
    pa.account = address
    pa.eModeCategoryId = 0
    pa.openPositionCount = 0
    if (deferSave) unsavedProtocolAccounts.push(pa)
    else pa.save()
    knownProtocolAccounts.push(pa)
    const protocol = Protocol.load(protocolId)
    if (protocol != null) {
      protocol.accountCount += 1
      protocol.save()
    }
  } else {
    // A protocol account is only created with its account.
    if (!isKnownAccount(address)) knownAccounts.push(address)
  }
  return pa
}

/** The stored position of `account` in `market`, or null (not created). */
export function loadPosition(market: Bytes, account: Address): Position | null {
  const id = positionId(market, account)
  for (let i = 0; i < knownPositions.length; i++) if (knownPositions[i].id.equals(id)) return knownPositions[i]
  for (let i = 0; i < missingPositions.length; i++) if (missingPositions[i].equals(id)) return null
  const position = Position.load(id)
  track(position)
  if (position == null) {
    missingPositions.push(id)
  } else {
    knownPositions.push(position)
    // A position is only created with its account (getOrCreatePosition).
    if (!isKnownAccount(account)) knownAccounts.push(account)
  }
  return position
}

/**
 * Loads or creates a position; the market's positionCount moves (and is saved) on creation. A new
 * position (and a new protocol account with it) is not saved here: every caller changes it and
 * saves it with savePosition, which saves both. The family's balance fields are the caller's to set.
 */
export function getOrCreatePosition(market: Bytes, protocol: Bytes, address: Address, block: ethereum.Block): Position {
  const position = loadPosition(market, address)
  return position != null ? position : createPosition(market, protocol, address, block)
}

/** A new position (loadPosition found none): as getOrCreatePosition creates it. */
export function createPosition(market: Bytes, protocol: Bytes, address: Address, block: ethereum.Block): Position {
  getOrCreateProtocolAccount(protocol, address, true)
  const id = positionId(market, address)
  for (let i = 0; i < missingPositions.length; i++) {
    if (missingPositions[i].equals(id)) {
      missingPositions.splice(i, 1)
      break
    }
  }
  const position = new Position(id)
  position.protocol = protocol
  position.market = market
  position.account = address
  position.collateralEnabled = false
  position.open = false
  position.createdAtBlock = block.number
  position.updatedAtBlock = block.number
  position.updatedAtTimestamp = block.timestamp
  knownPositions.push(position)
  // The same object the caller holds, if it loaded the market (loadMarketById hands out one copy).
  const m = loadMarketById(market)
  if (m != null) {
    m.positionCount += 1
    saveMarket(m)
  }
  return position
}

function nonZero(v: BigInt | null): boolean {
  return v !== null && !v.isZero()
}

/** Whether a position holds any balance: index-scaled (Aave), share-accounted (Morpho) or principal (Gearbox) fields. */
function holdsBalance(p: Position): boolean {
  return nonZero(p.scaledSupplyBalance) || nonZero(p.scaledVariableDebt) || nonZero(p.supplyShares) || nonZero(p.borrowShares) || nonZero(p.collateralBalance) || nonZero(p.principalDebt)
}

/**
 * The single place a changed position is saved: stamps the block and keeps Position.open and the
 * account's openPositionCount in step with the balances (protocol-wide reads filter on them).
 */
export function savePosition(position: Position, block: ethereum.Block): void {
  position.updatedAtBlock = block.number
  position.updatedAtTimestamp = block.timestamp
  const open = holdsBalance(position)
  const paId = protocolAccountId(position.protocol, Address.fromBytes(position.account))
  let unsaved = false
  for (let i = 0; i < unsavedProtocolAccounts.length; i++) {
    if (unsavedProtocolAccounts[i].id.equals(paId)) {
      unsaved = true
      unsavedProtocolAccounts.splice(i, 1)
      break
    }
  }
  if (open != position.open || unsaved) {
    const pa = loadProtocolAccount(paId)
    if (pa != null) {
      if (open != position.open) pa.openPositionCount += open ? 1 : -1
      pa.save()
    }
    position.open = open
  }
  saveChanges('Position', position)
}

export function orZero(value: BigInt | null): BigInt {
  return value === null ? ZERO : value
}

/** +1 / -1 / 0: how a balance going from `before` to `after` moves a holder count. */
export function holderDelta(before: BigInt, after: BigInt): i32 {
  if (before.isZero() && !after.isZero()) return 1
  if (!before.isZero() && after.isZero()) return -1
  return 0
}

/** Moves the market's supplier and borrower counts (loads and saves the Market only if one moves). */
export function moveHolderCounts(market: Bytes, suppliers: i32, borrowers: i32): void {
  if (suppliers == 0 && borrowers == 0) return
  const m = loadMarketById(market)
  if (m == null) return
  m.supplierCount += suppliers
  m.borrowerCount += borrowers
  saveMarket(m)
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
