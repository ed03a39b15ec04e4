// Gearbox V3 entities: the pool (Protocol + Market + GearboxPool), its credit managers and credit
// accounts, and the tokens whose transfers are followed. Pool-level reads (eth_call) happen when a
// pool, manager or token is first seen and after pool state changes; never per user balance.
import { Address, BigInt, Bytes, DataSourceContext, dataSource, ethereum } from '@graphprotocol/graph-ts'
import { CreditAccount, CreditManager, GearboxPool, GearboxTrackedToken, Protocol } from '../../generated/schema'
import { PoolV3 } from '../../generated/PoolV3/PoolV3'
import { CreditManagerV3 } from '../../generated/PoolV3/CreditManagerV3'
import { GearboxToken } from '../../generated/templates'
import { marketId } from '../common/ids'
import { newMarket } from '../common/market'
import { ZERO } from '../common/math'
import { slugify } from '../common/text'
import { getOrCreateToken } from '../common/token'
import { expectedLiquidityAt } from '../common/linear'

function orZeroCall(r: ethereum.CallResult<BigInt>): BigInt {
  return r.reverted ? ZERO : r.value
}

/** The pool's Protocol and Market (both link the GearboxPool, same id as the protocol); returns the market id. */
function createProtocolAndMarket(pool: Address, underlying: Address, name: string, block: ethereum.Block): Bytes {
  const token = getOrCreateToken(underlying, -1)
  const protocol = new Protocol(pool)
  protocol.name = name
  protocol.slug = slugify(name, 'gearbox-v3')
  protocol.family = 'GEARBOX_V3'
  protocol.network = dataSource.network()
  protocol.marketCount = 1
  protocol.accountCount = 0
  protocol.liquidationCount = 0
  protocol.realizedBadDebtCount = 0
  protocol.gearboxPool = pool
  protocol.save()

  // The pool's figures (shares, borrowed, losses) are on GearboxPool only.
  const m = newMarket(marketId(pool, underlying), pool, token, block)
  m.gearboxPool = pool
  m.save()
  return m.id
}

/** The pool, created on first sight (its protocol, market, and the underlying's transfers followed). */
export function getOrCreatePool(pool: Address, block: ethereum.Block): GearboxPool {
  let p = GearboxPool.load(pool)
  if (p != null) return p
  const contract = PoolV3.bind(pool)
  const underlying = contract.asset()
  const nameCall = contract.try_name()
  p = new GearboxPool(pool)
  p.protocol = pool
  p.market = createProtocolAndMarket(pool, underlying, nameCall.reverted ? 'Gearbox V3' : nameCall.value, block)
  p.underlying = underlying
  const irm = contract.try_interestRateModel()
  if (!irm.reverted) p.interestRateModel = irm.value
  const treasury = contract.try_treasury()
  p.treasury = treasury.reverted ? Address.zero() : treasury.value
  p.totalSupply = ZERO
  p.treasuryShares = ZERO
  p.totalBorrowed = ZERO
  // Balance before the first followed Transfer (the template sees transfers from this block on).
  const available = contract.try_availableLiquidity()
  p.availableLiquidity = available.reverted ? ZERO : available.value
  p.expectedLiquidityLU = ZERO
  p.baseInterestRate = ZERO
  p.baseInterestIndexLU = ZERO
  p.lastBaseInterestUpdate = ZERO
  p.quotaRevenue = ZERO
  p.lastQuotaRevenueUpdate = ZERO
  p.expectedLiquidity = ZERO
  p.stateUpdatedAtBlock = block.number
  p.totalProfit = ZERO
  p.totalLoss = ZERO
  p.totalCoveredLoss = ZERO
  p.totalCoveredShares = ZERO
  p.totalUncoveredLoss = ZERO
  p.lossCount = 0
  p.save()
  trackToken(underlying, pool)
  return p
}

/** Follows a token's Transfer events (once per token); `pool` marks it as that pool's underlying. */
export function trackToken(token: Address, pool: Address | null): void {
  let t = GearboxTrackedToken.load(token)
  if (t == null) {
    t = new GearboxTrackedToken(token)
    if (pool !== null) t.pool = pool
    t.save()
    getOrCreateToken(token, -1)
    GearboxToken.createWithContext(token, new DataSourceContext())
    return
  }
  if (pool !== null && t.pool === null) {
    t.pool = pool
    t.save()
  }
}

/** The pool's interest state read at this block (end-of-block state) into the entity; the caller saves. */
export function readPoolState(p: GearboxPool, block: ethereum.Block): void {
  const c = PoolV3.bind(Address.fromBytes(p.id))
  p.expectedLiquidityLU = orZeroCall(c.try_expectedLiquidityLU())
  p.baseInterestRate = orZeroCall(c.try_baseInterestRate())
  p.baseInterestIndexLU = orZeroCall(c.try_baseInterestIndexLU())
  p.lastBaseInterestUpdate = orZeroCall(c.try_lastBaseInterestUpdate())
  p.quotaRevenue = orZeroCall(c.try_quotaRevenue())
  p.lastQuotaRevenueUpdate = orZeroCall(c.try_lastQuotaRevenueUpdate())
  p.expectedLiquidity = expectedLiquidityAt(
    p.expectedLiquidityLU, p.totalBorrowed, p.baseInterestRate, p.lastBaseInterestUpdate,
    p.quotaRevenue, p.lastQuotaRevenueUpdate, block.timestamp,
  )
  p.stateUpdatedAtBlock = block.number
}

/** A credit manager, created on first sight with its pool (CreditManagerV3.pool()). */
export function getOrCreateCreditManager(cm: Address, block: ethereum.Block): CreditManager {
  let m = CreditManager.load(cm)
  if (m != null) return m
  const pool = CreditManagerV3.bind(cm).pool()
  getOrCreatePool(pool, block)
  m = new CreditManager(cm)
  m.pool = pool
  m.totalBorrowed = ZERO
  m.openCreditAccountCount = 0
  m.liquidationCount = 0
  m.save()
  return m
}

export function loadCreditAccount(ca: Address): CreditAccount | null {
  return CreditAccount.load(ca)
}
