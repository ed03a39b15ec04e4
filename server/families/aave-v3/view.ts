/** Builds the protocol-independent views from Aave V3 indexed state at one block. */
import { aaveAccountFigures, type AaveAccountFigures } from './account';
import { aaveReserveTotals, toBase, type ReserveTotals } from './market';
import type { AaveV3ReserveDetails } from './details';
import { accountRisk, allocateBadDebt } from '../../metrics/account-risk';
import { MetricError } from '../../metrics/errors';
import { solvency, sumSheets, type BalanceSheet } from '../../metrics/solvency';
import type { AaveAccountState } from './account';
import type { MarketRow, MarketTable } from './source';
import type { BlockRef, IndexingState } from '../../sources/blocks';
import type { AavePrices } from './prices';
import type { AccountView, MarketTally, MarketView, PositionView, Pricing, ProtocolRef, ProtocolView } from '../../views/model';
import { lazy } from '../../views/lazy';
import { combinePricing } from '../../views/pricing';

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
  /** Labels by market combination, as a trie on the positions' market ids (no key string per account). */
  private readonly pricings: PricingNode = { next: new Map() };
  constructor(
    private readonly labels: PriceLabels,
    table: MarketTable,
  ) {
    this.ref = protocolRef(table);
  }
  pricing(positions: { marketId: string }[]): Pricing {
    let node = this.pricings;
    for (const { marketId } of positions) {
      let child = node.next.get(marketId);
      if (!child) node.next.set(marketId, (child = { next: new Map() }));
      node = child;
    }
    return (node.pricing ??= combinePricing(positions.map((p) => marketPricing(this.labels, p.marketId))));
  }
}
interface PricingNode {
  pricing?: Pricing;
  next: Map<string, PricingNode>;
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
    pricing: shared.pricing(account.positions),
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

/** The accounts of a protocol at a block, by address (the view service's book, or a fresh read's). */
export interface AaveAccountSet {
  all(): AaveAccountState[];
  get(address: string): AaveAccountState | undefined;
}

type MarketTallies = Map<string, MarketTally & { badDebt: bigint }>;

/** Adds one account's debts to its markets' tallies, split by market from its full view. */
function tallyByMarket(tallies: MarketTallies, account: AccountView): void {
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

export function aaveProtocolView(table: MarketTable, labels: PriceLabels, accountSet: AaveAccountSet, block: BlockRef, indexing: IndexingState): ProtocolView {
  const timestamp = BigInt(block.timestamp);
  const shared = new AccountViewShared(labels, table);
  const ref = shared.ref;
  const { warnings } = labels;
  const viewOf = (a: AaveAccountState) => aaveAccountView(table, labels, a, block, indexing, shared);
  const accountStates = accountSet.all();

  // Only borrowers (a scaled debt anywhere) are valued: no protocol-wide figure needs the others'.
  const borrowerStates: AaveAccountState[] = [];
  let accountCount = 0;
  for (const state of accountStates) {
    let holds = false;
    let owes = false;
    for (const p of state.positions) {
      holds ||= p.scaledSupply !== 0n || p.scaledVariableDebt !== 0n;
      owes ||= p.scaledVariableDebt !== 0n;
    }
    if (holds) accountCount++;
    if (owes) borrowerStates.push(state);
  }

  // Every borrower's totals; a full view (positions valued one by one) only for the accounts whose
  // debt a market tally splits by market: insolvent, liquidatable or with nothing to seize.
  const tallies: MarketTallies = new Map();
  for (const m of table.markets) tallies.set(m.id, { borrowers: 0, insolventAccounts: 0, liquidatableAccounts: 0, liquidatableDebtBase: 0n, unliquidatableAccounts: 0, unliquidatableDebtBase: 0n, badDebt: 0n });
  const borrowerTotals: ProtocolView['borrowerTotals'] = [];
  const fullViews = new Map<AaveAccountState, AccountView>();
  for (const state of borrowerStates) {
    const f = aaveAccountFigures(state, table.reserves, table.eModes, table.pricesByAsset, timestamp, table.rules, false);
    const risk = accountRisk({ collateralBase: f.totalCollateralBase, suppliedBase: f.totalSuppliedBase, debtBase: f.totalDebtBase, healthFactor: f.healthFactor });
    borrowerTotals.push({ address: state.address, risk, debtBase: f.totalDebtBase, collateralBase: f.totalCollateralBase, healthFactor: f.healthFactor });
    if (risk.insolvent || risk.liquidatable || risk.unliquidatable) {
      const v = viewOf(state);
      fullViews.set(state, v);
      tallyByMarket(tallies, v);
      continue;
    }
    // A scaled debt of 1 or more is a balance of 1 or more (indexes start at 1 ray and only grow):
    // the same positions the full view's tally counts.
    for (const p of state.positions) if (p.scaledVariableDebt !== 0n) tallies.get(p.marketId)!.borrowers++;
  }
  const treasuryScaled = new Map<string, bigint>();
  for (const m of table.markets) {
    const scaled = m.treasury === null ? undefined : accountSet.get(m.treasury)?.positions.find((p) => p.marketId === m.id)?.scaledSupply;
    if (scaled !== undefined) treasuryScaled.set(m.id, scaled);
  }
  // The borrowers' and every account's views are built only when a query reads them (shared by the markets).
  const views: { borrowers: AccountView[]; accounts: AccountView[] } = lazy({}, {
    borrowers: () => borrowerStates.map((s) => fullViews.get(s) ?? viewOf(s)),
    accounts: (): AccountView[] => {
      const valued = new Map<AaveAccountState, AccountView>(borrowerStates.map((s, i) => [s, views.borrowers[i]]));
      return accountStates.map((s) => valued.get(s) ?? viewOf(s)).filter((a) => a.positions.length > 0);
    },
  });

  const markets: MarketView[] = table.markets.map((m) => {
    const totals = aaveReserveTotals({ ...m, treasuryScaledBalance: treasuryScaled.get(m.id) ?? 0n, cash: labels.cash?.get(m.id) ?? null }, timestamp, table.rules);
    const { accruedToTreasury, treasuryBalance, supplyCapUtilization, borrowCapUtilization, debtCeilingUtilization, ...core } = totals;
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
    const market: Omit<MarketView, 'borrowers'> = {
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
      details: aaveDetails(m, totals),
      ...core,
      totalSuppliedBase: base(core.totalSupplied),
      sheet,
      solvency: solvency(sheet),
      tally,
    };
    return lazy<MarketView>(market, { borrowers: () => views.borrowers });
  });
  const sheet = sumSheets(markets.map((m) => m.sheet));
  const totalSuppliedBase = markets.reduce((sum, m) => sum + m.totalSuppliedBase, 0n);
  const pricing = combinePricing(markets.map((m) => m.pricing));
  // Aave's Umbrella (stakes that cover deficits) is not indexed: its coverage shows as DeficitCovered.
  const view: Omit<ProtocolView, 'accounts' | 'borrowers'> = { protocol: ref, block, indexing, pricing, warnings, markets, insuranceFund: null, totalSuppliedBase, accountCount, borrowerTotals, sheet, solvency: solvency(sheet) };
  return lazy<ProtocolView>(view, { borrowers: () => views.borrowers, accounts: () => views.accounts });
}

/** The reserve's own configuration and treasury figures (AaveV3ReserveDetails). */
function aaveDetails(m: MarketRow, totals: ReserveTotals): AaveV3ReserveDetails {
  return {
    family: 'AAVE_V3',
    graphqlType: 'AaveV3ReserveDetails',
    decimals: m.decimals,
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
    accruedToTreasury: totals.accruedToTreasury,
    treasuryBalance: totals.treasuryBalance,
    supplyCapUtilization: totals.supplyCapUtilization,
    borrowCapUtilization: totals.borrowCapUtilization,
    debtCeilingUtilization: totals.debtCeilingUtilization,
  };
}
