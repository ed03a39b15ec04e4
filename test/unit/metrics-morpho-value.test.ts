import { badDebtInLoan, collateralInLoan, impliedCollateralUsd, loanToBase } from '../../server/families/morpho-blue/value';
import { combinePricing, oraclePricing, unpriced } from '../../server/views/pricing';

// A WETH (18 decimals) / USDC (6 decimals) market: IOracle.price() quotes one wei of WETH in USDC
// units x 1e36, so 2,000 USDC per WETH is 2000 x 1e6 x 1e36 / 1e18 = 2e27.
const PRICE_2000 = 2n * 10n ** 27n;

describe('Morpho Blue valued by its own oracle', () => {
  it('collateral in loan units: collateral x price / 1e36, rounded down', () => {
    expect(collateralInLoan(15n * 10n ** 17n, PRICE_2000)).toBe(3_000n * 10n ** 6n); // 1.5 WETH = 3,000 USDC
    expect(collateralInLoan(1n, PRICE_2000)).toBe(0n); // 1 wei = 0.000000002 USDC -> 0
    expect(collateralInLoan(500_000_000n, PRICE_2000)).toBe(1n); // 5e8 wei x 2e27 / 1e36 = 1.0 exactly
  });

  it('bad debt in loan units: what the collateral cannot repay, never negative', () => {
    expect(badDebtInLoan(3_500n * 10n ** 6n, 15n * 10n ** 17n, PRICE_2000)).toBe(500n * 10n ** 6n);
    expect(badDebtInLoan(2_999n * 10n ** 6n, 15n * 10n ** 17n, PRICE_2000)).toBe(0n);
    expect(badDebtInLoan(7n, 0n, PRICE_2000)).toBe(7n); // no collateral: all of it
  });

  it('USD from loan units with the loan token price only', () => {
    expect(loanToBase(500n * 10n ** 6n, 10n ** 8n, 6)).toBe(500n * 10n ** 8n); // 500 USDC at $1.00 (8 decimals)
    expect(loanToBase(1n, 99_999_999n, 6)).toBe(99n); // 0.000001 x 0.99999999 = 0.00000099999999 -> 99e-8
    // 2e27 x 1e8 x 1e18 / (1e36 x 1e6) = 2e11: $2,000.00000000 per WETH
    expect(impliedCollateralUsd(PRICE_2000, 10n ** 8n, 6, 18)).toBe(2_000n * 10n ** 8n);
  });
});

describe('pricing labels', () => {
  it('one source stays itself, two become MIXED as of the oldest, unpriced markets are listed', () => {
    expect(combinePricing([oraclePricing(10), oraclePricing(10)])).toEqual({ source: 'ORACLE_CALL', asOfBlock: 10, unpricedMarkets: [] });
    expect(combinePricing([oraclePricing(10), { source: 'INDEXED_EVENTS', asOfBlock: 5, unpricedMarkets: [] }])).toEqual({ source: 'MIXED', asOfBlock: 5, unpricedMarkets: [] });
    expect(combinePricing([oraclePricing(10), unpriced('m1')])).toEqual({ source: 'ORACLE_CALL', asOfBlock: 10, unpricedMarkets: ['m1'] });
    expect(combinePricing([unpriced('m1'), unpriced('m2')])).toEqual({ source: 'NONE', asOfBlock: null, unpricedMarkets: ['m1', 'm2'] });
    expect(combinePricing([])).toEqual({ source: 'NONE', asOfBlock: null, unpricedMarkets: [] });
  });
});
