import { accountRisk } from '../../server/metrics/account-risk';
import { solvency, sumSheets, tallyAccounts, type BalanceSheet, type TalliedAccount } from '../../server/metrics/solvency';

// Expected values are worked out by hand from the definitions in solvency.ts:
//   assets = available liquidity + debt - latent bad debt
//   solvency ratio = assets / supplier claims (null without claims), equity = assets - claims,
//   coverage = reserves / latent bad debt (null without bad debt).
const E18 = 10n ** 18n;

const sheet = (s: Partial<BalanceSheet>): BalanceSheet => ({
  availableLiquidityBase: 0n, debtBase: 0n, supplierClaimsBase: 0n, reservesBase: 0n, latentBadDebtBase: 0n, outstandingDeficitBase: 0n, ...s,
});

describe('solvency', () => {
  it('exactly solvent: ratio 1, equity 0, coverage reserves / bad debt', () => {
    // assets = 400 + 600 - 100 = 900 = claims
    const s = solvency(sheet({ availableLiquidityBase: 400n, debtBase: 600n, supplierClaimsBase: 900n, reservesBase: 50n, latentBadDebtBase: 100n }));
    expect(s).toEqual({ solvencyRatio: E18, equityBase: 0n, coverageRatio: E18 / 2n, deficitCoverageRatio: null }); // 50/100 = 0.5; no deficit
  });

  it('insolvent: ratio below 1, negative equity', () => {
    // assets = 100 + 600 - 300 = 400 ; 400 / 500 = 0.8 ; 400 - 500 = -100 ; coverage 150/300 = 0.5
    const s = solvency(sheet({ availableLiquidityBase: 100n, debtBase: 600n, supplierClaimsBase: 500n, reservesBase: 150n, latentBadDebtBase: 300n }));
    expect(s.solvencyRatio).toBe(800_000_000_000_000_000n);
    expect(s.equityBase).toBe(-100n);
    expect(s.coverageRatio).toBe(E18 / 2n);
  });

  it('no bad debt: coverage null; no supplier claims: ratio null', () => {
    const s = solvency(sheet({ availableLiquidityBase: 10n, debtBase: 5n, reservesBase: 7n }));
    expect(s.coverageRatio).toBeNull();
    expect(s.solvencyRatio).toBeNull();
    expect(s.equityBase).toBe(15n); // 10 + 5 - 0 - 0
  });

  it('bad debt without reserves: coverage 0, not null; truncated ratios', () => {
    // assets = 0 + 100 - 1 = 99 ; 99 / 300 = 0.33 ; coverage 0 / 1 = 0
    const s = solvency(sheet({ debtBase: 100n, supplierClaimsBase: 300n, latentBadDebtBase: 1n }));
    expect(s.coverageRatio).toBe(0n);
    expect(s.solvencyRatio).toBe(330_000_000_000_000_000n);
    // 2 / 3 = 0.666... truncated
    expect(solvency(sheet({ availableLiquidityBase: 2n, supplierClaimsBase: 3n })).solvencyRatio).toBe(666_666_666_666_666_666n);
  });

  it('bad debt larger than all assets gives a negative ratio', () => {
    // assets = 10 + 20 - 50 = -20 ; -20 / 40 = -0.5
    const s = solvency(sheet({ availableLiquidityBase: 10n, debtBase: 20n, supplierClaimsBase: 40n, latentBadDebtBase: 50n }));
    expect(s.solvencyRatio).toBe(-E18 / 2n);
    expect(s.equityBase).toBe(-60n);
  });
});

describe('sumSheets', () => {
  it('adds every field, and an empty list is all zeros', () => {
    const a = sheet({ availableLiquidityBase: 1n, debtBase: 2n, supplierClaimsBase: 3n, reservesBase: 4n, latentBadDebtBase: 5n });
    const b = sheet({ availableLiquidityBase: 10n, debtBase: 20n, supplierClaimsBase: 30n, reservesBase: 40n, latentBadDebtBase: 50n });
    expect(sumSheets([a, b])).toEqual(sheet({ availableLiquidityBase: 11n, debtBase: 22n, supplierClaimsBase: 33n, reservesBase: 44n, latentBadDebtBase: 55n }));
    expect(sumSheets([])).toEqual(sheet({}));
    expect(a.debtBase).toBe(2n); // inputs are not mutated
  });
});

