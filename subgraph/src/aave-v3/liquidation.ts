// LiquidationCall: records amounts, prices and the borrower's balances after the liquidation.
//
// Order inside LiquidationLogic.executeLiquidationCall (v3.0): debt token Burn, debt
// ReserveDataUpdated, collateral aToken Burn (or BalanceTransfer to the liquidator when
// receiveAToken), then transferOnLiquidation(user -> treasury) for the protocol fee, and only then
// emit LiquidationCall (v3.3+: DeficitCreated logs for written-off debt also precede it). So when this handler runs every balance change of the liquidation has been
// applied by the token templates, and the fee logs sit in the receipt just before this log.
import { Address, BigInt, Bytes, crypto, log } from '@graphprotocol/graph-ts'
import { LiquidationCall } from '../../generated/Pool/AaveV3Pool'
import { AavePool, AaveReserve, AaveReserveState, Liquidation } from '../../generated/schema'
import { loadMarketById, saveMarket } from '../common/changes'
import { ensureAccount, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { percentMul, RAY, rayDivFloor, rayMul, rayMulFloor, SECONDS_PER_YEAR, ZERO } from '../common/math'
import { hasDeficits, usesTokenMath } from './generation'
import { scaledBalance } from './positions'
import { currentOracle, readAndRecordPrice } from './prices'
import { getOrCreateProtocol } from './protocol'
import { reserveOf, reserveStateOf, saveReserveState } from './reserve'

// Event topics, computed where they are used: a module-level constant would be hashed (a host call)
// at the start of every Pool handler call, graph-node instantiating the module for each trigger.
function topic(signature: string): Bytes {
  return Bytes.fromByteArray(crypto.keccak256(Bytes.fromUTF8(signature)))
}

/** Pool LiquidationCall(address,address,address,uint256,uint256,address,bool). */
export function liquidationCallTopic(): Bytes {
  return topic('LiquidationCall(address,address,address,uint256,uint256,address,bool)')
}

// Pool events that end a user action (each action runs updateState before them): Supply, Withdraw,
// Borrow, Repay, FlashLoan (IPool); LiquidationCall; v3.3+ DeficitCovered.
function actionEndTopics(): Bytes[] {
  return [
    'Supply(address,address,address,uint256,uint16)',
    'Withdraw(address,address,address,uint256)',
    'Borrow(address,address,address,uint256,uint8,uint256,uint16)',
    'Repay(address,address,address,uint256,bool)',
    'FlashLoan(address,address,address,uint256,uint8,uint256,uint16)',
    'LiquidationCall(address,address,address,uint256,uint256,address,bool)',
    'DeficitCovered(address,address,uint256)',
  ].map<Bytes>((sig: string): Bytes => topic(sig))
}

function topicAddress(topic: Bytes): Address {
  return Address.fromBytes(Bytes.fromUint8Array(topic.subarray(12, 32)))
}

function firstWord(data: Bytes): BigInt {
  return BigInt.fromUnsignedBytes(Bytes.fromUint8Array(data.subarray(0, 32).reverse()))
}

class Fee {
  constructor(public amount: BigInt, public scaled: BigInt) {}
}

/**
 * The protocol fee = the collateral aToken's ERC20 Transfer(user -> treasury, amount) emitted by
 * transferOnLiquidation: `amount` is liquidationProtocolFeeAmount in underlying units, exactly
 * (the BalanceTransfer right after carries the same amount scaled). Only logs after the previous
 * LiquidationCall of this pool in the same tx are considered (several liquidations per tx).
 * If the liquidator is the treasury and takes aTokens, its own transfer comes first: skip it.
 */
function findProtocolFee(event: LiquidationCall, collateral: AaveReserve): Fee {
  const fee = new Fee(ZERO, ZERO)
  const receipt = event.receipt
  const aToken = collateral.supplyToken
  const treasury = collateral.treasury
  if (receipt === null || treasury === null) {
    log.warning('liquidation fee unknown (no receipt/aToken/treasury) in tx {}', [event.transaction.hash.toHexString()])
    return fee
  }
  const user = event.params.user
  const transferTopic = topic('Transfer(address,address,uint256)')
  const balanceTransferTopic = topic('BalanceTransfer(address,address,uint256,uint256)')
  const liquidationCall = liquidationCallTopic()
  const amounts = new Array<BigInt>(0)
  const scaled = new Array<BigInt>(0)
  const logs = receipt.logs
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]
    if (l.logIndex.ge(event.logIndex)) break
    const t0 = l.topics.length > 0 ? l.topics[0] : Bytes.empty()
    if (l.address.equals(event.address) && t0.equals(liquidationCall)) {
      amounts.length = 0 // a previous liquidation in this tx: its logs are not ours
      scaled.length = 0
      continue
    }
    if (!l.address.equals(aToken) || l.topics.length < 3) continue
    if (!topicAddress(l.topics[1]).equals(user) || !topicAddress(l.topics[2]).equals(treasury)) continue
    if (t0.equals(transferTopic)) amounts.push(firstWord(l.data))
    else if (t0.equals(balanceTransferTopic)) scaled.push(firstWord(l.data))
  }
  const skip = event.params.receiveAToken && event.params.liquidator.equals(treasury) ? 1 : 0
  if (amounts.length > skip) fee.amount = amounts[amounts.length - 1]
  if (scaled.length > skip) fee.scaled = scaled[scaled.length - 1]
  return fee
}

