import { changeBetween, parseChange, shockCrossPrice, shockFactors, shockPrice, SHOCK_SCALE, unprofitableDebt, WAD } from '../../server/metrics/stress';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);

describe('price shocks (metrics/stress.ts)', () => {
  it('parses a change into an exact factor and refuses what it cannot take exactly', () => {
    expect(parseChange('-0.3')).toBe((SHOCK_SCALE * 7n) / 10n);
    expect(parseChange('0')).toBe(SHOCK_SCALE);
    expect(parseChange('+1.5')).toBe((SHOCK_SCALE * 5n) / 2n);
    expect(parseChange('-0.' + '0'.repeat(35) + '1')).toBe(SHOCK_SCALE - 1n);
    for (const bad of ['-1', '-1.0', '-2', 'abc', '', '1e3', '-0.' + '1'.repeat(37)]) expect(() => parseChange(bad)).toThrow(expect.objectContaining({ code: 'INVALID_SHOCK' }));
  });

  it('refuses an asset shocked twice (also through a group) and malformed addresses', () => {
    expect(() => shockFactors([{ asset: A, change: '-0.1' }, { assets: [B, A.toUpperCase().replace('0X', '0x')], change: '-0.2' }])).toThrow(/shocked twice/);
    expect(() => shockFactors([{ asset: '0x12', change: '0' }])).toThrow(expect.objectContaining({ code: 'INVALID_SHOCK' }));
    expect(() => shockFactors([{ change: '0' }])).toThrow(expect.objectContaining({ code: 'INVALID_SHOCK' }));
    expect([...shockFactors([{ assets: [A, B], change: '-0.5' }])]).toEqual([[A, SHOCK_SCALE / 2n], [B, SHOCK_SCALE / 2n]]);
  });

  it('changeBetween gives a change that moves any price up to 1e36 exactly to any other (random pairs)', () => {
    let seed = 12345n;
    const rand = (bits: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return (seed * 2n ** 64n + seed * 7919n) % 2n ** bits;
    };
    for (let i = 0; i < 2000; i++) {
      const from = 1n + rand(BigInt(1 + (i % 119)));
      const to = 1n + rand(BigInt(1 + ((i * 7) % 119)));
      expect(shockPrice(from, parseChange(changeBetween(from, to)))).toBe(to);
    }
  });

  it('a cross price moves by collateral change over loan change', () => {
    expect(shockCrossPrice(1000n, (SHOCK_SCALE * 8n) / 10n, undefined)).toBe(800n);
    expect(shockCrossPrice(1000n, (SHOCK_SCALE * 8n) / 10n, (SHOCK_SCALE * 5n) / 10n)).toBe(1600n);
    expect(shockCrossPrice(1000n, undefined, undefined)).toBe(1000n);
  });
});

describe('unprofitable debt: what no liquidator takes once the bonus is paid', () => {
  const bonus = new Map([['m1', (WAD * 105n) / 100n], ['m2', (WAD * 110n) / 100n]]);
  it('one pool of collateral (ACCOUNT): debt - sum(collateral / bonus), split pro rata of debt', () => {
    // collateral 105 at 5% covers 100, 110 at 10% covers 100: 300 owed, 100 left, split 1:2.
    const out = unprofitableDebt(
      [
        { marketId: 'm1', collateral: true, suppliedBase: 105n, borrowedBase: 100n },
        { marketId: 'm2', collateral: true, suppliedBase: 110n, borrowedBase: 200n },
      ],
      bonus,
      'ACCOUNT',
    );
    expect(out).toEqual(new Map([['m1', 33n], ['m2', 67n]]));
  });
  it('isolated markets (MARKET): a surplus in one market covers nothing in another', () => {
    const out = unprofitableDebt(
      [
        { marketId: 'm1', collateral: true, suppliedBase: 1000n, borrowedBase: 10n },
        { marketId: 'm2', collateral: true, suppliedBase: 110n, borrowedBase: 150n },
      ],
      bonus,
      'MARKET',
    );
    expect(out).toEqual(new Map([['m2', 50n]]));
  });
  it('fully covered debt and collateral not enabled', () => {
    expect(unprofitableDebt([{ marketId: 'm1', collateral: true, suppliedBase: 106n, borrowedBase: 100n }], bonus, 'ACCOUNT').size).toBe(0);
    expect(unprofitableDebt([{ marketId: 'm1', collateral: false, suppliedBase: 1000n, borrowedBase: 100n }], bonus, 'ACCOUNT')).toEqual(new Map([['m1', 100n]]));
  });
});
