// Aave V3 protocol identity. Protocol id = Pool proxy address. Pool events know it directly;
// configurator events learn it at ReserveInitialized (from the aToken's Initialized log, whose
// indexed `pool` topic is the Pool) and find it later through a ProtocolContract link.
import { Address, Bytes, dataSource, log } from '@graphprotocol/graph-ts'
import { Protocol, ProtocolContract } from '../../generated/schema'
import { applyRevision, readPoolRevision } from './generation'

const DEFAULT_LINK = Bytes.fromUTF8('default')

export function getOrCreateProtocol(pool: Address): Protocol {
  let protocol = Protocol.load(pool)
  if (protocol == null) {
    protocol = new Protocol(pool)
    protocol.name = 'Aave V3'
    protocol.slug = 'aave-v3'
    protocol.family = 'AAVE_V3'
    protocol.network = dataSource.network()
    protocol.marketCount = 0
    protocol.accountCount = 0
    protocol.liquidationCount = 0
    protocol.realizedBadDebtCount = 0
    protocol.deficitCoverageCount = 0
    // The generation in force from here on (one eth_call per protocol; Upgraded events refresh it).
    applyRevision(protocol, readPoolRevision(pool))
    protocol.save()
    linkContract(pool, pool, 'POOL')
    // The first protocol seen is the fallback for configurator events that precede any reserve
    // (one Aave market per deployment of this manifest).
    if (ProtocolContract.load(DEFAULT_LINK) == null) linkContractId(DEFAULT_LINK, pool, 'DEFAULT')
  }
  return protocol
}

export function linkContract(contract: Address, pool: Bytes, role: string): void {
  linkContractId(contract, pool, role)
}

function linkContractId(id: Bytes, pool: Bytes, role: string): void {
  const link = new ProtocolContract(id)
  link.protocol = pool
  link.role = role
  link.save()
}

/** The Pool (protocol id) a configurator/oracle contract belongs to, or null if not learned yet. */
export function protocolOf(contract: Address): Bytes | null {
  let link = ProtocolContract.load(contract)
  if (link == null) {
    link = ProtocolContract.load(DEFAULT_LINK)
    if (link == null) {
      log.warning('no Aave V3 protocol known yet for contract {}', [contract.toHexString()])
      return null
    }
  }
  return link.protocol
}
