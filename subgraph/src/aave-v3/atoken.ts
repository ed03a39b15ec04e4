// AToken template: supply positions (scaled aToken balances) and supply transfers.
import { Address, dataSource } from '@graphprotocol/graph-ts'
import {
  BalanceTransfer,
  Burn,
  Initialized,
  Mint,
  Upgraded,
} from '../../generated/templates/AToken/AaveV3AToken'
import { Transfer as TransferEntity } from '../../generated/schema'
import { ensureAccount, stampEvent } from '../common/entities'
import { eventId, protocolOfMarket } from '../common/ids'
import { ZERO } from '../common/math'
import { applyScaledSupplyDelta } from './positions'
import { loadReserve, saveReserve, saveReserveState } from './reserve'
import { burnDelta, contextState, mintDelta, refreshTokenGeneration } from './tokens'

// Mint/Burn: scaled deltas per generation in tokens.ts. Also covers the v3.5+ Umbrella path:
// Pool.eliminateReserveDeficit burns the Umbrella's aTokens with aToken.burn (LiquidationLogic.
// executeEliminateDeficit, scaled amount rayDivCeil), an ordinary Burn (or Mint) log here.
export function handleATokenMint(event: Mint): void {
  if (event.params.value.equals(event.params.balanceIncrease)) return // _transfer interest notice
  const state = contextState()
  if (state == null) return
  const account = event.params.onBehalfOf
  const delta = mintDelta(state.id, account, event.params.value, event.params.balanceIncrease, event.params.index, false)
  if (delta.equals(ZERO)) return
  applyScaledSupplyDelta(state, account, delta, event.block)
  saveReserveState(state)
}

export function handleATokenBurn(event: Burn): void {
  const state = contextState()
  if (state == null) return
  const account = event.params.from
  const delta = burnDelta(state.id, account, event.params.value, event.params.balanceIncrease, event.params.index, false)
  applyScaledSupplyDelta(state, account, delta, event.block)
  saveReserveState(state)
}

/**
 * BalanceTransfer's value is already scaled in both generations: v3.0 AToken._transfer emits
 * amount.rayDiv(index); v3.5+ emits the scaledAmount it moved (transfer: getATokenTransferScaledAmount
 * = rayDivCeil; transferOnLiquidation: the Pool's scaled amount).
 */
export function handleBalanceTransfer(event: BalanceTransfer): void {
  const state = contextState()
  if (state == null) return
  const from = event.params.from
  const to = event.params.to
  const scaled = event.params.value
  if (!from.equals(to)) {
    applyScaledSupplyDelta(state, from, ZERO.minus(scaled), event.block)
    applyScaledSupplyDelta(state, to, scaled, event.block)
    saveReserveState(state)
  }
  ensureAccount(from)
  ensureAccount(to)
  const t = new TransferEntity(eventId(event))
  stampEvent(t, protocolOfMarket(state.id), event)
  t.market = state.id
  t.from = from
  t.to = to
  t.scaledAmount = scaled
  t.index = event.params.index
  t.save()
}

/** Re-initialization (aToken upgrade) may change the treasury that receives liquidation fees. */
export function handleATokenInitialized(event: Initialized): void {
  const reserve = loadReserve(dataSource.context().getBytes('market'))
  if (reserve == null) return
  reserve.treasury = Address.fromBytes(event.params.treasury)
  saveReserve(reserve)
}

/** The aToken proxy switched implementation: its Mint/Burn follow the new one's generation from here. */
export function handleATokenUpgraded(event: Upgraded): void {
  refreshTokenGeneration(event.address, false)
}
