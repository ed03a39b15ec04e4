// Pool handlers. Balances are NOT touched here: the token templates replay Mint/Burn/BalanceTransfer.
// Pool events add the action records, reserve state, collateral flags, eMode and isolation debt.

import { Address, Bytes, ethereum } from '@graphprotocol/graph-ts'
import {
  Borrow as BorrowEvent,
  DeficitCovered,
  DeficitCreated,
  FlashLoan as FlashLoanEvent,
  IsolationModeTotalDebtUpdated,
  LiquidationCall,
  MintedToTreasury,
  PositionManagerApproved,
  PositionManagerRevoked,
  Repay as RepayEvent,
  ReserveDataUpdated,
  ReserveUsedAsCollateralDisabled,
  ReserveUsedAsCollateralEnabled,
  Supply as SupplyEvent,
  Upgraded,
  UserEModeSet,
  Withdraw as WithdrawEvent,
} from '../../generated/Pool/AaveV3Pool'
import {
  AavePool,
  Authorization,
  Borrow,
  CollateralToggle,
  DeficitCoverage,
  EModeChange,
  AaveReserveState,
  FlashLoan,
  MintToTreasury,
  RealizedBadDebt,
  Repay,
  Supply,
  Withdraw,
} from '../../generated/schema'
import { ensureAccount, getOrCreateProtocolAccount, loadPosition, savePosition, stampEvent } from '../common/entities'
import { eModeCategoryId, eventId, marketId } from '../common/ids'
import { percentMul, rayDiv, rayDivFloor, rayMul, rayMulFloor, ZERO } from '../common/math'
import { applyRevision, applyTokenRoundings, readPoolRevision, usesTokenMath } from './generation'
import {
  applyFlashLoanPremiumToProtocol,
  halfUpAccrualLiquidityIndex,
  INTEREST_RATE_MODE_NONE,
  premiumToProtocol,
  premiumToTreasuryScaled,
  readFlashLoanPremiumToProtocol,
} from './flash-loan'
import { getOrCreateAavePool, getOrCreateProtocol } from './protocol'
import { liquidationCallTopic, processLiquidation } from './liquidation'
import { getOrCreateAavePosition } from './positions'
import { currentOracle, readAndRecordPrice } from './prices'
import { loadReserve, loadReserveState, reserveStateOf, saveReserve, saveReserveState } from './reserve'
import { loadMarketById, saveMarket } from '../common/changes'

export function handleLiquidationCall(event: LiquidationCall): void {
  processLiquidation(event)
}

/**
 * The accounting of a Pool event's reserve, without loading the Protocol when the handler needs
 * nothing of it: a reserve only exists once its Pool's Protocol does (ReserveInitialized creates
 * both, id = Pool ++ asset). When it is missing, the Protocol is still created as the event's first
 * sight of the Pool (identity read at this block) and the miss is logged.
 */
function poolState(pool: Address, asset: Address): AaveReserveState | null {
  const state = loadReserveState(marketId(pool, asset))
  if (state != null) return state
  return reserveStateOf(getOrCreateProtocol(pool).id, asset)
}

/**
 * Whether the Pool's reserve for `asset` exists, for the action records that need nothing else of
 * it: the account's position there implies it (positions are created in their market), and the
 * action's own aToken or debt token log, which precedes the Pool's in the same transaction, created
 * it; only without one is the reserve loaded (poolState).
 */
function hasPoolMarket(pool: Address, asset: Address, account: Address): boolean {
  return loadPosition(marketId(pool, asset), account) != null || poolState(pool, asset) != null
}

export function handleSupply(event: SupplyEvent): void {
  if (!hasPoolMarket(event.address, event.params.reserve, event.params.onBehalfOf)) return
  ensureAccount(event.params.onBehalfOf)
  const e = new Supply(eventId(event))
  stampEvent(e, event.address, event)
  e.market = marketId(event.address, event.params.reserve)
  e.account = event.params.onBehalfOf
  e.caller = event.params.user
  e.amount = event.params.amount
  e.referralCode = event.params.referralCode
  e.save()
}

