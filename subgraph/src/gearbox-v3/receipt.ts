// Which credit account a PoolV3 Repay belongs to, and what the pool burned and logged just before it,
// read from the transaction's receipt (Repay names the credit manager only). CreditFacadeV3 works on
// one credit account per call: a Repay is followed, before the next Repay, by that call's
// LiquidateCreditAccount / PartiallyLiquidateCreditAccount / CloseCreditAccount, or else belongs to
// the multicall opened by the last StartMultiCall before it (decreaseDebt).
import { Address, BigInt, ByteArray, Bytes, crypto, ethereum } from '@graphprotocol/graph-ts'
import { ZERO } from '../common/math'

const START_MULTICALL = crypto.keccak256(ByteArray.fromUTF8('StartMultiCall(address,address)'))
const LIQUIDATE = crypto.keccak256(ByteArray.fromUTF8('LiquidateCreditAccount(address,address,address,uint256)'))
const PARTIAL = crypto.keccak256(ByteArray.fromUTF8('PartiallyLiquidateCreditAccount(address,address,address,uint256,uint256,uint256)'))
const CLOSE = crypto.keccak256(ByteArray.fromUTF8('CloseCreditAccount(address,address)'))
export const REPAY_TOPIC = crypto.keccak256(ByteArray.fromUTF8('Repay(address,uint256,uint256,uint256)'))
const TRANSFER = crypto.keccak256(ByteArray.fromUTF8('Transfer(address,address,uint256)'))
const UNCOVERED = crypto.keccak256(ByteArray.fromUTF8('IncurUncoveredLoss(address,uint256)'))

export class RepayContext {
  creditAccount: Address | null = null
  /** block-level log index of the liquidation log that follows the Repay (-1: none) */
  liquidationLogIndex: i32 = -1
  /** treasury shares the pool burned in this repay (Transfer treasury -> 0 just before it) */
  burnedShares: BigInt = ZERO
  /** IncurUncoveredLoss.loss logged in this repay (0 if none) */
  uncoveredLoss: BigInt = ZERO
}

function topicIs(log: ethereum.Log, topic: ByteArray): boolean {
  return log.topics.length > 0 && log.topics[0].equals(topic)
}

function addressTopic(log: ethereum.Log, i: i32): Address {
  return Address.fromBytes(changetype<Bytes>(log.topics[i].subarray(12, 32)))
}

function sameAddress(a: Address, b: Bytes): boolean {
  return a.equals(b)
}

/** Reads the Repay's receipt: attribution to a credit account (via `facade`'s logs) and the loss logs of `pool`. */
export function readRepayContext(event: ethereum.Event, facade: Address | null, pool: Address, treasury: Bytes): RepayContext {
  const ctx = new RepayContext()
  const receipt = event.receipt
  if (receipt === null) return ctx
  const logs = receipt.logs
  let at = -1
  for (let i = 0; i < logs.length; i++) {
    if (logs[i].logIndex.equals(event.logIndex)) {
      at = i
      break
    }
  }
  if (at < 0) return ctx
  // The pool's own logs just before the Repay: IncurUncoveredLoss, then the treasury's burn.
  for (let i = at - 1; i >= 0; i--) {
    const l = logs[i]
    if (!sameAddress(pool, l.address)) continue
    if (topicIs(l, TRANSFER) && l.topics.length == 3 && addressTopic(l, 1).equals(treasury) && addressTopic(l, 2).equals(Address.zero())) {
      ctx.burnedShares = ethereum.decode('uint256', l.data)!.toBigInt()
      continue
    }
    if (topicIs(l, UNCOVERED)) {
      ctx.uncoveredLoss = ethereum.decode('uint256', l.data)!.toBigInt()
      continue
    }
    break
  }
  if (facade === null) return ctx
  // Forward: the facade call's closing log, before any further Repay of this pool.
  for (let i = at + 1; i < logs.length; i++) {
    const l = logs[i]
    if (sameAddress(pool, l.address) && topicIs(l, REPAY_TOPIC)) break
    if (!sameAddress(facade, l.address) || l.topics.length < 2) continue
    if (topicIs(l, LIQUIDATE) || topicIs(l, PARTIAL)) {
      ctx.creditAccount = addressTopic(l, 1)
      ctx.liquidationLogIndex = l.logIndex.toI32()
      return ctx
    }
    if (topicIs(l, CLOSE)) {
      ctx.creditAccount = addressTopic(l, 1)
      return ctx
    }
    if (topicIs(l, START_MULTICALL)) break
  }
  // Backward: the multicall this Repay ran in.
  for (let i = at - 1; i >= 0; i--) {
    const l = logs[i]
    if (sameAddress(facade, l.address) && topicIs(l, START_MULTICALL) && l.topics.length >= 2) {
      ctx.creditAccount = addressTopic(l, 1)
      return ctx
    }
  }
  return ctx
}

/** The pool's Repay logged before `event` in its receipt (for a liquidation): its data, or null. */
export function precedingRepay(event: ethereum.Event, pool: Address): ethereum.Log | null {
  const receipt = event.receipt
  if (receipt === null) return null
  const logs = receipt.logs
  let found: ethereum.Log | null = null
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]
    if (l.logIndex.ge(event.logIndex)) break
    if (sameAddress(pool, l.address) && topicIs(l, REPAY_TOPIC)) found = l
    // a previous liquidation by the same facade closes the window
    if (sameAddress(event.address, l.address) && (topicIs(l, LIQUIDATE) || topicIs(l, PARTIAL))) found = null
  }
  return found
}
