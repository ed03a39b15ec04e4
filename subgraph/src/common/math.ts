// Fixed-point helpers reproducing Aave's integer math bit for bit (BigInt, no floats).
import { BigInt, Bytes } from '@graphprotocol/graph-ts'

/**
 * A non-negative BigInt from big-endian hex digits, computed in wasm. Module-level constants are
 * computed at the start of every handler call (graph-node instantiates the module per trigger), and
 * BigInt.fromString would make that a host call each time.
 */
export function bigIntFromHex(hex: string): BigInt {
  return BigInt.fromUnsignedBytes(changetype<Bytes>(Bytes.fromHexString(hex).reverse()))
}

// Aave WadRayMath: RAY = 1e27, HALF_RAY = 0.5e27
export const RAY = bigIntFromHex('0x033b2e3c9fd0803ce8000000')
export const HALF_RAY = bigIntFromHex('0x019d971e4fe8401e74000000')
// Aave PercentageMath: PERCENTAGE_FACTOR = 1e4 (bps), HALF_PERCENTAGE_FACTOR = 0.5e4
export const PERCENTAGE_FACTOR = BigInt.fromI32(10000)
export const HALF_PERCENTAGE_FACTOR = BigInt.fromI32(5000)
export const ZERO = BigInt.zero()
export const ONE = BigInt.fromI32(1)
// MathUtils.SECONDS_PER_YEAR = 365 days
export const SECONDS_PER_YEAR = BigInt.fromI32(365 * 24 * 3600)

/** Aave WadRayMath.rayMul: (a * b + HALF_RAY) / RAY, rounding half up. */
export function rayMul(a: BigInt, b: BigInt): BigInt {
  return a.times(b).plus(HALF_RAY).div(RAY)
}

/** Aave WadRayMath.rayDiv: (a * RAY + b / 2) / b, rounding half up. */
export function rayDiv(a: BigInt, b: BigInt): BigInt {
  return a.times(RAY).plus(b.div(BigInt.fromI32(2))).div(b)
}

/** Aave PercentageMath.percentMul: (value * percentage + HALF_PERCENTAGE_FACTOR) / PERCENTAGE_FACTOR. */
export function percentMul(value: BigInt, percentage: BigInt): BigInt {
  return value.times(percentage).plus(HALF_PERCENTAGE_FACTOR).div(PERCENTAGE_FACTOR)
}

// Aave v3.5+ WadRayMath directed rounding (aave-v3-origin@3.6.0
// src/contracts/protocol/libraries/math/WadRayMath.sol). All operands are non-negative here, so
// BigInt division (truncation toward zero) is the floor.

/** WadRayMath.rayMulFloor: a * b / RAY, rounded down. */
export function rayMulFloor(a: BigInt, b: BigInt): BigInt {
  return a.times(b).div(RAY)
}

/** WadRayMath.rayMulCeil: a * b / RAY, rounded up. */
export function rayMulCeil(a: BigInt, b: BigInt): BigInt {
  const p = a.times(b)
  const q = p.div(RAY)
  return p.mod(RAY).isZero() ? q : q.plus(ONE)
}

/** WadRayMath.rayDivFloor: a * RAY / b, rounded down. */
export function rayDivFloor(a: BigInt, b: BigInt): BigInt {
  return a.times(RAY).div(b)
}

/** WadRayMath.rayDivCeil: a * RAY / b, rounded up. */
export function rayDivCeil(a: BigInt, b: BigInt): BigInt {
  const p = a.times(RAY)
  const q = p.div(b)
  return p.mod(b).isZero() ? q : q.plus(ONE)
}
