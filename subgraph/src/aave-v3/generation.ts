// Which Aave V3 generation a Pool and each of its tokens run, as far as the mappings care: how the
// aToken and variable debt token events encode scaled-balance changes (tokens.ts) and whether the
// Pool writes bad debt off.
//
// Why revisions decide, and not something in the token events: the Mint/Burn/BalanceTransfer
// signatures are identical in v3.0 and v3.6 (IScaledBalanceToken, IAToken), and v3.5 changed only the
// rounding behind them. The rounding lives in the token implementations (TokenMath, used by
// ScaledBalanceTokenBase since v3.5), and a v3.5+ Pool calls the v3.5 token interface
// (burn(from, receiver, amount, scaledAmount, index), vToken mint(user, onBehalfOf, amount,
// scaledAmount, index)), which older tokens do not have. Upgrade payloads switch the Pool and the
// tokens in separate calls, though, so each token's generation is tracked too (its revision
// constant, read at listing and at its proxy's Upgraded) and decides its own Mint/Burn math
// (tokenRounding below). The Pool's revision is one eth_call when the protocol is first seen and one
// per Upgraded event of the Pool proxy.
import { Address, ethereum, log } from '@graphprotocol/graph-ts'
import { AavePool, AaveReserve } from '../../generated/schema'

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

/** Sets the Pool's revision and the rounding it implies (does not save). */
export function applyRevision(pool: AavePool, revision: i32): void {
  if (revision < 0) pool.unset('revision')
  else pool.revision = revision
  pool.scaledRounding = revision >= POOL_REVISION_TOKEN_MATH ? FLOOR_CEIL : HALF_UP
}

export function usesTokenMath(pool: AavePool): boolean {
  return pool.scaledRounding == FLOOR_CEIL
}

/** Null revision (unreadable) reads as 0 through the generated getter: no deficits assumed. */
export function hasDeficits(pool: AavePool): boolean {
  return pool.revision >= POOL_REVISION_DEFICIT
}

// ------------------------------------------------------------------------------------------------
// Per token. The Pool and its tokens are upgraded by separate calls (devnet/aave-v36/upgrade.ts;
// mainnet payloads can land between them), so for a while a v3.5+ Pool can drive v3.4 tokens whose
// Mint/Burn still round half up: each token's own implementation decides its Mint/Burn math.
// ------------------------------------------------------------------------------------------------

/**
 * First aToken / variable debt token revision with TokenMath rounding. aave-v3-origin tags:
 * ATokenInstance.ATOKEN_REVISION and VariableDebtTokenInstance.DEBT_TOKEN_REVISION are 1 at
 * v3.1.0-v3.3.0, 3 at v3.4.0, 4 at v3.5.0 (TokenMath.sol added) and 5 at v3.6.0; @aave/core-v3
 * (v3.0.x) has 1. The mainnet GHO debt token (VariableDebtTokenMainnetInstanceGHO) is 5 at v3.5.0 and
 * 6 at v3.6.0 and was 4 or more before; see tokenRounding for why that does not misclassify it.
 */
export const TOKEN_REVISION_TOKEN_MATH = 4

/**
 * The token implementation's revision constant, read through the proxy at this block
 * (ATOKEN_REVISION() / DEBT_TOKEN_REVISION(), public in every Aave V3 token). -1 when it reverts.
 * The calling data source must list "AaveV3AToken" (aToken) or "AaveV3VariableDebtToken" (debt).
 */
export function readTokenRevision(token: Address, debt: boolean): i32 {
  const call = debt
    ? new ethereum.SmartContractCall('AaveV3VariableDebtToken', token, 'DEBT_TOKEN_REVISION', 'DEBT_TOKEN_REVISION():(uint256)', [])
    : new ethereum.SmartContractCall('AaveV3AToken', token, 'ATOKEN_REVISION', 'ATOKEN_REVISION():(uint256)', [])
  const r = ethereum.call(call)
  if (r == null) {
    log.warning('token revision unreadable on {}; its rounding follows the Pool', [token.toHexString()])
    return -1
  }
  return r[0].toBigInt().toI32()
}

/**
 * The rounding a token's Mint/Burn follow: FLOOR_CEIL only when the token implementation is v3.5+
 * (revision >= 4) and so is the Pool (POOL_REVISION >= 9). The Pool condition is not redundant: a
 * v3.5+ token under a v3.4 Pool cannot happen for the standard tokens (the v3.4 Pool calls burn /
 * vToken mint signatures v3.5 tokens no longer have), but it keeps the GHO debt token (its own
 * numbering, already >= 4 before v3.5) half up until the Pool is v3.5 too; and a v3.5 Pool calls
 * the v3.5 debt token interface, which an older GHO debt token does not have, so no Mint/Burn of it
 * can happen in between. Unknown revision: the Pool decides (the rule before per-token tracking).
 */
export function tokenRounding(pool: AavePool, tokenRevision: i32): string {
  if (!usesTokenMath(pool)) return HALF_UP
  if (tokenRevision <= 0) return FLOOR_CEIL
  return tokenRevision >= TOKEN_REVISION_TOKEN_MATH ? FLOOR_CEIL : HALF_UP
}

/** Recomputes the reserve's two token roundings from the stored revisions and the Pool (does not save). */
export function applyTokenRoundings(reserve: AaveReserve, pool: AavePool): void {
  reserve.supplyTokenRounding = tokenRounding(pool, reserve.supplyTokenRevision)
  reserve.debtTokenRounding = tokenRounding(pool, reserve.debtTokenRevision)
}

/** Sets a token's revision (-1 = unreadable: unset) and recomputes the roundings (does not save). */
export function applyTokenRevision(reserve: AaveReserve, pool: AavePool, debt: boolean, revision: i32): void {
  if (debt) {
    if (revision < 0) reserve.unset('debtTokenRevision')
    else reserve.debtTokenRevision = revision
  } else {
    if (revision < 0) reserve.unset('supplyTokenRevision')
    else reserve.supplyTokenRevision = revision
  }
  applyTokenRoundings(reserve, pool)
}
