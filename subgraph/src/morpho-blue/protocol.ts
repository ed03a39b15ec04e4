// Morpho Blue protocol identity. Protocol id = the Morpho singleton (every event's address).
import { Address, BigInt, Bytes, dataSource } from '@graphprotocol/graph-ts'
import { Protocol } from '../../generated/schema'

export function getOrCreateProtocol(morpho: Address): Protocol {
  let protocol = Protocol.load(morpho)
  if (protocol == null) {
    protocol = new Protocol(morpho)
    protocol.name = 'Morpho Blue'
    protocol.slug = 'morpho-blue'
    protocol.family = 'MORPHO_BLUE'
    protocol.network = dataSource.network()
    protocol.marketCount = 0
    protocol.accountCount = 0
    protocol.liquidationCount = 0
    protocol.realizedBadDebtCount = 0
    protocol.deficitCoverageCount = 0
    // Morpho's storage default until SetFeeRecipient: fee shares go to position[id][address(0)].
    protocol.feeRecipient = Address.zero()
    protocol.enabledIrms = new Array<Bytes>(0)
    protocol.enabledLltvs = new Array<BigInt>(0)
    protocol.save()
  }
  return protocol
}

/** The fee recipient in force (Morpho.feeRecipient). */
export function feeRecipientOf(protocol: Protocol): Address {
  const r = protocol.feeRecipient
  return r === null ? Address.zero() : Address.fromBytes(r)
}

/**
 * Counters are bumped on a freshly loaded Protocol: helpers that create positions
 * (getOrCreateProtocolAccount) save the protocol themselves, so a copy loaded at the start of a
 * handler can be stale by the time the handler ends.
 */
export function bumpProtocolCounts(morpho: Bytes, liquidations: i32, realizedBadDebts: i32): void {
  const protocol = Protocol.load(morpho)
  if (protocol == null) return
  protocol.liquidationCount += liquidations
  protocol.realizedBadDebtCount += realizedBadDebts
  protocol.save()
}
