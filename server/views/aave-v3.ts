/** Builds the protocol-independent views from Aave V3 indexed state at one block. */
import { aaveAccountFigures, type AaveAccountFigures } from '../metrics/aave-v3-account';
import { aaveReserveTotals, toBase } from '../metrics/aave-v3-market';
import { accountRisk, allocateBadDebt } from '../metrics/account-risk';
import { MetricError } from '../metrics/errors';
import { solvency, sumSheets, type BalanceSheet } from '../metrics/solvency';
import type { AaveAccountState } from '../metrics/aave-v3-account';
import type { MarketTable } from '../sources/aave-v3';
import type { BlockRef, IndexingState } from '../sources/blocks';
import type { AavePrices } from '../sources/aave-v3-prices';
import type { AccountView, MarketTally, MarketView, PositionView, Pricing, ProtocolRef, ProtocolView } from './model';
import { combinePricing } from './pricing';

/** Where the table's prices came from (its prices are already applied: withPrices), and each reserve's cash when read from the chain. */
export type PriceLabels = Pick<AavePrices, 'pricing' | 'warnings'> & { cash?: Map<string, bigint> };

const marketPricing = (labels: PriceLabels, marketId: string): Pricing => labels.pricing.get(marketId) ?? { source: 'NONE', asOfBlock: null, unpricedMarkets: [marketId] };

export function protocolRef(table: MarketTable): ProtocolRef {
  const unit = table.protocol.baseCurrencyUnit;
  const baseDecimals = unit.toString().length - 1;
  return { ...table.protocol, baseDecimals };
}

/**
 * What every account view of one table shares: its protocol reference, and one pricing label per
 * combination of markets (an account's label depends only on the markets it holds). Built once per
 * protocol view: a head update values every account, so nothing per account is recomputed.
 */
class AccountViewShared {
  readonly ref: ProtocolRef;
  private readonly pricings = new Map<string, Pricing>();
  constructor(
    private readonly labels: PriceLabels,
    table: MarketTable,
  ) {
    this.ref = protocolRef(table);
  }
  pricing(marketIds: string[]): Pricing {
    const key = marketIds.join(',');
    let p = this.pricings.get(key);
    if (!p) this.pricings.set(key, (p = combinePricing(marketIds.map((id) => marketPricing(this.labels, id)))));
    return p;
  }
}

/**
 * The figures' own position objects completed into position views (in place: a head update at 10^5
 * accounts builds 2x10^5 of them every block, and a second copy of each was most of its garbage).
 */
function asPositionViews(table: MarketTable, positions: AaveAccountFigures['positions']): PositionView[] {
  for (const p of positions as (AaveAccountFigures['positions'][number] & Partial<PositionView>)[]) {
    const market = table.reserves.get(p.marketId)!;
    p.collateral = p.isCollateral;
    p.asset = market.asset;
    p.symbol = market.symbol;
    p.decimals = market.decimals;
    p.valued = true;
  }
  return positions as unknown as PositionView[];
}

export function aaveAccountView(
  table: MarketTable,
  labels: PriceLabels,
  account: AaveAccountState,
  block: BlockRef,
  indexing: IndexingState,
  shared = new AccountViewShared(labels, table),
): AccountView {
  const figures = aaveAccountFigures(account, table.reserves, table.eModes, table.pricesByAsset, BigInt(block.timestamp), table.rules);
  const risk = accountRisk({
    collateralBase: figures.totalCollateralBase,
    suppliedBase: figures.totalSuppliedBase,
    debtBase: figures.totalDebtBase,
    healthFactor: figures.healthFactor,
  });
  return {
    protocol: shared.ref,
    block,
    indexing,
    pricing: shared.pricing(account.positions.map((p) => p.marketId)),
    warnings: labels.warnings,
    address: account.address,
    eModeCategoryId: account.eModeCategoryId,
    collateralBase: figures.totalCollateralBase,
    suppliedBase: figures.totalSuppliedBase,
    debtBase: figures.totalDebtBase,
    healthFactor: figures.healthFactor,
    ltv: figures.ltv,
    liquidationThreshold: figures.liquidationThreshold,
    risk,
    positions: asPositionViews(table, figures.positions),
  };
}

const NO_SHARES: ReadonlyMap<string, bigint> = new Map();

