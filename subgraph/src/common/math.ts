// Fixed-point helpers reproducing Aave's integer math bit for bit (BigInt, no floats).
import { BigInt } from '@graphprotocol/graph-ts'

// Aave WadRayMath: RAY = 1e27, HALF_RAY = 0.5e27
export const RAY = BigInt.fromString('1000000000000000000000000000')
export const HALF_RAY = BigInt.fromString('500000000000000000000000000')
// Aave PercentageMath: PERCENTAGE_FACTOR = 1e4 (bps), HALF_PERCENTAGE_FACTOR = 0.5e4
export const PERCENTAGE_FACTOR = BigInt.fromI32(10000)
export const HALF_PERCENTAGE_FACTOR = BigInt.fromI32(5000)
export const ZERO = BigInt.zero()
export const ONE = BigInt.fromI32(1)

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
