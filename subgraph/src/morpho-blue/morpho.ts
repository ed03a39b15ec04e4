// Morpho Blue handlers (one data source: the Morpho singleton). Thin: market state lives in
// ./market, share balances in ../common/shares, liquidations in ./liquidation.
//
// Positions and market totals are replayed from the events alone, exactly as Morpho.sol changes
// them (no eth_call per user action): Supply/Withdraw/Borrow/Repay carry both assets and shares,
// AccrueInterest carries the interest and the fee shares minted to the fee recipient (who gets no
// Supply event), Liquidate carries repaid and written-off shares and assets.
import { Address } from '@graphprotocol/graph-ts'
import {
  AccrueInterest,
  Borrow as BorrowEvent,
  CreateMarket,
  EnableIrm,
  EnableLltv,
  Liquidate,
  Repay as RepayEvent,
  SetAuthorization,
  SetFee,
  SetFeeRecipient,
  SetOwner,
  Supply as SupplyEvent,
  SupplyCollateral as SupplyCollateralEvent,
  Withdraw as WithdrawEvent,
  WithdrawCollateral as WithdrawCollateralEvent,
} from '../../generated/MorphoBlue/MorphoBlue'
import {
  Authorization,
  Borrow,
  FeeChange,
  InterestAccrual,
  Repay,
  Supply,
  SupplyCollateral,
  Withdraw,
  WithdrawCollateral,
} from '../../generated/schema'
import { ensureAccount, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { processLiquidate } from './liquidation'
import {
  accrued, addBorrowAssets, addSupplyAssets, createMarket, loadState, moveBorrowShares, moveCollateral, moveSupplyShares,
  repayBorrowAssets, saveState,
} from './market'
import { feeRecipientOf, getOrCreateConfig, getOrCreateProtocol } from './protocol'

// Every handler below loads the market's MorphoMarketState only; the Market itself is loaded (once
// per handler call, loadMarketById) only where a count or total on it moves. Event rows name the
// protocol by the event's address (the Morpho singleton = Protocol.id).

export function handleCreateMarket(event: CreateMarket): void {
  const protocol = getOrCreateProtocol(event.address)
  const params = event.params.marketParams
  createMarket(protocol, event.params.id, params.loanToken, params.collateralToken, params.oracle, params.irm, params.lltv, event.block)
  protocol.marketCount += 1
  protocol.save()
}

/**
 * Morpho._accrueInterest: interest is added to totalBorrowAssets and totalSupplyAssets; with a fee,
 * feeShares are minted to the fee recipient in force (position and totalSupplyShares).
 */
export function handleAccrueInterest(event: AccrueInterest): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  const recipient = feeRecipientOf(event.address)
  const e = new InterestAccrual(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.borrowRate = p.prevBorrowRate
  e.interest = p.interest
  e.feeShares = p.feeShares
  e.feeRecipient = recipient
  e.fee = state.fee
  e.elapsed = event.block.timestamp.minus(state.lastUpdateTimestamp)
  e.totalBorrowAssetsBefore = state.totalBorrowAssets
  e.save()

  addBorrowAssets(state, p.interest)
  addSupplyAssets(state, p.interest)
  state.borrowRate = p.prevBorrowRate
  accrued(state, event.block)
  if (!p.feeShares.isZero()) moveSupplyShares(state, event.address, recipient, p.feeShares, event.block)
  saveState(state)
}

export function handleSupply(event: SupplyEvent): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  accrued(state, event.block)
  addSupplyAssets(state, p.assets)
  moveSupplyShares(state, event.address, p.onBehalf, p.shares, event.block)
  saveState(state)
  const e = new Supply(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.account = p.onBehalf
  e.caller = p.caller
  e.amount = p.assets
  e.shares = p.shares
  e.save()
}

export function handleWithdraw(event: WithdrawEvent): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  accrued(state, event.block)
  addSupplyAssets(state, p.assets.neg())
  moveSupplyShares(state, event.address, p.onBehalf, p.shares.neg(), event.block)
  saveState(state)
  const e = new Withdraw(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.account = p.onBehalf
  e.to = p.receiver
  e.amount = p.assets
  e.shares = p.shares
  e.save()
}

export function handleBorrow(event: BorrowEvent): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  accrued(state, event.block)
  addBorrowAssets(state, p.assets)
  moveBorrowShares(state, event.address, p.onBehalf, p.shares, event.block)
  saveState(state)
  const e = new Borrow(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.account = p.onBehalf
  e.caller = p.receiver // Borrow.caller is "who received the funds"
  e.amount = p.assets
  e.shares = p.shares
  e.save()
}

export function handleRepay(event: RepayEvent): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  accrued(state, event.block)
  repayBorrowAssets(state, p.assets)
  moveBorrowShares(state, event.address, p.onBehalf, p.shares.neg(), event.block)
  saveState(state)
  const e = new Repay(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.account = p.onBehalf
  e.repayer = p.caller
  e.amount = p.assets
  e.shares = p.shares
  e.useATokens = false
  e.save()
}

/** Morpho.supplyCollateral does not accrue interest (lastUpdate unchanged). */
export function handleSupplyCollateral(event: SupplyCollateralEvent): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  moveCollateral(state, event.address, p.onBehalf, p.assets, event.block)
  saveState(state)
  const e = new SupplyCollateral(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.account = p.onBehalf
  e.caller = p.caller
  e.amount = p.assets
  e.save()
}

export function handleWithdrawCollateral(event: WithdrawCollateralEvent): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const p = event.params
  accrued(state, event.block)
  moveCollateral(state, event.address, p.onBehalf, p.assets.neg(), event.block)
  saveState(state)
  const e = new WithdrawCollateral(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.account = p.onBehalf
  e.caller = p.caller
  e.to = p.receiver
  e.amount = p.assets
  e.save()
}

export function handleLiquidate(event: Liquidate): void {
  processLiquidate(event)
}

/** Morpho.setFee accrues interest with the old fee (its AccrueInterest precedes this log), then sets it. */
export function handleSetFee(event: SetFee): void {
  const state = loadState(event.address, event.params.id)
  if (state == null) return
  const e = new FeeChange(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.previousFee = state.fee
  e.newFee = event.params.newFee
  e.save()
  accrued(state, event.block)
  state.fee = event.params.newFee
  saveState(state)
}

export function handleSetFeeRecipient(event: SetFeeRecipient): void {
  const config = getOrCreateConfig(event.address)
  config.feeRecipient = event.params.newFeeRecipient
  config.save()
}

export function handleSetOwner(event: SetOwner): void {
  const config = getOrCreateConfig(event.address)
  config.owner = event.params.newOwner
  config.save()
}

export function handleEnableIrm(event: EnableIrm): void {
  const config = getOrCreateConfig(event.address)
  const list = config.enabledIrms
  list.push(event.params.irm)
  config.enabledIrms = list
  config.save()
}

export function handleEnableLltv(event: EnableLltv): void {
  const config = getOrCreateConfig(event.address)
  const list = config.enabledLltvs
  list.push(event.params.lltv)
  config.enabledLltvs = list
  config.save()
}

/** id = protocol ++ authorizer ++ authorized (schema: Authorization). */
export function handleSetAuthorization(event: SetAuthorization): void {
  const protocol = getOrCreateProtocol(event.address)
  const authorizer: Address = event.params.authorizer
  ensureAccount(authorizer)
  const id = protocol.id.concat(authorizer).concat(event.params.authorized)
  let a = Authorization.load(id)
  if (a == null) {
    a = new Authorization(id)
    a.protocol = protocol.id
    a.account = authorizer
    a.manager = event.params.authorized
  }
  a.approved = event.params.newIsAuthorized
  a.updatedAtBlock = event.block.number
  a.updatedAtTimestamp = event.block.timestamp
  a.save()
}
