import { stampEvent } from '../common/entities'
// Oracle bookkeeping shared by the AaveOracle, the Aggregator template and ReserveInitialized.
// Prices are raw integers in the oracle's base currency (Aave V3: USD, 8 decimals).
import { Address, BigInt, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { Market, Oracle, OracleAsset, PriceSource, PriceUpdate, Protocol } from '../../generated/schema'
import { Aggregator } from '../../generated/templates'
import { eventId } from '../common/ids'
import { loadMarketById, saveMarket } from '../common/changes'

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
    ps.proxies = []
    ps.save()
    // Exactly once per feed: a second data source on the same address would double-handle its logs.
    Aggregator.create(feed)
  }
  return ps
}

/**
 * proxy.aggregator(): the aggregator behind a Chainlink EACAggregatorProxy. Null when the source does
 * not answer it (an aggregator itself, a CAPO or exchange-rate adapter, a fixed-price oracle) or
 * answers the zero address. The calling data source must list the ABI "ChainlinkAggregatorProxy".
 */
function readAggregator(feed: Address): Address | null {
  const r = ethereum.call(new ethereum.SmartContractCall('ChainlinkAggregatorProxy', feed, 'aggregator', 'aggregator():(address)', []))
  if (r == null) return null
  const a = r[0].toAddress()
  return a.equals(Address.zero()) || a.equals(feed) ? null : a
}

function withoutId(list: Bytes[], id: Bytes): Bytes[] {
  const out = new Array<Bytes>(0)
  for (let i = 0; i < list.length; i++) if (!list[i].equals(id)) out.push(list[i])
  return out
}

/**
 * Best effort for sources that emit nothing themselves: when `feed` is a Chainlink proxy, watch the
 * aggregator behind it too (an Aggregator data source, once per aggregator), so that its
 * AnswerUpdated logs reprice the proxy's assets. One eth_call, at source changes and listings only;
 * a later silent switch of the proxy to another aggregator is only noticed at the next of those.
 */
export function followAggregator(feed: Address): void {
  const ps = getOrCreatePriceSource(feed)
  const behind = readAggregator(feed)
  const previous = ps.aggregator
  if (previous !== null && behind !== null && previous.equals(behind)) return
  if (previous !== null) {
    const old = PriceSource.load(previous)
    if (old != null) {
      old.proxies = withoutId(old.proxies, feed)
      old.save()
    }
  }
  if (behind === null) {
    ps.aggregator = null
    ps.save()
    return
  }
  const agg = getOrCreatePriceSource(behind)
  const proxies = agg.proxies
  proxies.push(feed)
  agg.proxies = proxies
  agg.save()
  ps.aggregator = behind
  ps.save()
}

/** The PriceUpdate row of a price the market moved to at this event. */
function savePriceUpdate(event: ethereum.Event, market: Market, source: Bytes, price: BigInt | null, kind: string, roundId: BigInt | null): void {
  const u = new PriceUpdate(eventId(event).concat(market.id))
  stampEvent(u, market.protocol, event)
  u.market = market.id
  u.source = source
  u.price = price
  u.kind = kind
  u.roundId = roundId
  u.save()
}

/** Sets the market's price fields (does not save). */
function setMarketPrice(market: Market, price: BigInt | null, source: Bytes | null, event: ethereum.Event): void {
  market.price = price
  market.priceSource = source
  market.priceUpdatedAtBlock = event.block.number
  market.priceUpdatedAtTimestamp = event.block.timestamp
}

function oracleAssetSource(oa: OracleAsset): Bytes {
  const source = oa.source
  return source !== null ? source : Address.zero()
}

function saveAssetPrice(oa: OracleAsset, price: BigInt | null, event: ethereum.Event): void {
  oa.price = price
  oa.priceUpdatedAtBlock = event.block.number
  oa.save()
}

/** Stores a new price on the OracleAsset and, if the asset backs a market, on the market + a PriceUpdate row. */
export function recordPrice(
  event: ethereum.Event,
  oa: OracleAsset,
  price: BigInt | null,
  kind: string,
  roundId: BigInt | null,
): void {
  saveAssetPrice(oa, price, event)
  const marketId = oa.market
  if (marketId === null) return
  const market = loadMarketById(marketId)
  if (market == null) return
  setMarketPrice(market, price, oa.source, event)
  saveMarket(market)
  savePriceUpdate(event, market, oracleAssetSource(oa), price, kind, roundId)
}

/**
 * The AaveOracle the protocol uses at this block: PoolAddressesProvider.getPriceOracle() (one eth_call;
 * governance can point the provider at a new oracle with no event this subgraph indexes), else the
 * oracle learned at listing. The calling data source must list "AaveV3PoolAddressesProvider".
 */
export function currentOracle(protocol: Protocol): Address | null {
  const provider = protocol.addressesProvider
  if (provider !== null) {
    const r = ethereum.call(
      new ethereum.SmartContractCall('AaveV3PoolAddressesProvider', Address.fromBytes(provider), 'getPriceOracle', 'getPriceOracle():(address)', []),
    )
    if (r != null && !r[0].toAddress().equals(Address.zero())) return r[0].toAddress()
  }
  const known = protocol.oracle
  return known !== null ? Address.fromBytes(known) : null
}

/**
 * Reads the protocol oracle's own price of the market's asset at this event's block
 * (AaveOracle.getAssetPrice: whatever sits behind the source, a Chainlink proxy whose aggregator was
 * switched silently or a CAPO adapter whose answer moves with no log) and stores it as the market's
 * latest price (PriceUpdate kind ORACLE_READ). Returns the price, or the market's last known price
 * when the call reverts (the liquidation itself called getAssetPrice, so it should not). Sets the
 * price on `market` without saving it: the caller saves (no second copy of the market is loaded).
 *
 * Plain ethereum.call, not a declared eth_call: a manifest `calls:` entry can only address a contract
 * by `event.address` or an event parameter, and the oracle is neither (it is found through the Pool's
 * addresses provider).
 */
export function readAndRecordPrice(event: ethereum.Event, protocol: Protocol, market: Market, oracle: Address | null): BigInt | null {
  if (oracle === null) {
    log.warning('no oracle known for pool {}; keeping the last price of market {}', [protocol.id.toHexString(), market.id.toHexString()])
    return market.price
  }
  const asset = Address.fromBytes(market.inputToken)
  const price = readAssetPrice(oracle, asset)
  if (price === null) {
    log.warning('getAssetPrice({}) reverted on oracle {}; keeping the last price', [asset.toHexString(), oracle.toHexString()])
    return market.price
  }
  const oa = OracleAsset.load(oracle.concat(asset))
  if (oa != null && oa.market !== null && (oa.market as Bytes).equals(market.id)) {
    // What recordPrice does, on the caller's copy of the market (the caller saves it).
    saveAssetPrice(oa, price, event)
    savePriceUpdate(event, market, oracleAssetSource(oa), price, 'ORACLE_READ', null)
  } else {
    // An oracle this subgraph does not track (replaced through the provider): the market still moves.
    savePriceUpdate(event, market, oracle, price, 'ORACLE_READ', null)
  }
  setMarketPrice(market, price, oa != null ? oa.source : market.priceSource, event)
  return price
}

/** Copies the price fields between two in-memory copies of one market (same asset on both sides of a liquidation). */
export function copyPrice(from: Market, to: Market): void {
  to.price = from.price
  to.priceSource = from.priceSource
  to.priceUpdatedAtBlock = from.priceUpdatedAtBlock
  to.priceUpdatedAtTimestamp = from.priceUpdatedAtTimestamp
}
