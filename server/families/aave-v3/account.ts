/**
 * An Aave V3 account's figures at one block, computed as GenericLogic.calculateUserAccountData does
 * (v3.0.x), from indexed state: scaled balances, reserve indexes and oracle prices. Amounts are in
 * the oracle's base currency units (Aave V3: USD with 8 decimals), integers throughout.
 */
import { normalizedDebt, normalizedIncome, type ReserveIndexes } from './math';
import { AAVE_V30_RULES, type AaveRules, type TokenBalanceRules } from './rules';
import { MetricError } from '../../metrics/errors';

export interface AaveReserveState extends ReserveIndexes {
  /** Market id as the subgraph stores it. */
  id: string;
  /** Underlying asset address (lower case). */
  asset: string;
  decimals: number;
  /** bps */
  ltv: bigint;
  /** bps; 0 means the asset cannot be collateral */
  liquidationThreshold: bigint;
  eModeCategoryId: number;
  /** Oracle price in base currency units; null when the oracle has none (the figure is then refused). */
  price: bigint | null;
  /** The market's own token implementations' rounding (balanceOf); absent: the Pool's rules. */
  tokens?: TokenBalanceRules;
}

export interface AaveEModeCategoryState {
  id: number;
  ltv: bigint;
  liquidationThreshold: bigint;
  /** Asset whose oracle price replaces members' prices; null for none (zero address; always on v3.2+). */
  priceSourceAsset: string | null;
  /** Markets that are collateral inside this category (v3.0: the assets whose category this is). */
  collateralMarkets: ReadonlySet<string>;
  /** v3.6: markets whose LTV is 0 inside this category. */
  ltvZeroMarkets: ReadonlySet<string>;
}

export interface AavePositionState {
  marketId: string;
  scaledSupply: bigint;
  scaledVariableDebt: bigint;
  /** The user's usage-as-collateral flag (ReserveUsedAsCollateralEnabled/Disabled). */
  collateralEnabled: boolean;
}

export interface AaveAccountState {
  address: string;
  eModeCategoryId: number;
  positions: AavePositionState[];
}

export interface PositionFigures {
  marketId: string;
  /**
   * Underlying units, interest accrued to the block's timestamp, as the tokens' balanceOf gives them
   * (each token implementation's rounding; the Pool values with its own, which differs only while
   * an upgrade has switched one and not the other).
   */
  supplied: bigint;
  borrowed: bigint;
  price: bigint;
  /** Base currency value, rounded down as the protocol does. */
  suppliedBase: bigint;
  borrowedBase: bigint;
  /** Counted in totalCollateralBase (collateral flag on and liquidation threshold > 0). */
  isCollateral: boolean;
}

export interface AaveAccountFigures {
  /** = getUserAccountData.totalCollateralBase */
  totalCollateralBase: bigint;
  /** = getUserAccountData.totalDebtBase */
  totalDebtBase: bigint;
  /** Every supplied asset, collateral or not. */
  totalSuppliedBase: bigint;
  /** = getUserAccountData.ltv (bps) */
  ltv: bigint;
  /** = getUserAccountData.currentLiquidationThreshold (bps) */
  liquidationThreshold: bigint;
  /** wad; null when there is no debt (the contract returns uint256 max) */
  healthFactor: bigint | null;
  positions: PositionFigures[];
}

/**
 * A reserve's indexes at a timestamp and its unit, computed once per reserve object and timestamp: a
 * protocol view values every position of every account at one block, and compounding the interest
 * once per position was most of a head update's time at 10^4-10^5 accounts.
 */
interface ReserveAt {
  timestamp: bigint;
  rules: AaveRules;
  /** The inputs it was computed from (a caller may reuse a reserve object with other values). */
  from: [bigint, bigint, bigint, bigint, bigint, number];
  income: bigint;
  debt: bigint;
  unit: bigint;
}
const indexMemo = new WeakMap<AaveReserveState, ReserveAt>();
function reserveAt(r: AaveReserveState, timestamp: bigint, rules: AaveRules): ReserveAt {
  const m = indexMemo.get(r);
  const f = m?.from;
  if (m && m.timestamp === timestamp && m.rules === rules && f![0] === r.liquidityIndex && f![1] === r.variableBorrowIndex && f![2] === r.liquidityRate && f![3] === r.variableBorrowRate && f![4] === r.lastUpdateTimestamp && f![5] === r.decimals) return m;
  const fresh: ReserveAt = {
    timestamp,
    rules,
    from: [r.liquidityIndex, r.variableBorrowIndex, r.liquidityRate, r.variableBorrowRate, r.lastUpdateTimestamp, r.decimals],
    income: normalizedIncome(r, timestamp),
    debt: normalizedDebt(r, timestamp, rules.compoundedInterest),
    unit: 10n ** BigInt(r.decimals),
  };
  indexMemo.set(r, fresh);
  return fresh;
}

/** Price an asset is valued at for this user: the e-mode price source's price when it applies. */
function assetPrice(reserve: AaveReserveState, inCategory: boolean, eModePrice: bigint): bigint {
  if (eModePrice !== 0n && inCategory) return eModePrice;
  if (reserve.price === null) throw new MetricError('PRICE_UNAVAILABLE', `no oracle price for asset ${reserve.asset} at this block`);
  return reserve.price;
}

