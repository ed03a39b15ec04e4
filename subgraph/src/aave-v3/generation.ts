// Which Aave V3 generation a Pool runs, as far as the mappings care: how its aToken and variable
// debt token events encode scaled-balance changes (tokens.ts) and whether it writes bad debt off.
//
// Why the Pool revision decides, and not something in the token events: the Mint/Burn/
// BalanceTransfer signatures are identical in v3.0 and v3.6 (IScaledBalanceToken, IAToken), and
// v3.5 changed only the rounding behind them. The rounding lives in the token implementations
// (TokenMath, used by ScaledBalanceTokenBase since v3.5), but a v3.5+ Pool calls the v3.5 token
// interface (burn(from, receiver, amount, scaledAmount, index), vToken mint(user, onBehalfOf,
// amount, scaledAmount, index)), which older tokens do not have, and every v3.5 upgrade payload
// swaps Pool and token implementations in one transaction: a working market's tokens are of its
// Pool's generation. The Pool's revision is one eth_call when the protocol is first seen and one
// per Upgraded event of the Pool proxy; token revisions would not do as well (the mainnet GHO
// variable debt token has its own numbering: 5 at v3.5, 6 at v3.6).
import { Address, ethereum, log } from '@graphprotocol/graph-ts'
import { Protocol } from '../../generated/schema'

/**
 * First POOL_REVISION with TokenMath rounding: aave-v3-origin tags v3.4.0 PoolInstance
 * POOL_REVISION = 8 (no TokenMath.sol), v3.5.0 = 9 (TokenMath.sol added), v3.6.0 = 10. The
 * Ethereum mainnet line before the origin repo (v3.0.x: 1..) stays below.
 */
export const POOL_REVISION_TOKEN_MATH = 9
/** First POOL_REVISION with reserve deficits (DeficitCreated/DeficitCovered): tag v3.3.0 = 7, v3.2.0 = 5. */
export const POOL_REVISION_DEFICIT = 7

export const HALF_UP = 'HALF_UP'
export const FLOOR_CEIL = 'FLOOR_CEIL'

/**
 * Pool.POOL_REVISION() at this block (a public constant in every Aave V3 Pool implementation).
 * Null when the call reverts. The calling data source must list the ABI named "AaveV3Pool".
 */
export function readPoolRevision(pool: Address): i32 {
  const r = ethereum.call(new ethereum.SmartContractCall('AaveV3Pool', pool, 'POOL_REVISION', 'POOL_REVISION():(uint256)', []))
  if (r == null) {
    log.warning('POOL_REVISION() reverted on {}; assuming Aave v3.0 (half-up) rounding', [pool.toHexString()])
    return -1
  }
  return r[0].toBigInt().toI32()
}

/** Sets protocol.revision and the rounding it implies (does not save). */
export function applyRevision(protocol: Protocol, revision: i32): void {
  if (revision < 0) protocol.unset('revision')
  else protocol.revision = revision
  protocol.scaledRounding = revision >= POOL_REVISION_TOKEN_MATH ? FLOOR_CEIL : HALF_UP
}

export function usesTokenMath(protocol: Protocol): boolean {
  const r = protocol.scaledRounding
  return r !== null && r == FLOOR_CEIL
}

/** Null revision (unreadable) reads as 0 through the generated getter: no deficits assumed. */
export function hasDeficits(protocol: Protocol): boolean {
  return protocol.revision >= POOL_REVISION_DEFICIT
}