export function handleWithdraw(event: WithdrawEvent): void {
  if (!hasPoolMarket(event.address, event.params.reserve, event.params.user)) return
  ensureAccount(event.params.user)
  const e = new Withdraw(eventId(event))
  stampEvent(e, event.address, event)
  e.market = marketId(event.address, event.params.reserve)
  e.account = event.params.user
  e.to = event.params.to
  e.amount = event.params.amount
  e.save()
}

export function handleBorrow(event: BorrowEvent): void {
  if (!hasPoolMarket(event.address, event.params.reserve, event.params.onBehalfOf)) return
  ensureAccount(event.params.onBehalfOf)
  const e = new Borrow(eventId(event))
  stampEvent(e, event.address, event)
  e.market = marketId(event.address, event.params.reserve)
  e.account = event.params.onBehalfOf
  e.caller = event.params.user
  e.amount = event.params.amount
  e.interestRateMode = event.params.interestRateMode
  e.borrowRate = event.params.borrowRate
  e.referralCode = event.params.referralCode
  e.save()
}

export function handleRepay(event: RepayEvent): void {
  if (!hasPoolMarket(event.address, event.params.reserve, event.params.user)) return
  ensureAccount(event.params.user)
  const e = new Repay(eventId(event))
  stampEvent(e, event.address, event)
  e.market = marketId(event.address, event.params.reserve)
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
  const state = poolState(event.address, event.params.reserve)
  if (state == null) return
  const prevIndex = state.variableBorrowIndex
  const nextIndex = event.params.variableBorrowIndex
  // The reserve factor (configuration) is only looked up when the index moved.
  const reserve = nextIndex.notEqual(prevIndex) ? loadReserve(state.id) : null
  if (reserve != null && !reserve.reserveFactor.isZero()) {
    const reserveFactor = reserve.reserveFactor
    const snap = state.scaledTotalVariableDebtAtLastUpdate
    let scaled = ZERO
    // No scaled debt accrues nothing in either generation (both round 0 to 0): the Pool's generation
    // is only looked up when it matters.
    if (snap.isZero()) {
      scaled = ZERO
    } else if (usesTokenMath(getOrCreateAavePool(event.address))) {
      // v3.5+ ReserveLogic._accrueToTreasury: currScaledVariableDebt.rayMulFloor(nextIdx - currIdx),
      // percentMul (half up), then getATokenMintScaledAmount = rayDivFloor(., nextLiquidityIndex).
      const amountToMint = percentMul(rayMulFloor(snap, nextIndex.minus(prevIndex)), reserveFactor)
      if (!amountToMint.isZero()) scaled = rayDivFloor(amountToMint, event.params.liquidityIndex)
    } else {
      const accrued = rayMul(snap, nextIndex).minus(rayMul(snap, prevIndex))
      const amountToMint = percentMul(accrued, reserveFactor)
      // updateState's liquidity index, below the emitted one when a flash-loan premium was cumulated (flash-loan.ts).
      if (!amountToMint.isZero()) scaled = rayDiv(amountToMint, halfUpAccrualLiquidityIndex(state, event.params.liquidityIndex, event.block.timestamp))
    }
    state.accruedToTreasuryScaled = state.accruedToTreasuryScaled.plus(scaled)
    state.lastTreasuryAccrualScaled = scaled
    state.lastTreasuryAccrualTx = event.transaction.hash
    state.lastTreasuryAccrualLogIndex = event.logIndex
  }
  state.liquidityRate = event.params.liquidityRate
  state.stableBorrowRate = event.params.stableBorrowRate
  state.variableBorrowRate = event.params.variableBorrowRate
  state.liquidityIndex = event.params.liquidityIndex
  state.variableBorrowIndex = nextIndex
  state.lastUpdateTimestamp = event.block.timestamp
  state.lastUpdateBlock = event.block.number
  state.scaledTotalVariableDebtAtLastUpdate = state.scaledTotalVariableDebt
  saveReserveState(state)
}

