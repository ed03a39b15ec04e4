import { stampEvent } from '../common/entities'
// Oracle bookkeeping shared by the AaveOracle, the Aggregator template and ReserveInitialized.
// Prices are raw integers in the oracle's base currency (Aave V3: USD, 8 decimals).
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts'
import { Market, Oracle, OracleAsset, PriceSource, PriceUpdate } from '../../generated/schema'
import { Aggregator } from '../../generated/templates'
import { eventId } from '../common/ids'

/**
 * AaveOracle.getAssetPrice(asset) at this block: one eth_call, only in handlers that are not per user
 * (source changes, fallback on non-positive answers, reserve listing). Null when it reverts.
 * The calling data source must list the ABI named "AaveV3Oracle".
 */
export function readAssetPrice(oracle: Address, asset: Address): BigInt | null {
  const r = ethereum.call(
    new ethereum.SmartContractCall('AaveV3Oracle', oracle, 'getAssetPrice', 'getAssetPrice(address):(uint256)', [
      ethereum.Value.fromAddress(asset),
    ]),
  )
  return r == null ? null : r[0].toBigInt()
}

export function getOrCreateOracle(address: Address): Oracle {
  let oracle = Oracle.load(address)
  if (oracle == null) {
    oracle = new Oracle(address)
    oracle.save()
  }
  return oracle
}

export function getOrCreateOracleAsset(oracle: Address, asset: Address): OracleAsset {
  const id = oracle.concat(asset)
  let oa = OracleAsset.load(id)
  if (oa == null) {
    getOrCreateOracle(oracle)
    oa = new OracleAsset(id)
    oa.oracle = oracle
    oa.asset = asset
    oa.save()
  }
  return oa
}

/** Loads a feed, creating it and its Aggregator data source the first time it is seen. */
export function getOrCreatePriceSource(feed: Address): PriceSource {
  let ps = PriceSource.load(feed)
  if (ps == null) {
    ps = new PriceSource(feed)
    ps.assets = []
    ps.save()
    // Exactly once per feed: a second data source on the same address would double-handle its logs.
    Aggregator.create(feed)
  }
  return ps
}

/** Stores a new price on the OracleAsset and, if the asset backs a market, on the market + a PriceUpdate row. */
export function recordPrice(
  event: ethereum.Event,
  oa: OracleAsset,
  price: BigInt | null,
  kind: string,
  roundId: BigInt | null,
): void {
  oa.price = price
  oa.priceUpdatedAtBlock = event.block.number
  oa.save()
  const marketId = oa.market
  if (marketId === null) return
  const market = Market.load(marketId)
  if (market == null) return
  market.price = price
  market.priceSource = oa.source
  market.priceUpdatedAtBlock = event.block.number
  market.priceUpdatedAtTimestamp = event.block.timestamp
  market.save()

  const u = new PriceUpdate(eventId(event).concat(market.id))
  stampEvent(u, market.protocol, event)
  u.market = market.id
  const source = oa.source
  u.source = source !== null ? source : Bytes.fromHexString('0x0000000000000000000000000000000000000000')
  u.price = price
  u.kind = kind
  u.roundId = roundId
  u.save()
}
