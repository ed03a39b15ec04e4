// AToken template: supply positions (scaled aToken balances) and supply transfers.
import { Address } from '@graphprotocol/graph-ts'
import {
  BalanceTransfer,
  Burn,
  Initialized,
  Mint,
} from '../../generated/templates/AToken/AaveV3AToken'
import { Transfer as TransferEntity } from '../../generated/schema'
import { applyScaledSupplyDelta, getOrCreateAccount, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { ZERO } from '../common/math'
import { burnScaledDelta, contextMarket, mintScaledDelta } from './tokens'

export function handleATokenMint(event: Mint): void {
  const delta = mintScaledDelta(event.params.value, event.params.balanceIncrease, event.params.index)
  if (delta.equals(ZERO)) return
  const market = contextMarket()
  if (market == null) return
  applyScaledSupplyDelta(market, event.params.onBehalfOf, delta, event.block)
}

export function handleATokenBurn(event: Burn): void {
  const market = contextMarket()
  if (market == null) return
  const delta = burnScaledDelta(event.params.value, event.params.balanceIncrease, event.params.index)
  applyScaledSupplyDelta(market, event.params.from, delta, event.block)
}

/** v3.0 AToken._transfer emits BalanceTransfer(from, to, amount.rayDiv(index), index): value is already scaled. */
export function handleBalanceTransfer(event: BalanceTransfer): void {
  const market = contextMarket()
  if (market == null) return
  const from = event.params.from
  const to = event.params.to
  const scaled = event.params.value
  if (!from.equals(to)) {
    applyScaledSupplyDelta(market, from, ZERO.minus(scaled), event.block)
    applyScaledSupplyDelta(market, to, scaled, event.block)
  }
  getOrCreateAccount(from)
  getOrCreateAccount(to)
  const t = new TransferEntity(eventId(event))
  stampEvent(t, market.protocol, event)
  t.market = market.id
  t.from = from
  t.to = to
  t.scaledAmount = scaled
  t.index = event.params.index
  t.save()
}

/** Re-initialization (aToken upgrade) may change the treasury that receives liquidation fees. */
export function handleATokenInitialized(event: Initialized): void {
  const market = contextMarket()
  if (market == null) return
  market.treasury = Address.fromBytes(event.params.treasury)
  market.save()
}
