import {
  HEALTH_FACTOR_LIQUIDATION_THRESHOLD,
  aaveAccountFigures,
  type AaveAccountState,
  type AaveEModeCategoryState,
  type AavePositionState,
  type AaveReserveState,
} from '../../server/families/aave-v3/account';
import { RAY, SECONDS_PER_YEAR } from '../../server/families/aave-v3/math';
import { MetricError } from '../../server/metrics/errors';

// Every expected value is worked out by hand from GenericLogic.calculateUserAccountData (v3.0.x):
//   balanceBase = rayMul(scaled, normalizedIncome) * price / 10^decimals          (truncated)
//   debtBase    = rayMul(scaledDebt, normalizedDebt) * price / 10^decimals        (truncated)
//   avgLtv      = sum(balanceBase * ltv [0 if the asset's ltv is 0]) / totalCollateral
//   avgLT       = sum(balanceBase * LT) / totalCollateral           (e-mode LT/LTV for member assets)
//   HF          = wadDiv(percentMul(totalCollateral, avgLT), totalDebt); uint max (null) without debt
// Indexes are RAY and lastUpdateTimestamp = T unless a test says otherwise, so balance = scaled.
const T = 1_800_000_000n;
const E18 = 10n ** 18n;
const E8 = 10n ** 8n;
const E6 = 10n ** 6n;

function reserve(id: string, decimals: number, price: bigint | null, ltv: bigint, lt: bigint, eModeCategoryId = 0): AaveReserveState {
  return {
    id, asset: `asset-${id}`, decimals, ltv, liquidationThreshold: lt, eModeCategoryId, price,
    liquidityIndex: RAY, variableBorrowIndex: RAY, liquidityRate: 0n, variableBorrowRate: 0n, lastUpdateTimestamp: T,
  };
}

const WETH = reserve('weth', 18, 2_000n * E8, 8000n, 8250n);
const WBTC = reserve('wbtc', 8, 30_000n * E8, 7000n, 7500n);
const USDC = reserve('usdc', 6, 1n * E8, 7700n, 8000n, 1);
const DAI = reserve('dai', 18, 1n * E8, 7500n, 8000n, 1);
const ISO = reserve('iso', 18, 5n * E8, 5000n, 6500n);
const NOCOLL = reserve('nocoll', 18, 10n * E8, 0n, 0n); // cannot be collateral (LT 0)
const ZEROLTV = reserve('zeroltv', 18, 1n * E8, 0n, 7000n, 1); // LT > 0 but LTV 0, member of e-mode 1
const reserves = new Map([WETH, WBTC, USDC, DAI, ISO, NOCOLL, ZEROLTV].map((r) => [r.id, r]));
// v3.0 semantics: the members of category 1 are the reserves whose eModeCategoryId is 1.
const members = new Set([...reserves.values()].filter((r) => r.eModeCategoryId === 1).map((r) => r.id));
const STABLES: AaveEModeCategoryState = { id: 1, ltv: 9700n, liquidationThreshold: 9750n, priceSourceAsset: null, collateralMarkets: members, ltvZeroMarkets: new Set() };
const eModes = new Map([[1, STABLES]]);
const prices = new Map([...reserves.values()].map((r) => [r.asset, r.price!]));

const pos = (marketId: string, scaledSupply: bigint, scaledVariableDebt: bigint, collateralEnabled = scaledSupply > 0n): AavePositionState => ({
  marketId, scaledSupply, scaledVariableDebt, collateralEnabled,
});
const account = (positions: AavePositionState[], eModeCategoryId = 0): AaveAccountState => ({ address: '0xabc', eModeCategoryId, positions });
const figures = (a: AaveAccountState, opts: { reserves?: Map<string, AaveReserveState>; eModes?: Map<number, AaveEModeCategoryState>; prices?: Map<string, bigint>; timestamp?: bigint } = {}) =>
  aaveAccountFigures(a, opts.reserves ?? reserves, opts.eModes ?? eModes, opts.prices ?? prices, opts.timestamp ?? T);