export function aaveAccountFigures(
  account: AaveAccountState,
  reserves: ReadonlyMap<string, AaveReserveState>,
  eModes: ReadonlyMap<number, AaveEModeCategoryState>,
  pricesByAsset: ReadonlyMap<string, bigint>,
  timestamp: bigint,
  rules: AaveRules = AAVE_V30_RULES,
  /** false: totals only, `positions` left empty (a head update values every borrower, most only for totals). */
  withPositions = true,
): AaveAccountFigures {
  let eModeLtv = 0n;
  let eModeThreshold = 0n;
  let eModePrice = 0n;
  let category: AaveEModeCategoryState | undefined;
  if (account.eModeCategoryId !== 0) {
    category = eModes.get(account.eModeCategoryId);
    if (!category) throw new MetricError('INCONSISTENT_DATA', `account ${account.address} uses unknown e-mode category ${account.eModeCategoryId}`);
    eModeLtv = category.ltv;
    eModeThreshold = category.liquidationThreshold;
    if (category.priceSourceAsset) {
      const price = pricesByAsset.get(category.priceSourceAsset);
      if (price === undefined) throw new MetricError('PRICE_UNAVAILABLE', `no oracle price for e-mode price source ${category.priceSourceAsset}`);
      eModePrice = price;
    }
  }

  let totalCollateral = 0n;
  let totalDebt = 0n;
  let totalSupplied = 0n;
  let weightedLtv = 0n;
  let weightedThreshold = 0n;
  const positions: PositionFigures[] = [];
  for (const position of account.positions) {
    if (position.scaledSupply === 0n && position.scaledVariableDebt === 0n) continue;
    const reserve = reserves.get(position.marketId);
    if (!reserve) throw new MetricError('INCONSISTENT_DATA', `position in unknown market ${position.marketId}`);
    const at = reserveAt(reserve, timestamp, rules);
    const unit = at.unit;
    const inCategory = category !== undefined && category.collateralMarkets.has(reserve.id);
    const price = assetPrice(reserve, inCategory, eModePrice);
    // GenericLogic turns scaled balances into amounts with the Pool's own rounding; balanceOf with the token's.
    const income = position.scaledSupply === 0n ? 0n : at.income;
    const debtIndex = position.scaledVariableDebt === 0n ? 0n : at.debt;
    const valuedSupply = income === 0n ? 0n : rules.aTokenBalance(position.scaledSupply, income);
    const valuedDebt = debtIndex === 0n ? 0n : rules.debtBalance(position.scaledVariableDebt, debtIndex);
    // _getUserBalanceInBaseCurrency truncates; _getUserDebtInBaseCurrency truncates (v3.0) or rounds up (v3.5+).
    const suppliedBase = valuedSupply === 0n ? 0n : (valuedSupply * price) / unit;
    const borrowedBase = valuedDebt === 0n ? 0n : rules.debtValue(valuedDebt, price, unit);
    const isCollateral = position.collateralEnabled && (!rules.collateralNeedsThreshold || reserve.liquidationThreshold !== 0n);
    totalSupplied += suppliedBase;
    // Nothing supplied adds nothing (most borrowers' debt positions): no arithmetic on zeros.
    if (isCollateral && suppliedBase !== 0n) {
      totalCollateral += suppliedBase;
      // ValidationLogic.getUserReserveLtv (v3.6) / GenericLogic's `if (vars.ltv != 0)` (v3.0)
      const zeroLtv = inCategory ? category!.ltvZeroMarkets.has(reserve.id) || (rules.ownZeroLtvWins && reserve.ltv === 0n) : false;
      const ltv = inCategory ? (zeroLtv ? 0n : eModeLtv) : reserve.ltv;
      weightedLtv += suppliedBase * ltv;
      weightedThreshold += suppliedBase * (inCategory ? eModeThreshold : reserve.liquidationThreshold);
    }
    totalDebt += borrowedBase;
    if (!withPositions) continue;
    const tokens = reserve.tokens ?? rules;
    // Most markets' tokens round as the Pool does: the same figure, not computed twice.
    const supplied = income === 0n ? 0n : tokens.aTokenBalance === rules.aTokenBalance ? valuedSupply : tokens.aTokenBalance(position.scaledSupply, income);
    const borrowed = debtIndex === 0n ? 0n : tokens.debtBalance === rules.debtBalance ? valuedDebt : tokens.debtBalance(position.scaledVariableDebt, debtIndex);
    positions.push({ marketId: position.marketId, supplied, borrowed, price, suppliedBase, borrowedBase, isCollateral });
  }
  const ltv = totalCollateral === 0n ? 0n : weightedLtv / totalCollateral;
  const liquidationThreshold = totalCollateral === 0n ? 0n : weightedThreshold / totalCollateral;
  const healthFactor = totalDebt === 0n ? null : rules.healthFactor(weightedThreshold, totalCollateral, totalDebt);
  return { totalCollateralBase: totalCollateral, totalDebtBase: totalDebt, totalSuppliedBase: totalSupplied, ltv, liquidationThreshold, healthFactor, positions };
}

/** A health factor of 1.0 in wad: below it the account can be liquidated (ValidationLogic). */
export const HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 10n ** 18n;
