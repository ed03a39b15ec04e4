// PoolV3: deposits and withdrawals (ERC-4626), share transfers (the treasury's share balance is the
// insurance fund), credit managers' borrows and repays, and the loss waterfall of a lossy repay.
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts'
import {
  AddCreditManager, Borrow as BorrowEvent, Deposit, Repay as RepayEvent, SetCreditManagerDebtLimit,
  Transfer, Withdraw as WithdrawEvent,
} from '../../generated/PoolV3/PoolV3'
import { CreditManagerV3 } from '../../generated/PoolV3/CreditManagerV3'
import {
  Borrow, CreditAccount, GearboxLoss, GearboxPool, Protocol, RealizedBadDebt, Repay, SocializedLoss, Supply, Withdraw,
} from '../../generated/schema'
import { loadMarketById, saveMarket } from '../common/changes'
import { ensureAccount, getOrCreatePosition, savePosition, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { ZERO } from '../common/math'
import { holderDelta, moveHolderCounts, orZero } from '../common/entities'
import { applySupplySharesDelta } from '../common/shares'
import { sharePriceRay } from '../common/linear'
import { getOrCreateCreditManager, getOrCreatePool, readPoolState } from './state'
import { readRepayContext } from './receipt'

const REALIZED_BAD_DEBT_SUFFIX = Bytes.fromHexString('0x01')
const SOCIALIZED_LOSS_SUFFIX = Bytes.fromHexString('0x02')
const GEARBOX_LOSS_SUFFIX = Bytes.fromHexString('0x03')

export function handleAddCreditManager(event: AddCreditManager): void {
  getOrCreateCreditManager(event.params.creditManager, event.block)
}

export function handleSetCreditManagerDebtLimit(event: SetCreditManagerDebtLimit): void {
  const cm = getOrCreateCreditManager(event.params.creditManager, event.block)
  cm.debtLimit = event.params.newLimit
  cm.save()
}

/** A deposit or withdrawal moved the pool's liquidity: its interest state is read again. */
function refreshPoolState(p: GearboxPool, block: ethereum.Block): void {
  readPoolState(p, block)
  p.save()
}

export function handleDeposit(event: Deposit): void {
  const p = getOrCreatePool(event.address, event.block)
  const params = event.params
  ensureAccount(params.owner)
  const e = new Supply(eventId(event))
  stampEvent(e, p.protocol, event)
  e.market = p.market
  e.account = params.owner
  e.caller = params.sender
  e.amount = params.assets
  e.shares = params.shares
  e.save()
  refreshPoolState(p, event.block)
}

export function handleWithdraw(event: WithdrawEvent): void {
  const p = getOrCreatePool(event.address, event.block)
  const params = event.params
  ensureAccount(params.owner)
  const w = new Withdraw(eventId(event))
  stampEvent(w, p.protocol, event)
  w.market = p.market
  w.account = params.owner
  w.to = params.receiver
  w.amount = params.assets
  w.shares = params.shares
  w.save()
  refreshPoolState(p, event.block)
}

/**
 * Pool shares (ERC-4626): every holder's position (and the Market's supplier count, by the share
 * helpers), the total supply and the treasury's balance (GearboxPool).
 */
export function handleShareTransfer(event: Transfer): void {
  const p = getOrCreatePool(event.address, event.block)
  const from = event.params.from
  const to = event.params.to
  const v = event.params.value
  if (from.equals(Address.zero())) p.totalSupply = p.totalSupply.plus(v)
  else applySupplySharesDelta(p.market, p.protocol, from, v.neg(), event.block)
  if (to.equals(Address.zero())) p.totalSupply = p.totalSupply.minus(v)
  else applySupplySharesDelta(p.market, p.protocol, to, v, event.block)
  if (from.equals(p.treasury)) p.treasuryShares = p.treasuryShares.minus(v)
  if (to.equals(p.treasury)) p.treasuryShares = p.treasuryShares.plus(v)
  p.save()
}

/**
 * Adds a (signed) principal delta to a credit account's debt (CreditAccount and its Position); the
 * Market's borrower count moves when the debt leaves or reaches 0.
 */
function applyDebtDelta(p: GearboxPool, ca: Address, delta: BigInt, block: ethereum.Block): void {
  const account = CreditAccount.load(ca)
  if (account != null) {
    account.principalDebt = account.principalDebt.plus(delta)
    account.save()
  }
  ensureAccount(ca)
  const position = getOrCreatePosition(p.market, p.protocol, ca, block)
  const before = orZero(position.principalDebt)
  const after = before.plus(delta)
  position.principalDebt = after
  savePosition(position, block)
  moveHolderCounts(p.market, 0, holderDelta(before, after))
}

export function handleBorrow(event: BorrowEvent): void {
  const p = getOrCreatePool(event.address, event.block)
  const cm = getOrCreateCreditManager(event.params.creditManager, event.block)
  const amount = event.params.amount
  p.totalBorrowed = p.totalBorrowed.plus(amount)
  cm.totalBorrowed = cm.totalBorrowed.plus(amount)
  cm.save()
  applyDebtDelta(p, event.params.creditAccount, amount, event.block)
  const e = new Borrow(eventId(event))
  stampEvent(e, p.protocol, event)
  e.market = p.market
  e.account = event.params.creditAccount
  e.caller = event.params.creditManager
  e.amount = amount
  e.save()
  refreshPoolState(p, event.block)
}

export function handleRepay(event: RepayEvent): void {
  const p = getOrCreatePool(event.address, event.block)
  const cm = getOrCreateCreditManager(event.params.creditManager, event.block)
  let facade: Address | null = null
  if (cm.creditFacade !== null) facade = Address.fromBytes(cm.creditFacade!)
  else {
    const f = CreditManagerV3.bind(Address.fromBytes(cm.id)).try_creditFacade()
    if (!f.reverted) facade = f.value
  }
  const ctx = readRepayContext(event, facade, event.address, p.treasury)
  const repaid = event.params.borrowedAmount
  const profit = event.params.profit
  const loss = event.params.loss
  p.totalBorrowed = p.totalBorrowed.minus(repaid)
  cm.totalBorrowed = cm.totalBorrowed.minus(repaid)
  cm.save()
  const ca = ctx.creditAccount
  const accountAddress = ca === null ? Address.zero() : ca
  if (ca !== null) applyDebtDelta(p, ca, repaid.neg(), event.block)
  p.totalProfit = p.totalProfit.plus(profit)

  const id = eventId(event)
  const e = new Repay(id)
  stampEvent(e, p.protocol, event)
  e.market = p.market
  ensureAccount(accountAddress)
  e.account = accountAddress
  e.repayer = event.params.creditManager
  e.amount = repaid
  e.useATokens = false
  e.save()

  readPoolState(p, event.block)
  if (!loss.isZero()) {
    // The waterfall: treasury shares burned first (covered), IncurUncoveredLoss for the rest.
    const uncovered = ctx.uncoveredLoss
    const covered = loss.minus(uncovered)
    const liquidationId = ctx.liquidationLogIndex >= 0 ? event.transaction.hash.concatI32(ctx.liquidationLogIndex) : id
    const badId = id.concat(REALIZED_BAD_DEBT_SUFFIX)
    const bad = new RealizedBadDebt(badId)
    stampEvent(bad, p.protocol, event)
    bad.market = p.market
    bad.account = accountAddress
    bad.amount = loss
    bad.kind = 'GEARBOX_LIQUIDATION_LOSS'
    if (ctx.liquidationLogIndex >= 0) bad.liquidation = liquidationId
    bad.save()

    const elAfter = p.expectedLiquidity
    const elBefore = elAfter.plus(loss)
    const supplyAfter = p.totalSupply
    const supplyBefore = supplyAfter.plus(ctx.burnedShares)

    const g = new GearboxLoss(id.concat(GEARBOX_LOSS_SUFFIX))
    g.pool = p.id
    g.creditManager = cm.id
    if (ca !== null && CreditAccount.load(ca) != null) g.creditAccount = ca
    g.blockNumber = event.block.number
    g.timestamp = event.block.timestamp
    g.txHash = event.transaction.hash
    g.realizedBadDebt = badId
    g.loss = loss
    g.coveredAssets = covered
    g.coveredShares = ctx.burnedShares
    g.uncoveredLoss = uncovered
    g.treasurySharesAfter = p.treasuryShares
    g.treasurySharesBefore = p.treasuryShares.plus(ctx.burnedShares)
    g.expectedLiquidityBefore = elBefore
    g.expectedLiquidityAfter = elAfter
    g.totalSupplyBefore = supplyBefore
    g.totalSupplyAfter = supplyAfter
    g.sharePriceBefore = sharePriceRay(elBefore, supplyBefore)
    g.sharePriceAfter = sharePriceRay(elAfter, supplyAfter)

    if (!uncovered.isZero()) {
      const s = new SocializedLoss(id.concat(SOCIALIZED_LOSS_SUFFIX))
      stampEvent(s, p.protocol, event)
      s.market = p.market
      s.account = accountAddress
      s.liquidation = liquidationId
      s.realizedBadDebt = badId
      s.badDebtAssets = uncovered
      s.badDebtShares = ZERO // Gearbox writes off no shares: every depositor's share is worth less
      s.totalSupplyAssetsBefore = elBefore
      s.totalSupplyAssetsAfter = elAfter
      s.totalSupplyShares = supplyAfter
      s.save()
      g.socializedLoss = s.id
    }
    g.save()

    p.totalLoss = p.totalLoss.plus(loss)
    p.totalCoveredLoss = p.totalCoveredLoss.plus(covered)
    p.totalCoveredShares = p.totalCoveredShares.plus(ctx.burnedShares)
    p.totalUncoveredLoss = p.totalUncoveredLoss.plus(uncovered)
    p.lossCount += 1
    // The realized bad debt every family totals on its Market (loaded only for a lossy repay).
    const market = loadMarketById(p.market)!
    market.totalRealizedBadDebt = market.totalRealizedBadDebt.plus(loss)
    market.realizedBadDebtCount += 1
    saveMarket(market)
    const protocol = Protocol.load(p.protocol)
    if (protocol != null) {
      protocol.realizedBadDebtCount += 1
      protocol.save()
    }
  }
  p.save()
}
