import { expectedMarket, toAssetsDown, toAssetsUp, toSharesDown, VIRTUAL_SHARES, WAD, wTaylorCompounded } from '../../server/families/morpho-blue/math';
import { morphoPosition } from '../../server/families/morpho-blue/position';

const market = { totalSupplyAssets: 1_000_000n, totalSupplyShares: 1_000_000n * VIRTUAL_SHARES, totalBorrowAssets: 500_000n, totalBorrowShares: 500_000n * VIRTUAL_SHARES, lastUpdate: 1000n, fee: 0n };

describe('Morpho Blue math', () => {
  it('shares <-> assets with virtual shares round as SharesMathLib', () => {
    // 0 shares are 0 assets either way
    expect(toAssetsDown(0n, 10n, 10n)).toBe(0n);
    expect(toAssetsUp(0n, 10n, 10n)).toBe(0n);
    // empty market: 1 share = (0 + 1) / (0 + 1e6) assets: down 0, up 1
    expect(toAssetsDown(1n, 0n, 0n)).toBe(0n);
    expect(toAssetsUp(1n, 0n, 0n)).toBe(1n);
    // 1e6 shares per asset: 1 asset -> (1 * (1e6 + 1e6)) / (1 + 1) = 1e6 shares
    expect(toSharesDown(1n, 1n, VIRTUAL_SHARES)).toBe(VIRTUAL_SHARES);
    // 1_500_000 shares of a 1e6-asset/1e12-share market: 1_500_000 * 1_000_001 / 1_000_001_000_000 = 1.4999... -> 1 down, 2 up
    expect(toAssetsDown(1_500_000n, 1_000_000n, 10n ** 12n)).toBe(1n);
    expect(toAssetsUp(1_500_000n, 1_000_000n, 10n ** 12n)).toBe(2n);
  });

  it('wTaylorCompounded is x*n + (x*n)^2/2 + (x*n)^3/6 in WAD', () => {
    // x*n = 0.1: 0.1 + 0.005 + 0.000166666666666666 (floors)
    expect(wTaylorCompounded(10n ** 17n, 1n)).toBe(10n ** 17n + 5n * 10n ** 15n + 166_666_666_666_666n);
    expect(wTaylorCompounded(0n, 100n)).toBe(0n);
  });

  it('expected balances: no time, no debt or no IRM accrue nothing', () => {
    expect(expectedMarket(market, 10n ** 9n, 1000n)).toMatchObject({ interest: 0n, totalBorrowAssets: 500_000n });
    expect(expectedMarket(market, null, 2000n)).toMatchObject({ interest: 0n });
    expect(expectedMarket({ ...market, totalBorrowAssets: 0n }, 10n ** 9n, 2000n)).toMatchObject({ interest: 0n });
  });

  it('expected balances: interest and fee shares as MorphoBalancesLib', () => {
    // rate*elapsed = 0.1 WAD -> compounded 0.105166666666666666; interest = 500_000 * that = 52_583 (floor)
    const e = expectedMarket({ ...market, fee: WAD / 10n }, 10n ** 17n / 1000n, 2000n);
    expect(e.interest).toBe(52_583n);
    expect(e.totalBorrowAssets).toBe(552_583n);
    expect(e.totalSupplyAssets).toBe(1_052_583n);
    // feeAmount = 5_258; feeShares = 5_258 * (1e12 + 1e6) / (1_052_583 - 5_258 + 1) = 5_020_217_506 (floor)
    expect(e.feeShares).toBe((5_258n * (10n ** 12n + VIRTUAL_SHARES)) / (1_052_583n - 5_258n + 1n));
    expect(e.totalSupplyShares).toBe(10n ** 12n + e.feeShares);
  });

  it('health: exactly at the LLTV is healthy, one unit above is liquidatable, no debt has no health factor', () => {
    const m = { ...market, totalBorrowAssets: 1_000_000n, totalBorrowShares: 1_000_000n * VIRTUAL_SHARES };
    // price 1e36 = 1 collateral unit per loan unit; lltv 0.8; collateral 1000 -> maxBorrow 800
    const borrowSharesFor = (assets: bigint) => assets * VIRTUAL_SHARES; // 1:1e6 -> toAssetsUp exact
    const at = morphoPosition(m, { supplyShares: 0n, borrowShares: borrowSharesFor(800n), collateral: 1000n }, 10n ** 36n, 8n * 10n ** 17n);
    expect(at).toMatchObject({ borrowed: 800n, maxBorrow: 800n, liquidatable: false, healthFactor: WAD });
    const over = morphoPosition(m, { supplyShares: 0n, borrowShares: borrowSharesFor(801n), collateral: 1000n }, 10n ** 36n, 8n * 10n ** 17n);
    expect(over.liquidatable).toBe(true);
    expect(over.healthFactor).toBe((800n * WAD) / 801n);
    const none = morphoPosition(m, { supplyShares: 5n * VIRTUAL_SHARES, borrowShares: 0n, collateral: 0n }, null, 8n * 10n ** 17n);
    // 5e6 shares * (1e6 + 1) / (1e12 + 1e6) = 5 exactly (the virtual share and asset keep the 1e6 ratio)
    expect(none).toMatchObject({ supplied: 5n, borrowed: 0n, healthFactor: null, liquidatable: false });
  });
});
