// Pool handlers. Balances are NOT touched here: the token templates replay Mint/Burn/BalanceTransfer.
// Pool events add the action records, reserve state, collateral flags, eMode and isolation debt.

import {
  Borrow as BorrowEvent,
  FlashLoan as FlashLoanEvent,
  IsolationModeTotalDebtUpdated,
  LiquidationCall,
  MintedToTreasury,
  Repay as RepayEvent,
  ReserveDataUpdated,
  ReserveUsedAsCollateralDisabled,
  ReserveUsedAsCollateralEnabled,
  Supply as SupplyEvent,
  UserEModeSet,
  Withdraw as WithdrawEvent,
} from '../../generated/Pool/AaveV3Pool'
import { Borrow, CollateralToggle, EModeChange, FlashLoan, MintToTreasury, Repay, Supply, Withdraw } from '../../generated/schema'
import { getOrCreateAccount, getOrCreatePosition, getOrCreateProtocolAccount, stampEvent } from '../common/entities'
import { eModeCategoryId, eventId } from '../common/ids'
import { percentMul, rayDiv, rayMul, ZERO } from '../common/math'
import { loadMarket } from './market'
import { getOrCreateProtocol } from './protocol'
import { processLiquidation } from './liquidation'

export function handleLiquidationCall(event: LiquidationCall): void {
  processLiquidation(event)
}

export function handleSupply(event: SupplyEvent): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  getOrCreateAccount(event.params.onBehalfOf)
  const e = new Supply(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.onBehalfOf
  e.caller = event.params.user
  e.amount = event.params.amount
  e.referralCode = event.params.referralCode
  e.save()
}

export function handleWithdraw(event: WithdrawEvent): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  getOrCreateAccount(event.params.user)
  const e = new Withdraw(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.user
  e.to = event.params.to
  e.amount = event.params.amount
  e.save()
}

export function handleBorrow(event: BorrowEvent): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  getOrCreateAccount(event.params.onBehalfOf)
  const e = new Borrow(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.onBehalfOf
  e.caller = event.params.user
  e.amount = event.params.amount
  e.interestRateMode = event.params.interestRateMode
  e.borrowRate = event.params.borrowRate
  e.referralCode = event.params.referralCode
  e.save()
}

export function handleRepay(event: RepayEvent): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  getOrCreateAccount(event.params.user)
  const e = new Repay(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.user
  e.repayer = event.params.repayer
  e.amount = event.params.amount
  e.useATokens = event.params.useATokens
  e.save()
}

/**
 * Emitted by ReserveLogic.updateInterestRates after updateState. Also replays
 * ReserveLogic._accrueToTreasury for the variable debt: the scaled debt it accrues on is the total
 * as of the previous ReserveDataUpdated (every debt token Mint/Burn of an action precedes that
 * action's ReserveDataUpdated: borrow, repay, liquidation, flash-loan borrow).
 */
export function handleReserveDataUpdated(event: ReserveDataUpdated): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  const prevIndex = market.variableBorrowIndex
  const nextIndex = event.params.variableBorrowIndex
  if (!market.reserveFactor.isZero() && nextIndex.notEqual(prevIndex)) {
    const snap = market.scaledTotalVariableDebtAtLastUpdate
    const accrued = rayMul(snap, nextIndex).minus(rayMul(snap, prevIndex))
    const amountToMint = percentMul(accrued, market.reserveFactor)
    if (!amountToMint.isZero()) {
      market.accruedToTreasuryScaled = market.accruedToTreasuryScaled.plus(rayDiv(amountToMint, event.params.liquidityIndex))
    }
  }
  market.liquidityRate = event.params.liquidityRate
  market.stableBorrowRate = event.params.stableBorrowRate
  market.variableBorrowRate = event.params.variableBorrowRate
  market.liquidityIndex = event.params.liquidityIndex
  market.variableBorrowIndex = nextIndex
  market.lastUpdateTimestamp = event.block.timestamp
  market.lastUpdateBlock = event.block.number
  market.scaledTotalVariableDebtAtLastUpdate = market.scaledTotalVariableDebt
  market.save()
}

function toggleCollateral(event: ReserveUsedAsCollateralEnabled, enabled: boolean): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  const position = getOrCreatePosition(market, event.params.user, event.block)
  position.collateralEnabled = enabled
  position.updatedAtBlock = event.block.number
  position.updatedAtTimestamp = event.block.timestamp
  position.save()
  market.save() // positionCount may have moved
  const e = new CollateralToggle(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.user
  e.enabled = enabled
  e.save()
}

export function handleCollateralEnabled(event: ReserveUsedAsCollateralEnabled): void {
  toggleCollateral(event, true)
}

export function handleCollateralDisabled(event: ReserveUsedAsCollateralDisabled): void {
  // Same parameters (reserve, user) as the Enabled event.
  toggleCollateral(changetype<ReserveUsedAsCollateralEnabled>(event), false)
}

export function handleUserEModeSet(event: UserEModeSet): void {
  const protocol = getOrCreateProtocol(event.address)
  const pa = getOrCreateProtocolAccount(protocol.id, event.params.user)
  const cat = event.params.categoryId
  pa.eModeCategoryId = cat
  pa.eModeCategory = cat == 0 ? null : eModeCategoryId(protocol.id, cat)
  pa.save()
  const e = new EModeChange(eventId(event))
  stampEvent(e, protocol.id, event)
  e.account = event.params.user
  e.categoryId = cat
  e.save()
}

export function handleIsolationModeTotalDebtUpdated(event: IsolationModeTotalDebtUpdated): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.asset)
  if (market == null) return
  market.isolationModeTotalDebt = event.params.totalDebt
  market.save()
}

/** PoolLogic.executeMintToTreasury: amountMinted = accruedToTreasury.rayMul(normalizedIncome); accrued reset to 0. */
export function handleMintedToTreasury(event: MintedToTreasury): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.reserve)
  if (market == null) return
  const e = new MintToTreasury(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.amountMinted = event.params.amountMinted
  e.derivedAccruedScaled = market.accruedToTreasuryScaled
  e.save()
  market.accruedToTreasuryScaled = ZERO
  market.totalMintedToTreasury = market.totalMintedToTreasury.plus(event.params.amountMinted)
  market.save()
}

export function handleFlashLoan(event: FlashLoanEvent): void {
  const protocol = getOrCreateProtocol(event.address)
  const market = loadMarket(protocol.id, event.params.asset)
  if (market == null) return
  getOrCreateAccount(event.params.target)
  const e = new FlashLoan(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.target
  e.initiator = event.params.initiator
  e.amount = event.params.amount
  e.interestRateMode = event.params.interestRateMode
  e.premium = event.params.premium
  e.referralCode = event.params.referralCode
  e.save()
}

