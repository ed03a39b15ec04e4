// PoolConfigurator handlers: market creation (+ token data sources) and risk configuration.
import { Address, Bytes, DataSourceContext, crypto, ethereum, log } from '@graphprotocol/graph-ts'
import {
  AssetBorrowableInEModeChanged,
  AssetCollateralInEModeChanged,
  AssetLtvzeroInEModeChanged,
  BorrowableInIsolationChanged,
  BorrowCapChanged,
  CollateralConfigurationChanged,
  DebtCeilingChanged,
  EModeAssetCategoryChanged,
  EModeCategoryAdded,
  FlashloanPremiumToProtocolUpdated,
  LiquidationGracePeriodChanged,
  LiquidationGracePeriodDisabled,
  LiquidationProtocolFeeChanged,
  PendingLtvChanged,
  ReserveActive,
  ReserveBorrowing,
  ReserveDropped,
  ReserveFactorChanged,
  ReserveFlashLoaning,
  ReserveFrozen,
  ReserveInitialized,
  ReserveInterestRateDataChanged,
  ReserveInterestRateStrategyChanged,
  ReservePaused,
  ReserveStableRateBorrowing,
  SiloedBorrowingChanged,
  SupplyCapChanged,
} from '../../generated/PoolConfigurator/AaveV3PoolConfigurator'
import { AaveV3AToken } from '../../generated/PoolConfigurator/AaveV3AToken'
import { AaveV3PoolAddressesProvider } from '../../generated/PoolConfigurator/AaveV3PoolAddressesProvider'
import { AavePool, AaveReserve, EModeCategory, EModeMembership } from '../../generated/schema'
import { AToken, VariableDebtToken } from '../../generated/templates'
import { eModeCategoryId, protocolOfMarket } from '../common/ids'
import { ZERO } from '../common/math'
import { getOrCreateToken } from '../common/token'
import { applyTokenRevision, readTokenRevision } from './generation'
import { followAggregator, getOrCreateOracle, getOrCreateOracleAsset, readAssetPrice, recordPrice } from './prices'
import { getOrCreateProtocol, linkContract, protocolOf, readAddressesProvider } from './protocol'
import { loadReserveState, newReserve, reserveOf, saveReserve, saveReserveState } from './reserve'
import { saveMarket } from '../common/changes'


class ATokenInit {
  constructor(public pool: Address, public treasury: Address, public decimals: i32) {}
}

/**
 * executeInitReserve initializes the aToken proxy (its Initialized log) before emitting
 * ReserveInitialized in the same call, so the receipt tells pool, treasury and decimals without
 * any eth_call. Falls back to three eth_calls on the aToken if the log is not found.
 */
function aTokenInit(event: ReserveInitialized): ATokenInit | null {
  const receipt = event.receipt
  if (receipt != null) {
    // IInitializableAToken.Initialized(address indexed underlyingAsset, address indexed pool, address treasury,
    //   address incentivesController, uint8 aTokenDecimals, string aTokenName, string aTokenSymbol, bytes params)
    // (hashed here, not in a module constant: that would be a host call at the start of every handler call)
    const initialized = Bytes.fromByteArray(crypto.keccak256(Bytes.fromUTF8('Initialized(address,address,address,address,uint8,string,string,bytes)')))
    const logs = receipt.logs
    for (let i = logs.length - 1; i >= 0; i--) {
      const l = logs[i]
      if (!l.address.equals(event.params.aToken) || l.topics.length < 3 || !l.topics[0].equals(initialized)) continue
      if (l.logIndex.ge(event.logIndex)) continue
      // data: treasury (word 0), incentivesController (word 1), decimals (word 2), then dynamic parts.
      const pool = Address.fromBytes(Bytes.fromUint8Array(l.topics[2].subarray(12, 32)))
      const treasury = Address.fromBytes(Bytes.fromUint8Array(l.data.subarray(12, 32)))
      const decimals = l.data[95] as i32
      return new ATokenInit(pool, treasury, decimals)
    }
  }
  log.warning('aToken Initialized log not in receipt of tx {}; using eth_calls', [event.transaction.hash.toHexString()])
  const aToken = AaveV3AToken.bind(event.params.aToken)
  const pool = aToken.try_POOL()
  const treasury = aToken.try_RESERVE_TREASURY_ADDRESS()
  const decimals = aToken.try_decimals()
  if (pool.reverted || treasury.reverted || decimals.reverted) return null
  return new ATokenInit(pool.value, treasury.value, decimals.value)
}

