/**
 * Price shocks and what they do to a protocol's accounts (docs/methodology.md, "Stress tests"). Pure:
 * a family re-runs its own account math with shocked prices (the same code as the plain figures);
 * this module only turns a change into exact integer prices and tallies the shocked accounts.
 */
import { max } from './decimal';
import { allocateBadDebt, type AccountRisk } from './account-risk';

/**
 * Digits a change may carry: 36, so that any price up to 10^36 (an Aave 8-decimal USD price, a
 * Morpho 1e36-scaled oracle price of a token worth less than 10^36 loan units) can be moved to any
 * other integer price exactly: price x factor / 10^36 steps by less than one unit.
 */
export const SHOCK_DECIMALS = 36;
export const SHOCK_SCALE = 10n ** BigInt(SHOCK_DECIMALS);

/** 1.0 as a wad factor: a liquidation bonus of 0%. */
export const WAD = 10n ** 18n;

export class ShockError extends RangeError {
  constructor(
    readonly code: 'INVALID_SHOCK' | 'UNKNOWN_ASSET',
    message: string,
  ) {
    super(message);
  }
}

/** "-0.3" -> factor 0.7 x 10^36. Refuses junk, more than 36 decimals (never rounded silently) and changes <= -100%. */
export function parseChange(text: string): bigint {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new ShockError('INVALID_SHOCK', `change must be a signed decimal string like "-0.3" (-30%), got "${text}"`);
  const fraction = m[3] ?? '';
  if (fraction.length > SHOCK_DECIMALS) throw new ShockError('INVALID_SHOCK', `change has more than ${SHOCK_DECIMALS} decimals: "${text}"`);
  const magnitude = BigInt(m[2]) * SHOCK_SCALE + BigInt(fraction.padEnd(SHOCK_DECIMALS, '0') || '0');
  const factor = SHOCK_SCALE + (m[1] === '-' ? -magnitude : magnitude);
  if (factor <= 0n) throw new ShockError('INVALID_SHOCK', `change must be greater than -1 (-100%): a price cannot fall to zero or below, got "${text}"`);
  return factor;
}

/** A shock as the API takes it: one asset, or a correlated group moving together. */
export interface ShockInput {
  asset?: string | null;
  assets?: string[] | null;
  change: string;
}

/** Asset (lowercase) -> factor x 10^36. An asset named twice is refused (which change would win is not obvious). */
export function shockFactors(shocks: ShockInput[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const s of shocks) {
    const assets = [...(s.asset ? [s.asset] : []), ...(s.assets ?? [])].map((a) => a.toLowerCase());
    if (assets.length === 0) throw new ShockError('INVALID_SHOCK', 'a shock needs `asset` or `assets`');
    const factor = parseChange(s.change);
    for (const a of assets) {
      if (!/^0x[0-9a-f]{40}$/.test(a)) throw new ShockError('INVALID_SHOCK', `asset must be 0x followed by 40 hex digits, got "${a}"`);
      if (out.has(a)) throw new ShockError('INVALID_SHOCK', `asset ${a} is shocked twice`);
      out.set(a, factor);
    }
  }
  return out;
}

/** Refuses shocks on assets the protocol does not hold (a typo must not read as "no effect"). */
export function checkKnown(factors: ReadonlyMap<string, bigint>, known: ReadonlySet<string>, protocol: string): void {
  const unknown = [...factors.keys()].filter((a) => !known.has(a));
  if (unknown.length) throw new ShockError('UNKNOWN_ASSET', `${protocol} has no market in ${unknown.join(', ')}`);
}

/** A price moved by a factor, truncated (an oracle answers integers; see SHOCK_DECIMALS). */
export const shockPrice = (price: bigint, factor: bigint | undefined): bigint => (factor === undefined ? price : (price * factor) / SHOCK_SCALE);

/** A cross price (collateral quoted in loan units: Morpho's oracle) when both sides move: p x fc / fl, truncated. */
export const shockCrossPrice = (price: bigint, collateral: bigint | undefined, loan: bigint | undefined): bigint =>
  collateral === undefined && loan === undefined ? price : (price * (collateral ?? SHOCK_SCALE)) / (loan ?? SHOCK_SCALE);

/** The change that takes `from` exactly to `to` under shockPrice (rounded up to 36 decimals), as a decimal string. */
export function changeBetween(from: bigint, to: bigint): string {
  const factor = (to * SHOCK_SCALE + from - 1n) / from;
  const c = factor - SHOCK_SCALE;
  const abs = c < 0n ? -c : c;
  const digits = (abs % SHOCK_SCALE).toString().padStart(SHOCK_DECIMALS, '0').replace(/0+$/, '');
  return `${c < 0n ? '-' : ''}${abs / SHOCK_SCALE}${digits ? `.${digits}` : ''}`;
}

/** Whether a liquidator's bonus is paid out of the whole account's collateral (Aave) or one market's (Morpho). */
export type CollateralScope = 'ACCOUNT' | 'MARKET';

export interface StressPosition {
  marketId: string;
  collateral: boolean;
  suppliedBase: bigint;
  borrowedBase: bigint;
}

/**
 * Debt no liquidator can profitably take: a liquidator repaying debt d receives d x bonus of
 * collateral, so collateral C covers at most C / bonus of debt; the rest is left whatever the
 * incentive. max(0, debt - sum(collateral_i / bonus_i)) per account (ACCOUNT scope) or per market
 * (MARKET scope), split over the markets owed pro rata of their debt. Bonus as a wad factor
 * (Aave liquidationBonus 10500 bps = 1.05e18; Morpho's liquidation incentive factor as it is).
 */
export function unprofitableDebt(positions: StressPosition[], bonusWad: ReadonlyMap<string, bigint>, scope: CollateralScope): Map<string, bigint> {
  const groups = new Map<string, StressPosition[]>();
  for (const p of positions) {
    const key = scope === 'ACCOUNT' ? '' : p.marketId;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(p);
  }
  const out = new Map<string, bigint>();
  for (const group of groups.values()) {
    let recoverable = 0n;
    let debt = 0n;
    for (const p of group) {
      debt += p.borrowedBase;
      if (p.collateral && p.suppliedBase > 0n) recoverable += (p.suppliedBase * WAD) / max(WAD, bonusWad.get(p.marketId) ?? WAD);
    }
    // Split as bad debt is split (truncated shares, the last market takes the remainder).
    const shares = allocateBadDebt(max(0n, debt - recoverable), group.map((p) => ({ marketId: p.marketId, debtBase: p.borrowedBase })));
    for (const [market, v] of shares) out.set(market, (out.get(market) ?? 0n) + v);
  }
  return out;
}

/** An account counts as liquidatable as the plain figures count it: by the protocol's rule, with something to seize. */
export const isLiquidatable = (r: AccountRisk) => r.liquidatable && !r.unliquidatable;

/** Addresses liquidatable (or insolvent) after and not before: what the shock alone adds. */
export function newly(before: ReadonlyMap<string, { risk: AccountRisk }>, after: { address: string; risk: AccountRisk }[], test: (r: AccountRisk) => boolean): string[] {
  return after.filter((a) => test(a.risk) && !test(before.get(a.address)?.risk ?? NO_RISK)).map((a) => a.address);
}

const NO_RISK = { liquidatable: false, unliquidatable: false, insolvent: false } as AccountRisk;
