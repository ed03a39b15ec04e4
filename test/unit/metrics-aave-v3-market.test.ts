import { aaveReserveTotals, toBase, type AaveReserveTotalsInput } from '../../server/families/aave-v3/market';
import { RAY, SECONDS_PER_YEAR, wadDiv } from '../../server/families/aave-v3/math';

// Expected values are derived by hand: aToken totalSupply = rayMul(scaledTotalSupply, normalizedIncome),
// debt totalSupply = rayMul(scaledTotalVariableDebt, normalizedDebt), accruedToTreasury is minted as
// rayMul(accruedToTreasury, normalizedIncome) (PoolLogic.executeMintToTreasury), utilization =
// debt / (available liquidity + debt), caps compared with (supply + accruedToTreasury) / borrow against
// cap * 10^decimals (ValidationLogic), debt ceiling utilization = isolationModeTotalDebt / debtCeiling.
const T = 1_800_000_000n;
const E6 = 10n ** 6n;
const E18 = 10n ** 18n;

const usdc = (over: Partial<AaveReserveTotalsInput> = {}): AaveReserveTotalsInput => ({
  decimals: 6, price: 10n ** 8n,
  liquidityIndex: RAY, variableBorrowIndex: RAY, liquidityRate: 0n, variableBorrowRate: 0n, lastUpdateTimestamp: T,
  scaledTotalSupply: 1_000n * E6, scaledTotalVariableDebt: 600n * E6, accruedToTreasuryScaled: 10n * E6, treasuryScaledBalance: 5n * E6,
  supplyCap: 0n, borrowCap: 0n, debtCeiling: 0n, isolationModeTotalDebt: 0n, deficit: 0n,
  ...over,
});