function toggleCollateral(event: ReserveUsedAsCollateralEnabled, enabled: boolean): void {
  const user = event.params.user
  const id = marketId(event.address, event.params.reserve)
  // An existing position implies its market, which the toggle does not change.
  let position = loadPosition(id, user)
  if (position == null) {
    if (poolState(event.address, event.params.reserve) == null) return
    position = getOrCreateAavePosition(id, user, event.block)
  }
  position.collateralEnabled = enabled
  savePosition(position, event.block)
  const e = new CollateralToggle(eventId(event))
  stampEvent(e, event.address, event)
  e.market = id
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
  const state = poolState(event.address, event.params.asset)
  if (state == null) return
  state.isolationModeTotalDebt = event.params.totalDebt
  saveReserveState(state)
}

/** PoolLogic.executeMintToTreasury: amountMinted = accruedToTreasury.rayMul(normalizedIncome); accrued reset to 0. */
export function handleMintedToTreasury(event: MintedToTreasury): void {
  const state = poolState(event.address, event.params.reserve)
  if (state == null) return
  const e = new MintToTreasury(eventId(event))
  stampEvent(e, event.address, event)
  e.market = state.id
  e.amountMinted = event.params.amountMinted
  e.derivedAccruedScaled = state.accruedToTreasuryScaled
  e.save()
  state.accruedToTreasuryScaled = ZERO
  state.totalMintedToTreasury = state.totalMintedToTreasury.plus(event.params.amountMinted)
  saveReserveState(state)
}

/**
 * FlashLoan, one per asset leg. A leg repaid in the same tx (mode 0) also books the premium's
 * protocol part into accruedToTreasuryScaled at the index of the ReserveDataUpdated just before it
 * (flash-loan.ts: FlashLoanLogic._handleFlashLoanRepayment per generation).
 */
export function handleFlashLoan(event: FlashLoanEvent): void {
  const pool = getOrCreateAavePool(event.address)
  const state = reserveStateOf(pool.id, event.params.asset)
  if (state == null) return
  ensureAccount(event.params.target)
  const repaid = event.params.interestRateMode == INTEREST_RATE_MODE_NONE
  const toProtocol = repaid ? premiumToProtocol(pool, event.params.premium) : ZERO
  const scaled = premiumToTreasuryScaled(pool, toProtocol, state.liquidityIndex)
  if (!scaled.isZero()) {
    state.accruedToTreasuryScaled = state.accruedToTreasuryScaled.plus(scaled)
    saveReserveState(state)
  }
  const e = new FlashLoan(eventId(event))
  stampEvent(e, pool.id, event)
  e.market = state.id
  e.account = event.params.target
  e.initiator = event.params.initiator
  e.amount = event.params.amount
  e.interestRateMode = event.params.interestRateMode
  e.premium = event.params.premium
  e.premiumToProtocol = toProtocol
  e.premiumToTreasuryScaled = scaled
  e.referralCode = event.params.referralCode
  e.save()
}


/**
 * The Pool proxy changed implementation (BaseUpgradeabilityProxy.Upgraded, emitted from the Pool
 * address): re-read POOL_REVISION, which decides the token-event rounding from the next log on, and
 * FLASHLOAN_PREMIUM_TO_PROTOCOL.
 */
export function handlePoolUpgraded(event: Upgraded): void {
  const protocol = getOrCreateProtocol(event.address)
  const pool = AavePool.load(protocol.id)!
  applyRevision(pool, readPoolRevision(event.address))
  // v3.4+ answers the constant 100_00 whatever the storage held: no configurator event says so.
  applyFlashLoanPremiumToProtocol(pool, readFlashLoanPremiumToProtocol(event.address))
  pool.save()
  // Each token's rounding also depends on the Pool's generation (generation.ts tokenRounding).
  const markets = protocol.markets.load()
  for (let i = 0; i < markets.length; i++) {
    const reserve = loadReserve(markets[i].id)
    if (reserve == null) continue
    applyTokenRoundings(reserve, pool)
    saveReserve(reserve)
  }
}

/**
 * The id the LiquidationCall that contains this log will get (eventId of that log): the first
 * LiquidationCall of the same Pool after it in the receipt. DeficitCreated is emitted inside
 * LiquidationLogic.executeLiquidationCall before its LiquidationCall (_burnDebtTokens for the
 * liquidated debt asset, _burnBadDebt for the borrower's other debt reserves), and nowhere else.
 */