describe('aaveAccountFigures: totals and health factor', () => {
  it('one collateral, one debt', () => {
    // 1 WETH supplied, 1000 USDC borrowed
    const f = figures(account([pos('weth', E18, 0n), pos('usdc', 0n, 1_000n * E6)]));
    expect(f.totalCollateralBase).toBe(2_000n * E8); // 1e18 * 2000e8 / 1e18
    expect(f.totalDebtBase).toBe(1_000n * E8); // 1000e6 * 1e8 / 1e6
    expect(f.totalSuppliedBase).toBe(2_000n * E8);
    expect(f.ltv).toBe(8000n);
    expect(f.liquidationThreshold).toBe(8250n);
    // percentMul(2000e8, 8250) = 1650e8; wadDiv(1650e8, 1000e8) = 1.65
    expect(f.healthFactor).toBe(1_650_000_000_000_000_000n);
  });

  it('weights LTV and threshold by collateral value, truncating the averages', () => {
    // 1 WETH (2000e8, LT 8250, LTV 8000) + 1000 DAI (1000e8, LT 8000, LTV 7500); borrow 1000 USDC
    const f = figures(account([pos('weth', E18, 0n), pos('dai', 1_000n * E18, 0n), pos('usdc', 0n, 1_000n * E6)]));
    expect(f.totalCollateralBase).toBe(3_000n * E8);
    // (2000*8250 + 1000*8000) / 3000 = 24_500_000 / 3000 = 8166.67 -> 8166
    expect(f.liquidationThreshold).toBe(8166n);
    // (2000*8000 + 1000*7500) / 3000 = 23_500_000 / 3000 = 7833.33 -> 7833
    expect(f.ltv).toBe(7833n);
    // percentMul(3000e8, 8166) = 2449.8e8 exactly; / 1000e8 = 2.4498
    expect(f.healthFactor).toBe(2_449_800_000_000_000_000n);
  });

  it('no debt: health factor null (contract: uint256 max), figures still computed', () => {
    const f = figures(account([pos('weth', 2n * E18, 0n)]));
    expect(f.healthFactor).toBeNull();
    expect(f.totalDebtBase).toBe(0n);
    expect(f.totalCollateralBase).toBe(4_000n * E8);
    expect(f.liquidationThreshold).toBe(8250n);
  });

  it('empty account: zeros and null health factor', () => {
    const f = figures(account([]));
    expect(f).toEqual({ totalCollateralBase: 0n, totalDebtBase: 0n, totalSuppliedBase: 0n, ltv: 0n, liquidationThreshold: 0n, healthFactor: null, positions: [] });
  });

  it('zero collateral with debt: health factor 0, averages 0', () => {
    // supplied DAI with the collateral flag off, borrowed WETH
    const f = figures(account([pos('dai', 500n * E18, 0n, false), pos('weth', 0n, E18)]));
    expect(f.totalCollateralBase).toBe(0n);
    expect(f.totalSuppliedBase).toBe(500n * E8);
    expect(f.totalDebtBase).toBe(2_000n * E8);
    expect(f.ltv).toBe(0n);
    expect(f.liquidationThreshold).toBe(0n);
    expect(f.healthFactor).toBe(0n); // wadDiv(percentMul(0, 0), 2000e8) = 0
  });

  it('rounds the health factor half up in percentMul and wadDiv', () => {
    // collateral 3 base units of a LT-8333 asset (3 wei at price 1 per wei: decimals 0), debt 3 units
    const tiny = reserve('tiny', 0, 1n, 8000n, 8333n);
    const rs = new Map([['tiny', tiny]]);
    const f = figures(account([pos('tiny', 3n, 3n)]), { reserves: rs, prices: new Map() });
    // percentMul(3, 8333) = (24999 + 5000) / 10000 = 2 ; wadDiv(2, 3) = (2e18 + 1) / 3 = 666...667
    expect(f.healthFactor).toBe(666_666_666_666_666_667n);
    expect(HEALTH_FACTOR_LIQUIDATION_THRESHOLD).toBe(E18);
  });
});