describe('aaveReserveTotals', () => {
  it('balance identity, reserves, supplier claims and utilization', () => {
    const t = aaveReserveTotals(usdc(), T);
    expect(t.totalSupplied).toBe(1_000n * E6);
    expect(t.totalBorrowed).toBe(600n * E6);
    expect(t.accruedToTreasury).toBe(10n * E6);
    expect(t.treasuryBalance).toBe(5n * E6);
    expect(t.reserves).toBe(15n * E6); // 10 + 5
    expect(t.availableLiquidity).toBe(410n * E6); // 1000 + 10 - 600
    expect(t.supplierClaims).toBe(995n * E6); // 1000 - 5
    // 600 / (410 + 600) = 60/101 = 0.594059405940594059|40...
    expect(t.utilization).toBe(594_059_405_940_594_059n);
  });

  it('cash read from the chain replaces the balance identity for available liquidity and utilization', () => {
    const t = aaveReserveTotals(usdc({ cash: 415n * E6 }), T);
    expect(t.availableLiquidity).toBe(415n * E6); // not 1000 + 10 - 600 = 410
    // 600 / (415 + 600) = 0.591133004926108374|38...
    expect(t.utilization).toBe(591_133_004_926_108_374n);
    expect(aaveReserveTotals(usdc({ cash: null }), T).availableLiquidity).toBe(410n * E6);
  });

  it('caps and debt ceiling: null when 0 (no cap), else the 18-decimal ratio', () => {
    const none = aaveReserveTotals(usdc(), T);
    expect(none.supplyCapUtilization).toBeNull();
    expect(none.borrowCapUtilization).toBeNull();
    expect(none.debtCeilingUtilization).toBeNull();
    const capped = aaveReserveTotals(usdc({ supplyCap: 2_000n, borrowCap: 800n, debtCeiling: 1_000_000n, isolationModeTotalDebt: 250_000n }), T);
    // (1000 + 10) / 2000 = 0.505 ; 600 / 800 = 0.75 ; 2,500.00 / 10,000.00 USD = 0.25
    expect(capped.supplyCapUtilization).toBe(505_000_000_000_000_000n);
    expect(capped.borrowCapUtilization).toBe(750_000_000_000_000_000n);
    expect(capped.debtCeilingUtilization).toBe(250_000_000_000_000_000n);
  });

  it('empty reserve: utilization null (nothing supplied), every total 0', () => {
    const t = aaveReserveTotals(usdc({ scaledTotalSupply: 0n, scaledTotalVariableDebt: 0n, accruedToTreasuryScaled: 0n, treasuryScaledBalance: 0n }), T);
    expect(t.utilization).toBeNull();
    expect([t.totalSupplied, t.totalBorrowed, t.availableLiquidity, t.reserves, t.supplierClaims]).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it('fully borrowed: utilization exactly 1; rounding dust never makes liquidity negative', () => {
    expect(aaveReserveTotals(usdc({ scaledTotalVariableDebt: 1_010n * E6 }), T).utilization).toBe(E18);
    // debt one unit above supply + accrued (index rounding): available clamps at 0, utilization 1
    const t = aaveReserveTotals(usdc({ scaledTotalVariableDebt: 1_010n * E6 + 1n }), T);
    expect(t.availableLiquidity).toBe(0n);
    expect(t.utilization).toBe(E18);
  });

  it('accrues interest to the timestamp: linear for supply and treasury, compounded for debt', () => {
    const r = usdc({
      decimals: 18,
      scaledTotalSupply: 1_000n * E18, accruedToTreasuryScaled: 10n * E18, treasuryScaledBalance: 5n * E18, scaledTotalVariableDebt: 600n * E18,
      liquidityRate: RAY / 10n, // 10 %/year
      variableBorrowIndex: (RAY * 3n) / 2n, variableBorrowRate: 0n, // no accrual: normalized debt = 1.5 RAY
      lastUpdateTimestamp: T - SECONDS_PER_YEAR,
    });
    const t = aaveReserveTotals(r, T);
    // one year at 10% linear: income = 1.1 RAY
    expect(t.totalSupplied).toBe(1_100n * E18);
    expect(t.accruedToTreasury).toBe(11n * E18);
    expect(t.treasuryBalance).toBe(55n * E18 / 10n);
    expect(t.totalBorrowed).toBe(900n * E18); // 600 * 1.5
    expect(t.availableLiquidity).toBe(211n * E18); // 1100 + 11 - 900
    expect(t.supplierClaims).toBe(10_945n * E18 / 10n); // 1100 - 5.5
  });
});

describe('toBase', () => {
  it('values amount * price / 10^decimals, truncated', () => {
    expect(toBase(E18, 2_000n * 10n ** 8n, 18)).toBe(2_000n * 10n ** 8n);
    expect(toBase(1n, 30_000n * 10n ** 8n, 8)).toBe(30_000n); // 1 satoshi
    expect(toBase(1n, 10n ** 8n, 18)).toBe(0n); // 1 wei of a dollar: dust
    expect(toBase(999_999_999_999n, 10n ** 8n, 18)).toBe(99n); // 99.9999999999
    expect(toBase(0n, 10n ** 8n, 6)).toBe(0n);
  });
});

describe('wadDiv (health factor division)', () => {
  it('rounds half up and refuses zero', () => {
    expect(wadDiv(1n, 3n)).toBe(333_333_333_333_333_333n); // 0.333...3|33 rounds down
    expect(wadDiv(2n, 3n)).toBe(666_666_666_666_666_667n); // 0.666...6|66 rounds up
    expect(wadDiv(1n, 2n)).toBe(E18 / 2n);
    expect(() => wadDiv(1n, 0n)).toThrow(RangeError);
  });
});

describe('reserve deficit (Aave v3.3+)', () => {
  it('takes the written-off debt out of the available liquidity, as the balance identity requires', () => {
    // supplied 1000 + accrued 10 = cash + debt 600 + deficit 25  =>  cash = 385
    const t = aaveReserveTotals(usdc({ deficit: 25n * E6 }), T);
    expect(t.availableLiquidity).toBe(385n * E6);
    expect(t.deficit).toBe(25n * E6);
    // usage ratio = 600 / (385 + 600)
    expect(t.utilization).toBe((600n * E6 * E18) / (985n * E6));
  });
});

