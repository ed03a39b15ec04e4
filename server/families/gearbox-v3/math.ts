/**
 * Gearbox V3.1 health, exactly as CreditManagerV3._calcDebtAndCollateral (task DEBT_COLLATERAL,
 * normal prices): pure bigint math, no I/O. Every constant and step names the Solidity it equals
 * (@gearbox-protocol/core-v3@1.52.1, contracts/); integer division rounds down as in Solidity.
 */

/** contracts/libraries/Constants.sol RAY */
export const RAY = 10n ** 27n;
/** Constants.sol PERCENTAGE_FACTOR (bps) */
export const PERCENTAGE_FACTOR = 10_000n;
/** Constants.sol SECONDS_PER_YEAR */
export const SECONDS_PER_YEAR = 365n * 24n * 3600n;
/** Constants.sol RAY_DIVIDED_BY_PERCENTAGE = RAY / PERCENTAGE_FACTOR */
export const RAY_DIVIDED_BY_PERCENTAGE = RAY / PERCENTAGE_FACTOR;
/** Constants.sol UNDERLYING_TOKEN_MASK: the underlying is collateral token 0 */
export const UNDERLYING_TOKEN_MASK = 1n;
/** PriceOracleV3: USD amounts have 8 decimals */
export const USD_DECIMALS = 8;

/** PoolV3's interest state as stored (baseInterestIndexLU, baseInterestRate, lastBaseInterestUpdate). */
export interface PoolInterestState {
  /** ray */
  baseInterestIndexLU: bigint;
  /** ray per year */
  baseInterestRate: bigint;
  lastBaseInterestUpdate: bigint;
}

/** CreditLogic.calcLinearGrowth: value * (now - lastUpdate) / SECONDS_PER_YEAR */
export function calcLinearGrowth(value: bigint, timestampLastUpdate: bigint, now: bigint): bigint {
  return (value * (now - timestampLastUpdate)) / SECONDS_PER_YEAR;
}

/** PoolV3.baseInterestIndex() at block time `now` (PoolV3._calcBaseInterestIndex). */
export function baseInterestIndex(p: PoolInterestState, now: bigint): bigint {
  if (now === p.lastBaseInterestUpdate) return p.baseInterestIndexLU;
  return (p.baseInterestIndexLU * (RAY + calcLinearGrowth(p.baseInterestRate, p.lastBaseInterestUpdate, now))) / RAY;
}

/** PoolV3 state expectedLiquidity() reads (the stored figures and the totals they accrue on). */
export interface PoolLiquidityState extends PoolInterestState {
  expectedLiquidityLU: bigint;
  totalBorrowed: bigint;
  /** underlying units per year */
  quotaRevenue: bigint;
  lastQuotaRevenueUpdate: bigint;
}

/** PoolV3.expectedLiquidity() = expectedLiquidityLU + _calcBaseInterestAccrued() + _calcQuotaRevenueAccrued(). */
export function expectedLiquidity(p: PoolLiquidityState, now: bigint): bigint {
  const base = now === p.lastBaseInterestUpdate ? 0n : (p.totalBorrowed * calcLinearGrowth(p.baseInterestRate, p.lastBaseInterestUpdate, now)) / RAY;
  const quota = now === p.lastQuotaRevenueUpdate ? 0n : calcLinearGrowth(p.quotaRevenue, p.lastQuotaRevenueUpdate, now);
  return p.expectedLiquidityLU + base + quota;
}

/** CreditLogic.calcAccruedInterest: amount * indexNow / indexLastUpdate - amount (0 without debt). */
export function calcAccruedInterest(amount: bigint, cumulativeIndexLastUpdate: bigint, cumulativeIndexNow: bigint): bigint {
  if (amount === 0n) return 0n;
  return (amount * cumulativeIndexNow) / cumulativeIndexLastUpdate - amount;
}

