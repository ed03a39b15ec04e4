/**
 * Builds the protocol-independent views from Morpho Blue state at one block: expected totals with
 * interest to the block (MorphoBalancesLib), positions from shares, Morpho's health rule per market
 * with its oracle's live price. Collateral is valued through the market's own oracle (in loan-token
 * units), so only the loan token needs a USD price, taken from another protocol's oracle (Morpho has
 * none); a market whose loan token none prices is left out of USD totals and named in the warnings.
 */
import { accountRisk, type AccountRisk } from '../../metrics/account-risk';
import { formatUnits, max, min, ratio } from '../../metrics/decimal';
import { expectedMarket, liquidationIncentiveFactor, toAssetsDown, WAD_PER_BPS, type ExpectedMarket } from './math';
import { morphoPosition, type MorphoPositionFigures } from './position';
import { solvency, sumSheets, type BalanceSheet } from '../../metrics/solvency';
import type { BlockRef, IndexingState } from '../../sources/blocks';
import type { MorphoAccountState, MorphoMarketRow, MorphoProtocolInfo } from './source';
import type { MorphoBlueMarketDetails } from './details';
import { badDebtInLoan, collateralInLoan, impliedCollateralUsd, loanToBase } from './value';
import type { AccountView, MarketTally, MarketView, PositionView, Pricing, ProtocolRef, ProtocolView } from '../../views/model';
import { combinePricing, oraclePricing, unpriced } from '../../views/pricing';

/** USD amounts use 8 decimals, the unit of the Aave oracles Morpho tokens are priced with (AaveOracle BASE_CURRENCY_UNIT). */
export const MORPHO_BASE_DECIMALS = 8;

export interface MorphoInputs {
  protocol: MorphoProtocolInfo;
  markets: MorphoMarketRow[];
  /** IOracle.price() at the block, by market id; null for a market without an oracle or whose read failed */
  oraclePrices: Map<string, bigint | null>;
  /** markets whose oracle read failed */
  oracleFailed: Set<string>;
  /** IIrm.borrowRateView at the block, by market id; null when the IRM is the zero address */
  borrowRates: Map<string, bigint | null>;
  /** USD per whole token, MORPHO_BASE_DECIMALS, by token address; absent = unpriced */
  usd: Map<string, bigint>;
  /** where each USD price comes from, by token address */
  usdPricing: Map<string, Pricing>;
  /** failed chain reads so far */
  warnings: string[];
  block: BlockRef;
  indexing: IndexingState;
}

export function morphoRef(p: MorphoProtocolInfo): ProtocolRef {
  return { id: p.id, name: p.name, slug: p.slug, family: p.family, network: p.network, baseDecimals: MORPHO_BASE_DECIMALS };
}

interface MarketContext {
  row: MorphoMarketRow;
  expected: ExpectedMarket;
  oraclePrice: bigint | null;
  /** USD per whole loan token; null when the market cannot be valued in USD (loan token unpriced, or its oracle unread) */
  loanUsd: bigint | null;
  pricing: Pricing;
}

interface Context {
  inputs: MorphoInputs;
  ref: ProtocolRef;
  markets: Map<string, MarketContext>;
}

function context(inputs: MorphoInputs): Context {
  const timestamp = BigInt(inputs.block.timestamp);
  const markets = new Map<string, MarketContext>();
  for (const row of inputs.markets) {
    const loanUsd = inputs.usd.get(row.loan.address) ?? null;
    const valued = loanUsd !== null && !inputs.oracleFailed.has(row.id);
    markets.set(row.id, {
      row,
      expected: expectedMarket(row, inputs.borrowRates.get(row.id) ?? null, timestamp),
      oraclePrice: inputs.oraclePrices.get(row.id) ?? null,
      loanUsd: valued ? loanUsd : null,
      // The market's own oracle is read at the block; only the loan token's USD price comes from elsewhere.
      pricing: valued ? (inputs.usdPricing.get(row.loan.address) ?? oraclePricing(inputs.block.number)) : unpriced(row.id),
    });
  }
  return { inputs, ref: morphoRef(inputs.protocol), markets };
}

