/**
 * What the gateway needs from a protocol family. Each family (Aave V3, Morpho Blue, ...) reads its
 * own subgraph shapes and applies its own health rule, and hands back the shared view model; the
 * request context caches and batches, the resolvers format. Adding a protocol is one adapter.
 */
import type { LiquidationRow } from '../sources/liquidations';
import type { RealizedRow } from '../sources/realized-bad-debt';
import type { RealizedLossFact } from '../metrics/realized';
import type { BlockRef, IndexingState } from '../sources/blocks';
import type { SubgraphClient } from '../sources/subgraph-client';
import type { AccountView, ProtocolRef, ProtocolView } from './model';

import type { ChainReader } from '../sources/chain';
import type { Pricing } from './model';
import type { CollateralScope } from '../metrics/stress';

export type { ChainReader };

/** A USD price a family offers other families (the same token on the same chain has one price). */
export interface UsdPrice {
  /** USD per whole token, with `decimals` decimals */
  price: bigint;
  decimals: number;
  pricing: Pricing;
}

/** token (lowercase) -> its USD price */
export type UsdPrices = Map<string, UsdPrice>;

export interface AdapterInput {
  client: SubgraphClient;
  protocolId: string;
  block: BlockRef;
  indexing: IndexingState;
  /** Present when the gateway has an RPC; families that need it fail with a clear error otherwise. */
  chain?: ChainReader;
  /** USD prices of tokens at a block from the protocols whose family offers them (see ProtocolAdapter.usdPrices). */
  usdPrices?: (tokens: string[], block: number) => Promise<UsdPrices>;
  /**
   * Keeps what `compute` reads at this block across requests when the block is known by hash (a
   * block's chain state never changes), else for this request only: e.g. one oracle read per block.
   */
  cached<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** What a follower keeps between blocks; its size is reported (memory is bounded by the operator). */
export interface FollowedState {
  readonly size: { accounts: number; positions: number };
}

/**
 * A family whose protocol view can be moved forward block by block: `load` reads the state at the
 * pinned block from scratch, `advance` changes a state held at block `since` into the pinned block's
 * by reading only the rows changed after `since`, and `view` computes the figures from a state (at
 * the pinned block's prices and timestamp). Both paths end in the same state, so a followed view
 * equals a fresh one; the head-following view service (server/view-service.ts) drives it.
 */
export interface Follower<S extends FollowedState = FollowedState> {
  load(input: AdapterInput): Promise<S | null>;
  advance(state: S, input: AdapterInput, since: number): Promise<void>;
  view(state: S, input: AdapterInput): Promise<ProtocolView | null>;
}

/** A protocol view computed from scratch by a follower. */
export async function viewFromScratch<S extends FollowedState>(follower: Follower<S>, input: AdapterInput): Promise<ProtocolView | null> {
  const state = await follower.load(input);
  return state && follower.view(state, input);
}

export interface ProtocolAdapter extends StressCapable {
  families: string[];
  /** Identity and base currency only: cheap, for list queries that need no positions. */
  protocolRef(input: AdapterInput): Promise<ProtocolRef | null>;
  /** Every market and account at the pinned block; null when the protocol did not exist yet. */
  protocolView(input: AdapterInput): Promise<ProtocolView | null>;
  /** Present when the family's view can follow the head (see Follower). */
  follow?: Follower;
  /** Some accounts at the pinned block (batched by the caller). */
  accountViews(input: AdapterInput, addresses: string[]): Promise<AccountView[] | null>;
  /** Realized bad debt up to the pinned block, newest first, valued in the base currency. */
  realizedBadDebts(input: AdapterInput): Promise<RealizedRow[]>;
  /** Liquidations in [fromBlock, pinned block], newest first, valued in the base currency. */
  liquidations(input: AdapterInput, fromBlock: number): Promise<LiquidationRow[]>;
  /**
   * Losses passed on to suppliers up to the pinned block, newest first (Morpho Blue: bad debt written
   * off against the market's supply). Absent for families that never socialize (Aave books deficits).
   */
  socializedLosses?(input: AdapterInput): Promise<SocializedLossRow[]>;
  /**
   * A declared capability: USD prices of the protocol's assets at the pinned block, for families
   * that have no USD oracle of their own (Morpho Blue). Null when the protocol has none then (not
   * deployed yet, or its base currency is not USD).
   */
  usdPrices?(input: AdapterInput): Promise<UsdPrices | null>;
}

export interface SocializedLossRow {
  id: string;
  /** The loss as a realized fact (amount in loan units, priced at its own block). */
  fact: RealizedLossFact;
  kind: string;
  txHash: string;
  account: string;
  asset: { address: string; symbol: string | null; name: string | null; decimals: number };
  liquidationId: string;
  badDebtShares: bigint;
  totalSupplyAssetsBefore: bigint;
  totalSupplyAssetsAfter: bigint;
  totalSupplyShares: bigint;
  /** badDebtAssets * 1e36 / totalSupplyShares (subgraph SocializedLoss.lossPerShare) */
  lossPerShare: bigint | null;
}

/**
 * Research (docs/methodology.md, "Stress tests"): a family's protocol views at the pinned block with
 * its prices moved, computed by the same code as its plain view.
 */
export interface StressedViews {
  /** One view per scenario, in order, every one with interest accrued to the same timestamp. */
  views: ProtocolView[];
  /** Where a liquidator's bonus is paid from: the whole account (cross-margined) or one market (isolated). */
  collateralScope: CollateralScope;
  /** market id -> liquidation bonus as a wad factor (1.05e18 = 5%) */
  bonusWad: Map<string, bigint>;
  /** Every asset a shock may name (lowercase) -> its token facts. */
  assets: Map<string, { symbol: string | null; decimals: number }>;
  /** Whether a liquidator may seize the account's collateral in this market in that view (Aave: the account is liquidatable; Morpho: that market's position is). */
  collateralLiquidatable(account: AccountView, marketId: string): boolean;
}

export interface StressCapable {
  /**
   * `scenarios`: asset -> price factor x 10^36 (metrics/stress.ts). Assets the protocol does not hold
   * are refused (ShockError UNKNOWN_ASSET). `timestamp`: interest accrued to it with the protocol's own
   * index math (>= the block's; the positions and rates stay the block's). Null before deployment.
   */
  stressedViews?(input: AdapterInput, scenarios: ReadonlyMap<string, bigint>[], timestamp: number): Promise<StressedViews | null>;
}

/**
 * One protocol family as the gateway sees it: its adapter (reads, math, views) and the GraphQL
 * types only it has (its SDL fragment implements core interfaces such as `MarketDetails`, with the
 * resolvers of those types). The registry (server/families/index.ts) lists the modules; nothing
 * else in the gateway names a family.
 */
export interface FamilyModule {
  /** Its folder under server/families/ and its devnet protocols' family (e.g. 'aave-v3'). */
  name: string;
  adapter: ProtocolAdapter;
  /** SDL fragment, appended to server/schema/schema.graphql. */
  typeDefs: string;
  /** Resolvers of the fragment's types, by type name. */
  resolvers: Record<string, Record<string, unknown>>;
}
