// Aggregator template: one per price feed used by an AaveOracle, and one per Chainlink aggregator found
// behind such a feed when it is a proxy (prices.ts followAggregator). Every answer reprices every asset
// the feed currently backs, directly or through the proxies whose aggregator it is.
import { Address, BigInt, Bytes } from '@graphprotocol/graph-ts'
import { AnswerUpdated } from '../../generated/templates/Aggregator/ChainlinkAggregator'
import { OracleAsset, PriceSource } from '../../generated/schema'
import { readAssetPrice, recordPrice } from './prices'

function reprice(event: AnswerUpdated, assets: Bytes[]): void {
  for (let i = 0; i < assets.length; i++) {
    const oa = OracleAsset.load(assets[i])
    if (oa == null) continue
    // AaveOracle.getAssetPrice returns the feed's answer when > 0, else asks the fallback oracle.
    const price = event.params.current.gt(BigInt.zero())
      ? event.params.current
      : readAssetPrice(Address.fromBytes(oa.oracle), Address.fromBytes(oa.asset))
    recordPrice(event, oa, price, 'ANSWER_UPDATED', event.params.roundId)
  }
}

export function handleAnswerUpdated(event: AnswerUpdated): void {
  const ps = PriceSource.load(event.address)
  if (ps == null) return
  ps.latestAnswer = event.params.current
  ps.latestRoundId = event.params.roundId
  ps.latestUpdatedAt = event.params.updatedAt
  ps.save()

  reprice(event, ps.assets)
  // A proxy answers what its aggregator answers (AggregatorProxy.latestAnswer), as long as this is
  // still the aggregator it pointed at when last looked up.
  const proxies = ps.proxies
  for (let i = 0; i < proxies.length; i++) {
    const proxy = PriceSource.load(proxies[i])
    if (proxy == null) continue
    const behind = proxy.aggregator
    if (behind === null || !behind.equals(event.address)) continue
    reprice(event, proxy.assets)
  }
}
