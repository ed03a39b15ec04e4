import { allocateCoverageOldestFirst, lossSplit, type RealizedLossFact } from '../../server/metrics/realized';

const fact = (id: string, marketId: string, block: number, amount: bigint, price: bigint | null = 2_00000000n): RealizedLossFact => ({ id, marketId, block, timestamp: block * 12, amount, price, decimals: 6 });

describe('allocateCoverageOldestFirst', () => {
  // Newest first, as the sources return them.
  const losses = [fact('c', 'usdc', 30, 500n), fact('w', 'weth', 25, 70n), fact('b', 'usdc', 20, 300n), fact('a', 'usdc', 10, 100n)];

  it("pays a market's oldest write-offs first and stops at its covered total", () => {
    // usdc: 350 covered -> a (100) in full, b 250 of 300, c nothing; weth: none covered.
    expect(allocateCoverageOldestFirst(losses, new Map([['usdc', 350n]]))).toEqual([
      { covered: 0n, socialized: 0n },
      { covered: 0n, socialized: 0n },
      { covered: 250n, socialized: 0n },
      { covered: 100n, socialized: 0n },
    ]);
  });

  it('covers everything when the covered total equals the write-offs (deficit 0)', () => {
    const out = allocateCoverageOldestFirst(losses, new Map([['usdc', 900n], ['weth', 70n]]));
    expect(out.map((a) => a.covered)).toEqual([500n, 70n, 300n, 100n]);
  });
});

describe('lossSplit', () => {
  it('values each part at the loss price; the deficit is the remainder, so the parts add up exactly', () => {
    // 1.000001 USDC at 3 USD (8 decimals): total 300000.3 -> 300000 base units (floor); covered 0.000001 -> 0.
    const odd = fact('x', 'usdc', 5, 1_000_001n, 3_00000000n);
    const s = lossSplit([{ fact: odd, absorbed: { covered: 1n, socialized: 0n } }], {});
    expect(s).toEqual({ count: 1, totalBase: 300000300n, coveredBase: 300n, socializedBase: 0n, deficitBase: 300000000n });
    expect(s.coveredBase + s.socializedBase + s.deficitBase).toBe(s.totalBase);
  });

  it('keeps to the range and the market', () => {
    const rows = [
      { fact: fact('m', 'usdc', 40, 2_000000n), absorbed: { covered: 0n, socialized: 2_000000n } },
      { fact: fact('n', 'weth', 30, 1_000000n), absorbed: { covered: 500000n, socialized: 500000n } },
      { fact: fact('o', 'usdc', 10, 4_000000n), absorbed: { covered: 1_000000n, socialized: 0n } },
    ];
    // 2 USD per token, 8 decimals: 1 token = 2_00000000 base units.
    expect(lossSplit(rows, { fromBlock: 20 })).toEqual({ count: 2, totalBase: 6_00000000n, coveredBase: 1_00000000n, socializedBase: 5_00000000n, deficitBase: 0n });
    expect(lossSplit(rows, {}, 'usdc')).toEqual({ count: 2, totalBase: 12_00000000n, coveredBase: 2_00000000n, socializedBase: 4_00000000n, deficitBase: 6_00000000n });
  });
});