/**
 * Debt of the liquidated debt asset written off inside this liquidation: the DeficitCreated of this
 * Pool for (user, debtAsset) between the previous LiquidationCall of the tx and this one
 * (LiquidationLogic._burnDebtTokens emits it before LiquidationCall). 0 when none on a Pool that has
 * deficits (POOL_REVISION >= 7), null on older ones.
 */
function findBadDebt(event: LiquidationCall, pool: AavePool): BigInt | null {
  let total = ZERO
  let found = false
  const receipt = event.receipt
  if (receipt !== null) {
    const liquidationCall = liquidationCallTopic()
    // IPool (v3.3+) DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated)
    const deficitCreated = topic('DeficitCreated(address,address,uint256)')
    const logs = receipt.logs
    for (let i = 0; i < logs.length; i++) {
      const l = logs[i]
      if (l.logIndex.ge(event.logIndex)) break
      if (!l.address.equals(event.address) || l.topics.length == 0) continue
      if (l.topics[0].equals(liquidationCall)) {
        total = ZERO // an earlier liquidation of this tx
        found = false
        continue
      }
      if (!l.topics[0].equals(deficitCreated) || l.topics.length < 3) continue
      if (!topicAddress(l.topics[1]).equals(event.params.user) || !topicAddress(l.topics[2]).equals(event.params.debtAsset)) continue
      total = total.plus(firstWord(l.data))
      found = true
    }
  }
  if (found || hasDeficits(pool)) return total
  return null
}

/**
 * True when the market's last index-moving ReserveDataUpdated belongs to this liquidation: same tx,
 * before this log, and no other action of this Pool ended in between (an earlier action in the same
 * tx, e.g. a flash loan, would have moved the index, leaving nothing to accrue here).
 */
function accruedInThisLiquidation(event: LiquidationCall, state: AaveReserveState): boolean {
  const tx = state.lastTreasuryAccrualTx
  const at = state.lastTreasuryAccrualLogIndex
  if (tx === null || at === null || !tx.equals(event.transaction.hash) || at.ge(event.logIndex)) return false
  if (state.lastTreasuryAccrualScaled.isZero()) return false
  const receipt = event.receipt
  if (receipt === null) return false
  const actionEnds = actionEndTopics()
  const logs = receipt.logs
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]
    if (l.logIndex.le(at) || l.logIndex.ge(event.logIndex)) continue
    if (!l.address.equals(event.address) || l.topics.length == 0) continue
    for (let j = 0; j < actionEnds.length; j++) if (l.topics[0].equals(actionEnds[j])) return false
  }
  return true
}

/** aave-v3-origin@3.6.0 MathUtils.calculateLinearInterest: RAY + rate * dt / SECONDS_PER_YEAR. */
function linearInterest(rate: BigInt, dt: BigInt): BigInt {
  return RAY.plus(rate.times(dt).div(SECONDS_PER_YEAR))
}

/** aave-v3-origin@3.6.0 MathUtils.calculateCompoundedInterest: x = rate * dt / year; RAY + x + x.rayMul(x/2 + x.rayMul(x/6)). */
function compoundedInterest(rate: BigInt, dt: BigInt): BigInt {
  if (dt.isZero()) return RAY
  const x = rate.times(dt).div(SECONDS_PER_YEAR)
  return RAY.plus(x).plus(rayMul(x, x.div(BigInt.fromI32(2)).plus(rayMul(x, x.div(BigInt.fromI32(6))))))
}

/**
 * v3.5+ executeLiquidationCall runs collateralReserve.updateState at its start, but with
 * receiveAToken the collateral reserve's rates are never updated afterwards, so no
 * ReserveDataUpdated tells the new indexes (v3.0-v3.4 only touched the collateral reserve in
 * _burnCollateralATokens, which emits it). Replays ReserveLogic.updateState for it at this block:
 * _updateIndexes (linear liquidity index if the liquidity rate is non-zero, compounded variable
 * borrow index if there is scaled debt) and _accrueToTreasury, rates unchanged. Skipped when the
 * reserve already was updated at this timestamp (updateState is then a no-op on chain too).
 */