interface MarketPosition {
  marketId: string;
  figures: MorphoPositionFigures;
  collateral: bigint;
  valued: boolean;
  /** USD (0 in an unvalued market) */
  collateralBase: bigint;
  suppliedBase: bigint;
  borrowedBase: bigint;
  /** max(0, borrowed - collateral in loan units by the market's oracle), in USD */
  badDebtBase: bigint;
}

function marketPosition(m: MarketContext, p: MorphoAccountState['positions'][number], supplyShares: bigint): MarketPosition {
  const figures = morphoPosition(m.expected, { ...p, supplyShares }, m.oraclePrice ?? (p.borrowShares > 0n ? 0n : null), m.row.lltv);
  // No oracle (zero address): the collateral counts for nothing, as in Morpho (price 0).
  const inLoan = m.oraclePrice === null ? 0n : collateralInLoan(p.collateral, m.oraclePrice);
  const bad = max(0n, figures.borrowed - inLoan);
  const base = (amount: bigint) => (m.loanUsd === null ? 0n : loanToBase(amount, m.loanUsd, m.row.loan.decimals));
  return {
    marketId: m.row.id,
    figures,
    collateral: p.collateral,
    valued: m.loanUsd !== null,
    collateralBase: base(inLoan),
    suppliedBase: base(figures.supplied),
    borrowedBase: base(figures.borrowed),
    badDebtBase: base(bad),
  };
}

function accountView(c: Context, state: MorphoAccountState): AccountView & { morpho: MarketPosition[] } {
  const { inputs } = c;
  const isFeeRecipient = state.address === inputs.protocol.feeRecipient;
  const morpho: MarketPosition[] = state.positions.map((p) => {
    const m = c.markets.get(p.marketId)!;
    // The fee recipient also owns the shares the accrual to this block would mint it.
    return marketPosition(m, p, p.supplyShares + (isFeeRecipient ? m.expected.feeShares : 0n));
  });
  // Morpho has no cross-market health: each market is checked alone. The account's health factor is
  // its weakest market's, and it is liquidatable if any of its markets is.
  const withDebt = morpho.filter((m) => m.figures.healthFactor !== null && !inputs.oracleFailed.has(m.marketId));
  const healthFactor = withDebt.length === 0 ? null : withDebt.map((m) => m.figures.healthFactor!).reduce(min);
  const liquidatable = withDebt.some((m) => m.figures.liquidatable);
  const sum = (f: (m: MarketPosition) => bigint) => morpho.reduce((s, m) => s + f(m), 0n);

  const positions: PositionView[] = [];
  for (const m of morpho) {
    const { row, loanUsd, oraclePrice } = c.markets.get(m.marketId)!;
    const valued = loanUsd !== null;
    positions.push({ marketId: m.marketId, asset: row.loan.address, symbol: row.loan.symbol, decimals: row.loan.decimals, supplied: m.figures.supplied, borrowed: m.figures.borrowed, collateral: false, valued, price: loanUsd ?? 0n, suppliedBase: m.suppliedBase, borrowedBase: m.borrowedBase });
    // The collateral side of the same market: a second position row in the collateral token, valued through the market's oracle.
    if (m.collateral > 0n && row.collateral) {
      const t = row.collateral;
      const price = valued && oraclePrice !== null ? impliedCollateralUsd(oraclePrice, loanUsd, row.loan.decimals, t.decimals) : 0n;
      positions.push({ marketId: m.marketId, asset: t.address, symbol: t.symbol, decimals: t.decimals, supplied: m.collateral, borrowed: 0n, collateral: true, valued, price, suppliedBase: m.collateralBase, borrowedBase: 0n });
    }
  }

  const collateralBase = sum((m) => m.collateralBase);
  const debtBase = sum((m) => m.borrowedBase);
  const base = accountRisk({ collateralBase, suppliedBase: sum((m) => m.suppliedBase + m.collateralBase), debtBase, healthFactor });
  // Isolated markets: collateral in one market never covers debt in another, so bad debt is summed per market.
  const badDebtBase = sum((m) => m.badDebtBase);
  // Dead debt: every market it owes has no collateral left (Morpho seizes only within a market).
  const unliquidatable = morpho.some((m) => m.figures.borrowed > 0n) && morpho.every((m) => m.figures.borrowed === 0n || m.collateral === 0n);
  const risk: AccountRisk = { ...base, badDebtBase, insolvent: badDebtBase > 0n, liquidatable, unliquidatable };
  return {
    protocol: c.ref,
    block: inputs.block,
    indexing: inputs.indexing,
    pricing: combinePricing(morpho.map((m) => c.markets.get(m.marketId)!.pricing)),
    warnings: [
      ...inputs.warnings,
      ...morpho.filter((m) => !m.valued).map((m) => `${c.ref.slug}: account ${state.address}'s position in market ${m.marketId} is left out of its USD figures (no USD price for the market's loan token, or its oracle could not be read)`),
    ],
    address: state.address,
    eModeCategoryId: null,
    healthFactor,
    risk,
    positions,
    morpho,
    collateralBase,
    // What it lends, as in every family (Aave: every aToken); collateral Morpho never lends is in collateralBase and netValue.
    suppliedBase: sum((m) => m.suppliedBase),
    debtBase,
    // Collateral-value-weighted LLTV (bps), as Aave weights its thresholds; both are Morpho's lltv.
    ltv: weightedLltv(c, morpho),
    liquidationThreshold: weightedLltv(c, morpho),
  };
}

