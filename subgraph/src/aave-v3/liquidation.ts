// LiquidationCall: records amounts, prices and the borrower's balances after the liquidation.
//
// Order inside LiquidationLogic.executeLiquidationCall (v3.0): debt token Burn, debt
// ReserveDataUpdated, collateral aToken Burn (or BalanceTransfer to the liquidator when
// receiveAToken), then transferOnLiquidation(user -> treasury) for the protocol fee, and only then
// emit LiquidationCall. So when this handler runs every balance change of the liquidation has been
// applied by the token templates, and the fee logs sit in the receipt just before this log.
import { Address, BigInt, Bytes, crypto, log } from '@graphprotocol/graph-ts'
import { LiquidationCall } from '../../generated/Pool/AaveV3Pool'
import { Liquidation, Market, Position, Protocol } from '../../generated/schema'
import { getOrCreateAccount, stampEvent } from '../common/entities'
import { eventId, positionId } from '../common/ids'
import { ZERO } from '../common/math'
import { loadMarket } from './market'
import { getOrCreateProtocol } from './protocol'

const TRANSFER = Bytes.fromByteArray(crypto.keccak256(Bytes.fromUTF8('Transfer(address,address,uint256)')))
const BALANCE_TRANSFER = Bytes.fromByteArray(crypto.keccak256(Bytes.fromUTF8('BalanceTransfer(address,address,uint256,uint256)')))
const LIQUIDATION_CALL = Bytes.fromByteArray(
  crypto.keccak256(Bytes.fromUTF8('LiquidationCall(address,address,address,uint256,uint256,address,bool)')),
)

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
function findProtocolFee(event: LiquidationCall, collateral: Market): Fee {
  const fee = new Fee(ZERO, ZERO)
  const receipt = event.receipt
  const aToken = collateral.supplyToken
  const treasury = collateral.treasury
  if (receipt === null || aToken === null || treasury === null) {
    log.warning('liquidation fee unknown (no receipt/aToken/treasury) in tx {}', [event.transaction.hash.toHexString()])
    return fee
  }
  const user = event.params.user
  const amounts = new Array<BigInt>(0)
  const scaled = new Array<BigInt>(0)
  const logs = receipt.logs
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]
    if (l.logIndex.ge(event.logIndex)) break
    const t0 = l.topics.length > 0 ? l.topics[0] : Bytes.empty()
    if (l.address.equals(event.address) && t0.equals(LIQUIDATION_CALL)) {
      amounts.length = 0 // a previous liquidation in this tx: its logs are not ours
      scaled.length = 0
      continue
    }
    if (!l.address.equals(aToken) || l.topics.length < 3) continue
    if (!topicAddress(l.topics[1]).equals(user) || !topicAddress(l.topics[2]).equals(treasury)) continue
    if (t0.equals(TRANSFER)) amounts.push(firstWord(l.data))
    else if (t0.equals(BALANCE_TRANSFER)) scaled.push(firstWord(l.data))
  }
  const skip = event.params.receiveAToken && event.params.liquidator.equals(treasury) ? 1 : 0
  if (amounts.length > skip) fee.amount = amounts[amounts.length - 1]
  if (scaled.length > skip) fee.scaled = scaled[scaled.length - 1]
  return fee
}

function scaledAfter(market: Market, user: Address, debt: boolean): BigInt {
  const p = Position.load(positionId(market.id, user))
  if (p == null) return ZERO
  return debt ? p.scaledVariableDebt : p.scaledSupplyBalance
}

export function processLiquidation(event: LiquidationCall): void {
  const protocol: Protocol = getOrCreateProtocol(event.address)
  const collateral = loadMarket(protocol.id, event.params.collateralAsset)
  const debt = loadMarket(protocol.id, event.params.debtAsset)
  if (collateral == null || debt == null) return
  const user = event.params.user
  getOrCreateAccount(user)
  const fee = findProtocolFee(event, collateral)

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
  e.collateralPrice = collateral.price
  e.debtPrice = debt.price
  e.borrowerScaledVariableDebtAfter = scaledAfter(debt, user, true)
  e.borrowerScaledCollateralAfter = scaledAfter(collateral, user, false)
  e.debtVariableBorrowIndex = debt.variableBorrowIndex
  e.collateralLiquidityIndex = collateral.liquidityIndex
  e.save()

  protocol.liquidationCount += 1
  protocol.save()
  collateral.liquidationCount += 1
  collateral.save()
  if (!debt.id.equals(collateral.id)) {
    debt.liquidationCount += 1
    debt.save()
  }
}