/** QuotasLogic.cumulativeIndexSince: additive quota index, tqCumulativeIndexLU + 1e23 * dt * rate / SECONDS_PER_YEAR. */
export function quotaCumulativeIndex(cumulativeIndexLU: bigint, rateBps: bigint, lastQuotaRateUpdate: bigint, now: bigint): bigint {
  return cumulativeIndexLU + (RAY_DIVIDED_BY_PERCENTAGE * (now - lastQuotaRateUpdate) * rateBps) / SECONDS_PER_YEAR;
}

/** QuotasLogic.calcAccruedQuotaInterest: quoted * (indexNow - indexLU) / RAY */
export function calcAccruedQuotaInterest(quoted: bigint, cumulativeIndexNow: bigint, cumulativeIndexLU: bigint): bigint {
  return (quoted * (cumulativeIndexNow - cumulativeIndexLU)) / RAY;
}

/** A collateral token's LT ramp (CreditManagerV3.ltParams). */
export interface LtParams {
  ltInitial: bigint;
  ltFinal: bigint;
  timestampRampStart: bigint;
  rampDuration: bigint;
}

/** CreditLogic.getLiquidationThreshold: the LT at `now` along its ramp, bps. */
export function liquidationThresholdAt(p: LtParams, now: bigint): bigint {
  if (now <= p.timestampRampStart) return p.ltInitial;
  const end = p.timestampRampStart + p.rampDuration;
  if (now >= end) return p.ltFinal;
  return (p.ltInitial * (end - now) + p.ltFinal * (now - p.timestampRampStart)) / (end - p.timestampRampStart);
}

/** A PriceOracleV3 price: getPrice(token) (USD, 8 decimals) and its scale 10^tokenDecimals (PriceOracleV3._getScale). */
export interface OraclePrice {
  price: bigint;
  scale: bigint;
}

/** PriceOracleV3.convertToUSD: amount * price / scale */
export const convertToUSD = (amount: bigint, p: OraclePrice) => (amount * p.price) / p.scale;
/** PriceOracleV3.convertFromUSD: amount * scale / price */
export const convertFromUSD = (amountUSD: bigint, p: OraclePrice) => (amountUSD * p.scale) / p.price;

/** A credit manager's collateral token (index i has mask 1 << i; the underlying is mask 1). */
export interface CollateralTokenInfo {
  token: string;
  mask: bigint;
  lt: LtParams;
}

export interface CreditManagerParams {
  underlying: string;
  /** CreditManagerV3.ltUnderlying (collateralTokenByMask(1)), bps: the underlying has no ramp */
  ltUnderlying: bigint;
  /** CreditManagerV3.feeInterest, bps */
  feeInterest: bigint;
  /** every collateral token but the underlying */
  collateralTokens: CollateralTokenInfo[];
}

/** CreditManagerV3.creditAccountInfo(ca), the fields calcDebtAndCollateral reads. */
export interface CreditAccountInfo {
  debt: bigint;
  cumulativeIndexLastUpdate: bigint;
  /** as stored: 1 stands for zero (CreditManagerV3 keeps it non-zero) */
  cumulativeQuotaInterest: bigint;
  quotaFees: bigint;
  enabledTokensMask: bigint;
}

export interface QuotaTokenState {
  /** PoolQuotaKeeperV3.getTokenQuotaParams: rate (bps per year) and cumulativeIndexLU (ray) */
  rate: bigint;
  cumulativeIndexLU: bigint;
}

export interface AccountQuota {
  /** PoolQuotaKeeperV3.getQuota(ca, token) */
  quota: bigint;
  cumulativeIndexLU: bigint;
}

export interface HealthInputs {
  /** block timestamp */
  now: bigint;
  pool: PoolInterestState;
  cm: CreditManagerParams;
  /** PoolQuotaKeeperV3.lastQuotaRateUpdate */
  lastQuotaRateUpdate: bigint;
  /** by token (lowercase) */
  quotaTokens: ReadonlyMap<string, QuotaTokenState>;
  /** PriceOracleV3 price by token (lowercase) */
  prices: ReadonlyMap<string, OraclePrice>;
}

