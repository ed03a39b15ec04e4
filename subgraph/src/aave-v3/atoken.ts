// AToken template: supply positions (scaled aToken balances) and supply transfers.
import { Address } from '@graphprotocol/graph-ts'
import {
  BalanceTransfer,
  Burn,
  Initialized,
  Mint,
  Upgraded,
} from '../../generated/templates/AToken/AaveV3AToken'
import { Transfer as TransferEntity } from '../../generated/schema'
import { applyScaledSupplyDelta, ensureAccount, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { ZERO } from '../common/math'
import { burnDelta, contextMarket, mintDelta, refreshTokenGeneration } from './tokens'
import { saveMarket } from '../common/changes'

// Mint/Burn: scaled deltas per generation in tokens.ts. Also covers the v3.5+ Umbrella path:
// Pool.eliminateReserveDeficit burns the Umbrella's aTokens with aToken.burn (LiquidationLogic.
// executeEliminateDeficit, scaled amount rayDivCeil), an ordinary Burn (or Mint) log here.
export function handleATokenMint(event: Mint): void {
  if (event.params.value.equals(event.params.balanceIncrease)) return // _transfer interest notice
  const market = contextMarket()
  if (market == null) return
  const account = event.params.onBehalfOf
  const delta = mintDelta(market, account, event.params.value, event.params.balanceIncrease, event.params.index, false)
  if (delta.equals(ZERO)) return
  applyScaledSupplyDelta(market, account, delta, event.block)
  saveMarket(market)
}

export function handleATokenBurn(event: Burn): void {
  const market = contextMarket()
  if (market == null) return
  const account = event.params.from
  const delta = burnDelta(market, account, event.params.value, event.params.balanceIncrease, event.params.index, false)
  applyScaledSupplyDelta(market, account, delta, event.block)
  saveMarket(market)
}

/**
 * BalanceTransfer's value is already scaled in both generations: v3.0 AToken._transfer emits
 * amount.rayDiv(index); v3.5+ emits the scaledAmount it moved (transfer: getATokenTransferScaledAmount
 * = rayDivCeil; transferOnLiquidation: the Pool's scaled amount).
 */
export function handleBalanceTransfer(event: BalanceTransfer): void {
  const market = contextMarket()
  if (market == null) return
  const from = event.params.from
  const to = event.params.to
  const scaled = event.params.value
  if (!from.equals(to)) {
    applyScaledSupplyDelta(market, from, ZERO.minus(scaled), event.block)
    applyScaledSupplyDelta(market, to, scaled, event.block)
    saveMarket(market)
  }
  ensureAccount(from)
  ensureAccount(to)
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
  saveMarket(market)
}

/** The aToken proxy switched implementation: its Mint/Burn follow the new one's generation from here. */
export function handleATokenUpgraded(event: Upgraded): void {
  refreshTokenGeneration(event.address, false)
}
