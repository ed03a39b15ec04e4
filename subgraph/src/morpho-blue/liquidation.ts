// Morpho Blue Liquidate: the liquidation record, and when the borrower's collateral ran out with
// debt left, the realized bad debt and the loss it passed on to the market's suppliers.
//
// Morpho.liquidate (v1.0): _accrueInterest (its AccrueInterest log precedes this one), repay
// repaidShares (totalBorrowAssets = zeroFloorSub(., repaidAssets)), seize seizedAssets of collateral;
// if the collateral is then 0: badDebtShares = the borrower's remaining borrow shares,
// badDebtAssets = min(totalBorrowAssets, toAssetsUp(badDebtShares)), and both totalBorrowAssets and
// totalSupplyAssets fall by badDebtAssets (suppliers take the loss), totalBorrowShares by
// badDebtShares, the borrower's borrow shares go to 0. Then it emits Liquidate.
import { Address, BigInt, Bytes } from '@graphprotocol/graph-ts'
import { Liquidate } from '../../generated/MorphoBlue/MorphoBlue'
import { MorphoOracle } from '../../generated/MorphoBlue/MorphoOracle'
import { Liquidation, MorphoMarketParams, RealizedBadDebt, SocializedLoss } from '../../generated/schema'
import { loadMarketById, saveMarket } from '../common/changes'
import { ensureAccount, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { bigIntFromHex, ZERO } from '../common/math'
import { orZero } from '../common/entities'
import { accrued, addBorrowAssets, addSupplyAssets, loadState, moveBorrowShares, moveCollateral, repayBorrowAssets, saveState } from './market'
import { bumpProtocolCounts } from './protocol'

// graph-node refuses one id for two entity types that share an interface (LendingEvent): the
// RealizedBadDebt and SocializedLoss of a Liquidate get the log's id plus one byte.
const REALIZED_BAD_DEBT_SUFFIX = Bytes.fromHexString('0x01')
const SOCIALIZED_LOSS_SUFFIX = Bytes.fromHexString('0x02')

/** lossPerShare scale: SocializedLoss.lossPerShare = badDebtAssets * 1e36 / totalSupplyShares. */
const LOSS_PER_SHARE_SCALE = bigIntFromHex('0xc097ce7bc90715b34b9f1000000000')

/**
 * IOracle.price() at this block: one eth_call per liquidation (rare), never per user action.
 * graph-node runs it against the state at the end of the block. Null if it reverts (or the oracle
 * is the zero address, as in idle markets).
 */
function oraclePrice(market: Bytes): BigInt | null {
  const params = MorphoMarketParams.load(market)
  if (params == null) return null
  const oracle = Address.fromBytes(params.oracle)
  if (oracle.equals(Address.zero())) return null
  const r = MorphoOracle.bind(oracle).try_price()
  return r.reverted ? null : r.value
}

export function processLiquidate(event: Liquidate): void {
  const morpho = event.address
  const state = loadState(morpho, event.params.id)
  if (state == null) return
  const p = event.params
  const borrower = p.borrower
  ensureAccount(borrower)
  accrued(state, event.block)

  repayBorrowAssets(state, p.repaidAssets)
  moveBorrowShares(state, morpho, borrower, p.repaidShares.neg(), event.block)
  let position = moveCollateral(state, morpho, borrower, p.seizedAssets.neg(), event.block)

  const supplyBefore = state.totalSupplyAssets
  const wroteOff = !p.badDebtShares.isZero() || !p.badDebtAssets.isZero()
  if (wroteOff) {
    addBorrowAssets(state, p.badDebtAssets.neg())
    addSupplyAssets(state, p.badDebtAssets.neg())
    position = moveBorrowShares(state, morpho, borrower, p.badDebtShares.neg(), event.block)
  }
  saveState(state)
  const price = oraclePrice(state.id)

  const id = eventId(event)
  const e = new Liquidation(id)
  stampEvent(e, morpho, event)
  e.account = borrower
  e.liquidator = p.caller
  // One Morpho market holds both sides: debt in the loan token, collateral in the collateral token.
  e.collateralMarket = state.id
  e.debtMarket = state.id
  e.debtRepaid = p.repaidAssets
  e.collateralSeized = p.seizedAssets // collateral-token units
  e.protocolFee = ZERO // Morpho Blue takes no liquidation fee: the whole incentive goes to the liquidator
  e.protocolFeeScaled = ZERO
  e.receiveAToken = false
  // collateralPrice / debtPrice stay null: Morpho has no USD oracle (oraclePrice is collateral in loan units).
  e.badDebt = p.badDebtAssets
  e.repaidShares = p.repaidShares
  e.badDebtShares = p.badDebtShares
  e.borrowerBorrowSharesAfter = orZero(position.borrowShares)
  e.borrowerCollateralAfter = orZero(position.collateralBalance)
  e.oraclePrice = price
  e.save()

  // The Market's counts and totals (the same object the share helpers moved its holder counts on).
  const market = loadMarketById(state.id)!
  let realized = 0
  if (!p.badDebtAssets.isZero()) {
    realized = 1
    const badId = id.concat(REALIZED_BAD_DEBT_SUFFIX)
    const bad = new RealizedBadDebt(badId)
    stampEvent(bad, morpho, event)
    bad.market = state.id
    bad.account = borrower
    bad.amount = p.badDebtAssets // loan-token units
    // No USD price: Morpho's oracle only quotes collateral in loan units. The gateway values it.
    bad.price = null
    bad.kind = 'MORPHO_BAD_DEBT_LIQUIDATION'
    bad.liquidation = id
    bad.save()

    const totalShares = state.totalSupplyShares
    const loss = new SocializedLoss(id.concat(SOCIALIZED_LOSS_SUFFIX))
    stampEvent(loss, morpho, event)
    loss.market = state.id
    loss.account = borrower
    loss.liquidation = id
    loss.realizedBadDebt = badId
    loss.badDebtAssets = p.badDebtAssets
    loss.badDebtShares = p.badDebtShares
    loss.totalSupplyAssetsBefore = supplyBefore
    loss.totalSupplyAssetsAfter = state.totalSupplyAssets
    loss.totalSupplyShares = totalShares
    if (!totalShares.isZero()) loss.lossPerShare = p.badDebtAssets.times(LOSS_PER_SHARE_SCALE).div(totalShares)
    loss.oraclePrice = price
    loss.save()

    market.totalRealizedBadDebt = market.totalRealizedBadDebt.plus(p.badDebtAssets)
    market.realizedBadDebtCount += 1
  }
  market.liquidationCount += 1
  saveMarket(market)
  bumpProtocolCounts(morpho, 1, realized)
}