function replaySilentUpdateState(collateral: AaveReserveState, reserveFactor: BigInt, event: LiquidationCall): void {
  const now = event.block.timestamp
  if (!collateral.lastUpdateTimestamp.lt(now)) return
  const dt = now.minus(collateral.lastUpdateTimestamp)
  const prevVbi = collateral.variableBorrowIndex
  const liquidityRate = collateral.liquidityRate
  const variableBorrowRate = collateral.variableBorrowRate
  let nextLi = collateral.liquidityIndex
  if (!liquidityRate.isZero()) nextLi = rayMul(linearInterest(liquidityRate, dt), nextLi)
  let nextVbi = prevVbi
  const currScaledDebt = collateral.scaledTotalVariableDebt
  if (!currScaledDebt.isZero()) nextVbi = rayMul(compoundedInterest(variableBorrowRate, dt), prevVbi)
  if (!reserveFactor.isZero()) {
    const amountToMint = percentMul(rayMulFloor(currScaledDebt, nextVbi.minus(prevVbi)), reserveFactor)
    if (!amountToMint.isZero()) collateral.accruedToTreasuryScaled = collateral.accruedToTreasuryScaled.plus(rayDivFloor(amountToMint, nextLi))
  }
  collateral.liquidityIndex = nextLi
  collateral.variableBorrowIndex = nextVbi
  collateral.lastUpdateTimestamp = now
  collateral.lastUpdateBlock = event.block.number
  collateral.scaledTotalVariableDebtAtLastUpdate = currScaledDebt
}

export function processLiquidation(event: LiquidationCall): void {
  const protocol = getOrCreateProtocol(event.address)
  const pool = AavePool.load(protocol.id)!
  const config = reserveOf(protocol.id, event.params.collateralAsset)
  // One object per reserve in a handler call (reserve.ts): a same-asset liquidation has one state.
  const collateral = reserveStateOf(protocol.id, event.params.collateralAsset)
  const debt = reserveStateOf(protocol.id, event.params.debtAsset)
  if (config == null || collateral == null || debt == null) return
  const sameReserve = debt.id.equals(collateral.id)
  const user = event.params.user
  const fee = findProtocolFee(event, config)
  // Both prices as the protocol's oracle gives them at this block (3 eth_calls per liquidation:
  // oracle address, collateral price, debt price; one price when both sides are one asset).
  const oracle = currentOracle(pool)
  const collateralPrice = readAndRecordPrice(event, collateral, event.params.collateralAsset, oracle)
  const debtPrice = sameReserve ? collateralPrice : readAndRecordPrice(event, debt, event.params.debtAsset, oracle)
  if (usesTokenMath(pool) && event.params.receiveAToken && !sameReserve) replaySilentUpdateState(collateral, config.reserveFactor, event)

  const e = new Liquidation(eventId(event))
  stampEvent(e, protocol.id, event)
  e.account = user
  e.liquidator = event.params.liquidator
  e.collateralMarket = collateral.id
  e.debtMarket = debt.id
  e.debtRepaid = event.params.debtToCover
  e.collateralSeized = event.params.liquidatedCollateralAmount
  e.protocolFee = fee.amount
  e.protocolFeeScaled = fee.scaled
  e.receiveAToken = event.params.receiveAToken
  e.collateralPrice = collateralPrice
  e.debtPrice = debtPrice
  e.borrowerScaledVariableDebtAfter = scaledBalance(debt.id, user, true)
  e.borrowerScaledCollateralAfter = scaledBalance(collateral.id, user, false)
  ensureAccount(user) // after the position reads, which already tell when it exists
  e.debtVariableBorrowIndex = debt.variableBorrowIndex
  e.collateralLiquidityIndex = collateral.liquidityIndex
  e.badDebt = findBadDebt(event, pool)
  e.save()

  // v3.5+ executeLiquidationCall takes debtReserve.cache() and collateralReserve.cache() before
  // updating either; when both are the same reserve the second updateState runs on a stale cache
  // (its lastUpdateTimestamp is still the old one) and _accrueToTreasury adds the same amount again
  // (aave-v3-origin v3.5.0/v3.6.0 LiquidationLogic; v3.0-v3.4 cache the collateral reserve later).
  // The liquidation's first ReserveDataUpdated booked it once: book the repeat.
  if (usesTokenMath(pool) && sameReserve && accruedInThisLiquidation(event, debt)) {
    debt.accruedToTreasuryScaled = debt.accruedToTreasuryScaled.plus(debt.lastTreasuryAccrualScaled)
    debt.lastTreasuryAccrualTx = null // once
  }
  saveReserveState(collateral)
  if (!sameReserve) saveReserveState(debt)

  protocol.liquidationCount += 1
  protocol.save()
  countLiquidation(collateral.id)
  if (!sameReserve) countLiquidation(debt.id)
}

function countLiquidation(marketId: Bytes): void {
  const m = loadMarketById(marketId)
  if (m == null) return
  m.liquidationCount += 1
  saveMarket(m)
}