/** Finds the protocol's AaveOracle once (two eth_calls per protocol), via the Pool's addresses provider. */
function ensureOracle(aave: AavePool, pool: Address): Address | null {
  const known = aave.oracle
  if (known !== null) return Address.fromBytes(known)
  // Usually learned when the protocol was created (protocol.ts); read again only if that failed.
  const stored = aave.addressesProvider
  const provider = stored !== null ? Address.fromBytes(stored) : readAddressesProvider(pool)
  if (provider === null) return null
  const oracle = AaveV3PoolAddressesProvider.bind(provider).try_getPriceOracle()
  if (oracle.reverted || oracle.value.equals(Address.zero())) return null
  aave.addressesProvider = provider
  aave.oracle = oracle.value
  aave.save()
  const o = getOrCreateOracle(oracle.value)
  o.protocol = aave.id
  o.save()
  linkContract(oracle.value, aave.id, 'ORACLE')
  return oracle.value
}

export function handleReserveInitialized(event: ReserveInitialized): void {
  const init = aTokenInit(event)
  if (init == null) {
    log.error('cannot resolve pool for reserve {}', [event.params.asset.toHexString()])
    return
  }
  const protocol = getOrCreateProtocol(init.pool)
  linkContract(event.address, protocol.id, 'POOL_CONFIGURATOR')
  const aave = AavePool.load(protocol.id)!
  const market = newReserve(protocol.id, getOrCreateToken(event.params.asset, init.decimals), event.block)
  market.decimals = init.decimals // as configured in the reserve (the aToken's Initialized log)
  const reserve = reserveOf(protocol.id, event.params.asset)!
  reserve.supplyToken = event.params.aToken
  reserve.stableDebtToken = event.params.stableDebtToken
  reserve.variableDebtToken = event.params.variableDebtToken
  reserve.interestRateStrategy = event.params.interestRateStrategyAddress
  reserve.treasury = init.treasury
  // Each token's own generation (its proxies' Upgraded events move it later): 2 eth_calls per reserve.
  applyTokenRevision(reserve, aave, false, readTokenRevision(event.params.aToken, false))
  applyTokenRevision(reserve, aave, true, readTokenRevision(event.params.variableDebtToken, true))
  saveMarket(market)
  saveReserve(reserve)
  saveReserveState(loadReserveState(market.id)!)

  const ctx = new DataSourceContext()
  ctx.setBytes('protocol', protocol.id)
  ctx.setBytes('market', market.id)
  ctx.setBytes('asset', event.params.asset)
  AToken.createWithContext(event.params.aToken, ctx)
  VariableDebtToken.createWithContext(event.params.variableDebtToken, ctx)

  // Price known from this block on (the oracle may have had the source long before the listing).
  const oracle = ensureOracle(aave, init.pool)
  protocol.marketCount += 1
  protocol.save()
  if (oracle !== null) {
    const oa = getOrCreateOracleAsset(oracle, event.params.asset)
    oa.market = market.id
    recordPrice(event, oa, readAssetPrice(oracle, event.params.asset), 'MARKET_LISTED', null)
    // The proxy may have moved to another aggregator since its source was set: look again.
    const source = oa.source
    if (source !== null) followAggregator(Address.fromBytes(source))
  } else {
    log.warning('no oracle known for Aave V3 pool {}', [protocol.id.toHexString()])
  }
}