export interface AccountInputs {
  info: CreditAccountInfo;
  /** by token (lowercase); absent = 0 */
  quotas: ReadonlyMap<string, AccountQuota>;
  /** the account's token balances by token (lowercase); absent = 0 */
  balances: ReadonlyMap<string, bigint>;
}

export interface TokenCollateral {
  token: string;
  balance: bigint;
  /** bps, at the block (ramped) */
  lt: bigint;
  quota: bigint | null;
  valueUSD: bigint;
  /** min(value * LT, quota in USD); the underlying is not quota-capped */
  weightedValueUSD: bigint;
}

/** CollateralDebtData as calcDebtAndCollateral(ca, DEBT_COLLATERAL) returns it, plus the per-token parts. */
export interface DebtAndCollateral {
  debt: bigint;
  cumulativeIndexNow: bigint;
  cumulativeIndexLastUpdate: bigint;
  cumulativeQuotaInterest: bigint;
  /** base + quota interest */
  accruedInterest: bigint;
  /** quota fees + feeInterest on all interest */
  accruedFees: bigint;
  /** CreditLogic.calcTotalDebt: debt + accruedInterest + accruedFees (underlying units) */
  totalDebt: bigint;
  totalDebtUSD: bigint;
  totalValueUSD: bigint;
  twvUSD: bigint;
  /** totalValueUSD in underlying units (convertFromUSD) */
  totalValue: bigint;
  quotedTokens: string[];
  tokens: TokenCollateral[];
}

/** A token the account's health needs has no PriceOracleV3 price at the block (calcDebtAndCollateral reverts there too). */
export class MissingPriceError extends Error {
  constructor(readonly token: string) {
    super(`no PriceOracleV3 price for ${token}`);
  }
}

function priceOf(h: HealthInputs, token: string): OraclePrice {
  const p = h.prices.get(token);
  if (!p) throw new MissingPriceError(token);
  return p;
}

