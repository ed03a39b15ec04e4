/**
 * Builds the protocol-independent views of a Gearbox V3 pool at one block. A Market is the pool and
 * its underlying (as the subgraph models it); an Account is a credit account, valued by
 * CreditManagerV3.calcDebtAndCollateral's own math (./math.ts) at PriceOracleV3 prices; the insurance
 * fund is the treasury's pool shares, which a loss burns before depositors lose anything.
 */
import { accountRisk, ONE_WAD } from '../../metrics/account-risk';
import { ratio } from '../../metrics/decimal';
import { solvency, type BalanceSheet } from '../../metrics/solvency';
import type { BlockRef, IndexingState } from '../../sources/blocks';
import type { AccountView, MarketTally, MarketView, PositionView, ProtocolRef, ProtocolView } from '../../views/model';
import { oraclePricing, unpriced } from '../../views/pricing';
import type { AccountChainState, PoolChainState } from './chain';
import type { GearboxV3PoolDetails } from './details';
import {
  baseInterestIndex,
  calcDebtAndCollateral,
  convertToUSD,
  expectedLiquidity,
  healthFactorBps,
  isExpired,
  MissingPriceError,
  isLiquidatable,
  latentBadDebt,
  liquidationThresholdAt,
  PERCENTAGE_FACTOR,
  sharesToAssets,
  USD_DECIMALS,
  type DebtAndCollateral,
  type HealthInputs,
} from './math';
import type { CreditAccountRow, GearboxState } from './source';

export interface GearboxInputs {
  state: GearboxState;
  chain: PoolChainState;
  block: BlockRef;
  indexing: IndexingState;
  warnings: string[];
}

export interface GearboxAccountInput {
  row: CreditAccountRow;
  chain: AccountChainState;
}

export function gearboxRef(s: GearboxState): ProtocolRef {
  const p = s.protocol;
  return { id: p.id, name: p.name, slug: p.slug, family: p.family, network: p.network, baseDecimals: USD_DECIMALS };
}

/** A credit account's view, with calcDebtAndCollateral's figures kept beside it. */
export type GearboxAccountView = AccountView & { gearbox: DebtAndCollateral & { creditManager: string; healthFactorBps: bigint | null; latentBadDebt: bigint } };

/** What every view of the pool at this block carries (prices: PriceOracleV3 read at the block). */
function computed(i: GearboxInputs) {
  return { protocol: gearboxRef(i.state), block: i.block, indexing: i.indexing, pricing: oraclePricing(i.block.number), warnings: i.warnings };
}

/** An account calcDebtAndCollateral cannot value at this block: its principal, balances, no USD. */
function unvalued(a: GearboxAccountInput): DebtAndCollateral {
  const info = a.chain.info;
  return {
    debt: info.debt, cumulativeIndexNow: 0n, cumulativeIndexLastUpdate: info.cumulativeIndexLastUpdate, cumulativeQuotaInterest: 0n, accruedInterest: 0n, accruedFees: 0n,
    totalDebt: info.debt, totalDebtUSD: 0n, totalValueUSD: 0n, twvUSD: 0n, totalValue: 0n, quotedTokens: [],
    tokens: [...a.row.balances].map(([token, balance]) => ({ token, balance, lt: 0n, quota: null, valueUSD: 0n, weightedValueUSD: 0n })),
  };
}

function healthInputs(i: GearboxInputs, creditManager: string): HealthInputs {
  const cm = i.chain.managers.get(creditManager);
  if (!cm) throw new Error(`credit manager ${creditManager} was not read`);
  return { now: BigInt(i.block.timestamp), pool: i.chain.pool, cm: cm.params, lastQuotaRateUpdate: i.chain.lastQuotaRateUpdate, quotaTokens: i.chain.quotaTokens, prices: i.chain.prices };
}

