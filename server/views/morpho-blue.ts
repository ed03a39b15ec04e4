/**
 * Builds the protocol-independent views from Morpho Blue state at one block: expected totals with
 * interest to the block (MorphoBalancesLib), positions from shares, Morpho's health rule per market
 * with its oracle's live price, USD values from another protocol's oracle (Morpho has none).
 */
import { accountRisk, type AccountRisk } from '../metrics/account-risk';
import { max, min, ratio } from '../metrics/decimal';
import { MetricError } from '../metrics/errors';
import { expectedMarket, liquidationIncentiveFactor, toAssetsDown, WAD_PER_BPS, type ExpectedMarket } from '../metrics/morpho-blue-math';
import { morphoPosition, type MorphoPositionFigures } from '../metrics/morpho-blue-position';
import { solvency, sumSheets, type BalanceSheet } from '../metrics/solvency';
import type { BlockRef, IndexingState } from '../sources/blocks';
import type { MorphoAccountState, MorphoMarketRow, MorphoProtocolInfo, TokenInfo } from '../sources/morpho-blue';
import { lazy } from './lazy';
import type { AccountView, MarketTally, MarketView, PositionView, ProtocolRef, ProtocolView } from './model';

/** USD amounts use 8 decimals, the unit of the Aave oracles Morpho tokens are priced with (AaveOracle BASE_CURRENCY_UNIT). */
export const MORPHO_BASE_DECIMALS = 8;

export interface MorphoInputs {
  protocol: MorphoProtocolInfo;
  markets: MorphoMarketRow[];
  /** IOracle.price() at the block, by market id; null for a market without an oracle */
  oraclePrices: Map<string, bigint | null>;
  /** IIrm.borrowRateView at the block, by market id; null when the IRM is the zero address */
  borrowRates: Map<string, bigint | null>;
  /** USD per whole token, MORPHO_BASE_DECIMALS, by token address; absent = unpriced */
  usd: Map<string, bigint>;
  block: BlockRef;
  indexing: IndexingState;
}

export function morphoRef(p: MorphoProtocolInfo): ProtocolRef {
  return { id: p.id, name: p.name, slug: p.slug, family: p.family, network: p.network, baseDecimals: MORPHO_BASE_DECIMALS };
}

/** Token amount in USD; refuses (PRICE_UNAVAILABLE) rather than value a non-zero amount at zero. */
export function usdValue(usd: Map<string, bigint>, t: TokenInfo, amount: bigint, block: number): bigint {
  if (amount === 0n) return 0n;
  const price = usd.get(t.address);
  if (price === undefined) throw new MetricError('PRICE_UNAVAILABLE', `no USD price for ${t.symbol ?? t.address} (${t.address}) at block ${block}: Morpho Blue tokens are valued with another indexed protocol's oracle, and none prices it`);
  return (amount * price) / 10n ** BigInt(t.decimals);
}

interface Context {
  inputs: MorphoInputs;
  ref: ProtocolRef;
  markets: Map<string, { row: MorphoMarketRow; expected: ExpectedMarket }>;
}

function context(inputs: MorphoInputs): Context {
  const timestamp = BigInt(inputs.block.timestamp);
  const markets = new Map(inputs.markets.map((row) => [row.id, { row, expected: expectedMarket(row, inputs.borrowRates.get(row.id) ?? null, timestamp) }]));
  return { inputs, ref: morphoRef(inputs.protocol), markets };
}

interface MarketPosition {
  marketId: string;
  figures: MorphoPositionFigures;
  collateral: bigint;
  /** lazy USD */
  collateralBase: () => bigint;
  suppliedBase: () => bigint;
  borrowedBase: () => bigint;
}

