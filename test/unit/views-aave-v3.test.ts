// The Aave protocol view values only borrowers at every block and builds full account views when a
// query reads them. These tests check that shortcut against the straightforward computation: every
// account's full view (aaveAccountView), then each market's tally and bad debt summed from those
// views position by position, over a deterministic mix of healthy, liquidatable, insolvent,
// collateral-less and supply-only accounts.
import { aaveAccountView, aaveProtocolView, type PriceLabels } from '../../server/families/aave-v3/view';
import { allocateBadDebt } from '../../server/metrics/account-risk';
import { tallyAccounts } from '../../server/metrics/solvency';
import { AAVE_V30_RULES } from '../../server/families/aave-v3/rules';
import { RAY } from '../../server/families/aave-v3/math';
import type { AaveAccountState, AavePositionState } from '../../server/families/aave-v3/account';
import type { MarketRow, MarketTable } from '../../server/families/aave-v3/source';
import type { AccountView, MarketView } from '../../server/views/model';
import type { AaveV3ReserveDetails } from '../../server/families/aave-v3/details';

const aaveDetails = (m: MarketView) => m.details as AaveV3ReserveDetails;

const T = 1_800_000_000;
const E8 = 10n ** 8n;
const TREASURY = '0x' + 'ee'.repeat(20);

function market(id: string, decimals: number, price: bigint, ltv: bigint, lt: bigint): MarketRow {
  return {
    id, asset: `0xasset-${id}`, symbol: id.toUpperCase(), name: id, decimals, ltv, liquidationThreshold: lt, eModeCategoryId: 0, price,
    // A year of interest since the last update: indexes differ from 1 ray at the block.
    liquidityIndex: RAY + RAY / 50n, variableBorrowIndex: RAY + RAY / 20n, liquidityRate: RAY / 40n, variableBorrowRate: RAY / 10n, lastUpdateTimestamp: BigInt(T - 365 * 86400),
    scaledTotalSupply: 10n ** BigInt(decimals + 9), scaledTotalVariableDebt: 10n ** BigInt(decimals + 8), accruedToTreasuryScaled: 0n, deficit: 0n,
    supplyCap: 0n, borrowCap: 0n, debtCeiling: 0n, isolationModeTotalDebt: 0n,
    supplyToken: null, variableDebtToken: null, treasury: TREASURY, liquidationBonus: 10500n, reserveFactor: 1000n, liquidationProtocolFee: 0n,
    borrowableInIsolation: false, isActive: true, isFrozen: false, isPaused: false, borrowingEnabled: true,
    totalDeficitCreated: 0n, totalDeficitCovered: 0n, priceUpdatedAtBlock: 1, positionCount: 0,
  };
}

const markets = [market('weth', 18, 2_000n * E8, 8000n, 8250n), market('usdc', 6, 1n * E8, 7700n, 8000n), market('nocoll', 18, 10n * E8, 0n, 0n)];
const table: MarketTable = {
  protocol: { id: '0xpool', name: 'Test', slug: 'test', family: 'AAVE_V3', network: 'devnet', baseCurrencyUnit: E8, baseCurrency: null, scaledRounding: null, oracle: null, revision: null },
  markets,
  reserves: new Map(markets.map((m) => [m.id, m])),
  eModes: new Map(),
  pricesByAsset: new Map(markets.map((m) => [m.asset, m.price!])),
  rules: AAVE_V30_RULES,
};
const labels: PriceLabels = { pricing: new Map(markets.map((m) => [m.id, { source: 'INDEXED_EVENTS' as const, asOfBlock: 1, unpricedMarkets: [] }])), warnings: [] };
const block = { number: 10, hash: '0xblock', timestamp: T };
const indexing = { endpoint: 'test', head: block, hasIndexingErrors: false };

/** Deterministic pseudo-random accounts (xorshift), every kind a protocol view must tell apart. */
function accountsFixture(n: number): AaveAccountState[] {
  let x = 88172645463325252n;
  const next = (mod: bigint) => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return x % mod;
  };
  const out: AaveAccountState[] = [];
  for (let i = 0; i < n; i++) {
    const positions: AavePositionState[] = [];
    const kind = Number(next(5n));
    const supplyWeth = next(10n ** 19n) + 1n;
    // 0 supply-only, 1 healthy borrower, 2 near or past liquidation, 3 deeply insolvent, 4 debt and no collateral
    const debtUsdc = kind === 0 ? 0n : kind === 1 ? (supplyWeth * 2000n) / 10n ** 12n / 3n : kind === 2 ? (supplyWeth * 2000n * 82n) / 10n ** 14n : kind === 3 ? (supplyWeth * 2000n * 3n) / 10n ** 12n : next(10n ** 9n) + 1n;
    if (kind !== 4) positions.push({ marketId: 'weth', scaledSupply: supplyWeth, scaledVariableDebt: 0n, collateralEnabled: true });
    if (kind === 4) positions.push({ marketId: 'nocoll', scaledSupply: next(10n ** 18n) + 1n, scaledVariableDebt: 0n, collateralEnabled: true });
    if (debtUsdc > 0n) positions.push({ marketId: 'usdc', scaledSupply: 0n, scaledVariableDebt: debtUsdc, collateralEnabled: false });
    if (next(4n) === 0n && kind !== 0) positions.push({ marketId: 'nocoll', scaledSupply: 0n, scaledVariableDebt: next(10n ** 17n) + 1n, collateralEnabled: false });
    positions.sort((a, b) => a.marketId.localeCompare(b.marketId));
    out.push({ address: `0x${i.toString(16).padStart(40, '0')}`, eModeCategoryId: 0, positions });
  }
  // The treasury holds aTokens of two markets (the market totals read its balance).
  out.push({ address: TREASURY, eModeCategoryId: 0, positions: [{ marketId: 'usdc', scaledSupply: 5_000_000n, scaledVariableDebt: 0n, collateralEnabled: false }, { marketId: 'weth', scaledSupply: 10n ** 15n, scaledVariableDebt: 0n, collateralEnabled: false }] });
  return out;
}

