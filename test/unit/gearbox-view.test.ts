// The Gearbox V3 views (server/families/gearbox-v3/view.ts) on a hand-built pool: every expected
// figure below is worked out by hand from the inputs, not taken from the code's output.
import { gearboxProtocolView, type GearboxAccountInput, type GearboxInputs } from '../../server/families/gearbox-v3/view';
import type { GearboxV3PoolDetails } from '../../server/families/gearbox-v3/details';
import { gearboxStressedViews } from '../../server/families/gearbox-v3/stress';
import { SHOCK_SCALE } from '../../server/metrics/stress';

const RAY = 10n ** 27n;
const USDC = '0x00000000000000000000000000000000000000a1';
const WETH = '0x00000000000000000000000000000000000000b2';
const CM = '0x00000000000000000000000000000000000000c3';
const u6 = (n: number) => BigInt(n) * 10n ** 6n;
const now = 1_000_000n;

function inputs(): GearboxInputs {
  const usdc = { address: USDC, symbol: 'USDC', name: 'USD Coin', decimals: 6 };
  const weth = { address: WETH, symbol: 'WETH', name: 'Wrapped Ether', decimals: 18 };
  return {
    state: {
      protocol: { id: '0xpool', name: 'Diesel USDC', slug: 'diesel-usdc', family: 'GEARBOX_V3', network: 'devnet' },
      pool: {
        id: '0xpool', marketId: '0xmarket', underlying: usdc, treasury: '0xtreasury',
        totalSupply: u6(1_000_000), treasuryShares: u6(10_000), totalBorrowed: u6(110_000), availableLiquidity: u6(890_000),
        totalProfit: 0n, totalLoss: 0n, totalCoveredLoss: 0n, totalCoveredShares: 0n, totalUncoveredLoss: 0n, lossCount: 0,
        creditManagers: [{ id: CM, creditFacade: '0xfacade', debtLimit: null, totalBorrowed: u6(110_000), minDebt: null, maxDebt: null, openCreditAccountCount: 2, collateralTokens: [{ token: weth, liquidationThreshold: 8000, allowed: true }] }],
        quotaTokens: [{ token: weth, limit: u6(5_000), totalQuoted: u6(1_000), rate: 0, quotaIncreaseFee: 0, minRate: null, maxRate: null }],
      },
    },
    chain: {
      quotaKeeper: '0xqk', priceOracle: '0xoracle',
      // 10% base interest since the accounts' last update, no time elapsed since the pool's: index 1.1 RAY.
      pool: { baseInterestIndexLU: (RAY * 11n) / 10n, baseInterestRate: 0n, lastBaseInterestUpdate: now, expectedLiquidityLU: u6(1_000_000), totalBorrowed: u6(110_000), quotaRevenue: 0n, lastQuotaRevenueUpdate: now },
      lastQuotaRateUpdate: now,
      quotaTokens: new Map([[WETH, { rate: 0n, cumulativeIndexLU: RAY, quotaIncreaseFee: 0n, totalQuoted: u6(1_000), limit: u6(5_000) }]]),
      prices: new Map([[USDC, { price: 10n ** 8n, scale: 10n ** 6n }], [WETH, { price: 2000n * 10n ** 8n, scale: 10n ** 18n }]]),
      staleFeeds: new Set(),
      managers: new Map([[CM, {
        params: { underlying: USDC, ltUnderlying: 9000n, feeInterest: 1000n, collateralTokens: [{ token: WETH, mask: 2n, lt: { ltInitial: 8000n, ltFinal: 8000n, timestampRampStart: 0n, rampDuration: 0n } }] },
        fees: { feeInterest: 1000n, feeLiquidation: 150n, liquidationDiscount: 9600n, feeLiquidationExpired: 100n, liquidationDiscountExpired: 9800n },
        facade: '0xfacade', expirable: false, expirationDate: 0n, paused: false,
      }]]),
    },
    block: { number: 100, hash: '0xblock', timestamp: Number(now) } as GearboxInputs['block'],
    indexing: {} as GearboxInputs['indexing'],
    warnings: [],
  };
}

const account = (address: string, debt: bigint, indexLU: bigint, mask: bigint, balances: [string, bigint][], quota?: bigint): GearboxAccountInput => ({
  row: { address, creditManager: CM, owner: '0xowner', principalDebt: debt, openedAtBlock: 1, liquidationCount: 0, balances: new Map(balances), tokens: new Map() },
  chain: { info: { debt, cumulativeIndexLastUpdate: indexLU, cumulativeQuotaInterest: 1n, quotaFees: 0n, enabledTokensMask: mask, borrower: '0xowner' }, quotas: new Map(quota === undefined ? [] : [[WETH, { quota, cumulativeIndexLU: RAY }]]) },
});

