/**
 * Morpho Blue's integer math exactly as the contracts round (morpho-blue v1.0 MathLib, SharesMathLib,
 * MorphoBalancesLib), in bigint. The gateway must reproduce Morpho's own figures to the unit, so every
 * rounding direction below is the contract's, not a choice.
 */

/** Morpho MathLib.WAD */
export const WAD = 10n ** 18n;
/** Morpho ConstantsLib.ORACLE_PRICE_SCALE: IOracle.price() quotes 1 collateral unit in loan units x 1e36. */
export const ORACLE_PRICE_SCALE = 10n ** 36n;
/** Morpho ConstantsLib.LIQUIDATION_CURSOR */
export const LIQUIDATION_CURSOR = 3n * 10n ** 17n;
/** Morpho ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR */
export const MAX_LIQUIDATION_INCENTIVE_FACTOR = 115n * 10n ** 16n;
/** Morpho SharesMathLib.VIRTUAL_SHARES (inflation-attack guard: 1e6 virtual shares per market) */
export const VIRTUAL_SHARES = 10n ** 6n;
/** Morpho SharesMathLib.VIRTUAL_ASSETS */
export const VIRTUAL_ASSETS = 1n;
/** WAD fraction -> bps (1e4 = 100%), the unit the gateway reports ltv/thresholds in. */
export const WAD_PER_BPS = 10n ** 14n;

export const mulDivDown = (x: bigint, y: bigint, d: bigint) => (x * y) / d;
export const mulDivUp = (x: bigint, y: bigint, d: bigint) => (x * y + (d - 1n)) / d;
export const wMulDown = (x: bigint, y: bigint) => mulDivDown(x, y, WAD);
export const wDivDown = (x: bigint, y: bigint) => mulDivDown(x, WAD, y);
export const wDivUp = (x: bigint, y: bigint) => mulDivUp(x, WAD, y);

/** MathLib.wTaylorCompounded: e^(x*n) - 1 by its first three Taylor terms (what Morpho charges). */
export function wTaylorCompounded(x: bigint, n: bigint): bigint {
  const firstTerm = x * n;
  const secondTerm = mulDivDown(firstTerm, firstTerm, 2n * WAD);
  const thirdTerm = mulDivDown(secondTerm, firstTerm, 3n * WAD);
  return firstTerm + secondTerm + thirdTerm;
}

export const toSharesDown = (assets: bigint, totalAssets: bigint, totalShares: bigint) => mulDivDown(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toSharesUp = (assets: bigint, totalAssets: bigint, totalShares: bigint) => mulDivUp(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toAssetsDown = (shares: bigint, totalAssets: bigint, totalShares: bigint) => mulDivDown(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
export const toAssetsUp = (shares: bigint, totalAssets: bigint, totalShares: bigint) => mulDivUp(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);

/** Morpho's `Market` struct (storage market[id]). */
export interface MorphoMarketState {
  totalSupplyAssets: bigint;
  totalSupplyShares: bigint;
  totalBorrowAssets: bigint;
  totalBorrowShares: bigint;
  /** market.lastUpdate, seconds */
  lastUpdate: bigint;
  /** WAD fraction of interest minted to the fee recipient */
  fee: bigint;
}

export interface ExpectedMarket extends MorphoMarketState {
  /** interest accrued since lastUpdate */
  interest: bigint;
  /** supply shares the fee recipient would be minted by the next accrual */
  feeShares: bigint;
}

/**
 * MorphoBalancesLib.expectedMarketBalances: the totals Morpho would store if interest were accrued
 * at `timestamp`. `borrowRate` is IIrm.borrowRateView(marketParams, market) (per second, WAD) read
 * at that block; pass null when the IRM is the zero address (no interest).
 */
export function expectedMarket(m: MorphoMarketState, borrowRate: bigint | null, timestamp: bigint): ExpectedMarket {
  const elapsed = timestamp - m.lastUpdate;
  const out: ExpectedMarket = { ...m, interest: 0n, feeShares: 0n };
  if (elapsed <= 0n || m.totalBorrowAssets === 0n || borrowRate === null) return out;
  const interest = wMulDown(m.totalBorrowAssets, wTaylorCompounded(borrowRate, elapsed));
  out.interest = interest;
  out.totalBorrowAssets += interest;
  out.totalSupplyAssets += interest;
  out.lastUpdate = timestamp;
  if (m.fee !== 0n) {
    const feeAmount = wMulDown(interest, m.fee);
    // The fee recipient's shares are priced as if the fee had not been supplied yet (Morpho._accrueInterest).
    out.feeShares = toSharesDown(feeAmount, out.totalSupplyAssets - feeAmount, out.totalSupplyShares);
    out.totalSupplyShares += out.feeShares;
  }
  return out;
}

/** Morpho.liquidate: min(MAX_LIQUIDATION_INCENTIVE_FACTOR, 1 / (1 - cursor * (1 - lltv))). */
export function liquidationIncentiveFactor(lltv: bigint): bigint {
  const lif = wDivDown(WAD, WAD - wMulDown(LIQUIDATION_CURSOR, WAD - lltv));
  return lif < MAX_LIQUIDATION_INCENTIVE_FACTOR ? lif : MAX_LIQUIDATION_INCENTIVE_FACTOR;
}
