// Morpho Blue handlers (one data source: the Morpho singleton). Thin: market state lives in
// ./market, share balances in ../common/shares, liquidations in ./liquidation.
//
// Positions and market totals are replayed from the events alone, exactly as Morpho.sol changes
// them (no eth_call per user action): Supply/Withdraw/Borrow/Repay carry both assets and shares,
// AccrueInterest carries the interest and the fee shares minted to the fee recipient (who gets no
// Supply event), Liquidate carries repaid and written-off shares and assets.
import { Address, BigInt, Bytes } from '@graphprotocol/graph-ts'
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
import { applyBorrowSharesDelta, applyCollateralDelta, applySupplySharesDelta, orZero } from '../common/shares'
import { processLiquidate } from './liquidation'
import { accrued, addBorrowAssets, addSupplyAssets, createMarket, loadMarket, repayBorrowAssets, setFee } from './market'
import { feeRecipientOf, getOrCreateProtocol } from './protocol'
import { saveMarket } from '../common/changes'

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
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  const protocol = getOrCreateProtocol(event.address)
  const recipient = feeRecipientOf(protocol)
  const e = new InterestAccrual(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.borrowRate = p.prevBorrowRate
  e.interest = p.interest
  e.feeShares = p.feeShares
  e.feeRecipient = recipient
  e.fee = orZero(market.fee)
  e.elapsed = event.block.timestamp.minus(market.lastUpdateTimestamp)
  e.totalBorrowAssetsBefore = orZero(market.totalBorrowAssets)
  e.save()

  addBorrowAssets(market, p.interest)
  addSupplyAssets(market, p.interest)
  market.borrowRate = p.prevBorrowRate
  accrued(market, event.block)
  if (!p.feeShares.isZero()) applySupplySharesDelta(market, recipient, p.feeShares, event.block)
  saveMarket(market)
}

export function handleSupply(event: SupplyEvent): void {
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  accrued(market, event.block)
  addSupplyAssets(market, p.assets)
  applySupplySharesDelta(market, p.onBehalf, p.shares, event.block)
  saveMarket(market)
  const e = new Supply(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.account = p.onBehalf
  e.caller = p.caller
  e.amount = p.assets
  e.shares = p.shares
  e.save()
}

export function handleWithdraw(event: WithdrawEvent): void {
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  accrued(market, event.block)
  addSupplyAssets(market, p.assets.neg())
  applySupplySharesDelta(market, p.onBehalf, p.shares.neg(), event.block)
  saveMarket(market)
  const e = new Withdraw(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.account = p.onBehalf
  e.to = p.receiver
  e.amount = p.assets
  e.shares = p.shares
  e.save()
}

export function handleBorrow(event: BorrowEvent): void {
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  accrued(market, event.block)
  addBorrowAssets(market, p.assets)
  applyBorrowSharesDelta(market, p.onBehalf, p.shares, event.block)
  saveMarket(market)
  const e = new Borrow(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.account = p.onBehalf
  e.caller = p.receiver // Borrow.caller is "who received the funds"
  e.amount = p.assets
  e.shares = p.shares
  e.save()
}

export function handleRepay(event: RepayEvent): void {
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  accrued(market, event.block)
  repayBorrowAssets(market, p.assets)
  applyBorrowSharesDelta(market, p.onBehalf, p.shares.neg(), event.block)
  saveMarket(market)
  const e = new Repay(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.account = p.onBehalf
  e.repayer = p.caller
  e.amount = p.assets
  e.shares = p.shares
  e.useATokens = false
  e.save()
}

/** Morpho.supplyCollateral does not accrue interest (lastUpdate unchanged). */
export function handleSupplyCollateral(event: SupplyCollateralEvent): void {
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  applyCollateralDelta(market, p.onBehalf, p.assets, event.block)
  saveMarket(market)
  const e = new SupplyCollateral(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.account = p.onBehalf
  e.caller = p.caller
  e.amount = p.assets
  e.save()
}

export function handleWithdrawCollateral(event: WithdrawCollateralEvent): void {
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const p = event.params
  accrued(market, event.block)
  applyCollateralDelta(market, p.onBehalf, p.assets.neg(), event.block)
  saveMarket(market)
  const e = new WithdrawCollateral(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
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
  const market = loadMarket(event.address, event.params.id)
  if (market == null) return
  const e = new FeeChange(eventId(event))
  stampEvent(e, market.protocol, event)
  e.market = market.id
  e.previousFee = orZero(market.fee)
  e.newFee = event.params.newFee
  e.save()
  accrued(market, event.block)
  setFee(market, event.params.newFee)
  saveMarket(market)
}

export function handleSetFeeRecipient(event: SetFeeRecipient): void {
  const protocol = getOrCreateProtocol(event.address)
  protocol.feeRecipient = event.params.newFeeRecipient
  protocol.save()
}

export function handleSetOwner(event: SetOwner): void {
  const protocol = getOrCreateProtocol(event.address)
  protocol.owner = event.params.newOwner
  protocol.save()
}

export function handleEnableIrm(event: EnableIrm): void {
  const protocol = getOrCreateProtocol(event.address)
  const irms = protocol.enabledIrms
  const list = irms === null ? new Array<Bytes>(0) : irms
  list.push(event.params.irm)
  protocol.enabledIrms = list
  protocol.save()
}

export function handleEnableLltv(event: EnableLltv): void {
  const protocol = getOrCreateProtocol(event.address)
  const lltvs = protocol.enabledLltvs
  const list = lltvs === null ? new Array<BigInt>(0) : lltvs
  list.push(event.params.lltv)
  protocol.enabledLltvs = list
  protocol.save()
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
