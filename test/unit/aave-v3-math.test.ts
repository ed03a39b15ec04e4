import {
  RAY,
  SECONDS_PER_YEAR,
  compoundedInterest,
  linearInterest,
  normalizedDebt,
  normalizedIncome,
  percentDiv,
  percentMul,
  rayDiv,
  rayMul,
} from '../../server/families/aave-v3/math';

// Expected values below are derived by hand from the Solidity formulas, not taken from this code.
describe('WadRayMath / PercentageMath rounding', () => {
  it('rounds half up like the assembly implementations', () => {
    expect(rayMul(1n, RAY / 2n)).toBe(1n); // 0.5 rounds up
    expect(rayMul(1n, RAY / 2n - 1n)).toBe(0n);
    expect(rayDiv(1n, 2n * RAY)).toBe(1n); // 0.5 -> 1
    expect(rayDiv(1n, 3n * RAY)).toBe(0n);
    expect(rayDiv(10n, 4n)).toBe((10n * RAY + 2n) / 4n);
    expect(percentMul(10_001n, 5_000n)).toBe(5_001n); // 5000.5 -> 5001
    expect(percentDiv(1n, 20_000n)).toBe(1n); // 0.5 -> 1
  });

  it('refuses division by zero instead of returning a number', () => {
    expect(() => rayDiv(1n, 0n)).toThrow(RangeError);
    expect(() => percentDiv(1n, 0n)).toThrow(RangeError);
  });
});

describe('MathUtils interest', () => {
  const rate = RAY / 10n; // 10% a year

  it('linear interest over a full year is exactly 1 + rate', () => {
    expect(linearInterest(rate, 0n, SECONDS_PER_YEAR)).toBe(RAY + rate);
  });

  it('compounded interest is RAY at exp=0 and rate/SPY (truncated) at exp=1', () => {
    expect(compoundedInterest(rate, 100n, 100n)).toBe(RAY);
    // exp=1: the second and third terms carry (exp-1)=0
    expect(compoundedInterest(rate, 100n, 101n)).toBe(RAY + rate / SECONDS_PER_YEAR);
  });

  it('compounded interest over a year follows the three-term binomial expansion', () => {
    const exp = SECONDS_PER_YEAR;
    const b2 = (rate * rate + RAY / 2n) / RAY / (SECONDS_PER_YEAR * SECONDS_PER_YEAR);
    const b3 = (b2 * rate + RAY / 2n) / RAY / SECONDS_PER_YEAR;
    const expected = RAY + rate + (exp * (exp - 1n) * b2) / 2n + (exp * (exp - 1n) * (exp - 2n) * b3) / 6n;
    expect(compoundedInterest(rate, 0n, exp)).toBe(expected);
    // about e^0.1 - 1 = 10.517%: above simple interest, below continuous compounding
    expect(compoundedInterest(rate, 0n, exp)).toBeGreaterThan(RAY + rate);
    expect(compoundedInterest(rate, 0n, exp)).toBeLessThan((RAY * 110_518n) / 100_000n);
  });

  it('normalized income and debt return the stored index when nothing elapsed', () => {
    const reserve = {
      liquidityIndex: RAY + 123n,
      variableBorrowIndex: RAY + 456n,
      liquidityRate: rate,
      variableBorrowRate: rate,
      lastUpdateTimestamp: 1_000n,
    };
    expect(normalizedIncome(reserve, 1_000n)).toBe(RAY + 123n);
    expect(normalizedDebt(reserve, 1_000n)).toBe(RAY + 456n);
    expect(normalizedIncome(reserve, 1_000n + SECONDS_PER_YEAR)).toBe(rayMul(RAY + rate, RAY + 123n));
  });
});
