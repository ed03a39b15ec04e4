// AaveOracle handlers: which feed prices which asset, and the price at each source change.
import { Address, Bytes } from '@graphprotocol/graph-ts'
import {
  AssetSourceUpdated,
  BaseCurrencySet,
  FallbackOracleUpdated,
} from '../../generated/AaveOracle/AaveV3Oracle'
import { PriceSource } from '../../generated/schema'
import { followAggregator, getOrCreateOracle, getOrCreateOracleAsset, getOrCreatePriceSource, readAssetPrice, recordPrice } from './prices'

export function handleAssetSourceUpdated(event: AssetSourceUpdated): void {
  const oa = getOrCreateOracleAsset(event.address, event.params.asset)
  const newSource = event.params.source

  // Detach the asset from its previous feed so that feed's answers stop moving this asset.
  const previous = oa.source
  if (previous !== null && !previous.equals(newSource)) {
    const old = PriceSource.load(previous)
    if (old != null) {
      const assets = old.assets
      const next = new Array<Bytes>(0)
      for (let i = 0; i < assets.length; i++) if (!assets[i].equals(oa.id)) next.push(assets[i])
      old.assets = next
      old.save()
    }
  }

  if (newSource.equals(Address.zero())) {
    oa.source = null // AaveOracle.getAssetPrice then asks the fallback oracle
  } else {
    const ps = getOrCreatePriceSource(newSource)
    const assets = ps.assets
    let present = false
    for (let i = 0; i < assets.length; i++) if (assets[i].equals(oa.id)) present = true
    if (!present) {
      assets.push(oa.id)
      ps.assets = assets
      ps.save()
    }
    oa.source = newSource
    followAggregator(newSource)
  }
  // The feed's last AnswerUpdated happened before we watched it: read the effective price now.
  recordPrice(event, oa, readAssetPrice(event.address, event.params.asset), 'SOURCE_CHANGED', null)
}

export function handleBaseCurrencySet(event: BaseCurrencySet): void {
  const o = getOrCreateOracle(event.address)
  o.baseCurrency = event.params.baseCurrency
  o.baseCurrencyUnit = event.params.baseCurrencyUnit
  o.save()
}

export function handleFallbackOracleUpdated(event: FallbackOracleUpdated): void {
  const o = getOrCreateOracle(event.address)
  o.fallbackOracle = event.params.fallbackOracle
  o.save()
}
