// Aggregator template (one per price feed used by an AaveOracle): every answer reprices every asset
// the feed currently backs.
import { Address, BigInt } from '@graphprotocol/graph-ts'
import { AnswerUpdated } from '../../generated/templates/Aggregator/ChainlinkAggregator'
import { OracleAsset, PriceSource } from '../../generated/schema'
import { readAssetPrice, recordPrice } from './prices'

export function handleAnswerUpdated(event: AnswerUpdated): void {
  const ps = PriceSource.load(event.address)
  if (ps == null) return
  ps.latestAnswer = event.params.current
  ps.latestRoundId = event.params.roundId
  ps.latestUpdatedAt = event.params.updatedAt
  ps.save()

  const assets = ps.assets
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