export function gearboxAccountView(i: GearboxInputs, a: GearboxAccountInput): GearboxAccountView {
  const { pool } = i.state;
  const now = BigInt(i.block.timestamp);
  const cm = i.chain.managers.get(a.row.creditManager)!;
  let c: DebtAndCollateral;
  let valued = true;
  const warnings = [...i.warnings];
  try {
    c = calcDebtAndCollateral(healthInputs(i, a.row.creditManager), { info: a.chain.info, quotas: a.chain.quotas, balances: a.row.balances });
  } catch (err) {
    if (!(err instanceof MissingPriceError)) throw err;
    // calcDebtAndCollateral reverts at this block too: the account is left out of USD figures, named here.
    valued = false;
    c = unvalued(a);
    warnings.push(`${i.state.protocol.slug}: credit account ${a.row.address} is left out of USD figures: PriceOracleV3.getPrice(${err.token}) reverted at block ${i.block.number}`);
  }
  const expired = isExpired(cm.expirable, cm.expirationDate, now);
  const healthFactor = !valued || c.totalDebtUSD === 0n ? null : (c.twvUSD * ONE_WAD) / c.totalDebtUSD;
  const base = accountRisk({ collateralBase: c.totalValueUSD, suppliedBase: 0n, debtBase: c.totalDebtUSD, healthFactor });
  const bad = latentBadDebt(c);
  const positions: PositionView[] = c.tokens
    .filter((t) => t.balance > 0n)
    .map((t) => {
      const info = a.row.tokens.get(t.token) ?? (t.token === pool.underlying.address ? pool.underlying : null);
      return {
        marketId: pool.marketId,
        asset: t.token,
        symbol: info?.symbol ?? null,
        decimals: info?.decimals ?? 0,
        supplied: t.balance,
        borrowed: 0n,
        price: i.chain.prices.get(t.token)?.price ?? 0n,
        suppliedBase: t.valueUSD,
        borrowedBase: 0n,
        // Counted by calcDebtAndCollateral: the underlying and every enabled (quoted) token.
        collateral: true,
        valued,
      };
    });
  if (c.totalDebt > 0n) {
    const u = pool.underlying;
    positions.push({ marketId: pool.marketId, asset: u.address, symbol: u.symbol, decimals: u.decimals, supplied: 0n, borrowed: c.totalDebt, price: i.chain.prices.get(u.address)?.price ?? 0n, suppliedBase: 0n, borrowedBase: c.totalDebtUSD, collateral: false, valued });
  }
  const lt = c.totalValueUSD === 0n ? 0n : (c.twvUSD * PERCENTAGE_FACTOR) / c.totalValueUSD;
  return {
    ...computed(i),
    pricing: valued ? oraclePricing(i.block.number) : unpriced(i.state.pool.marketId),
    warnings,
    address: a.row.address,
    eModeCategoryId: null,
    collateralBase: c.totalValueUSD,
    // A credit account lends nothing: depositors lend through the pool's shares.
    suppliedBase: 0n,
    debtBase: c.totalDebtUSD,
    healthFactor,
    // Gearbox has one threshold: the effective (value-weighted, quota-capped) LT, twvUSD / totalValueUSD.
    ltv: lt,
    liquidationThreshold: lt,
    risk: {
      ...base,
      // CreditFacadeV3._revertIfNotLiquidatable: unhealthy (twvUSD < totalDebtUSD) or expired.
      liquidatable: isLiquidatable(c, expired),
      unliquidatable: c.debt > 0n && c.totalValueUSD === 0n,
    },
    positions,
    gearbox: { ...c, creditManager: a.row.creditManager, healthFactorBps: healthFactorBps(c), latentBadDebt: bad.underlying },
  };
}