const states = accountsFixture(400);
const book = { all: () => states, get: (a: string) => states.find((s) => s.address === a) };
const fullViews: AccountView[] = states.map((s) => aaveAccountView(table, labels, s, block, indexing)).filter((v) => v.positions.length > 0);

/** Each market's tally as the full views give it, position by position. */
function referenceTally(marketId: string) {
  const t = { borrowers: 0, insolventAccounts: 0, liquidatableAccounts: 0, liquidatableDebtBase: 0n, unliquidatableAccounts: 0, unliquidatableDebtBase: 0n, badDebt: 0n };
  for (const a of fullViews) {
    const shares = allocateBadDebt(a.risk.badDebtBase, a.positions.map((p) => ({ marketId: p.marketId, debtBase: p.borrowedBase })));
    for (const p of a.positions) {
      if (p.marketId !== marketId || p.borrowed === 0n) continue;
      t.borrowers++;
      if (a.risk.insolvent) t.insolventAccounts++;
      if (a.risk.unliquidatable) (t.unliquidatableAccounts++, (t.unliquidatableDebtBase += p.borrowedBase));
      else if (a.risk.liquidatable) (t.liquidatableAccounts++, (t.liquidatableDebtBase += p.borrowedBase));
      t.badDebt += shares.get(marketId) ?? 0n;
    }
  }
  return t;
}

describe('Aave protocol view: borrowers valued at every block, full views when read', () => {
  const view = aaveProtocolView(table, labels, book, block, indexing);

  it('the fixture has every kind of account', () => {
    const t = tallyAccounts(fullViews, 0n);
    expect(t.insolventAccounts).toBeGreaterThan(20);
    expect(t.liquidatableAccounts).toBeGreaterThan(20);
    expect(t.unliquidatableAccounts).toBeGreaterThan(20);
    expect(fullViews.filter((a) => a.debtBase === 0n).length).toBeGreaterThan(20);
    expect(fullViews.filter((a) => a.debtBase > 0n && !a.risk.liquidatable).length).toBeGreaterThan(20);
  });

  it('market tallies and latent bad debt equal the sums over every account, position by position', () => {
    for (const m of view.markets) {
      const { badDebt, ...tally } = referenceTally(m.id);
      expect({ market: m.id, tally: m.tally, latentBadDebtBase: m.sheet.latentBadDebtBase }).toEqual({ market: m.id, tally, latentBadDebtBase: badDebt });
    }
    expect(view.sheet.latentBadDebtBase).toBe(tallyAccounts(fullViews, 0n).latentBadDebtBase);
  });

  it('borrower totals are the borrowers full views give, with the same figures', () => {
    const owing = fullViews.filter((a) => a.debtBase > 0n);
    const totals = new Map(view.borrowerTotals.map((t) => [t.address, t]));
    expect(view.borrowerTotals.length).toBe(owing.length);
    for (const a of owing) expect(totals.get(a.address)).toEqual({ address: a.address, risk: a.risk, debtBase: a.debtBase, collateralBase: a.collateralBase, healthFactor: a.healthFactor });
    // Every count and sum but the number of accounts tallied (borrowers only, by design).
    expect({ ...tallyAccounts(view.borrowerTotals, 11n * 10n ** 17n), accounts: 0 }).toEqual({ ...tallyAccounts(fullViews, 11n * 10n ** 17n), accounts: 0 });
  });

  it('accounts and borrowers, built when read, are the full views (shared with the markets)', () => {
    expect(view.accountCount).toBe(fullViews.length);
    expect(view.accounts).toEqual(fullViews);
    expect(view.borrowers).toEqual(fullViews.filter((a) => a.debtBase > 0n));
    expect(view.markets[0].borrowers).toBe(view.borrowers);
    expect(view.accounts.filter((a) => a.debtBase > 0n)[0]).toBe(view.borrowers[0]);
  });

  it("the treasury's own aTokens count in the market totals", () => {
    const usdc = view.markets.find((m) => m.id === 'usdc')!;
    // rayMul(5,000,000, normalizedIncome) with a year at 2.5% on an index of 1.02 ray, rounded half up
    expect(aaveDetails(usdc).treasuryBalance).toBeGreaterThan(5_100_000n);
    expect(aaveDetails(usdc).treasuryBalance).toBeLessThan(5_300_000n);
    expect(aaveDetails(view.markets.find((m) => m.id === 'nocoll')!).treasuryBalance).toBe(0n);
  });
});
