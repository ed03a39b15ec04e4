// Morpho Blue markets: creation (Market + MorphoMarketParams + MorphoMarketState, one id), lookup,
// and the Market struct Morpho keeps (market[id], on MorphoMarketState), replayed from the events
// exactly as Morpho.sol changes it. Share balances move through ../common/shares, which keeps the
// Market's holder counts; the share totals they imply are moved here.
import { Address, BigInt, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { MorphoMarketParams, MorphoMarketState, Position, Protocol } from '../../generated/schema'
import { loadShared, saveChanges } from '../common/changes'
import { marketId } from '../common/ids'
import { newMarket } from '../common/market'
import { ZERO } from '../common/math'
import { applyBorrowSharesDelta, applyCollateralDelta, applySupplySharesDelta } from '../common/shares'
import { getOrCreateToken } from '../common/token'

/** A market's MorphoMarketState, loaded once per handler call and tracked (save it with saveState); null if unknown. */
export function loadState(morpho: Bytes, id: Bytes): MorphoMarketState | null {
  const e = loadShared('MorphoMarketState', marketId(morpho, id))
  if (e == null) {
    log.warning('Morpho Blue market not found: morpho {} id {}', [morpho.toHexString(), id.toHexString()])
    return null
  }
  return changetype<MorphoMarketState>(e)
}

export function saveState(state: MorphoMarketState): void {
  saveChanges('MorphoMarketState', state)
}

/**
 * A market as Morpho.createMarket leaves it: its params, every total 0, fee 0, lastUpdate =
 * block.timestamp. Saves the Market, its MorphoMarketParams and its MorphoMarketState.
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
): void {
  const loan = getOrCreateToken(loanToken, -1)
  const m = newMarket(marketId(protocol.id, id), protocol.id, loan, block)
  m.morphoParams = m.id
  m.morphoState = m.id
  m.save()

  const params = new MorphoMarketParams(m.id)
  params.market = m.id
  if (!collateralToken.equals(Address.zero())) params.collateralToken = getOrCreateToken(collateralToken, -1).id
  params.oracle = oracle
  params.irm = irm
  params.lltv = lltv
  params.save()

  const s = new MorphoMarketState(m.id)
  s.market = m.id
  s.fee = ZERO
  s.totalSupplyAssets = ZERO
  s.totalSupplyShares = ZERO
  s.totalBorrowAssets = ZERO
  s.totalBorrowShares = ZERO
  s.totalCollateral = ZERO
  // borrowRate stays null until the first AccrueInterest.
  s.lastUpdateTimestamp = block.timestamp
  s.lastUpdateBlock = block.number
  s.save()
}

/**
 * Morpho._accrueInterest ran (every action but SupplyCollateral and the admin calls other than
 * setFee): market.lastUpdate = block.timestamp, whether or not it emitted AccrueInterest (it does
 * not when no time elapsed or the IRM is the zero address).
 */
export function accrued(state: MorphoMarketState, block: ethereum.Block): void {
  state.lastUpdateTimestamp = block.timestamp
  state.lastUpdateBlock = block.number
}

/** Morpho UtilsLib.zeroFloorSub: max(a - b, 0) (repaid assets may exceed totalBorrowAssets by 1). */
export function zeroFloorSub(a: BigInt, b: BigInt): BigInt {
  return a.gt(b) ? a.minus(b) : ZERO
}

export function addSupplyAssets(state: MorphoMarketState, delta: BigInt): void {
  state.totalSupplyAssets = state.totalSupplyAssets.plus(delta)
}

export function addBorrowAssets(state: MorphoMarketState, delta: BigInt): void {
  state.totalBorrowAssets = state.totalBorrowAssets.plus(delta)
}

/** Repay and liquidation: totalBorrowAssets = zeroFloorSub(totalBorrowAssets, assets). */
export function repayBorrowAssets(state: MorphoMarketState, assets: BigInt): void {
  state.totalBorrowAssets = zeroFloorSub(state.totalBorrowAssets, assets)
}

// Share and collateral moves: the position (and the Market's holder counts) in ../common/shares,
// the market's totals here. `morpho` is the protocol id (the Morpho singleton, the event's address).

export function moveSupplyShares(state: MorphoMarketState, morpho: Bytes, account: Address, delta: BigInt, block: ethereum.Block): Position {
  state.totalSupplyShares = state.totalSupplyShares.plus(delta)
  return applySupplySharesDelta(state.id, morpho, account, delta, block)
}

export function moveBorrowShares(state: MorphoMarketState, morpho: Bytes, account: Address, delta: BigInt, block: ethereum.Block): Position {
  state.totalBorrowShares = state.totalBorrowShares.plus(delta)
  return applyBorrowSharesDelta(state.id, morpho, account, delta, block)
}

export function moveCollateral(state: MorphoMarketState, morpho: Bytes, account: Address, delta: BigInt, block: ethereum.Block): Position {
  state.totalCollateral = state.totalCollateral.plus(delta)
  return applyCollateralDelta(state.id, morpho, account, delta, block)
}