describe('aaveAccountFigures: collateral eligibility', () => {
  it('isolation mode: only the isolated asset is collateral, the rest is still supplied', () => {
    // 1000 ISO (collateral, 5000e8) + 1 WETH with the flag off (as the Pool forces in isolation), 1000 USDC debt
    const f = figures(account([pos('iso', 1_000n * E18, 0n, true), pos('weth', E18, 0n, false), pos('usdc', 0n, 1_000n * E6)]));
    expect(f.totalCollateralBase).toBe(5_000n * E8);
    expect(f.totalSuppliedBase).toBe(7_000n * E8); // 5000e8 + 2000e8
    expect(f.liquidationThreshold).toBe(6500n);
    expect(f.ltv).toBe(5000n);
    // percentMul(5000e8, 6500) = 3250e8; / 1000e8 = 3.25
    expect(f.healthFactor).toBe(3_250_000_000_000_000_000n);
    expect(f.positions.map((p) => [p.marketId, p.isCollateral])).toEqual([['iso', true], ['weth', false], ['usdc', false]]);
  });

  it('an asset with liquidation threshold 0 is not collateral even with the flag on', () => {
    const f = figures(account([pos('nocoll', 100n * E18, 0n, true), pos('weth', E18, 0n), pos('dai', 0n, 500n * E18)]));
    expect(f.totalSuppliedBase).toBe(3_000n * E8); // 100 * 10e8 + 2000e8
    expect(f.totalCollateralBase).toBe(2_000n * E8);
    expect(f.liquidationThreshold).toBe(8250n); // NOCOLL carries no weight
    expect(f.positions.find((p) => p.marketId === 'nocoll')!.isCollateral).toBe(false);
  });

  it('collateral flag on with a zero balance adds nothing, and an empty position is skipped', () => {
    const f = figures(account([pos('weth', E18, 0n), pos('dai', 0n, 100n * E18, true), pos('wbtc', 0n, 0n, true)]));
    expect(f.positions.map((p) => p.marketId)).toEqual(['weth', 'dai']);
    expect(f.totalCollateralBase).toBe(2_000n * E8);
    expect(f.liquidationThreshold).toBe(8250n); // 0-value DAI collateral does not dilute the average
    // percentMul(2000e8, 8250) = 1650e8; / 100e8 = 16.5
    expect(f.healthFactor).toBe(16_500_000_000_000_000_000n);
  });

  it('dust: amount * price / 10^decimals truncates to 0 base units', () => {
    // 1 wei of DAI: 1 * 1e8 / 1e18 = 0 ; 999_999_999_999 wei: 99.9999999999 -> 99
    expect(figures(account([pos('dai', 1n, 0n)])).totalCollateralBase).toBe(0n);
    expect(figures(account([pos('dai', 999_999_999_999n, 0n)])).totalCollateralBase).toBe(99n);
    // 1 satoshi of WBTC: 1 * 30000e8 / 1e8 = 30000 base units; 1 micro-USDC: 1e8 / 1e6 = 100
    expect(figures(account([pos('wbtc', 1n, 0n)])).totalCollateralBase).toBe(30_000n);
    expect(figures(account([pos('usdc', 1n, 0n)])).totalCollateralBase).toBe(100n);
    // 1 wei of DAI debt is worth 0: the contract reports no debt (HF max) although the account owes it
    const f = figures(account([pos('weth', E18, 0n), pos('dai', 0n, 1n)]));
    expect(f.totalDebtBase).toBe(0n);
    expect(f.healthFactor).toBeNull();
    expect(f.positions.find((p) => p.marketId === 'dai')!.borrowed).toBe(1n);
  });
});

describe('aaveAccountFigures: e-mode', () => {
  const positions = [pos('usdc', 1_000n * E6, 0n), pos('weth', E18, 0n), pos('dai', 0n, 500n * E18)];

  it('the category LTV/threshold apply to member assets only', () => {
    const f = figures(account(positions, 1));
    expect(f.totalCollateralBase).toBe(3_000n * E8); // 1000e8 (USDC) + 2000e8 (WETH)
    // (1000*9750 [USDC, e-mode] + 2000*8250 [WETH, own]) / 3000 = 26_250_000 / 3000 = 8750
    expect(f.liquidationThreshold).toBe(8750n);
    // (1000*9700 + 2000*8000) / 3000 = 25_700_000 / 3000 = 8566.67 -> 8566
    expect(f.ltv).toBe(8566n);
    // percentMul(3000e8, 8750) = 2625e8; / 500e8 = 5.25
    expect(f.healthFactor).toBe(5_250_000_000_000_000_000n);
  });

  it('without e-mode the same positions use each asset\'s own parameters', () => {
    const f = figures(account(positions, 0));
    // (1000*8000 + 2000*8250) / 3000 = 24_500_000 / 3000 = 8166
    expect(f.liquidationThreshold).toBe(8166n);
    // (1000*7700 + 2000*8000) / 3000 = 23_700_000 / 3000 = 7900
    expect(f.ltv).toBe(7900n);
  });

  it('an asset with LTV 0 adds no LTV weight even inside the category (GenericLogic `if (vars.ltv != 0)`)', () => {
    // 1000 ZEROLTV (1000e8, member) + 1000 USDC (1000e8, member), e-mode 1
    const f = figures(account([pos('zeroltv', 1_000n * E18, 0n), pos('usdc', 1_000n * E6, 0n), pos('dai', 0n, 100n * E18)], 1));
    expect(f.totalCollateralBase).toBe(2_000n * E8);
    // LTV: (1000*0 + 1000*9700) / 2000 = 4850 (not 9700)
    expect(f.ltv).toBe(4850n);
    // threshold: both members take the category's 9750
    expect(f.liquidationThreshold).toBe(9750n);
  });

  it('the category price source replaces the price of member assets, for supply and debt', () => {
    const pegged: AaveEModeCategoryState = { ...STABLES, priceSourceAsset: 'usd-feed' };
    const p = new Map([...prices, ['usd-feed', 50_000_000n]]); // 0.5 USD
    const f = figures(account(positions, 1), { eModes: new Map([[1, pegged]]), prices: p });
    // USDC 1000 * 0.5e8 = 500e8 ; WETH keeps 2000e8 ; DAI debt 500 * 0.5e8 = 250e8
    expect(f.totalCollateralBase).toBe(2_500n * E8);
    expect(f.totalDebtBase).toBe(250n * E8);
    expect(f.positions.map((x) => x.price)).toEqual([50_000_000n, 2_000n * E8, 50_000_000n]);
    // (500*9750 + 2000*8250) / 2500 = 21_375_000 / 2500 = 8550 ; percentMul(2500e8, 8550) = 2137.5e8 ; / 250e8 = 8.55
    expect(f.liquidationThreshold).toBe(8550n);
    expect(f.healthFactor).toBe(8_550_000_000_000_000_000n);
    // an account outside the category keeps the oracle prices
    expect(figures(account(positions, 0), { eModes: new Map([[1, pegged]]), prices: p }).totalCollateralBase).toBe(3_000n * E8);
  });

  it('a price source answering 0 falls back to the asset price (contract: eModeAssetPrice != 0)', () => {
    const pegged: AaveEModeCategoryState = { ...STABLES, priceSourceAsset: 'dead-feed' };
    const f = figures(account(positions, 1), { eModes: new Map([[1, pegged]]), prices: new Map([...prices, ['dead-feed', 0n]]) });
    expect(f.totalCollateralBase).toBe(3_000n * E8);
    expect(f.totalDebtBase).toBe(500n * E8);
  });
});

