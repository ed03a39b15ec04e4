import { RATIO_DECIMALS, formatRatio, formatUnits, max, min, parseRatio, ratio } from '../../server/metrics/decimal';

// Expected strings and integers are written out by hand from the definitions in the doc comments.
const E18 = 10n ** 18n;

describe('formatUnits', () => {
  it('writes value / 10^decimals exactly, trailing zeros trimmed', () => {
    expect(formatUnits(123_450_000n, 5)).toBe('1234.5'); // 123450000 / 1e5 = 1234.50000
    expect(formatUnits(10n ** 18n, 18)).toBe('1'); // no ".0"
    expect(formatUnits(100n, 2)).toBe('1');
    expect(formatUnits(1n, 18)).toBe('0.000000000000000001'); // leading zeros of the fraction kept
    expect(formatUnits(1_000_001n, 6)).toBe('1.000001');
    expect(formatUnits(0n, 18)).toBe('0');
    expect(formatUnits(42n, 0)).toBe('42'); // decimals 0: no point at all
    // far beyond 2^53: no floating point anywhere
    expect(formatUnits(123_456_789_012_345_678_901_234_567n, 8)).toBe('1234567890123456789.01234567');
  });

  it('writes negative numbers with one leading minus sign', () => {
    expect(formatUnits(-1n, 6)).toBe('-0.000001');
    expect(formatUnits(-1_234_500n, 3)).toBe('-1234.5');
    expect(formatUnits(-(10n ** 8n), 8)).toBe('-1');
    expect(formatUnits(-5n, 0)).toBe('-5');
  });
});

describe('ratio / formatRatio', () => {
  it('is an 18-decimal fixed-point quotient truncated toward zero', () => {
    expect(RATIO_DECIMALS).toBe(18);
    expect(ratio(3n, 2n)).toBe(1_500_000_000_000_000_000n); // 1.5
    expect(ratio(1n, 3n)).toBe(333_333_333_333_333_333n); // 0.333..., 18 threes
    expect(ratio(2n, 3n)).toBe(666_666_666_666_666_666n); // 0.666...: truncated, not rounded to ...667
    expect(ratio(-1n, 3n)).toBe(-333_333_333_333_333_333n); // toward zero, not toward -infinity
    expect(ratio(0n, 7n)).toBe(0n);
    expect(ratio(1n, 10n ** 19n)).toBe(0n); // 1e-19 is below the last digit
  });

  it('is null (undefined), not infinite, when the denominator is zero', () => {
    expect(ratio(5n, 0n)).toBeNull();
    expect(ratio(0n, 0n)).toBeNull();
    expect(formatRatio(null)).toBeNull();
  });

  it('formats as exact decimal strings', () => {
    expect(formatRatio(ratio(3n, 2n))).toBe('1.5');
    expect(formatRatio(ratio(1n, 3n))).toBe('0.333333333333333333');
    expect(formatRatio(ratio(-1n, 4n))).toBe('-0.25');
    expect(formatRatio(ratio(10n, 1n))).toBe('10');
  });
});

describe('parseRatio', () => {
  it('reads non-negative decimals into 18-decimal fixed point', () => {
    expect(parseRatio('1.1')).toBe(1_100_000_000_000_000_000n);
    expect(parseRatio('0')).toBe(0n);
    expect(parseRatio('2')).toBe(2n * E18);
    expect(parseRatio(' 2.50 ')).toBe(2_500_000_000_000_000_000n); // surrounding spaces trimmed
    expect(parseRatio('0.000000000000000001')).toBe(1n); // the last representable digit
    expect(parseRatio('007.5')).toBe(7_500_000_000_000_000_000n); // leading zeros are harmless
  });

  it('truncates digits beyond the 18th (never rounds up)', () => {
    expect(parseRatio('0.0000000000000000019')).toBe(1n);
    expect(parseRatio('0.9999999999999999999')).toBe(999_999_999_999_999_999n);
  });

  it('refuses negatives and junk with a RangeError', () => {
    for (const junk of ['-1', '-0.5', '1.', '.5', '1e5', 'abc', '', ' ', '1.2.3', '0x10', '1,5', 'Infinity', 'NaN']) {
      expect(() => parseRatio(junk)).toThrow(RangeError);
    }
  });

  it('round-trips with formatUnits / formatRatio', () => {
    const values = [0n, 1n, 10n, E18, E18 + 1n, 999_999_999_999_999_999n, 123_456_789_012_345_678_901_234n];
    for (const v of values) expect(parseRatio(formatUnits(v, RATIO_DECIMALS))).toBe(v);
    for (const text of ['1.1', '0.000000000000000001', '12345', '0.5', '1000000000000000000000.25']) {
      expect(formatRatio(parseRatio(text))).toBe(text);
    }
    // A negative value formats fine but is not accepted back: parseRatio is for non-negative inputs.
    expect(formatUnits(-E18 / 2n, RATIO_DECIMALS)).toBe('-0.5');
    expect(() => parseRatio(formatUnits(-E18 / 2n, RATIO_DECIMALS))).toThrow(RangeError);
  });
});

describe('max / min', () => {
  it('pick the larger / smaller bigint, negatives included', () => {
    expect(max(3n, -5n)).toBe(3n);
    expect(max(-7n, -5n)).toBe(-5n);
    expect(min(3n, -5n)).toBe(-5n);
    expect(min(4n, 4n)).toBe(4n);
  });
});
