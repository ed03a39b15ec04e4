/**
 * A Gearbox V3 pool's own figures (GraphQL type GearboxV3PoolDetails, declared in ./schema.graphql):
 * the pool's totals and interest state, the insurance fund (the treasury's pool shares) and its
 * coverage of latent bad debt, realized losses split covered / uncovered, each credit manager's fees,
 * limits and LT ramps, and each quota token's debt ceiling and its use.
 */
import { formatRatio, formatUnits, ratio } from '../../metrics/decimal';
import type { MarketDetails } from '../../views/model';
import type { LtParams } from './math';
import { RAY, USD_DECIMALS } from './math';
import type { GearboxPoolRow, TokenInfo } from './source';

/** GearboxPool's loss and profit totals since inception, as indexed. */
type PoolTotals = Pick<GearboxPoolRow, 'totalProfit' | 'totalLoss' | 'totalCoveredLoss' | 'totalCoveredShares' | 'totalUncoveredLoss' | 'lossCount'>;

export interface GearboxV3PoolDetails extends MarketDetails, PoolTotals {
  graphqlType: 'GearboxV3PoolDetails';
  /** underlying decimals */
  decimals: number;
  pool: string;
  treasury: GearboxPoolRow['treasury'];
  quotaKeeper: string;
  priceOracle: string;
  /** PoolV3.expectedLiquidity() at the block */
  expectedLiquidity: bigint;
  availableLiquidity: bigint;
  totalBorrowed: bigint;
  /** ray per year */
  baseInterestRate: bigint;
  /** PoolV3.baseInterestIndex() at the block, ray */
  baseInterestIndex: bigint;
  quotaRevenue: bigint;
  totalShares: bigint;
  treasuryShares: bigint;
  /** PoolV3.convertToAssets(treasuryShares) */
  treasuryAssets: bigint;
  treasuryUSD: bigint;
  latentBadDebt: bigint;
  latentBadDebtUSD: bigint;
  /** max(0, latent bad debt - treasury assets): what depositors would lose if every insolvent account were liquidated now */
  uncoveredLatentBadDebt: bigint;
  creditManagers: {
    address: string;
    creditFacade: string;
    fees: { feeInterest: bigint; feeLiquidation: bigint; liquidationDiscount: bigint; feeLiquidationExpired: bigint; liquidationDiscountExpired: bigint };
    debtLimit: bigint | null;
    totalBorrowed: bigint;
    minDebt: bigint | null;
    maxDebt: bigint | null;
    openCreditAccounts: number;
    expirable: boolean;
    expirationDate: bigint;
    expired: boolean;
    paused: boolean;
    ltUnderlying: bigint;
    collateralTokens: ({ token: TokenInfo; liquidationThreshold: bigint } & LtParams)[];
  }[];
  quotaTokens: { token: TokenInfo; rate: bigint; quotaIncreaseFee: bigint; limit: bigint; totalQuoted: bigint; minRate: number | null; maxRate: number | null }[];
}

type D = GearboxV3PoolDetails;
type CM = D['creditManagers'][number];
type Q = D['quotaTokens'][number];
const bps = (v: bigint | number) => formatUnits(BigInt(v), 4);
const u = (d: D) => (v: bigint | null) => (v === null ? null : formatUnits(v, d.decimals));

export const gearboxV3DetailsResolvers = {
  GearboxV3PoolDetails: {
    expectedLiquidity: (d: D) => u(d)(d.expectedLiquidity),
    availableLiquidity: (d: D) => u(d)(d.availableLiquidity),
    totalBorrowed: (d: D) => u(d)(d.totalBorrowed),
    baseInterestRate: (d: D) => formatUnits(d.baseInterestRate, 27),
    baseInterestIndex: (d: D) => formatUnits(d.baseInterestIndex, 27),
    quotaRevenue: (d: D) => u(d)(d.quotaRevenue),
    totalShares: (d: D) => u(d)(d.totalShares),
    treasuryShares: (d: D) => u(d)(d.treasuryShares),
    // Depositors' share price: expected liquidity per share (ray precision), what PoolV3.convertToAssets pays.
    sharePrice: (d: D) => (d.totalShares === 0n ? null : formatUnits((d.expectedLiquidity * RAY) / d.totalShares, 27)),
    insuranceFund: (d: D) => ({
      treasury: d.treasury,
      shares: u(d)(d.treasuryShares),
      assets: u(d)(d.treasuryAssets),
      valueUSD: formatUnits(d.treasuryUSD, USD_DECIMALS),
      latentBadDebt: u(d)(d.latentBadDebt),
      latentBadDebtUSD: formatUnits(d.latentBadDebtUSD, USD_DECIMALS),
      latentBadDebtCoverage: formatRatio(d.latentBadDebt === 0n ? null : ratio(d.treasuryAssets, d.latentBadDebt)),
      uncoveredLatentBadDebt: u(d)(d.uncoveredLatentBadDebt),
    }),
    realizedLosses: (d: D) => ({
      count: d.lossCount,
      total: u(d)(d.totalLoss),
      covered: u(d)(d.totalCoveredLoss),
      coveredShares: u(d)(d.totalCoveredShares),
      uncovered: u(d)(d.totalUncoveredLoss),
      totalProfit: u(d)(d.totalProfit),
    }),
    creditManagers: (d: D) =>
      d.creditManagers.map((m: CM) => ({
        address: m.address,
        creditFacade: m.creditFacade,
        feeInterest: bps(m.fees.feeInterest),
        feeLiquidation: bps(m.fees.feeLiquidation),
        liquidationDiscount: bps(m.fees.liquidationDiscount),
        feeLiquidationExpired: bps(m.fees.feeLiquidationExpired),
        liquidationDiscountExpired: bps(m.fees.liquidationDiscountExpired),
        debtLimit: u(d)(m.debtLimit),
        totalBorrowed: u(d)(m.totalBorrowed),
        minDebt: u(d)(m.minDebt),
        maxDebt: u(d)(m.maxDebt),
        openCreditAccounts: m.openCreditAccounts,
        expirable: m.expirable,
        expirationDate: m.expirationDate === 0n ? null : Number(m.expirationDate),
        expired: m.expired,
        paused: m.paused,
        ltUnderlying: bps(m.ltUnderlying),
        collateralTokens: m.collateralTokens.map((t) => ({
          token: t.token,
          liquidationThreshold: bps(t.liquidationThreshold),
          ltInitial: bps(t.ltInitial),
          ltFinal: bps(t.ltFinal),
          rampStart: t.rampDuration === 0n ? null : Number(t.timestampRampStart),
          rampDuration: Number(t.rampDuration),
        })),
      })),
    quotaTokens: (d: D) =>
      d.quotaTokens.map((q: Q) => ({
        token: q.token,
        rate: bps(q.rate),
        quotaIncreaseFee: bps(q.quotaIncreaseFee),
        limit: u(d)(q.limit),
        totalQuoted: u(d)(q.totalQuoted),
        utilization: formatRatio(q.limit === 0n ? null : ratio(q.totalQuoted, q.limit)),
        minRate: q.minRate === null ? null : bps(q.minRate),
        maxRate: q.maxRate === null ? null : bps(q.maxRate),
      })),
  },
};