function reserveFor(configurator: Address, asset: Address): AaveReserve | null {
  const protocol = protocolOf(configurator)
  if (protocol === null) return null
  return reserveOf(protocol, asset)
}

export function handleCollateralConfigurationChanged(event: CollateralConfigurationChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.ltv = event.params.ltv
  m.liquidationThreshold = event.params.liquidationThreshold
  m.liquidationBonus = event.params.liquidationBonus
  // ReserveConfiguration: an asset with liquidation threshold 0 cannot be used as collateral.
  m.usageAsCollateralEnabled = !event.params.liquidationThreshold.isZero()
  saveReserve(m)
}

export function handleSupplyCapChanged(event: SupplyCapChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.supplyCap = event.params.newSupplyCap
  saveReserve(m)
}

export function handleBorrowCapChanged(event: BorrowCapChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.borrowCap = event.params.newBorrowCap
  saveReserve(m)
}

export function handleDebtCeilingChanged(event: DebtCeilingChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.debtCeiling = event.params.newDebtCeiling
  saveReserve(m)
}

export function handleReserveFactorChanged(event: ReserveFactorChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.reserveFactor = event.params.newReserveFactor
  saveReserve(m)
}

export function handleLiquidationProtocolFeeChanged(event: LiquidationProtocolFeeChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.liquidationProtocolFee = event.params.newFee
  saveReserve(m)
}

export function handleEModeCategoryAdded(event: EModeCategoryAdded): void {
  // Also emitted when an existing category is updated (setEModeCategory is an upsert).
  const protocol = protocolOf(event.address)
  if (protocol === null) return
  const id = eModeCategoryId(protocol, event.params.categoryId)
  let c = EModeCategory.load(id)
  if (c == null) {
    c = new EModeCategory(id)
    c.protocol = protocol
    c.categoryId = event.params.categoryId
  }
  c.ltv = event.params.ltv
  c.liquidationThreshold = event.params.liquidationThreshold
  c.liquidationBonus = event.params.liquidationBonus
  c.priceSource = event.params.oracle
  c.label = event.params.label
  c.save()
}

/** Loads or creates (not saved) an asset's membership in an eMode category; new ones have every flag off. */
function membership(m: AaveReserve, asset: Address, categoryId: i32, block: ethereum.Block): EModeMembership {
  const protocol = protocolOfMarket(m.id)
  const category = eModeCategoryId(protocol, categoryId)
  const id = category.concat(asset)
  let e = EModeMembership.load(id)
  if (e == null) {
    e = new EModeMembership(id)
    e.protocol = protocol
    e.category = category
    e.market = m.id
    e.collateral = false
    e.borrowable = false
    e.ltvZero = false
  }
  e.updatedAtBlock = block.number
  return e
}

/**
 * Aave v3.0-v3.1: an asset belongs to at most one category, where it counts as collateral (with the
 * category's LTV/LT) and is borrowable by users of that category.
 */
export function handleEModeAssetCategoryChanged(event: EModeAssetCategoryChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  const cat = event.params.newCategoryId
  const old = event.params.oldCategoryId
  if (old != 0 && old != cat) {
    const o = membership(m, event.params.asset, old, event.block)
    o.collateral = false
    o.borrowable = false
    o.save()
  }
  if (cat != 0) {
    const n = membership(m, event.params.asset, cat, event.block)
    n.collateral = true
    n.borrowable = true
    n.save()
  }
  m.eModeCategoryId = cat
  m.eModeCategory = cat == 0 ? null : eModeCategoryId(protocolOfMarket(m.id), cat)
  saveReserve(m)
}

/** Aave v3.2+: bit of the category's collateralBitmap (PoolConfigurator.setAssetCollateralInEMode). */
export function handleAssetCollateralInEModeChanged(event: AssetCollateralInEModeChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  const e = membership(m, event.params.asset, event.params.categoryId, event.block)
  e.collateral = event.params.collateral
  e.save()
}

