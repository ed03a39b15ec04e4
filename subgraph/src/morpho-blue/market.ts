// Morpho Blue markets: creation, lookup and the market state Morpho keeps (market[id]), replayed
// from the events exactly as Morpho.sol changes it.
import { Address, BigInt, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { Market, Protocol } from '../../generated/schema'
import { marketId } from '../common/ids'
import { ZERO } from '../common/math'
import { orZero } from '../common/shares'
import { getOrCreateToken } from '../common/token'
import { loadMarketById } from '../common/changes'
import { newPlainMarket } from '../common/market'

/** bps per WAD fraction: fee (WAD) / 1e14 = reserveFactor (bps). */
const WAD_PER_BPS = BigInt.fromU64(100000000000000)

export function loadMarket(morpho: Bytes, id: Bytes): Market | null {
  const market = loadMarketById(marketId(morpho, id))
  if (market == null) log.warning('Morpho Blue market not found: morpho {} id {}', [morpho.toHexString(), id.toHexString()])
  return market
}

/**
 * A market as Morpho.createMarket leaves it: every total 0, fee 0, lastUpdate = block.timestamp.
 * Aave-only fields get the values schema.graphql documents for Morpho Blue (end of the file).
 */
export function createMarket(
  protocol: Protocol,
  id: Bytes,
  loanToken: Address,
  collateralToken: Address,
  oracle: Address,
  irm: Address,
  lltv: BigInt,
  block: ethereum.Block,
): Market {
  const loan = getOrCreateToken(loanToken, -1)
  const m = newPlainMarket(marketId(protocol.id, id), protocol.id, loan, block)
  m.interestRateStrategy = irm
  // Morpho Blue's own fields
  if (!collateralToken.equals(Address.zero())) m.collateralToken = getOrCreateToken(collateralToken, -1).id
  m.oracle = oracle
  m.lltv = lltv
  m.fee = ZERO
  m.totalSupplyAssets = ZERO
  m.totalSupplyShares = ZERO
  m.totalBorrowAssets = ZERO
  m.totalBorrowShares = ZERO
  m.totalCollateral = ZERO
  // Shared fields that are facts for Morpho Blue (newPlainMarket: no caps, no liquidation fee, never
  // frozen, paused or dropped; the loan token is not collateral in its own market, bad debt is
  // socialized at once, never carried; lastUpdate = market[id].lastUpdate; ltv, liquidationThreshold,
  // liquidationBonus and the Aave rates stay null, borrowRate until the first AccrueInterest).
  m.flashLoanEnabled = true // Morpho.flashLoan lends any token it holds
  m.save()
  return m
}

/**
 * Morpho._accrueInterest ran (every action but SupplyCollateral and the admin calls other than
 * setFee): market.lastUpdate = block.timestamp, whether or not it emitted AccrueInterest (it does
 * not when no time elapsed or the IRM is the zero address).
 */
export function accrued(market: Market, block: ethereum.Block): void {
  market.lastUpdateTimestamp = block.timestamp
  market.lastUpdateBlock = block.number
}

/** Morpho UtilsLib.zeroFloorSub: max(a - b, 0) (repaid assets may exceed totalBorrowAssets by 1). */
export function zeroFloorSub(a: BigInt, b: BigInt): BigInt {
  return a.gt(b) ? a.minus(b) : ZERO
}

export function addSupplyAssets(market: Market, delta: BigInt): void {
  market.totalSupplyAssets = orZero(market.totalSupplyAssets).plus(delta)
}

export function addBorrowAssets(market: Market, delta: BigInt): void {
  market.totalBorrowAssets = orZero(market.totalBorrowAssets).plus(delta)
}

/** Repay and liquidation: totalBorrowAssets = zeroFloorSub(totalBorrowAssets, assets). */
export function repayBorrowAssets(market: Market, assets: BigInt): void {
  market.totalBorrowAssets = zeroFloorSub(orZero(market.totalBorrowAssets), assets)
}

export function setFee(market: Market, fee: BigInt): void {
  market.fee = fee
  market.reserveFactor = fee.div(WAD_PER_BPS)
}
