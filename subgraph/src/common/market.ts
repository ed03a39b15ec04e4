// A new Market with the shared fields at the values of a market without Aave's machinery (no caps,
// isolation, eMode, index-scaled balances, treasury accrual or carried deficit): what Morpho Blue and
// Gearbox V3 store (schema.graphql documents each family's use). The caller sets its own fields and saves.
import { ethereum, Bytes } from '@graphprotocol/graph-ts'
import { Market, Token } from '../../generated/schema'
import { ZERO } from './math'

export function newPlainMarket(id: Bytes, protocol: Bytes, inputToken: Token, block: ethereum.Block): Market {
  const m = new Market(id)
  m.protocol = protocol
  m.inputToken = inputToken.id
  m.decimals = inputToken.decimals
  m.createdAtBlock = block.number
  m.createdAtTimestamp = block.timestamp
  m.reserveFactor = ZERO
  m.liquidationProtocolFee = ZERO
  m.supplyCap = ZERO // 0 = no cap
  m.borrowCap = ZERO
  m.debtCeiling = ZERO
  m.borrowableInIsolation = false
  m.siloedBorrowing = false
  m.isActive = true
  m.isFrozen = false
  m.isPaused = false
  m.isDropped = false
  m.borrowingEnabled = true
  m.stableBorrowingEnabled = false
  m.flashLoanEnabled = false
  m.usageAsCollateralEnabled = false
  m.eModeCategoryId = 0
  m.liquidationGracePeriodUntil = ZERO
  m.lastUpdateTimestamp = block.timestamp
  m.lastUpdateBlock = block.number
  m.deficit = ZERO
  m.totalDeficitCreated = ZERO
  m.totalDeficitCovered = ZERO
  m.realizedBadDebtCount = 0
  m.deficitCoverageCount = 0
  // Aave-only, not applicable: fixed values that measure nothing (an Aave index is never 0).
  m.liquidityIndex = ZERO
  m.variableBorrowIndex = ZERO
  m.scaledTotalSupply = ZERO
  m.scaledTotalVariableDebt = ZERO
  m.scaledTotalVariableDebtAtLastUpdate = ZERO
  m.accruedToTreasuryScaled = ZERO
  m.lastTreasuryAccrualScaled = ZERO
  m.totalMintedToTreasury = ZERO
  m.isolationModeTotalDebt = ZERO
  m.supplierCount = 0
  m.borrowerCount = 0
  m.positionCount = 0
  m.liquidationCount = 0
  return m
}
