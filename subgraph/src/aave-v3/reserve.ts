// Aave V3 reserves. A reserve is three entities with one id (Pool ++ underlying asset): the shared
// Market (identity, counts), AaveReserve (configuration: configurator events, token upgrades) and
// AaveReserveState (accounting: ReserveDataUpdated, Mint/Burn, treasury, deficit, price). A handler
// loads only those it changes or reads, and gets the same object for an id all through its call
// (a second copy's save would undo the first's changes).
import { Address, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { AaveReserve, AaveReserveState, Market, Token } from '../../generated/schema'
import { loadShared, rememberShared, saveChanges } from '../common/changes'
import { marketId } from '../common/ids'
import { newMarket } from '../common/market'
import { RAY, ZERO } from '../common/math'

/** A reserve's accounting, loaded once per handler call and tracked (save with saveReserveState); null if not listed. */
export function loadReserveState(id: Bytes): AaveReserveState | null {
  const e = loadShared('AaveReserveState', id)
  return e == null ? null : changetype<AaveReserveState>(e)
}

/** A reserve's configuration, loaded once per handler call and tracked (save with saveReserve); null if not listed. */
export function loadReserve(id: Bytes): AaveReserve | null {
  const e = loadShared('AaveReserve', id)
  return e == null ? null : changetype<AaveReserve>(e)
}

export function saveReserveState(s: AaveReserveState): void {
  saveChanges('AaveReserveState', s)
}

export function saveReserve(r: AaveReserve): void {
  saveChanges('AaveReserve', r)
}

function logMissing(pool: Bytes, asset: Address): void {
  log.warning('Aave V3 reserve not found: pool {} asset {}', [pool.toHexString(), asset.toHexString()])
}

/** The accounting of the Pool's reserve of `asset` (a miss is logged). */
export function reserveStateOf(pool: Bytes, asset: Address): AaveReserveState | null {
  const s = loadReserveState(marketId(pool, asset))
  if (s == null) logMissing(pool, asset)
  return s
}

/** The configuration of the Pool's reserve of `asset` (a miss is logged). */
export function reserveOf(pool: Bytes, asset: Address): AaveReserve | null {
  const r = loadReserve(marketId(pool, asset))
  if (r == null) logMissing(pool, asset)
  return r
}

/**
 * A freshly initialized reserve, as ConfiguratorLogic.executeInitReserve leaves it: active, not
 * paused/frozen, all risk parameters 0, indexes = RAY (ReserveLogic.init). Returns the Market; its
 * AaveReserve (the caller sets the tokens and their roundings) and AaveReserveState are handed out
 * by loadReserve / loadReserveState from here on. Nothing is saved.
 */
export function newReserve(protocol: Bytes, asset: Token, block: ethereum.Block): Market {
  const m = newMarket(marketId(protocol, asset.id), protocol, asset, block)
  m.aaveReserve = m.id
  m.aaveReserveState = m.id
  rememberShared('AaveReserve', newReserveConfig(m.id))
  rememberShared('AaveReserveState', newReserveState(m.id, block))
  return m
}

function newReserveConfig(id: Bytes): AaveReserve {
  const r = new AaveReserve(id)
  r.market = id
  r.ltv = ZERO
  r.liquidationThreshold = ZERO
  r.liquidationBonus = ZERO
  r.reserveFactor = ZERO
  r.liquidationProtocolFee = ZERO
  r.supplyCap = ZERO
  r.borrowCap = ZERO
  r.debtCeiling = ZERO
  r.borrowableInIsolation = false
  r.siloedBorrowing = false
  r.isActive = true
  r.isFrozen = false
  r.isPaused = false
  r.isDropped = false
  r.borrowingEnabled = false
  r.stableBorrowingEnabled = false
  r.flashLoanEnabled = false
  r.usageAsCollateralEnabled = false
  r.eModeCategoryId = 0
  r.liquidationGracePeriodUntil = ZERO
  return r
}

function newReserveState(id: Bytes, block: ethereum.Block): AaveReserveState {
  const s = new AaveReserveState(id)
  s.market = id
  s.liquidityIndex = RAY
  s.variableBorrowIndex = RAY
  s.liquidityRate = ZERO
  s.variableBorrowRate = ZERO
  s.stableBorrowRate = ZERO
  s.lastUpdateTimestamp = block.timestamp
  s.lastUpdateBlock = block.number
  s.scaledTotalSupply = ZERO
  s.scaledTotalVariableDebt = ZERO
  s.scaledTotalVariableDebtAtLastUpdate = ZERO
  s.accruedToTreasuryScaled = ZERO
  s.lastTreasuryAccrualScaled = ZERO
  s.totalMintedToTreasury = ZERO
  s.isolationModeTotalDebt = ZERO
  s.deficit = ZERO
  s.totalDeficitCovered = ZERO
  s.deficitCoverageCount = 0
  return s
}
