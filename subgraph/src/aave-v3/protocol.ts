// Aave V3 protocol identity. Protocol id = Pool proxy address; its AavePool (same id) holds what only
// an Aave Pool has (addresses provider, oracle, revision and rounding, flash-loan premium share). Pool events know it directly;
// configurator events learn it at ReserveInitialized (from the aToken's Initialized log, whose
// indexed `pool` topic is the Pool) and find it later through a ProtocolContract link.
import { Address, Bytes, dataSource, ethereum, log } from '@graphprotocol/graph-ts'
import { AavePool, Protocol, ProtocolContract } from '../../generated/schema'
import { slugify } from '../common/text'
import { applyRevision, readPoolRevision } from './generation'
import { applyFlashLoanPremiumToProtocol, readFlashLoanPremiumToProtocol } from './flash-loan'

const DEFAULT_LINK = Bytes.fromUTF8('default')
/** Name and slug when the market id cannot be read (a Pool without ADDRESSES_PROVIDER, or a reverting provider). */
const FALLBACK_NAME = 'Aave V3'
const FALLBACK_SLUG = 'aave-v3'

/**
 * Pool.ADDRESSES_PROVIDER() at this block (a public immutable in every Aave V3 Pool). Null when it
 * reverts. The calling data source must list the ABI named "AaveV3Pool".
 */
export function readAddressesProvider(pool: Address): Address | null {
  const r = ethereum.call(new ethereum.SmartContractCall('AaveV3Pool', pool, 'ADDRESSES_PROVIDER', 'ADDRESSES_PROVIDER():(address)', []))
  return r == null ? null : r[0].toAddress()
}

/**
 * PoolAddressesProvider.getMarketId(): the market's own name ("Aave Ethereum Market", "Aave Ethereum
 * Lido Market", ...), which tells several Aave instances on one chain apart. Null when it reverts or
 * is empty. The calling data source must list the ABI named "AaveV3PoolAddressesProvider".
 */
function readMarketId(provider: Address): string | null {
  const r = ethereum.call(new ethereum.SmartContractCall('AaveV3PoolAddressesProvider', provider, 'getMarketId', 'getMarketId():(string)', []))
  if (r == null) return null
  const id = r[0].toString()
  return id.length > 0 ? id : null
}

/**
 * Name = the market id, slug = its lowercase-hyphen form; two eth_calls, once per protocol. The market
 * id can be changed by setMarketId later (MarketIdSet, not indexed): the name is the one at creation.
 */
function applyIdentity(protocol: Protocol, aave: AavePool, pool: Address): void {
  protocol.name = FALLBACK_NAME
  protocol.slug = FALLBACK_SLUG
  const provider = readAddressesProvider(pool)
  if (provider === null) {
    log.warning('ADDRESSES_PROVIDER() reverted on {}; naming it {}', [pool.toHexString(), FALLBACK_NAME])
    return
  }
  aave.addressesProvider = provider
  const marketId = readMarketId(provider)
  if (marketId === null) {
    log.warning('getMarketId() unreadable on provider {}; naming pool {} {}', [provider.toHexString(), pool.toHexString(), FALLBACK_NAME])
    return
  }
  protocol.name = marketId
  protocol.slug = slugify(marketId, FALLBACK_SLUG)
}

export function getOrCreateProtocol(pool: Address): Protocol {
  let protocol = Protocol.load(pool)
  if (protocol == null) {
    protocol = new Protocol(pool)
    const aave = new AavePool(pool)
    aave.protocol = pool
    aave.deficitCoverageCount = 0
    applyIdentity(protocol, aave, pool)
    protocol.family = 'AAVE_V3'
    protocol.network = dataSource.network()
    protocol.marketCount = 0
    protocol.accountCount = 0
    protocol.liquidationCount = 0
    protocol.realizedBadDebtCount = 0
    protocol.aavePool = pool
    // The generation in force from here on (one eth_call per protocol; Upgraded events refresh it).
    applyRevision(aave, readPoolRevision(pool))
    // The treasury's share of flash-loan premiums (FlashloanPremiumToProtocolUpdated and Upgraded follow it).
    applyFlashLoanPremiumToProtocol(aave, readFlashLoanPremiumToProtocol(pool))
    protocol.save()
    aave.save()
    linkContract(pool, pool, 'POOL')
    // The first protocol seen is the fallback for configurator events that precede any reserve
    // (one Aave market per deployment of this manifest).
    if (ProtocolContract.load(DEFAULT_LINK) == null) linkContractId(DEFAULT_LINK, pool, 'DEFAULT')
  }
  return protocol
}

/** The Pool's own configuration, creating the protocol on its first sight (identity read at this block). */
export function getOrCreateAavePool(pool: Address): AavePool {
  const aave = AavePool.load(pool)
  if (aave != null) return aave
  getOrCreateProtocol(pool)
  return AavePool.load(pool)!
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