export function gearboxProtocolView(i: GearboxInputs, accounts: GearboxAccountInput[]): ProtocolView {

  const { pool } = i.state;
  const now = BigInt(i.block.timestamp);
  const views = accounts.map((a) => gearboxAccountView(i, a));
  const up = i.chain.prices.get(pool.underlying.address) ?? null;
  const usd = (amount: bigint) => (up === null ? 0n : convertToUSD(amount, up));
  const marketPricing = up === null ? unpriced(pool.marketId) : oraclePricing(i.block.number);
  const warnings = up === null ? [...i.warnings, `${i.state.protocol.slug}: the pool is left out of USD figures: PriceOracleV3.getPrice(${pool.underlying.symbol ?? pool.underlying.address}) reverted at block ${i.block.number}`] : i.warnings;

  // PoolV3.expectedLiquidity() = totalAssets(): what every pool share (the treasury's too) is worth.
  const el = expectedLiquidity(i.chain.pool, now);
  const available = pool.availableLiquidity;
  const treasuryAssets = sharesToAssets(pool.treasuryShares, el, pool.totalSupply);
  const borrowers = views.filter((v) => v.gearbox.debt > 0n);
  const latent = borrowers.reduce((s, v) => s + v.gearbox.latentBadDebt, 0n);
  const sheet: BalanceSheet = {
    availableLiquidityBase: usd(available),
    // The pool's claim on borrowers: principal and the interest it books (expected - available).
    debtBase: usd(el - available),
    supplierClaimsBase: usd(el - treasuryAssets),
    // The treasury's shares: the insurance fund, burnt first on a loss (PoolV3.repayCreditAccount).
    reservesBase: usd(treasuryAssets),
    latentBadDebtBase: borrowers.reduce((s, v) => s + v.risk.badDebtBase, 0n),
    // Gearbox never carries a deficit: a loss is covered or socialized in the same transaction.
    outstandingDeficitBase: 0n,
  };
  const liquidatable = borrowers.filter((v) => v.risk.liquidatable && !v.risk.unliquidatable);
  const dead = borrowers.filter((v) => v.risk.unliquidatable);
  const tally: MarketTally = {
    borrowers: borrowers.length,
    insolventAccounts: borrowers.filter((v) => v.risk.insolvent).length,
    liquidatableAccounts: liquidatable.length,
    liquidatableDebtBase: liquidatable.reduce((s, v) => s + v.debtBase, 0n),
    unliquidatableAccounts: dead.length,
    unliquidatableDebtBase: dead.reduce((s, v) => s + v.debtBase, 0n),
  };
  const details: GearboxV3PoolDetails = {
    family: i.state.protocol.family,
    graphqlType: 'GearboxV3PoolDetails',
    decimals: pool.underlying.decimals,
    pool: pool.id,
    treasury: pool.treasury,
    quotaKeeper: i.chain.quotaKeeper,
    priceOracle: i.chain.priceOracle,
    expectedLiquidity: el,
    availableLiquidity: available,
    totalBorrowed: pool.totalBorrowed,
    baseInterestRate: i.chain.pool.baseInterestRate,
    baseInterestIndex: baseInterestIndex(i.chain.pool, now),
    quotaRevenue: i.chain.pool.quotaRevenue,
    totalShares: pool.totalSupply,
    treasuryShares: pool.treasuryShares,
    treasuryAssets,
    treasuryUSD: usd(treasuryAssets),
    latentBadDebt: latent,
    latentBadDebtUSD: sheet.latentBadDebtBase,
    uncoveredLatentBadDebt: latent > treasuryAssets ? latent - treasuryAssets : 0n,
    totalProfit: pool.totalProfit,
    totalLoss: pool.totalLoss,
    totalCoveredLoss: pool.totalCoveredLoss,
    totalCoveredShares: pool.totalCoveredShares,
    totalUncoveredLoss: pool.totalUncoveredLoss,
    lossCount: pool.lossCount,
    creditManagers: pool.creditManagers.map((m) => {
      const r = i.chain.managers.get(m.id)!;
      return {
        address: m.id,
        creditFacade: r.facade,
        fees: r.fees,
        debtLimit: m.debtLimit,
        totalBorrowed: m.totalBorrowed,
        minDebt: m.minDebt,
        maxDebt: m.maxDebt,
        openCreditAccounts: m.openCreditAccountCount,
        expirable: r.expirable,
        expirationDate: r.expirationDate,
        expired: isExpired(r.expirable, r.expirationDate, now),
        paused: r.paused,
        ltUnderlying: r.params.ltUnderlying,
        collateralTokens: r.params.collateralTokens.map((t) => ({
          token: m.collateralTokens.find((c) => c.token.address === t.token)?.token ?? { address: t.token, symbol: null, name: null, decimals: 0 },
          liquidationThreshold: liquidationThresholdAt(t.lt, now),
          ...t.lt,
        })),
      };
    }),
    quotaTokens: pool.quotaTokens.map((q) => {
      const c = i.chain.quotaTokens.get(q.token.address);
      return {
        token: q.token,
        rate: c?.rate ?? BigInt(q.rate),
        quotaIncreaseFee: c?.quotaIncreaseFee ?? BigInt(q.quotaIncreaseFee),
        limit: c?.limit ?? q.limit,
        totalQuoted: c?.totalQuoted ?? q.totalQuoted,
        minRate: q.minRate,
        maxRate: q.maxRate,
      };
    }),
  };
  const market: MarketView = {
    ...computed(i),
    pricing: marketPricing,
    warnings,
    id: pool.marketId,
    asset: pool.underlying.address,
    symbol: pool.underlying.symbol,
    name: pool.underlying.name,
    decimals: pool.underlying.decimals,
    price: up?.price ?? null,
    valued: up !== null,
    details,
    totalSupplied: el,
    totalBorrowed: pool.totalBorrowed,
    availableLiquidity: available,
    deficit: 0n,
    reserves: treasuryAssets,
    // The IRM's utilization: borrowed share of expected liquidity (PoolV3._updateBaseInterest).
    utilization: ratio(el - available, el),
    totalSuppliedBase: usd(el),
    sheet,
    solvency: solvency(sheet),
    tally,
    borrowers: views,
  };
  return {
    ...computed(i),
    pricing: marketPricing,
    warnings,
    markets: [market],
    insuranceFund: { name: 'Gearbox V3 treasury pool shares (PoolV3.treasury(): burnt first on a loss)', balanceBase: sheet.reservesBase },
    totalSuppliedBase: market.totalSuppliedBase,
    accounts: views,
    accountCount: views.length,
    borrowers: views,
    borrowerTotals: views,
    sheet,
    solvency: solvency(sheet),
  };
}