/** CreditManagerV3._calcDebtAndCollateral(ca, enabledTokensMaskOf(ca), [], PERCENTAGE_FACTOR, DEBT_COLLATERAL, false) */
export function calcDebtAndCollateral(h: HealthInputs, a: AccountInputs): DebtAndCollateral {
  const { info } = a;
  const debt = info.debt;
  const cumulativeIndexLastUpdate = debt === 0n ? 0n : info.cumulativeIndexLastUpdate;
  const cumulativeIndexNow = baseInterestIndex(h.pool, h.now);

  // _getQuotedTokensData: enabled tokens but the underlying, lowest mask bit first (no hints).
  const byMask = new Map(h.cm.collateralTokens.map((t) => [t.mask, t]));
  const quoted: { token: string; quota: bigint; lt: bigint }[] = [];
  let outstandingQuotaInterest = 0n;
  let mask = info.enabledTokensMask & ~UNDERLYING_TOKEN_MASK;
  for (let bit = 1n; mask !== 0n; bit <<= 1n) {
    if ((mask & bit) === 0n) continue;
    mask &= ~bit;
    const t = byMask.get(bit);
    if (!t) throw new Error(`enabled token mask ${bit} is not a collateral token of the credit manager`);
    const q = a.quotas.get(t.token) ?? { quota: 0n, cumulativeIndexLU: 0n };
    const tq = h.quotaTokens.get(t.token);
    if (!tq) throw new Error(`token ${t.token} is not quoted (PoolQuotaKeeperV3 TokenIsNotQuotedException)`);
    const indexNow = quotaCumulativeIndex(tq.cumulativeIndexLU, tq.rate, h.lastQuotaRateUpdate, h.now);
    outstandingQuotaInterest += calcAccruedQuotaInterest(q.quota, indexNow, q.cumulativeIndexLU);
    quoted.push({ token: t.token, quota: q.quota, lt: liquidationThresholdAt(t.lt, h.now) });
  }
  const cumulativeQuotaInterest = outstandingQuotaInterest + info.cumulativeQuotaInterest - 1n;

  const baseInterest = calcAccruedInterest(debt, cumulativeIndexLastUpdate, cumulativeIndexNow);
  const accruedFees = info.quotaFees + (baseInterest * h.cm.feeInterest) / PERCENTAGE_FACTOR + (cumulativeQuotaInterest * h.cm.feeInterest) / PERCENTAGE_FACTOR;
  const accruedInterest = baseInterest + cumulativeQuotaInterest;
  const totalDebt = debt + accruedInterest + accruedFees;
  const up = priceOf(h, h.cm.underlying);
  const totalDebtUSD = totalDebt !== 0n ? convertToUSD(totalDebt, up) : 0n;

  // CollateralLogic.calcCollateral (twvUSDTarget = max: every token is counted).
  const underlyingPriceRAY = convertToUSD(RAY, up);
  const tokens: TokenCollateral[] = [];
  const one = (token: string, lt: bigint, quota: bigint | null): TokenCollateral => {
    const balance = a.balances.get(token) ?? 0n;
    let valueUSD = 0n;
    let weightedValueUSD = 0n;
    // CollateralLogic.calcOneTokenCollateral
    if (balance !== 0n) {
      valueUSD = convertToUSD(balance, priceOf(h, token));
      const weighted = (valueUSD * lt) / PERCENTAGE_FACTOR;
      const capUSD = quota === null ? null : (quota * underlyingPriceRAY) / RAY;
      weightedValueUSD = capUSD !== null && capUSD < weighted ? capUSD : weighted;
    }
    return { token, balance, lt, quota, valueUSD, weightedValueUSD };
  };
  for (const q of quoted) tokens.push(one(q.token, q.lt, q.quota));
  tokens.push(one(h.cm.underlying, h.cm.ltUnderlying, null));
  const totalValueUSD = tokens.reduce((s, t) => s + t.valueUSD, 0n);
  const twvUSD = tokens.reduce((s, t) => s + t.weightedValueUSD, 0n);
  return {
    debt,
    cumulativeIndexNow,
    cumulativeIndexLastUpdate,
    cumulativeQuotaInterest,
    accruedInterest,
    accruedFees,
    totalDebt,
    totalDebtUSD,
    totalValueUSD,
    twvUSD,
    totalValue: convertFromUSD(totalValueUSD, up),
    quotedTokens: quoted.map((q) => q.token),
    tokens,
  };
}

/** Gearbox's health factor in bps (twvUSD * PERCENTAGE_FACTOR / totalDebtUSD, as the Gearbox SDK); null without debt. */
export function healthFactorBps(c: DebtAndCollateral): bigint | null {
  return c.totalDebtUSD === 0n ? null : (c.twvUSD * PERCENTAGE_FACTOR) / c.totalDebtUSD;
}

/**
 * CreditFacadeV3._revertIfNotLiquidatable: liquidatable when it owes something and is unhealthy
 * (twvUSD < totalDebtUSD) or the facade is expired (_isExpired: expirable and expirationDate <= now).
 */
export function isLiquidatable(c: DebtAndCollateral, expired: boolean): boolean {
  return c.debt !== 0n && (c.twvUSD < c.totalDebtUSD || expired);
}

/** CreditFacadeV3._isExpired */
export function isExpired(expirable: boolean, expirationDate: bigint, now: bigint): boolean {
  return expirable && expirationDate !== 0n && now >= expirationDate;
}

/** Latent bad debt: max(0, totalDebt - totalValue), in USD and in underlying units. */
export function latentBadDebt(c: DebtAndCollateral): { usd: bigint; underlying: bigint } {
  return {
    usd: c.totalDebtUSD > c.totalValueUSD ? c.totalDebtUSD - c.totalValueUSD : 0n,
    underlying: c.totalDebt > c.totalValue ? c.totalDebt - c.totalValue : 0n,
  };
}

/** ERC-4626 PoolV3.convertToAssets (rounding down): shares * totalAssets / totalSupply; shares themselves on an empty pool. */
export function sharesToAssets(shares: bigint, totalAssets: bigint, totalSupply: bigint): bigint {
  return totalSupply === 0n ? shares : (shares * totalAssets) / totalSupply;
}
