import { stampEvent } from '../common/entities'
// Oracle bookkeeping shared by the AaveOracle, the Aggregator template and ReserveInitialized.
// Prices are raw integers in the oracle's base currency (Aave V3: USD, 8 decimals).
import { Address, BigInt, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { AavePool, AaveReserveState, Oracle, OracleAsset, PriceSource, PriceUpdate } from '../../generated/schema'
import { Aggregator } from '../../generated/templates'
import { eventId, protocolOfMarket } from '../common/ids'
import { loadReserveState, saveReserveState } from './reserve'

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

/** The PriceUpdate row of a price the reserve moved to at this event. */
function savePriceUpdate(event: ethereum.Event, reserve: Bytes, source: Bytes, price: BigInt | null, kind: string, roundId: BigInt | null): void {
  const u = new PriceUpdate(eventId(event).concat(reserve))
  stampEvent(u, protocolOfMarket(reserve), event)
  u.market = reserve
  u.source = source
  u.price = price
  u.kind = kind
  u.roundId = roundId
  u.save()
}

/** Sets the reserve's price fields (does not save). */
function setReservePrice(state: AaveReserveState, price: BigInt | null, source: Bytes | null, event: ethereum.Event): void {
  state.price = price
  state.priceSource = source
  state.priceUpdatedAtBlock = event.block.number
  state.priceUpdatedAtTimestamp = event.block.timestamp
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

/** Stores a new price on the OracleAsset and, if the asset backs a reserve, on its state + a PriceUpdate row. */
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
  const state = loadReserveState(marketId)
  if (state == null) return
  setReservePrice(state, price, oa.source, event)
  saveReserveState(state)
  savePriceUpdate(event, state.id, oracleAssetSource(oa), price, kind, roundId)
}

/**
 * The AaveOracle the protocol uses at this block: PoolAddressesProvider.getPriceOracle() (one eth_call;
 * governance can point the provider at a new oracle with no event this subgraph indexes), else the
 * oracle learned at listing. The calling data source must list "AaveV3PoolAddressesProvider".
 */
export function currentOracle(pool: AavePool): Address | null {
  const provider = pool.addressesProvider
  if (provider !== null) {
    const r = ethereum.call(
      new ethereum.SmartContractCall('AaveV3PoolAddressesProvider', Address.fromBytes(provider), 'getPriceOracle', 'getPriceOracle():(address)', []),
    )
    if (r != null && !r[0].toAddress().equals(Address.zero())) return r[0].toAddress()
  }
  const known = pool.oracle
  return known !== null ? Address.fromBytes(known) : null
}

/**
 * Reads the protocol oracle's own price of the reserve's asset at this event's block
 * (AaveOracle.getAssetPrice: whatever sits behind the source, a Chainlink proxy whose aggregator was
 * switched silently or a CAPO adapter whose answer moves with no log) and stores it as the market's
 * latest price (PriceUpdate kind ORACLE_READ). Returns the price, or the reserve's last known price
 * when the call reverts (the liquidation itself called getAssetPrice, so it should not). Sets the
 * price on `state` without saving it: the caller saves.
 *
 * Plain ethereum.call, not a declared eth_call: a manifest `calls:` entry can only address a contract
 * by `event.address` or an event parameter, and the oracle is neither (it is found through the Pool's
 * addresses provider).
 */
export function readAndRecordPrice(event: ethereum.Event, state: AaveReserveState, asset: Address, oracle: Address | null): BigInt | null {
  if (oracle === null) {
    log.warning('no oracle known for pool {}; keeping the last price of reserve {}', [protocolOfMarket(state.id).toHexString(), state.id.toHexString()])
    return state.price
  }
  const price = readAssetPrice(oracle, asset)
  if (price === null) {
    log.warning('getAssetPrice({}) reverted on oracle {}; keeping the last price', [asset.toHexString(), oracle.toHexString()])
    return state.price
  }
  const oa = OracleAsset.load(oracle.concat(asset))
  if (oa != null && oa.market !== null && (oa.market as Bytes).equals(state.id)) {
    // What recordPrice does, on the caller's state (the caller saves it).
    saveAssetPrice(oa, price, event)
    savePriceUpdate(event, state.id, oracleAssetSource(oa), price, 'ORACLE_READ', null)
  } else {
    // An oracle this subgraph does not track (replaced through the provider): the reserve still moves.
    savePriceUpdate(event, state.id, oracle, price, 'ORACLE_READ', null)
  }
  setReservePrice(state, price, oa != null ? oa.source : state.priceSource, event)
  return price
}