export function aaveProtocolView(table: MarketTable, labels: PriceLabels, accountStates: AaveAccountState[], block: BlockRef, indexing: IndexingState): ProtocolView {
  const timestamp = BigInt(block.timestamp);
  const shared = new AccountViewShared(labels, table);
  const ref = shared.ref;
  const { warnings } = labels;
  const accounts = accountStates.map((a) => aaveAccountView(table, labels, a, block, indexing, shared));

  const tallies = new Map<string, MarketTally & { badDebt: bigint }>();
  for (const m of table.markets) tallies.set(m.id, { borrowers: 0, insolventAccounts: 0, liquidatableAccounts: 0, liquidatableDebtBase: 0n, unliquidatableAccounts: 0, unliquidatableDebtBase: 0n, badDebt: 0n });
  const treasuryScaled = new Map<string, bigint>();
  for (const account of accounts) {
    const shares = account.risk.badDebtBase === 0n ? NO_SHARES : allocateBadDebt(account.risk.badDebtBase, account.positions.map((p) => ({ marketId: p.marketId, debtBase: p.borrowedBase })));
    for (const p of account.positions) {
      if (p.borrowedBase === 0n && p.borrowed === 0n) continue;
      const t = tallies.get(p.marketId)!;
      t.borrowers++;
      if (account.risk.insolvent) t.insolventAccounts++;
      if (account.risk.unliquidatable) {
        t.unliquidatableAccounts++;
        t.unliquidatableDebtBase += p.borrowedBase;
      } else if (account.risk.liquidatable) {
        t.liquidatableAccounts++;
        t.liquidatableDebtBase += p.borrowedBase;
      }
      t.badDebt += shares.get(p.marketId) ?? 0n;
    }
  }
  for (const state of accountStates) {
    for (const p of state.positions) {
      const market = table.reserves.get(p.marketId);
      if (market?.treasury === state.address) treasuryScaled.set(p.marketId, p.scaledSupply);
    }
  }

  const markets: MarketView[] = table.markets.map((m) => {
    const totals = aaveReserveTotals({ ...m, treasuryScaledBalance: treasuryScaled.get(m.id) ?? 0n, cash: labels.cash?.get(m.id) ?? null }, timestamp, table.rules);
    const { badDebt, ...tally } = tallies.get(m.id)!;
    // A market without a price cannot be valued: refuse rather than count its amounts as zero.
    const base = (amount: bigint) => {
      if (amount === 0n) return 0n;
      if (m.price === null) throw new MetricError('PRICE_UNAVAILABLE', `no oracle price for ${m.symbol ?? m.asset} at block ${block.number}`);
      return toBase(amount, m.price, m.decimals);
    };
    const sheet: BalanceSheet = {
      availableLiquidityBase: base(totals.availableLiquidity),
      debtBase: base(totals.totalBorrowed),
      supplierClaimsBase: base(totals.supplierClaims),
      reservesBase: base(totals.reserves),
      latentBadDebtBase: badDebt,
      outstandingDeficitBase: base(totals.deficit),
    };
    return {
      protocol: ref,
      block,
      indexing,
      pricing: marketPricing(labels, m.id),
      warnings,
      // Aave refuses to value a market without a price (PRICE_UNAVAILABLE) rather than leave it out.
      valued: true,
      id: m.id,
      asset: m.asset,
      symbol: m.symbol,
      name: m.name,
      decimals: m.decimals,
      price: m.price,
      config: {
        ltv: m.ltv,
        liquidationThreshold: m.liquidationThreshold,
        liquidationBonus: m.liquidationBonus,
        reserveFactor: m.reserveFactor,
        liquidationProtocolFee: m.liquidationProtocolFee,
        supplyCap: m.supplyCap,
        borrowCap: m.borrowCap,
        debtCeiling: m.debtCeiling,
        isolationModeTotalDebt: m.isolationModeTotalDebt,
        eModeCategoryId: m.eModeCategoryId,
        borrowableInIsolation: m.borrowableInIsolation,
        borrowingEnabled: m.borrowingEnabled,
        isActive: m.isActive,
        isFrozen: m.isFrozen,
        isPaused: m.isPaused,
        totalDeficitCreated: m.totalDeficitCreated,
        totalDeficitCovered: m.totalDeficitCovered,
      },
      ...totals,
      totalSuppliedBase: base(totals.totalSupplied),
      accounts,
      sheet,
      solvency: solvency(sheet),
      tally,
    };
  });
  const sheet = sumSheets(markets.map((m) => m.sheet));
  const totalSuppliedBase = markets.reduce((sum, m) => sum + m.totalSuppliedBase, 0n);
  const pricing = combinePricing(markets.map((m) => m.pricing));
  return { protocol: ref, block, indexing, pricing, warnings, markets, totalSuppliedBase, accounts, sheet, solvency: solvency(sheet) };
}