describe('tallyAccounts', () => {
  const acct = (collateralBase: bigint, debtBase: bigint, healthFactor: bigint | null): TalliedAccount => ({
    risk: accountRisk({ collateralBase, suppliedBase: collateralBase, debtBase, healthFactor }),
    collateralBase, debtBase, healthFactor,
  });
  const AT_RISK = 1_100_000_000_000_000_000n; // 1.1

  it('counts and sums over borrowers only', () => {
    const t = tallyAccounts([
      acct(1_000n, 0n, null), // lender: counted as an account, not a borrower
      acct(300n, 100n, 2n * E18), // healthy
      acct(110n, 100n, 1_050_000_000_000_000_000n), // at risk, not liquidatable
      acct(95n, 90n, 900_000_000_000_000_000n), // liquidatable, solvent
      acct(50n, 100n, 400_000_000_000_000_000n), // liquidatable and insolvent: 50 bad debt
    ], AT_RISK);
    expect(t.accounts).toBe(5);
    expect(t.borrowers).toBe(4);
    expect(t.insolventAccounts).toBe(1);
    expect(t.liquidatableAccounts).toBe(2);
    expect(t.latentBadDebtBase).toBe(50n);
    expect(t.liquidatableDebtBase).toBe(190n); // 90 + 100
    expect(t.atRiskDebtBase).toBe(290n); // HF < 1.1: 100 + 90 + 100
    // sum debt 390 / sum equity (200 + 10 + 5 - 50 = 165) = 2.363636...
    expect(t.debtToEquity).toBe(2_363_636_363_636_363_636n);
  });

  it('debt with no collateral left is dead debt, not liquidatable debt (no liquidation can seize anything)', () => {
    const t = tallyAccounts([
      acct(95n, 90n, 900_000_000_000_000_000n), // liquidatable, collateral to seize
      acct(0n, 40n, 0n), // Aave HF 0: liquidatable by the rule, nothing to seize
    ], AT_RISK);
    expect(t.liquidatableAccounts).toBe(1);
    expect(t.liquidatableDebtBase).toBe(90n);
    expect(t.unliquidatableAccounts).toBe(1);
    expect(t.unliquidatableDebtBase).toBe(40n);
    // still bad debt and still at risk
    expect(t.latentBadDebtBase).toBe(40n);
    expect(t.atRiskDebtBase).toBe(130n);
  });

  it('debt/equity is null when borrowers\' total equity is <= 0', () => {
    expect(tallyAccounts([acct(50n, 100n, 400_000_000_000_000_000n), acct(150n, 100n, 1_200_000_000_000_000_000n)], AT_RISK).debtToEquity).toBeNull(); // equity -50 + 50 = 0
    expect(tallyAccounts([acct(0n, 10n, 0n)], AT_RISK).debtToEquity).toBeNull();
  });

  it('no accounts or only lenders: zero counts and null debt/equity', () => {
    for (const list of [[], [acct(10n, 0n, null)]]) {
      const t = tallyAccounts(list, AT_RISK);
      expect(t).toEqual({ accounts: list.length, borrowers: 0, insolventAccounts: 0, liquidatableAccounts: 0, latentBadDebtBase: 0n, liquidatableDebtBase: 0n, unliquidatableAccounts: 0, unliquidatableDebtBase: 0n, atRiskDebtBase: 0n, debtToEquity: null });
    }
  });

  it('the at-risk threshold is strict', () => {
    expect(tallyAccounts([acct(110n, 100n, AT_RISK)], AT_RISK).atRiskDebtBase).toBe(0n);
    expect(tallyAccounts([acct(110n, 100n, AT_RISK - 1n)], AT_RISK).atRiskDebtBase).toBe(100n);
  });
});

describe('outstanding deficit', () => {
  it('is a loss already reflected by the missing debt and cash, and gets its own coverage ratio', () => {
    // claims 1000 + reserves 10 = cash 385 + debt 600 + deficit 25: equity = 10 - 25 = -15
    const s = solvency(sheet({ availableLiquidityBase: 385n, debtBase: 600n, supplierClaimsBase: 1000n, reservesBase: 10n, outstandingDeficitBase: 25n }));
    expect(s.equityBase).toBe(-15n);
    expect(s.solvencyRatio).toBe((985n * E18) / 1000n);
    expect(s.deficitCoverageRatio).toBe((10n * E18) / 25n);
    expect(solvency(sheet({ supplierClaimsBase: 1n })).deficitCoverageRatio).toBeNull();
  });
});

