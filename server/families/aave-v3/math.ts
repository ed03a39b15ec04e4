/**
 * Aave V3 interest and balance math in bigint, with the protocol's own rounding. Pure functions only:
 * they turn the reserve state the subgraph indexed (indexes, rates, last update) into the figures the
 * contracts compute at a given block timestamp.
 */

/** WadRayMath.RAY / WAD / HALF_RAY (Aave WadRayMath.sol). */
export const RAY = 10n ** 27n;
export const WAD = 10n ** 18n;
const HALF_RAY = RAY / 2n;
/** MathUtils.SECONDS_PER_YEAR = 365 days. */
export const SECONDS_PER_YEAR = 365n * 24n * 3600n;
/** PercentageMath.PERCENTAGE_FACTOR: 1e4 = 100.00%. */
export const PERCENTAGE_FACTOR = 10_000n;
const HALF_PERCENTAGE_FACTOR = PERCENTAGE_FACTOR / 2n;

/** WadRayMath.rayMul: half-up rounding. */
export function rayMul(a: bigint, b: bigint): bigint {
  return (a * b + HALF_RAY) / RAY;
}

/** WadRayMath.rayDiv: half-up rounding. */
export function rayDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('rayDiv by zero');
  return (a * RAY + b / 2n) / b;
}

/** WadRayMath.wadDiv: half-up rounding. */
export function wadDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('wadDiv by zero');
  return (a * WAD + b / 2n) / b;
}

/** PercentageMath.percentMul: half-up rounding, percentage in basis points. */
export function percentMul(value: bigint, percentage: bigint): bigint {
  return (value * percentage + HALF_PERCENTAGE_FACTOR) / PERCENTAGE_FACTOR;
}

/** PercentageMath.percentDiv: half-up rounding. */
export function percentDiv(value: bigint, percentage: bigint): bigint {
  if (percentage === 0n) throw new RangeError('percentDiv by zero');
  return (value * PERCENTAGE_FACTOR + percentage / 2n) / percentage;
}

/** MathUtils.calculateLinearInterest (suppliers' income accrues linearly). */
export function linearInterest(rate: bigint, lastUpdateTimestamp: bigint, timestamp: bigint): bigint {
  return RAY + (rate * (timestamp - lastUpdateTimestamp)) / SECONDS_PER_YEAR;
}

/** MathUtils.calculateCompoundedInterest: the binomial approximation the protocol uses for debt. */
export function compoundedInterest(rate: bigint, lastUpdateTimestamp: bigint, timestamp: bigint): bigint {
  const exp = timestamp - lastUpdateTimestamp;
  if (exp === 0n) return RAY;
  const expMinusOne = exp - 1n;
  const expMinusTwo = exp > 2n ? exp - 2n : 0n;
  const basePowerTwo = rayMul(rate, rate) / (SECONDS_PER_YEAR * SECONDS_PER_YEAR);
  const basePowerThree = rayMul(basePowerTwo, rate) / SECONDS_PER_YEAR;
  const secondTerm = (exp * expMinusOne * basePowerTwo) / 2n;
  const thirdTerm = (exp * expMinusOne * expMinusTwo * basePowerThree) / 6n;
  return RAY + (rate * exp) / SECONDS_PER_YEAR + secondTerm + thirdTerm;
}

/** The reserve state ReserveDataUpdated leaves behind, as the subgraph stores it. */
export interface ReserveIndexes {
  liquidityIndex: bigint;
  variableBorrowIndex: bigint;
  liquidityRate: bigint;
  variableBorrowRate: bigint;
  lastUpdateTimestamp: bigint;
}

/** ReserveLogic.getNormalizedIncome at `timestamp`. */
export function normalizedIncome(r: ReserveIndexes, timestamp: bigint): bigint {
  if (r.lastUpdateTimestamp === timestamp) return r.liquidityIndex;
  return rayMul(linearInterest(r.liquidityRate, r.lastUpdateTimestamp, timestamp), r.liquidityIndex);
}

/** ReserveLogic.getNormalizedDebt at `timestamp`, with the generation's compounding formula. */
export function normalizedDebt(r: ReserveIndexes, timestamp: bigint, compound: typeof compoundedInterest = compoundedInterest): bigint {
  if (r.lastUpdateTimestamp === timestamp) return r.variableBorrowIndex;
  return rayMul(compound(r.variableBorrowRate, r.lastUpdateTimestamp, timestamp), r.variableBorrowIndex);
}

/** AToken.balanceOf / totalSupply: scaled amount x normalized income. */
export function aTokenBalance(scaled: bigint, r: ReserveIndexes, timestamp: bigint): bigint {
  return rayMul(scaled, normalizedIncome(r, timestamp));
}

/** VariableDebtToken.balanceOf / totalSupply: scaled amount x normalized debt. */
export function variableDebtBalance(scaled: bigint, r: ReserveIndexes, timestamp: bigint): bigint {
  return rayMul(scaled, normalizedDebt(r, timestamp));
}

/** WadRayMath.rayMulFloor (Aave v3.5+). */
export function rayMulFloor(a: bigint, b: bigint): bigint {
  return (a * b) / RAY;
}

/** WadRayMath.rayMulCeil (Aave v3.5+). */
export function rayMulCeil(a: bigint, b: bigint): bigint {
  const product = a * b;
  return product / RAY + (product % RAY === 0n ? 0n : 1n);
}

/** MathUtils.mulDivCeil (Aave v3.5+). */
export function mulDivCeil(a: bigint, b: bigint, c: bigint): bigint {
  if (c === 0n) throw new RangeError('mulDivCeil by zero');
  const product = a * b;
  return product / c + (product % c === 0n ? 0n : 1n);
}

/**
 * MathUtils.calculateCompoundedInterest of aave-v3-origin v3.6: a third-order Taylor expansion in
 * x = rate * dt / year, computed as RAY + x + x.rayMul(x/2 + x.rayMul(x/6)).
 */
export function compoundedInterestV36(rate: bigint, lastUpdateTimestamp: bigint, timestamp: bigint): bigint {
  const exp = timestamp - lastUpdateTimestamp;
  if (exp === 0n) return RAY;
  const x = (rate * exp) / SECONDS_PER_YEAR;
  return RAY + x + rayMul(x, x / 2n + rayMul(x, x / 6n));
}