function accountView(c: Context, state: MorphoAccountState): AccountView & { morpho: MarketPosition[] } {
  const { inputs } = c;
  const b = inputs.block.number;
  const isFeeRecipient = state.address === inputs.protocol.feeRecipient;
  const morpho: MarketPosition[] = state.positions.map((p) => {
    const { row, expected } = c.markets.get(p.marketId)!;
    // The fee recipient also owns the shares the accrual to this block would mint it.
    const supplyShares = p.supplyShares + (isFeeRecipient ? expected.feeShares : 0n);
    const figures = morphoPosition(expected, { ...p, supplyShares }, inputs.oraclePrices.get(row.id) ?? null, row.lltv);
    const collateralBase = memo(() => (row.collateral ? usdValue(inputs.usd, row.collateral, p.collateral, b) : 0n));
    return {
      marketId: row.id,
      figures,
      collateral: p.collateral,
      collateralBase,
      suppliedBase: memo(() => usdValue(inputs.usd, row.loan, figures.supplied, b)),
      borrowedBase: memo(() => usdValue(inputs.usd, row.loan, figures.borrowed, b)),
    };
  });
  // Morpho has no cross-market health: each market is checked alone. The account's health factor is
  // its weakest market's, and it is liquidatable if any of its markets is.
  const withDebt = morpho.filter((m) => m.figures.healthFactor !== null);
  const healthFactor = withDebt.length === 0 ? null : withDebt.map((m) => m.figures.healthFactor!).reduce(min);
  const liquidatable = morpho.some((m) => m.figures.liquidatable);
  const sum = (f: (m: MarketPosition) => bigint) => morpho.reduce((s, m) => s + f(m), 0n);

  const positions: PositionView[] = [];
  for (const m of morpho) {
    const { row } = c.markets.get(m.marketId)!;
    positions.push(
      lazy<PositionView>(
        { marketId: m.marketId, asset: row.loan.address, symbol: row.loan.symbol, decimals: row.loan.decimals, supplied: m.figures.supplied, borrowed: m.figures.borrowed, collateral: false },
        { price: () => priceOf(inputs, row.loan), suppliedBase: m.suppliedBase, borrowedBase: m.borrowedBase },
      ),
    );
    // The collateral side of the same market: a second position row in the collateral token.
    if (m.collateral > 0n && row.collateral) {
      const t = row.collateral;
      positions.push(
        lazy<PositionView>(
          { marketId: m.marketId, asset: t.address, symbol: t.symbol, decimals: t.decimals, supplied: m.collateral, borrowed: 0n, collateral: true },
          { price: () => priceOf(inputs, t), suppliedBase: m.collateralBase, borrowedBase: () => 0n },
        ),
      );
    }
  }

  const risk = lazyRisk(liquidatable, () => {
    const base = accountRisk({ collateralBase: sum((m) => m.collateralBase()), suppliedBase: sum((m) => m.suppliedBase() + m.collateralBase()), debtBase: sum((m) => m.borrowedBase()), healthFactor });
    // Isolated markets: collateral in one market never covers debt in another, so bad debt is summed per market.
    const badDebtBase = sum((m) => max(0n, m.borrowedBase() - m.collateralBase()));
    return { ...base, badDebtBase, insolvent: badDebtBase > 0n, liquidatable };
  });
  return lazy<AccountView & { morpho: MarketPosition[] }>(
    { protocol: c.ref, block: inputs.block, indexing: inputs.indexing, address: state.address, eModeCategoryId: 0, healthFactor, risk, positions, morpho },
    {
      collateralBase: () => sum((m) => m.collateralBase()),
      suppliedBase: () => sum((m) => m.suppliedBase() + m.collateralBase()),
      debtBase: () => sum((m) => m.borrowedBase()),
      // Collateral-value-weighted LLTV (bps), as Aave weights its thresholds; both are Morpho's lltv.
      ltv: () => weightedLltv(c, morpho),
      liquidationThreshold: () => weightedLltv(c, morpho),
    },
  );
}

function weightedLltv(c: Context, morpho: MarketPosition[]): bigint {
  const total = morpho.reduce((s, m) => s + m.collateralBase(), 0n);
  if (total === 0n) return 0n;
  return morpho.reduce((s, m) => s + m.collateralBase() * (c.markets.get(m.marketId)!.row.lltv / WAD_PER_BPS), 0n) / total;
}

function priceOf(inputs: MorphoInputs, t: TokenInfo): bigint {
  const p = inputs.usd.get(t.address);
  if (p === undefined) throw new MetricError('PRICE_UNAVAILABLE', `no USD price for ${t.symbol ?? t.address} (${t.address}) at block ${inputs.block.number}`);
  return p;
}

/** Risk whose liquidatable flag (Morpho's own rule, no USD) is known eagerly and whose USD figures are computed on demand. */
function lazyRisk(liquidatable: boolean, compute: () => AccountRisk): AccountRisk {
  const get = memo(compute);
  const keys: (keyof AccountRisk)[] = ['badDebtBase', 'netValueBase', 'equityBase', 'debtToEquity', 'negativeEquity', 'insolvent'];
  return lazy<AccountRisk>({ liquidatable }, Object.fromEntries(keys.map((k) => [k, () => get()[k]])));
}

