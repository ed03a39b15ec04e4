/**
 * The protocol-independent view the GraphQL resolvers read. Each protocol adapter (Aave V3 today)
 * builds it from its own indexed state; every amount is an integer, in underlying units or in the
 * protocol's base currency (`baseDecimals`).
 */
import type { AccountRisk } from '../metrics/account-risk';
import type { BalanceSheet, Solvency, TalliedAccount } from '../metrics/solvency';
import type { BlockRef, IndexingState } from '../sources/blocks';

export interface ProtocolRef {
  id: string;
  name: string;
  slug: string;
  family: string;
  network: string;
  /** Decimals of the base currency amounts (Aave V3 USD: 8). */
  baseDecimals: number;
}

/**
 * Where a figure's prices come from. ORACLE_CALL: the protocol's own oracle read by eth_call at the
 * pinned block (exact, what the protocol itself uses). INDEXED_EVENTS: the last price the subgraph
 * saw in oracle/feed events at or before the block (stale wherever a source moves without an event:
 * Chainlink proxies switching aggregators, price-cap adapters). MIXED: some of each. NONE: no USD price.
 */
export type PricingSource = 'ORACLE_CALL' | 'INDEXED_EVENTS' | 'MIXED' | 'NONE';

export interface Pricing {
  source: PricingSource;
  /** The block the prices are as of: the pinned block for ORACLE_CALL, the oldest price update otherwise; null for NONE. */
  asOfBlock: number | null;
  /** Markets left out of USD figures for want of a price. */
  unpricedMarkets: string[];
}

export interface Computed {
  protocol: ProtocolRef;
  block: BlockRef;
  indexing: IndexingState;
  pricing: Pricing;
  /** What the figures leave out or rest on (stale prices, unpriced markets, failed reads): reported in `extensions.warnings`. */
  warnings: string[];
}

export interface PositionView {
  marketId: string;
  asset: string;
  symbol: string | null;
  decimals: number;
  supplied: bigint;
  borrowed: bigint;
  price: bigint;
  suppliedBase: bigint;
  borrowedBase: bigint;
  collateral: boolean;
  /** false: no USD price for this position's market (its USD figures are 0 here and null in the API) */
  valued: boolean;
}

export interface AccountView extends Computed {
  address: string;
  /** Aave e-mode category (0 = none); null in families without e-mode. */
  eModeCategoryId: number | null;
  collateralBase: bigint;
  suppliedBase: bigint;
  debtBase: bigint;
  /** wad; null without debt */
  healthFactor: bigint | null;
  /** bps */
  ltv: bigint;
  liquidationThreshold: bigint;
  risk: AccountRisk;
  positions: PositionView[];
}

export interface MarketTally {
  borrowers: number;
  insolventAccounts: number;
  /** Liquidatable with collateral left to seize. */
  liquidatableAccounts: number;
  liquidatableDebtBase: bigint;
  /** Owing here with no collateral left anywhere a liquidation could seize (dead debt). */
  unliquidatableAccounts: number;
  unliquidatableDebtBase: bigint;
}

/**
 * A family's own market figures. Each family declares its type (e.g. Aave's reserve configuration,
 * Morpho's LLTV and oracle) with `graphqlType`, the GraphQL type implementing `MarketDetails` that
 * the family's SDL fragment declares: nothing here names a family, and no family fills another's
 * fields.
 */
export interface MarketDetails {
  /** The subgraph's Protocol.family (AAVE_V3, MORPHO_BLUE, ...). */
  family: string;
  /** The GraphQL object type that serves these details. */
  graphqlType: string;
}

export interface MarketView extends Computed {
  id: string;
  asset: string;
  symbol: string | null;
  name: string | null;
  decimals: number;
  price: bigint | null;
  /** false: the market has no USD price and is left out of USD totals (USD figures null in the API) */
  valued: boolean;
  /** What only this market's family has (its risk parameters, caps, oracle): typed by the family. */
  details: MarketDetails;
  totalSupplied: bigint;
  totalBorrowed: bigint;
  availableLiquidity: bigint;
  /** Outstanding deficit: realized bad debt booked and not yet covered (Aave v3.3+), underlying units; 0 where a family books none. */
  deficit: bigint;
  /** The protocol's own cushion in this market (sheet.reservesBase in underlying units). */
  reserves: bigint;
  utilization: bigint | null;
  /** aToken supply valued in base currency (supplier claims + the treasury's own balance). */
  totalSuppliedBase: bigint;
  sheet: BalanceSheet;
  solvency: Solvency;
  tally: MarketTally;
  /** The protocol's borrowers at this block (shared with the protocol view, and built when read as it is). */
  borrowers: AccountView[];
}

/** A fund that pays a protocol's losses before its suppliers do (Gearbox V3: the treasury's pool shares). */
export interface InsuranceFundView {
  /** What it is, in the protocol's words. */
  name: string;
  /** Its value at the block, base currency. */
  balanceBase: bigint;
}

export interface ProtocolView extends Computed {
  markets: MarketView[];
  /** Null where the family has none (Aave's Umbrella is not indexed; Morpho Blue has none). */
  insuranceFund: InsuranceFundView | null;
  totalSuppliedBase: bigint;
  /**
   * Every account with a position, in no particular order. A family may build it only when read: at
   * the head a protocol view is recomputed every block, and most accounts only supply (Aave V3 Core:
   * 3-6 x 10^4 borrowers among 10^5-10^6 accounts), which no protocol-wide figure needs valued.
   */
  accounts: AccountView[];
  /** accounts.length, known without building `accounts`. */
  accountCount: number;
  /**
   * The accounts that may owe something: every account with debt is in it (others may be too). Lists
   * filtered on debt, insolvency, liquidation or health read this instead of `accounts`. May be built
   * only when read, as `accounts`.
   */
  borrowers: AccountView[];
  /**
   * The borrowers' totals, in any order: what every protocol-wide count and sum reads. A family
   * computes these at every block and may leave the borrowers' full views to `borrowers`.
   */
  borrowerTotals: (TalliedAccount & { address: string })[];
  sheet: BalanceSheet;
  solvency: Solvency;
}