/** Aave v3.2+: bit of the category's borrowableBitmap (PoolConfigurator.setAssetBorrowableInEMode). */
export function handleAssetBorrowableInEModeChanged(event: AssetBorrowableInEModeChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  const e = membership(m, event.params.asset, event.params.categoryId, event.block)
  e.borrowable = event.params.borrowable
  e.save()
}

/** Aave v3.6: bit of the category's ltvzeroBitmap (setAssetLtvzeroInEMode, and setReserveFreeze for every category the asset is collateral in). */
export function handleAssetLtvzeroInEModeChanged(event: AssetLtvzeroInEModeChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  const e = membership(m, event.params.asset, event.params.categoryId, event.block)
  e.ltvZero = event.params.ltvzero
  e.save()
}

/** Aave v3.1+: liquidations (and some actions) of the reserve are blocked until gracePeriodUntil (unix seconds). */
export function handleLiquidationGracePeriodChanged(event: LiquidationGracePeriodChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.liquidationGracePeriodUntil = event.params.gracePeriodUntil
  saveReserve(m)
}

export function handleLiquidationGracePeriodDisabled(event: LiquidationGracePeriodDisabled): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.liquidationGracePeriodUntil = ZERO
  saveReserve(m)
}

/** Aave v3.2+: the LTV to restore when the reserve is unfrozen / ltv0 is lifted (the live ltv comes from CollateralConfigurationChanged). */
export function handlePendingLtvChanged(event: PendingLtvChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.pendingLtv = event.params.ltv
  saveReserve(m)
}

/** Aave v3.1+: rate parameters set on the (v3.6: pool-wide) interest rate strategy for this reserve. */
export function handleReserveInterestRateDataChanged(event: ReserveInterestRateDataChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.interestRateStrategy = event.params.strategy
  saveReserve(m)
}

export function handleReserveBorrowing(event: ReserveBorrowing): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.borrowingEnabled = event.params.enabled
  saveReserve(m)
}

export function handleReserveStableRateBorrowing(event: ReserveStableRateBorrowing): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.stableBorrowingEnabled = event.params.enabled
  saveReserve(m)
}

/**
 * v3.0-v3.3 PoolConfigurator.updateFlashloanPremiumToProtocol (deprecated from v3.4, whose Pool
 * answers 100_00 whatever was set): the treasury's share of later flash-loan premiums (flash-loan.ts).
 */
export function handleFlashloanPremiumToProtocolUpdated(event: FlashloanPremiumToProtocolUpdated): void {
  const pool = protocolOf(event.address)
  if (pool === null) return
  const aave = AavePool.load(pool)
  if (aave == null) return
  aave.flashLoanPremiumToProtocol = event.params.newFlashloanPremiumToProtocol
  aave.save()
}

export function handleReserveFlashLoaning(event: ReserveFlashLoaning): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.flashLoanEnabled = event.params.enabled
  saveReserve(m)
}

export function handleReserveActive(event: ReserveActive): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.isActive = event.params.active
  saveReserve(m)
}

export function handleReserveFrozen(event: ReserveFrozen): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.isFrozen = event.params.frozen
  saveReserve(m)
}

export function handleReservePaused(event: ReservePaused): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.isPaused = event.params.paused
  saveReserve(m)
}

export function handleReserveDropped(event: ReserveDropped): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.isDropped = true
  m.isActive = false
  saveReserve(m)
}

export function handleBorrowableInIsolationChanged(event: BorrowableInIsolationChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.borrowableInIsolation = event.params.borrowable
  saveReserve(m)
}

export function handleSiloedBorrowingChanged(event: SiloedBorrowingChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.siloedBorrowing = event.params.newState
  saveReserve(m)
}

export function handleReserveInterestRateStrategyChanged(event: ReserveInterestRateStrategyChanged): void {
  const m = reserveFor(event.address, event.params.asset)
  if (m == null) return
  m.interestRateStrategy = event.params.newStrategy
  saveReserve(m)
}
