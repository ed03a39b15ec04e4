import { aaveAccountFigures, type AaveEModeCategoryState, type AaveReserveState } from '../../server/families/aave-v3/account';
import { RAY, SECONDS_PER_YEAR, compoundedInterestV36, mulDivCeil, rayMulCeil, rayMulFloor } from '../../server/families/aave-v3/math';
import { AAVE_V30_RULES, AAVE_V36_RULES, aaveRulesFor, tokenBalanceRules } from '../../server/families/aave-v3/rules';

// Expected values derived by hand from aave-v3-origin v3.6 (WadRayMath, MathUtils, TokenMath, GenericLogic).
const T = 1_800_000_000n;
const E8 = 10n ** 8n;
const E18 = 10n ** 18n;

describe('v3.6 rounding primitives', () => {
  it('floor, ceil and mulDivCeil', () => {
    expect(rayMulFloor(3n, RAY / 2n)).toBe(1n); // 1.5 -> 1
    expect(rayMulCeil(3n, RAY / 2n)).toBe(2n); // 1.5 -> 2
    expect(rayMulCeil(2n, RAY / 2n)).toBe(1n); // exact stays
    expect(mulDivCeil(7n, 3n, 2n)).toBe(11n); // 10.5 -> 11
    expect(mulDivCeil(6n, 3n, 2n)).toBe(9n);
  });

  it('compounded interest: RAY + x + x*(x/2 + x*x/6) with x = rate*dt/year', () => {
    const rate = RAY / 10n;
    expect(compoundedInterestV36(rate, 5n, 5n)).toBe(RAY);
    const x = rate; // a full year: x = rate
    const half = (a: bigint, b: bigint) => (a * b + RAY / 2n) / RAY; // rayMul
    expect(compoundedInterestV36(rate, 0n, SECONDS_PER_YEAR)).toBe(RAY + x + half(x, x / 2n + half(x, x / 6n)));
  });

  it('picks the rules from the rounding the subgraph detected', () => {
    expect(aaveRulesFor('FLOOR_CEIL')).toBe(AAVE_V36_RULES);
    expect(aaveRulesFor('HALF_UP')).toBe(AAVE_V30_RULES);
    expect(aaveRulesFor(null)).toBe(AAVE_V30_RULES);
  });

  it("token balances round as each token implementation does, the Pool's rules where unknown", () => {
    const i15 = (15n * RAY) / 10n; // 3 scaled x 1.5 = 4.5 units
    const i14 = (14n * RAY) / 10n; // 3 scaled x 1.4 = 4.2 units
    // mid-upgrade: v3.6 Pool, aToken still v3.0 (half-up: 4.5 -> 5), debt token unknown -> the Pool's ceil (4.2 -> 5)
    const mid = tokenBalanceRules(AAVE_V36_RULES, 'HALF_UP', null);
    expect(mid.aTokenBalance(3n, i15)).toBe(5n);
    expect(AAVE_V36_RULES.aTokenBalance(3n, i15)).toBe(4n); // what the Pool's own rounding would give
    expect(mid.debtBalance(3n, i14)).toBe(5n);
    // both tokens upgraded under a v3.6 Pool: floor 4.5 -> 4, ceil 4.2 -> 5; both v3.0: half-up 5 and 4
    expect(tokenBalanceRules(AAVE_V36_RULES, 'FLOOR_CEIL', 'FLOOR_CEIL').aTokenBalance(3n, i15)).toBe(4n);
    expect(tokenBalanceRules(AAVE_V30_RULES, 'HALF_UP', 'HALF_UP').debtBalance(3n, i14)).toBe(4n);
  });

  it('v3.4 (POOL_REVISION 8) keeps half-up balances but compounds with the v3.6 formula', () => {
    expect(aaveRulesFor('HALF_UP', 7)).toBe(AAVE_V30_RULES); // v3.3
    const v34 = aaveRulesFor('HALF_UP', 8);
    expect(v34.name).toBe('v3.4');
    expect(v34.aTokenBalance).toBe(AAVE_V30_RULES.aTokenBalance);
    expect(v34.healthFactor).toBe(AAVE_V30_RULES.healthFactor);
    // a year at 10%: the binomial gives RAY + x + x^2/2 + x^3/6 in its own roundings, v3.4 x + x(x/2 + x^2/6)
    const rate = RAY / 10n;
    const half = (a: bigint, b: bigint) => (a * b + RAY / 2n) / RAY;
    expect(v34.compoundedInterest(rate, 0n, SECONDS_PER_YEAR)).toBe(RAY + rate + half(rate, rate / 2n + half(rate, rate / 6n)));
    expect(v34.compoundedInterest(rate, 0n, SECONDS_PER_YEAR)).not.toBe(AAVE_V30_RULES.compoundedInterest(rate, 0n, SECONDS_PER_YEAR));
    expect(aaveRulesFor('FLOOR_CEIL', 10)).toBe(AAVE_V36_RULES);
  });
});