describe('aaveAccountFigures: interest and refusals', () => {
  it('accrues supply linearly and debt with the compounded approximation up to the timestamp', () => {
    const r: AaveReserveState = {
      ...reserve('grow', 18, 1n * E8, 8000n, 9000n),
      liquidityIndex: (RAY * 11n) / 10n, // 1.1
      liquidityRate: RAY / 10n, // 10 %/year
      variableBorrowIndex: 2n * RAY,
      variableBorrowRate: SECONDS_PER_YEAR * 10n ** 18n, // rate / SECONDS_PER_YEAR = 1e18 exactly
      lastUpdateTimestamp: T - SECONDS_PER_YEAR / 2n,
    };
    const rs = new Map([['grow', r]]);
    // supply: linear = RAY + 0.1 RAY * half year / year = 1.05 RAY; income = rayMul(1.05, 1.1) = 1.155 RAY
    const s = figures(account([pos('grow', 1_000n * E18, 0n)]), { reserves: rs, prices: new Map() });
    expect(s.positions[0].supplied).toBe(1_155n * E18);
    // debt, one second after the update: compounded = RAY + rate/SPY = RAY + 1e18 (exp-1 = 0 kills the
    // other terms); normalized = rayMul(RAY + 1e18, 2 RAY) = 2 RAY + 2e18;
    // rayMul(1000e18, 2e27 + 2e18) = 2000e18 + 1000e18 * 2e18 / 1e27 = 2000e18 + 2e12
    const d = figures(account([pos('grow', 0n, 1_000n * E18)]), { reserves: new Map([['grow', { ...r, lastUpdateTimestamp: T - 1n }]]), prices: new Map() });
    expect(d.positions[0].borrowed).toBe(2_000n * E18 + 2n * 10n ** 12n);
    expect(d.totalDebtBase).toBe(2_000n * E8 + 200n); // (2000e18 + 2e12) * 1e8 / 1e18 = 2000e8 + 200
  });

  it('refuses when a price, a market or an e-mode category is missing', () => {
    const noPrice = new Map([...reserves, ['weth', { ...WETH, price: null }]]);
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof MetricError ? e.code : 'other';
      }
      return 'none';
    };
    expect(err(() => figures(account([pos('weth', E18, 0n)]), { reserves: noPrice }))).toBe('PRICE_UNAVAILABLE');
    expect(err(() => figures(account([pos('gone', E18, 0n)])))).toBe('INCONSISTENT_DATA');
    expect(err(() => figures(account([pos('weth', E18, 0n)], 7)))).toBe('INCONSISTENT_DATA');
    const missingFeed = new Map([[1, { ...STABLES, priceSourceAsset: 'nowhere' }]]);
    expect(err(() => figures(account([pos('usdc', E6, 0n)], 1), { eModes: missingFeed }))).toBe('PRICE_UNAVAILABLE');
  });
});