function weightedLltv(c: Context, morpho: MarketPosition[]): bigint {
  const total = morpho.reduce((s, m) => s + m.collateralBase, 0n);
  if (total === 0n) return 0n;
  return morpho.reduce((s, m) => s + m.collateralBase * (c.markets.get(m.marketId)!.row.lltv / WAD_PER_BPS), 0n) / total;
}

export function morphoAccountViews(inputs: MorphoInputs, states: MorphoAccountState[]): AccountView[] {
  const c = context(inputs);
  return states.map((s) => accountView(c, s));
}

export function morphoProtocolView(inputs: MorphoInputs, states: MorphoAccountState[]): ProtocolView {
  const c = context(inputs);
  const { block, indexing } = inputs;
  const accounts = states.map((s) => accountView(c, s));
  const recipient = states.find((s) => s.address === inputs.protocol.feeRecipient);
  const warnings = [...inputs.warnings];
  const allBorrowPositions = accounts.flatMap((a) => a.morpho.filter((m) => m.figures.borrowed > 0n)).length;

  const markets: MarketView[] = inputs.markets.map((row) => {
    const mc = c.markets.get(row.id)!;
    const e = mc.expected;
    const positions = accounts.flatMap((a) => a.morpho.filter((m) => m.marketId === row.id));
    const storedFeeShares = recipient?.positions.find((p) => p.marketId === row.id)?.supplyShares ?? 0n;
    // Morpho has no treasury: its revenue is the fee recipient's supply position (fee shares minted at each accrual).
    const reserves = toAssetsDown(storedFeeShares + e.feeShares, e.totalSupplyAssets, e.totalSupplyShares);
    const available = e.totalSupplyAssets - e.totalBorrowAssets;
    const valued = mc.loanUsd !== null;
    const loanBase = (amount: bigint) => (mc.loanUsd === null ? 0n : loanToBase(amount, mc.loanUsd, row.loan.decimals));
    const borrowers = positions.filter((m) => m.figures.borrowed > 0n);
    const known = !inputs.oracleFailed.has(row.id);
    // Morpho checks health per market: a position with debt and no collateral here has nothing to seize.
    const dead = borrowers.filter((m) => m.collateral === 0n);
    const liquidatable = known ? borrowers.filter((m) => m.figures.liquidatable && m.collateral > 0n) : [];
    const badDebtInLoanUnits = known && mc.oraclePrice !== null ? borrowers.reduce((s, m) => s + badDebtInLoan(m.figures.borrowed, m.collateral, mc.oraclePrice!), 0n) : null;
    if (!valued) {
      const label = `${row.collateral?.symbol ?? 'idle'}/${row.loan.symbol ?? row.loan.address}`;
      const debt = formatUnits(e.totalBorrowAssets, row.loan.decimals);
      const bad = badDebtInLoanUnits === null ? 'unknown' : formatUnits(badDebtInLoanUnits, row.loan.decimals);
      warnings.push(
        `${inputs.protocol.slug}: market ${row.id} (${label}) is left out of USD totals: ${inputs.oracleFailed.has(row.id) ? 'its oracle could not be read' : `no indexed protocol prices its loan token ${row.loan.address} in USD`}; ` +
          `it holds ${borrowers.length} of ${allBorrowPositions} borrow positions, debt ${debt} ${row.loan.symbol ?? ''}, latent bad debt ${bad} ${row.loan.symbol ?? ''} (loan-token units)`,
      );
    }
    const sheet: BalanceSheet = {
      availableLiquidityBase: loanBase(available),
      debtBase: loanBase(e.totalBorrowAssets),
      supplierClaimsBase: loanBase(e.totalSupplyAssets - reserves),
      reservesBase: loanBase(reserves),
      // Per position, by the market's own oracle: Morpho isolates markets, so this market's bad debt is its own borrowers' shortfall here.
      latentBadDebtBase: borrowers.reduce((s, m) => s + m.badDebtBase, 0n),
      // Morpho socializes bad debt at once (suppliers' assets fall): nothing is ever carried as a deficit.
      outstandingDeficitBase: 0n,
    };
    const tally: MarketTally = {
      borrowers: borrowers.length,
      liquidatableAccounts: liquidatable.length,
      insolventAccounts: borrowers.filter((m) => m.badDebtBase > 0n).length,
      liquidatableDebtBase: liquidatable.reduce((s, m) => s + m.borrowedBase, 0n),
      unliquidatableAccounts: dead.length,
      unliquidatableDebtBase: dead.reduce((s, m) => s + m.borrowedBase, 0n),
    };
    const lltvBps = row.lltv / WAD_PER_BPS;
    return {
      protocol: c.ref,
      block,
      indexing,
      pricing: mc.pricing,
      warnings,
      valued,
      id: row.id,
      asset: row.loan.address,
      symbol: row.loan.symbol,
      name: row.loan.name,
      decimals: row.loan.decimals,
      price: mc.loanUsd,
      details: {
        family: c.ref.family,
        graphqlType: 'MorphoBlueMarketDetails',
        loanDecimals: row.loan.decimals,
        lltv: row.lltv,
        liquidationIncentiveFactor: liquidationIncentiveFactor(row.lltv),
        fee: row.fee,
        oracle: row.oracle,
        irm: row.irm,
        collateralToken: row.collateral,
        oraclePrice: mc.oraclePrice,
        borrowRate: inputs.borrowRates.get(row.id) ?? null,
        latentBadDebt: badDebtInLoanUnits,
        totalBadDebtRealized: row.totalRealizedBadDebt,
      } satisfies MorphoBlueMarketDetails,
      totalSupplied: e.totalSupplyAssets,
      totalBorrowed: e.totalBorrowAssets,
      availableLiquidity: available,
      deficit: 0n,
      reserves,
      utilization: ratio(e.totalBorrowAssets, e.totalSupplyAssets),
      tally,
      // Every account, a superset of the borrowers (Morpho's views are built eagerly).
      borrowers: accounts,
      totalSuppliedBase: loanBase(e.totalSupplyAssets),
      sheet,
      solvency: solvency(sheet),
    };
  });
  const sheet = sumSheets(markets.map((m) => m.sheet));
  return {
    protocol: c.ref,
    block,
    indexing,
    pricing: combinePricing(markets.map((m) => m.pricing)),
    warnings,
    markets,
    // Morpho has no fund that pays first: a loss falls on the market's suppliers at once.
    insuranceFund: null,
    accounts,
    accountCount: accounts.filter((a) => a.positions.length > 0).length,
    borrowers: accounts,
    borrowerTotals: accounts,
    totalSuppliedBase: markets.reduce((s, m) => s + m.totalSuppliedBase, 0n),
    sheet,
    solvency: solvency(sheet),
  };
}
