/**
 * The protocol-independent view the GraphQL resolvers read. Each protocol adapter (Aave V3 today)
 * builds it from its own indexed state; every amount is an integer, in underlying units or in the
 * protocol's base currency (`baseDecimals`).
 */
import type { AccountRisk } from '../metrics/account-risk';
import type { BalanceSheet, Solvency } from '../metrics/solvency';
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

export interface Computed {
  protocol: ProtocolRef;
  block: BlockRef;
  indexing: IndexingState;
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
}

export interface AccountView extends Computed {
  address: string;
  eModeCategoryId: number;
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
  liquidatableAccounts: number;
  liquidatableDebtBase: bigint;
}

export interface MarketView extends Computed {
  id: string;
  asset: string;
  symbol: string | null;
  name: string | null;
  decimals: number;
  price: bigint | null;
  config: Record<string, bigint | boolean | number | string | null>;
  totalSupplied: bigint;
  totalBorrowed: bigint;
  availableLiquidity: bigint;
  /** Outstanding deficit (Aave v3.3+), underlying units. */
  deficit: bigint;
  reserves: bigint;
  accruedToTreasury: bigint;
  treasuryBalance: bigint;
  utilization: bigint | null;
  supplyCapUtilization: bigint | null;
  borrowCapUtilization: bigint | null;
  debtCeilingUtilization: bigint | null;
  /** aToken supply valued in base currency (supplier claims + the treasury's own balance). */
  totalSuppliedBase: bigint;
  sheet: BalanceSheet;
  solvency: Solvency;
  tally: MarketTally;
  /** Every account of the protocol at this block (shared with the protocol view). */
  accounts: AccountView[];
}

export interface ProtocolView extends Computed {
  markets: MarketView[];
  totalSuppliedBase: bigint;
  accounts: AccountView[];
  sheet: BalanceSheet;
  solvency: Solvency;
}
