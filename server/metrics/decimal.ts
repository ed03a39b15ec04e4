/**
 * Exact decimal strings from integers: money and ratios leave the gateway as strings computed with
 * bigint, never through floating point.
 */

/** `value / 10^decimals` written out exactly, trailing zeros trimmed ("1234.5", "-0.000001", "0"). */
export function formatUnits(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  const fraction = (abs % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Digits kept after the point in ratios (health factor, solvency, utilization...). */
export const RATIO_DECIMALS = 18;
const RATIO_UNIT = 10n ** BigInt(RATIO_DECIMALS);

/**
 * numerator / denominator as a fixed-point integer with RATIO_DECIMALS digits, truncated toward zero
 * (null when the denominator is zero: the ratio is undefined, not infinite).
 */
export function ratio(numerator: bigint, denominator: bigint): bigint | null {
  if (denominator === 0n) return null;
  return (numerator * RATIO_UNIT) / denominator;
}

/** A ratio from `ratio()` as an exact decimal string. */
export function formatRatio(fixed: bigint | null): string | null {
  return fixed === null ? null : formatUnits(fixed, RATIO_DECIMALS);
}

/** Parses a user-supplied decimal ("1.1") into a RATIO_DECIMALS fixed-point integer; throws on junk. */
export function parseRatio(text: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a non-negative decimal number`);
  const fraction = (match[2] ?? '').slice(0, RATIO_DECIMALS).padEnd(RATIO_DECIMALS, '0');
  return BigInt(match[1]) * RATIO_UNIT + BigInt(fraction);
}

export const max = (a: bigint, b: bigint) => (a > b ? a : b);
export const min = (a: bigint, b: bigint) => (a < b ? a : b);
