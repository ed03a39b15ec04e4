// Morpho Blue's integer math, exactly as the contracts round (bigint, no floats). Used to plan
// liquidations that cannot revert and by tests that check health from on-chain views.
/** Morpho MathLib.WAD */
export const WAD = 10n ** 18n;
/** Morpho ConstantsLib.ORACLE_PRICE_SCALE */
export const ORACLE_PRICE_SCALE = 10n ** 36n;
/** Morpho ConstantsLib.LIQUIDATION_CURSOR */
export const LIQUIDATION_CURSOR = 3n * 10n ** 17n;
/** Morpho ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR */
export const MAX_LIQUIDATION_INCENTIVE_FACTOR = 115n * 10n ** 16n;
/** Morpho ConstantsLib.MAX_FEE (25%) */
export const MAX_FEE = 25n * 10n ** 16n;
/** Morpho SharesMathLib.VIRTUAL_SHARES / VIRTUAL_ASSETS */
export const VIRTUAL_SHARES = 10n ** 6n;
export const VIRTUAL_ASSETS = 1n;

export const mulDivDown = (x: bigint, y: bigint, d: bigint) => (x * y) / d;
export const mulDivUp = (x: bigint, y: bigint, d: bigint) => (x * y + (d - 1n)) / d;
export const wMulDown = (x: bigint, y: bigint) => mulDivDown(x, y, WAD);
export const wDivDown = (x: bigint, y: bigint) => mulDivDown(x, WAD, y);
export const wDivUp = (x: bigint, y: bigint) => mulDivUp(x, WAD, y);

export const toSharesDown = (assets: bigint, totalAssets: bigint, totalShares: bigint) =>
  mulDivDown(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toSharesUp = (assets: bigint, totalAssets: bigint, totalShares: bigint) =>
  mulDivUp(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toAssetsDown = (shares: bigint, totalAssets: bigint, totalShares: bigint) =>
  mulDivDown(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
export const toAssetsUp = (shares: bigint, totalAssets: bigint, totalShares: bigint) =>
  mulDivUp(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);

/** Morpho.liquidate: min(MAX_LIQUIDATION_INCENTIVE_FACTOR, 1 / (1 - cursor * (1 - lltv))). */
export function liquidationIncentiveFactor(lltv: bigint): bigint {
  const lif = wDivDown(WAD, WAD - wMulDown(LIQUIDATION_CURSOR, WAD - lltv));
  return lif < MAX_LIQUIDATION_INCENTIVE_FACTOR ? lif : MAX_LIQUIDATION_INCENTIVE_FACTOR;
}

export interface MarketState {
  totalSupplyAssets: bigint;
  totalSupplyShares: bigint;
  totalBorrowAssets: bigint;
  totalBorrowShares: bigint;
}

/** Morpho._isHealthy's two sides: borrowed (rounded up) and maxBorrow (rounded down). */
export function health(m: MarketState, borrowShares: bigint, collateral: bigint, price: bigint, lltv: bigint) {
  const borrowed = toAssetsUp(borrowShares, m.totalBorrowAssets, m.totalBorrowShares);
  const maxBorrow = wMulDown(mulDivDown(collateral, price, ORACLE_PRICE_SCALE), lltv);
  return { borrowed, maxBorrow, healthy: borrowShares === 0n || maxBorrow >= borrowed };
}

/** Borrow shares a liquidation seizing `seizedAssets` repays (Morpho.liquidate, seizedAssets > 0). */
export function repaidSharesForSeized(m: MarketState, seizedAssets: bigint, price: bigint, lltv: bigint): bigint {
  const quoted = mulDivUp(seizedAssets, price, ORACLE_PRICE_SCALE);
  return toSharesUp(wDivUp(quoted, liquidationIncentiveFactor(lltv)), m.totalBorrowAssets, m.totalBorrowShares);
}

/** Collateral a liquidation repaying `repaidShares` seizes (Morpho.liquidate, repaidShares > 0). */
export function seizedForRepaidShares(m: MarketState, repaidShares: bigint, price: bigint, lltv: bigint): bigint {
  const assets = toAssetsDown(repaidShares, m.totalBorrowAssets, m.totalBorrowShares);
  return mulDivDown(wMulDown(assets, liquidationIncentiveFactor(lltv)), ORACLE_PRICE_SCALE, price);
}