describe('Gearbox V3 view on a hand-built pool', () => {
  // A: 100,000 debt since index 1.0 -> 10,000 interest + 1,000 fee (10%) = 111,000 owed; holds 50,000 USDC (LT 90%).
  // B: 10,000 debt at the current index; holds 1 WETH ($2,000, LT 80% = $1,600) capped by its 1,000 USDC quota.
  const view = gearboxProtocolView(inputs(), [
    account('0xa', u6(100_000), RAY, 1n, [[USDC, u6(50_000)]]),
    account('0xb', u6(10_000), (RAY * 11n) / 10n, 3n, [[WETH, 10n ** 18n]], u6(1_000)),
  ]);
  const [a, b] = view.accounts;

  test('credit accounts: debt with interest and fees, value, quota-capped TWV, health, bad debt (USD, 8 decimals)', () => {
    expect({ debt: a.debtBase, value: a.collateralBase, hf: a.healthFactor, bad: a.risk.badDebtBase, liq: a.risk.liquidatable }).toEqual({
      debt: 111_000n * 10n ** 8n, value: 50_000n * 10n ** 8n, hf: 405_405_405_405_405_405n /* 45,000 / 111,000 */, bad: 61_000n * 10n ** 8n, liq: true,
    });
    expect({ debt: b.debtBase, value: b.collateralBase, hf: b.healthFactor, bad: b.risk.badDebtBase }).toEqual({
      debt: 10_000n * 10n ** 8n, value: 2_000n * 10n ** 8n, hf: 10n ** 17n /* 1,000 / 10,000 */, bad: 8_000n * 10n ** 8n,
    });
    // The effective LT: twv / value = 1,000 / 2,000.
    expect(b.liquidationThreshold).toBe(5000n);
  });

  test('pool: expected liquidity, the treasury as insurance fund and its coverage of latent bad debt', () => {
    const m = view.markets[0];
    const d = m.details as GearboxV3PoolDetails;
    expect({ supplied: m.totalSupplied, available: m.availableLiquidity, reserves: m.reserves }).toEqual({ supplied: u6(1_000_000), available: u6(890_000), reserves: u6(10_000) });
    expect(view.insuranceFund?.balanceBase).toBe(10_000n * 10n ** 8n);
    // Latent bad debt in USDC: 61,000 + 8,000; the fund covers 10,000 of it.
    expect({ latent: d.latentBadDebt, uncovered: d.uncoveredLatentBadDebt }).toEqual({ latent: u6(69_000), uncovered: u6(59_000) });
    // Equity = treasury assets - latent bad debt: 10,000 - 69,000 USD.
    expect(view.solvency.equityBase).toBe(-59_000n * 10n ** 8n);
    expect(m.tally).toMatchObject({ borrowers: 2, insolventAccounts: 2, liquidatableAccounts: 2 });
  });
});

describe('Gearbox V3 stressed views on the same hand-built pool', () => {
  const accounts = [
    account('0xa', u6(100_000), RAY, 1n, [[USDC, u6(50_000)]]),
    account('0xb', u6(10_000), (RAY * 11n) / 10n, 3n, [[WETH, 10n ** 18n]], u6(1_000)),
  ];
  const plain = gearboxProtocolView(inputs(), accounts);
  const figures = (v: typeof plain) => v.accounts.map((x) => ({ address: x.address, debt: x.debtBase, value: x.collateralBase, hf: x.healthFactor, bad: x.risk.badDebtBase, liq: x.risk.liquidatable }));

  test('no shock is the plain view; WETH +100% doubles B\'s collateral value, not its quota-capped weighted value', () => {
    const sv = gearboxStressedViews(inputs(), accounts, [new Map(), new Map([[WETH, 2n * SHOCK_SCALE]])], Number(now));
    expect(figures(sv.views[0])).toEqual(figures(plain));
    const [, b] = figures(sv.views[1]);
    // B: 1 WETH at $4,000, LT 80% = $3,200, capped by its 1,000 USDC quota: TWV stays $1,000, HF 0.1; bad debt 10,000 - 4,000.
    expect(b).toEqual({ address: '0xb', debt: 10_000n * 10n ** 8n, value: 4_000n * 10n ** 8n, hf: 10n ** 17n, bad: 6_000n * 10n ** 8n, liq: true });
    // A holds no WETH: unchanged (61,000 bad debt), so the pool's latent bad debt is 61,000 + 6,000 USD.
    expect(sv.views[1].sheet.latentBadDebtBase).toBe(67_000n * 10n ** 8n);
  });

  test('liquidator bonus 1e4 / liquidationDiscount over the whole account; unknown assets refused', () => {
    const sv = gearboxStressedViews(inputs(), accounts, [new Map()], Number(now));
    // liquidationDiscount 9600: collateral C repays at most 0.96 C of debt.
    expect({ scope: sv.collateralScope, bonus: sv.bonusWad.get('0xmarket') }).toEqual({ scope: 'ACCOUNT', bonus: (10n ** 18n * 10_000n) / 9_600n });
    expect(sv.collateralLiquidatable(sv.views[0].accounts[1], '0xmarket')).toBe(true);
    expect(() => gearboxStressedViews(inputs(), accounts, [new Map([['0x00000000000000000000000000000000000000ff', SHOCK_SCALE]])], Number(now))).toThrow(/has no market in 0x0+ff/);
  });
});