function enclosingLiquidationId(event: ethereum.Event): Bytes | null {
  const receipt = event.receipt
  if (receipt === null) return null
  const liquidationCall = liquidationCallTopic()
  const logs = receipt.logs
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]
    if (l.logIndex.le(event.logIndex)) continue
    if (!l.address.equals(event.address) || l.topics.length == 0 || !l.topics[0].equals(liquidationCall)) continue
    return event.transaction.hash.concatI32(l.logIndex.toI32())
  }
  return null
}

/**
 * Aave v3.3+ DeficitCreated(user, debtAsset, amountCreated): the borrower's debt left after the
 * liquidation took the last collateral was burned (vToken Burn, handled by the token template) and
 * ReserveData.deficit grew by amountCreated (LiquidationLogic._burnDebtTokens).
 */
export function handleDeficitCreated(event: DeficitCreated): void {
  const protocol = getOrCreateProtocol(event.address)
  const state = reserveStateOf(protocol.id, event.params.debtAsset)
  const market = loadMarketById(marketId(protocol.id, event.params.debtAsset))
  if (state == null || market == null) return
  const amount = event.params.amountCreated
  ensureAccount(event.params.user)
  const e = new RealizedBadDebt(eventId(event))
  stampEvent(e, protocol.id, event)
  e.market = market.id
  e.account = event.params.user
  e.amount = amount
  // The oracle's own price at this block (the feed the subgraph watches may be stale: see prices.ts).
  e.price = readAndRecordPrice(event, state, event.params.debtAsset, currentOracle(AavePool.load(protocol.id)!))
  e.kind = 'AAVE_DEFICIT'
  e.liquidation = enclosingLiquidationId(event)
  e.save()

  state.deficit = state.deficit.plus(amount)
  saveReserveState(state)
  market.totalRealizedBadDebt = market.totalRealizedBadDebt.plus(amount)
  market.realizedBadDebtCount += 1
  saveMarket(market)
  protocol.realizedBadDebtCount += 1
  protocol.save()
}

/**
 * Aave v3.3+ DeficitCovered(reserve, caller, amountCovered): eliminateReserveDeficit burned the
 * caller's (Umbrella's) aTokens (an ordinary aToken Burn, handled by the token template) and
 * ReserveData.deficit fell by amountCovered = min(amount, deficit) (LiquidationLogic.executeEliminateDeficit).
 */
export function handleDeficitCovered(event: DeficitCovered): void {
  const pool = getOrCreateAavePool(event.address)
  const state = reserveStateOf(pool.id, event.params.reserve)
  if (state == null) return
  const amount = event.params.amountCovered
  state.deficit = state.deficit.minus(amount)
  state.totalDeficitCovered = state.totalDeficitCovered.plus(amount)
  state.deficitCoverageCount += 1
  saveReserveState(state)
  pool.deficitCoverageCount += 1
  pool.save()

  const e = new DeficitCoverage(eventId(event))
  stampEvent(e, pool.id, event)
  e.market = state.id
  e.caller = event.params.caller
  e.amount = amount
  e.deficitAfter = state.deficit
  e.save()
}

function setAuthorization(event: ethereum.Event, user: Address, manager: Address, approved: boolean): void {
  const protocol = getOrCreateProtocol(event.address)
  getOrCreateProtocolAccount(protocol.id, user)
  const id = protocol.id.concat(user).concat(manager)
  let a = Authorization.load(id)
  if (a == null) {
    a = new Authorization(id)
    a.protocol = protocol.id
    a.account = user
    a.manager = manager
  }
  a.approved = approved
  a.updatedAtBlock = event.block.number
  a.updatedAtTimestamp = event.block.timestamp
  a.save()
}

/** Aave v3.4+ Pool.approvePositionManager(manager, true). */
export function handlePositionManagerApproved(event: PositionManagerApproved): void {
  setAuthorization(event, event.params.user, event.params.positionManager, true)
}

/** Aave v3.4+ approvePositionManager(manager, false) or the manager's renouncePositionManagerRole(user). */
export function handlePositionManagerRevoked(event: PositionManagerRevoked): void {
  setAuthorization(event, event.params.user, event.params.positionManager, false)
}
