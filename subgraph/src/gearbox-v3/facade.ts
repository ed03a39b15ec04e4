// CreditFacadeV3: credit accounts opened, closed and liquidated (fully or partially). Debt moves
// with the pool's Borrow/Repay (pool.ts); collateral balances with the tokens' transfers (token.ts).
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts'
import {
  AddCollateral, CloseCreditAccount, CreditFacadeV3, LiquidateCreditAccount, OpenCreditAccount, PartiallyLiquidateCreditAccount,
  WithdrawCollateral as WithdrawCollateralEvent,
} from '../../generated/CreditFacadeV3/CreditFacadeV3'
import { CreditAccount, CreditManager, GearboxPool, Liquidation, Protocol, SupplyCollateral, WithdrawCollateral } from '../../generated/schema'
import { loadMarketById, saveMarket } from '../common/changes'
import { ensureAccount, stampEvent } from '../common/entities'
import { eventId } from '../common/ids'
import { ZERO } from '../common/math'
import { getOrCreateToken } from '../common/token'
import { getOrCreateCreditManager } from './state'
import { precedingRepay } from './receipt'

export function handleOpenCreditAccount(event: OpenCreditAccount): void {
  const cmAddress = CreditFacadeV3.bind(event.address).creditManager()
  const cm = getOrCreateCreditManager(cmAddress, event.block)
  const address = event.params.creditAccount
  ensureAccount(address)
  ensureAccount(event.params.onBehalfOf)
  let ca = CreditAccount.load(address)
  if (ca == null) {
    ca = new CreditAccount(address)
    ca.principalDebt = ZERO
    ca.liquidationCount = 0
  }
  ca.creditManager = cm.id
  ca.owner = event.params.onBehalfOf
  ca.open = true
  ca.openedAtBlock = event.block.number
  ca.closedAtBlock = null
  ca.save()
  cm.openCreditAccountCount += 1
  if (cm.creditFacade === null) cm.creditFacade = event.address
  cm.save()
}

export function handleCloseCreditAccount(event: CloseCreditAccount): void {
  const ca = CreditAccount.load(event.params.creditAccount)
  if (ca == null) return
  ca.open = false
  ca.closedAtBlock = event.block.number
  ca.save()
  const cm = CreditManager.load(ca.creditManager)
  if (cm != null) {
    cm.openCreditAccountCount -= 1
    cm.save()
  }
}

/** The Liquidation record of a full or partial liquidation, and the counts. */
function recordLiquidation(
  event: ethereum.Event, creditAccount: Address, liquidator: Address, repaidDebt: BigInt | null,
  seized: BigInt, fee: BigInt,
): void {
  const ca = CreditAccount.load(creditAccount)
  if (ca == null) return
  const cm = CreditManager.load(ca.creditManager)!
  const pool = GearboxPool.load(cm.pool)!
  const market = loadMarketById(pool.market)!
  const repay = precedingRepay(event, Address.fromBytes(pool.id))
  let principal = ZERO
  let loss = ZERO
  if (repay !== null) {
    const decoded = ethereum.decode('(uint256,uint256,uint256)', repay.data)!.toTuple()
    principal = decoded[0].toBigInt()
    loss = decoded[2].toBigInt()
  }
  const e = new Liquidation(eventId(event))
  stampEvent(e, pool.protocol, event)
  e.account = creditAccount
  e.liquidator = liquidator
  e.collateralMarket = market.id
  e.debtMarket = market.id
  // Principal repaid to the pool (the preceding Repay.borrowedAmount); without a Repay, the partial
  // liquidation's repaidDebt (which counts interest and fees first).
  e.debtRepaid = repay !== null ? principal : (repaidDebt === null ? ZERO : repaidDebt!)
  e.collateralSeized = seized
  e.protocolFee = fee
  e.protocolFeeScaled = ZERO
  e.receiveAToken = false
  e.badDebt = loss
  e.save()
  ca.liquidationCount += 1
  ca.save()
  cm.liquidationCount += 1
  cm.save()
  market.liquidationCount += 1
  saveMarket(market)
  const protocol = Protocol.load(pool.protocol)
  if (protocol != null) {
    protocol.liquidationCount += 1
    protocol.save()
  }
}

export function handleLiquidateCreditAccount(event: LiquidateCreditAccount): void {
  // Gearbox sends what is left to `to` (remainingFunds, underlying units): nothing is "seized" per token.
  recordLiquidation(event, event.params.creditAccount, event.params.liquidator, null, ZERO, ZERO)
}

export function handlePartiallyLiquidateCreditAccount(event: PartiallyLiquidateCreditAccount): void {
  const p = event.params
  recordLiquidation(event, p.creditAccount, p.liquidator, p.repaidDebt, p.seizedCollateral, p.fee)
}

/**
 * The pool a known credit account borrows from (null if the account is unknown), with the token
 * recorded: what a collateral record needs.
 */
function poolForCollateral(creditAccount: Address, token: Address): GearboxPool | null {
  const ca = CreditAccount.load(creditAccount)
  if (ca == null) return null
  const cm = CreditManager.load(ca.creditManager)
  if (cm == null) return null
  getOrCreateToken(token, -1)
  return GearboxPool.load(cm.pool)
}

// Collateral in and out of a credit account (records only: balances follow the tokens' Transfer
// events). caller = the transaction's sender (the facade's msg.sender is not logged).
export function handleAddCollateral(event: AddCollateral): void {
  const p = event.params
  const pool = poolForCollateral(p.creditAccount, p.token)
  if (pool == null) return
  const e = new SupplyCollateral(eventId(event))
  stampEvent(e, pool.protocol, event)
  e.market = pool.market
  e.account = p.creditAccount
  e.token = p.token
  e.amount = p.amount
  e.caller = event.transaction.from
  e.save()
}

export function handleWithdrawCollateral(event: WithdrawCollateralEvent): void {
  const p = event.params
  const pool = poolForCollateral(p.creditAccount, p.token)
  if (pool == null) return
  const w = new WithdrawCollateral(eventId(event))
  stampEvent(w, pool.protocol, event)
  w.market = pool.market
  w.account = p.creditAccount
  w.token = p.token
  w.amount = p.amount
  w.caller = event.transaction.from
  w.to = p.to
  w.save()
}