describe('GenericLogic.calculateUserAccountData, v3.6 rules', () => {
  const reserve = (id: string, decimals: number, price: bigint, ltv: bigint, lt: bigint): AaveReserveState => ({
    id, asset: id, decimals, ltv, liquidationThreshold: lt, eModeCategoryId: 0, price,
    liquidityIndex: RAY, variableBorrowIndex: RAY, liquidityRate: 0n, variableBorrowRate: 0n, lastUpdateTimestamp: T,
  });
  const weth = reserve('weth', 18, 2_000n * E8, 8000n, 8250n);
  const usdc = reserve('usdc', 6, 99_999_999n, 7700n, 8000n); // price slightly under $1 makes rounding visible
  const frozen = reserve('frozen', 18, 1n * E8, 0n, 0n); // LT 0, flagged as collateral
  const reserves = new Map([weth, usdc, frozen].map((r) => [r.id, r]));
  const prices = new Map([...reserves.values()].map((r) => [r.asset, r.price!]));
  const stables: AaveEModeCategoryState = { id: 1, ltv: 9000n, liquidationThreshold: 9300n, priceSourceAsset: null, collateralMarkets: new Set(['usdc']), ltvZeroMarkets: new Set() };

  it('rounds debt value up and divides the un-averaged threshold sum for the health factor', () => {
    const f = aaveAccountFigures(
      { address: '0x1', eModeCategoryId: 0, positions: [{ marketId: 'weth', scaledSupply: E18, scaledVariableDebt: 0n, collateralEnabled: true }, { marketId: 'usdc', scaledSupply: 0n, scaledVariableDebt: 1_000_000_001n, collateralEnabled: false }] },
      reserves, new Map(), prices, T, AAVE_V36_RULES,
    );
    // debt: 1_000_000_001 * 99_999_999 = 99_999_999_099_999_999; / 1e6 = 99_999_999_099.999999, ceil -> 99_999_999_100
    expect(f.totalDebtBase).toBe(99_999_999_100n);
    expect(f.totalCollateralBase).toBe(2_000n * E8);
    // HF = wadDiv(2000e8 * 8250, debt) / 1e4
    const weighted = 2_000n * E8 * 8250n;
    expect(f.healthFactor).toBe((weighted * E18 + 99_999_999_100n / 2n) / 99_999_999_100n / 10_000n);
  });

  it('counts a collateral-flagged asset even with threshold 0 (v3.0 would not)', () => {
    const a = { address: '0x1', eModeCategoryId: 0, positions: [{ marketId: 'frozen', scaledSupply: E18, scaledVariableDebt: 0n, collateralEnabled: true }] };
    expect(aaveAccountFigures(a, reserves, new Map(), prices, T, AAVE_V36_RULES).totalCollateralBase).toBe(E8);
    expect(aaveAccountFigures(a, reserves, new Map(), prices, T, AAVE_V30_RULES).totalCollateralBase).toBe(0n);
  });

  it('gives e-mode collateral the category LTV unless the category marks it ltv-zero', () => {
    const a = { address: '0x1', eModeCategoryId: 1, positions: [{ marketId: 'usdc', scaledSupply: 1_000_000n, scaledVariableDebt: 0n, collateralEnabled: true }] };
    const normal = aaveAccountFigures(a, reserves, new Map([[1, stables]]), prices, T, AAVE_V36_RULES);
    expect(normal.ltv).toBe(9000n);
    expect(normal.liquidationThreshold).toBe(9300n);
    const zero = aaveAccountFigures(a, reserves, new Map([[1, { ...stables, ltvZeroMarkets: new Set(['usdc']) }]]), prices, T, AAVE_V36_RULES);
    expect(zero.ltv).toBe(0n);
    expect(zero.liquidationThreshold).toBe(9300n); // the threshold still applies
  });
});
