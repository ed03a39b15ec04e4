import { ONE_WAD, accountRisk, allocateBadDebt } from '../../server/metrics/account-risk';

// Expected values are worked out by hand from the definitions in account-risk.ts's doc comments:
// bad debt = max(0, debt - collateral), equity = collateral - debt, net value = supplied - debt,
// debt/equity = debt / equity (18 decimals, truncated; null when equity <= 0).
const E18 = 10n ** 18n;

describe('accountRisk', () => {
  it('no debt: nothing bad, not liquidatable (health factor null), debt/equity 0', () => {
    const r = accountRisk({ collateralBase: 500n, suppliedBase: 700n, debtBase: 0n, healthFactor: null });
    expect(r).toEqual({
      badDebtBase: 0n,
      netValueBase: 700n, // 700 - 0
      equityBase: 500n, // 500 - 0
      debtToEquity: 0n, // 0 / 500
      negativeEquity: false,
      liquidatable: false,
      unliquidatable: false,
      insolvent: false,
    });
  });

  it('empty account: all zero, debt/equity undefined, not negative equity (owes nothing)', () => {
    const r = accountRisk({ collateralBase: 0n, suppliedBase: 0n, debtBase: 0n, healthFactor: null });
    expect(r.badDebtBase).toBe(0n);
    expect(r.equityBase).toBe(0n);
    expect(r.debtToEquity).toBeNull(); // equity 0
    expect(r.negativeEquity).toBe(false);
    expect(r.insolvent).toBe(false);
    expect(r.liquidatable).toBe(false);
  });

  it('zero collateral with debt: the whole debt is bad, equity negative, debt/equity null', () => {
    // Aave: totalCollateral 0 -> HF = wadDiv(percentMul(0, 0), debt) = 0
    const r = accountRisk({ collateralBase: 0n, suppliedBase: 250n, debtBase: 1_000n, healthFactor: 0n });
    expect(r).toEqual({
      badDebtBase: 1_000n,
      netValueBase: -750n, // 250 supplied (not collateral) - 1000
      equityBase: -1_000n,
      debtToEquity: null,
      negativeEquity: true,
      liquidatable: true,
      unliquidatable: true, // nothing to seize
      insolvent: true,
    });
  });

  it('negative equity: bad debt is the uncovered part only', () => {
    const r = accountRisk({ collateralBase: 80n, suppliedBase: 80n, debtBase: 100n, healthFactor: 660_000_000_000_000_000n });
    expect(r.badDebtBase).toBe(20n); // 100 - 80
    expect(r.equityBase).toBe(-20n);
    expect(r.netValueBase).toBe(-20n);
    expect(r.debtToEquity).toBeNull();
    expect(r.negativeEquity).toBe(true);
    expect(r.insolvent).toBe(true);
    expect(r.liquidatable).toBe(true);
  });

  it('equity exactly 0: negative equity (nothing left) but no bad debt, not insolvent', () => {
    const r = accountRisk({ collateralBase: 100n, suppliedBase: 100n, debtBase: 100n, healthFactor: 825_000_000_000_000_000n });
    expect(r.badDebtBase).toBe(0n);
    expect(r.equityBase).toBe(0n);
    expect(r.debtToEquity).toBeNull(); // division by zero equity is undefined
    expect(r.negativeEquity).toBe(true);
    expect(r.insolvent).toBe(false);
  });

  it('positive equity: debt/equity in 18-decimal fixed point, truncated', () => {
    // 100 / (300 - 100) = 0.5
    expect(accountRisk({ collateralBase: 300n, suppliedBase: 300n, debtBase: 100n, healthFactor: 2n * E18 }).debtToEquity).toBe(E18 / 2n);
    // 100 / (400 - 100) = 0.333... -> 18 threes, last digit truncated
    expect(accountRisk({ collateralBase: 400n, suppliedBase: 400n, debtBase: 100n, healthFactor: 3n * E18 }).debtToEquity).toBe(333_333_333_333_333_333n);
    // 200 / (500 - 200) = 0.666...: truncated to ...666, not rounded to ...667
    expect(accountRisk({ collateralBase: 500n, suppliedBase: 500n, debtBase: 200n, healthFactor: 2n * E18 }).debtToEquity).toBe(666_666_666_666_666_666n);
  });

  it('net value counts every supplied asset, equity only the collateral', () => {
    const r = accountRisk({ collateralBase: 300n, suppliedBase: 500n, debtBase: 100n, healthFactor: 2n * E18 });
    expect(r.netValueBase).toBe(400n); // 500 - 100
    expect(r.equityBase).toBe(200n); // 300 - 100
  });

  it('liquidatable strictly below a health factor of 1.0', () => {
    expect(ONE_WAD).toBe(10n ** 18n);
    const at = (hf: bigint | null) => accountRisk({ collateralBase: 10n, suppliedBase: 10n, debtBase: 5n, healthFactor: hf }).liquidatable;
    expect(at(E18 - 1n)).toBe(true);
    expect(at(E18)).toBe(false); // exactly 1.0 is not liquidatable (ValidationLogic: hf < threshold)
    expect(at(E18 + 1n)).toBe(false);
    expect(at(0n)).toBe(true);
    expect(at(null)).toBe(false);
  });
});

