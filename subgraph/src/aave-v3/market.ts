// Aave V3 market (reserve) creation and lookup. Market id = Pool ++ underlying asset.
import { Address, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { Market } from '../../generated/schema'
import { marketId } from '../common/ids'
import { RAY, ZERO } from '../common/math'
import { loadMarketById } from '../common/changes'

export function loadMarket(protocol: Bytes, asset: Address): Market | null {
  const market = loadMarketById(marketId(protocol, asset))
  if (market == null) log.warning('Aave V3 market not found: pool {} asset {}', [protocol.toHexString(), asset.toHexString()])
  return market
}

/**
 * A freshly initialized reserve, as ConfiguratorLogic.executeInitReserve leaves it: active, not
 * paused/frozen, all risk parameters 0, indexes = RAY (ReserveLogic.init).
 */
export function newMarket(protocol: Bytes, asset: Address, decimals: i32, block: ethereum.Block): Market {
  const m = new Market(marketId(protocol, asset))
  m.protocol = protocol
  m.inputToken = asset
  m.decimals = decimals
  m.createdAtBlock = block.number
  m.createdAtTimestamp = block.timestamp
  m.ltv = ZERO
  m.liquidationThreshold = ZERO
  m.liquidationBonus = ZERO
  m.reserveFactor = ZERO
  m.liquidationProtocolFee = ZERO
  m.supplyCap = ZERO
  m.borrowCap = ZERO
  m.debtCeiling = ZERO
  m.borrowableInIsolation = false
  m.siloedBorrowing = false
  m.isActive = true
  m.isFrozen = false
  m.isPaused = false
  m.isDropped = false
  m.borrowingEnabled = false
  m.stableBorrowingEnabled = false
  m.flashLoanEnabled = false
  m.usageAsCollateralEnabled = false
  m.eModeCategoryId = 0
  m.liquidationGracePeriodUntil = ZERO
  m.liquidityIndex = RAY
  m.variableBorrowIndex = RAY
  m.liquidityRate = ZERO
  m.variableBorrowRate = ZERO
  m.stableBorrowRate = ZERO
  m.lastUpdateTimestamp = block.timestamp
  m.lastUpdateBlock = block.number
  m.scaledTotalSupply = ZERO
  m.scaledTotalVariableDebt = ZERO
  m.scaledTotalVariableDebtAtLastUpdate = ZERO
  m.accruedToTreasuryScaled = ZERO
  m.lastTreasuryAccrualScaled = ZERO
  m.totalMintedToTreasury = ZERO
  m.isolationModeTotalDebt = ZERO
  m.deficit = ZERO
  m.totalDeficitCreated = ZERO
  m.totalDeficitCovered = ZERO
  m.realizedBadDebtCount = 0
  m.deficitCoverageCount = 0
  m.supplierCount = 0
  m.borrowerCount = 0
  m.positionCount = 0
  m.liquidationCount = 0
  return m
}