function memo<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
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

  const markets: MarketView[] = inputs.markets.map((row) => {
    const e = c.markets.get(row.id)!.expected;
    const positions = accounts.flatMap((a) => a.morpho.filter((m) => m.marketId === row.id));
    const storedFeeShares = recipient?.positions.find((p) => p.marketId === row.id)?.supplyShares ?? 0n;
    // Morpho has no treasury: its revenue is the fee recipient's supply position (fee shares minted at each accrual).
    const reserves = toAssetsDown(storedFeeShares + e.feeShares, e.totalSupplyAssets, e.totalSupplyShares);
    const treasuryBalance = toAssetsDown(storedFeeShares, e.totalSupplyAssets, e.totalSupplyShares);
    const available = e.totalSupplyAssets - e.totalBorrowAssets;
    const loanBase = (amount: bigint) => usdValue(inputs.usd, row.loan, amount, block.number);
    const borrowers = positions.filter((m) => m.figures.borrowed > 0n);
    const liquidatable = borrowers.filter((m) => m.figures.liquidatable);
    const sheet = memo<BalanceSheet>(() => ({
      availableLiquidityBase: loanBase(available),
      debtBase: loanBase(e.totalBorrowAssets),
      supplierClaimsBase: loanBase(e.totalSupplyAssets - reserves),
      reservesBase: loanBase(reserves),
      // Per position: Morpho isolates markets, so this market's bad debt is its own borrowers' shortfall here.
      latentBadDebtBase: borrowers.reduce((s, m) => s + max(0n, m.borrowedBase() - m.collateralBase()), 0n),
      // Morpho socializes bad debt at once (suppliers' assets fall): nothing is ever carried as a deficit.
      outstandingDeficitBase: 0n,
    }));
    const tally = lazy<MarketTally>(
      { borrowers: borrowers.length, liquidatableAccounts: liquidatable.length },
      {
        insolventAccounts: () => borrowers.filter((m) => m.borrowedBase() > m.collateralBase()).length,
        liquidatableDebtBase: () => liquidatable.reduce((s, m) => s + m.borrowedBase(), 0n),
      },
    );
    const lltvBps = row.lltv / WAD_PER_BPS;
    return lazy<MarketView>(
      {
        protocol: c.ref,
        block,
        indexing,
        id: row.id,
        asset: row.loan.address,
        symbol: row.loan.symbol,
        name: row.loan.name,
        decimals: row.loan.decimals,
        price: inputs.usd.get(row.loan.address) ?? null,
        config: {
          // Morpho's single risk parameter serves as both: borrowing and liquidation stop at the LLTV.
          ltv: lltvBps,
          liquidationThreshold: lltvBps,
          liquidationBonus: liquidationIncentiveFactor(row.lltv) / WAD_PER_BPS,
          reserveFactor: row.fee / WAD_PER_BPS,
          liquidationProtocolFee: 0n,
          supplyCap: 0n,
          borrowCap: 0n,
          debtCeiling: 0n,
          isolationModeTotalDebt: 0n,
          eModeCategoryId: 0,
          borrowableInIsolation: false,
          borrowingEnabled: true,
          isActive: true,
          isFrozen: false,
          isPaused: false,
          totalDeficitCreated: row.totalDeficitCreated,
          totalDeficitCovered: 0n,
          // Morpho Blue's own parameters
          lltv: row.lltv,
          fee: row.fee,
          oracle: row.oracle,
          irm: row.irm,
          collateralToken: row.collateral?.address ?? null,
          oraclePrice: inputs.oraclePrices.get(row.id) ?? null,
          borrowRate: inputs.borrowRates.get(row.id) ?? null,
        },
        totalSupplied: e.totalSupplyAssets,
        totalBorrowed: e.totalBorrowAssets,
        availableLiquidity: available,
        deficit: 0n,
        reserves,
        accruedToTreasury: reserves - treasuryBalance,
        treasuryBalance,
        utilization: ratio(e.totalBorrowAssets, e.totalSupplyAssets),
        supplyCapUtilization: null,
        borrowCapUtilization: null,
        debtCeilingUtilization: null,
        tally,
        accounts,
      },
      { totalSuppliedBase: () => loanBase(e.totalSupplyAssets), sheet, solvency: () => solvency(sheet()) },
    );
  });
  const sheets = memo(() => sumSheets(markets.map((m) => m.sheet)));
  return lazy<ProtocolView>(
    { protocol: c.ref, block, indexing, markets, accounts },
    { totalSuppliedBase: () => markets.reduce((s, m) => s + m.totalSuppliedBase, 0n), sheet: sheets, solvency: () => solvency(sheets()) },
  );
}