describe('allocateBadDebt', () => {
  const sum = (m: Map<string, bigint>) => [...m.values()].reduce((s, v) => s + v, 0n);

  it('splits pro rata of each debt and the last market takes the remainder', () => {
    // 100 over three equal debts: floor(100/3) = 33, 33, and the remainder 100 - 66 = 34
    const m = allocateBadDebt(100n, [
      { marketId: 'a', debtBase: 7n },
      { marketId: 'b', debtBase: 7n },
      { marketId: 'c', debtBase: 7n },
    ]);
    expect([...m.entries()]).toEqual([['a', 33n], ['b', 33n], ['c', 34n]]);
  });

  it('weights by debt value', () => {
    // 90 over debts 1:2: floor(90*100/300) = 30, remainder 60
    const m = allocateBadDebt(90n, [{ marketId: 'x', debtBase: 100n }, { marketId: 'y', debtBase: 200n }]);
    expect(m.get('x')).toBe(30n);
    expect(m.get('y')).toBe(60n);
  });

  it('skips markets with no debt (they get no entry, the remainder goes to the last one owed)', () => {
    const m = allocateBadDebt(10n, [
      { marketId: 'a', debtBase: 3n },
      { marketId: 'b', debtBase: 0n },
      { marketId: 'c', debtBase: 0n },
    ]);
    expect([...m.entries()]).toEqual([['a', 10n]]);
  });

  it('returns an empty map when there is no bad debt or no debt', () => {
    expect(allocateBadDebt(0n, [{ marketId: 'a', debtBase: 5n }]).size).toBe(0);
    expect(allocateBadDebt(5n, []).size).toBe(0);
    expect(allocateBadDebt(5n, [{ marketId: 'a', debtBase: 0n }]).size).toBe(0);
  });

  it('adds up two entries for the same market', () => {
    // 10 over (a:1, b:1, a:2): a gets floor(10/4)=2, b floor(10/4)=2, last a the remainder 6 -> a = 8
    const m = allocateBadDebt(10n, [{ marketId: 'a', debtBase: 1n }, { marketId: 'b', debtBase: 1n }, { marketId: 'a', debtBase: 2n }]);
    expect(m.get('a')).toBe(8n);
    expect(m.get('b')).toBe(2n);
  });

  it('parts always sum exactly to the whole, each within one unit per market of its exact share', () => {
    // Deterministic pseudo-random cases (LCG), including 1-unit dust and huge values.
    let seed = 12345n;
    const next = (mod: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return seed % mod;
    };
    for (let c = 0; c < 200; c++) {
      const n = Number(next(6n)) + 1;
      const debts = Array.from({ length: n }, (_, i) => ({ marketId: `m${i}`, debtBase: next(c % 2 ? 10n ** 30n : 5n) }));
      const bad = next(c % 3 ? 10n ** 28n : 3n) + 1n;
      const total = debts.reduce((s, d) => s + d.debtBase, 0n);
      const m = allocateBadDebt(bad, debts);
      if (total === 0n) {
        expect(m.size).toBe(0);
        continue;
      }
      expect(sum(m)).toBe(bad);
      for (const d of debts) {
        const share = m.get(d.marketId) ?? 0n;
        if (d.debtBase === 0n) expect(m.has(d.marketId)).toBe(false);
        // exact share bad*d/total, scaled by total to stay in integers: |share*total - bad*d| < n*total
        const diff = share * total - bad * d.debtBase;
        expect(diff < 0n ? -diff : diff).toBeLessThan(BigInt(n) * total);
        expect(share >= 0n).toBe(true);
      }
    }
  });
});
