// Morpho Blue protocol identity and owner settings. Protocol id = the Morpho singleton (every event's
// address) = its MorphoBlueConfig's id.
import { Address, BigInt, Bytes, dataSource } from '@graphprotocol/graph-ts'
import { MorphoBlueConfig, Protocol } from '../../generated/schema'

function newProtocol(morpho: Address): Protocol {
  const protocol = new Protocol(morpho)
  protocol.name = 'Morpho Blue'
  protocol.slug = 'morpho-blue'
  protocol.family = 'MORPHO_BLUE'
  protocol.network = dataSource.network()
  protocol.marketCount = 0
  protocol.accountCount = 0
  protocol.liquidationCount = 0
  protocol.realizedBadDebtCount = 0
  protocol.morphoBlue = morpho
  return protocol
}

function newConfig(morpho: Address): MorphoBlueConfig {
  const config = new MorphoBlueConfig(morpho)
  config.protocol = morpho
  // Morpho's constructor emits SetOwner: the zero address is only seen before it.
  config.owner = Address.zero()
  // Morpho's storage default until SetFeeRecipient: fee shares go to position[id][address(0)].
  config.feeRecipient = Address.zero()
  config.enabledIrms = new Array<Bytes>(0)
  config.enabledLltvs = new Array<BigInt>(0)
  return config
}

/** The protocol, created on first sight with its MorphoBlueConfig. */
export function getOrCreateProtocol(morpho: Address): Protocol {
  let protocol = Protocol.load(morpho)
  if (protocol == null) {
    protocol = newProtocol(morpho)
    protocol.save()
    newConfig(morpho).save()
  }
  return protocol
}

/** The owner settings, loaded (the protocol and its config created on first sight); the caller saves. */
export function getOrCreateConfig(morpho: Address): MorphoBlueConfig {
  const config = MorphoBlueConfig.load(morpho)
  if (config != null) return config
  if (Protocol.load(morpho) == null) newProtocol(morpho).save()
  return newConfig(morpho)
}

/** The fee recipient in force (Morpho.feeRecipient): the zero address until set. */
export function feeRecipientOf(morpho: Address): Address {
  const config = MorphoBlueConfig.load(morpho)
  return config == null ? Address.zero() : Address.fromBytes(config.feeRecipient)
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
