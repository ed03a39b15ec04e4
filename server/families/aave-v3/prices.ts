/**
 * Aave V3 prices at the pinned block, the protocol's own: `AaveOracle.getAssetsPrices(assets)` read
 * by eth_call at that block (one call per protocol and block). On mainnet no Aave source emits the
 * events an indexer could follow for every move (Chainlink EACAggregatorProxy switches aggregators
 * silently; price-cap adapters move with an exchange ratio and emit nothing), so indexed prices are
 * only a fallback: without an RPC, or for an asset whose source reverts, labelled as such.
 */
import { parseAbi } from 'viem';
import type { ChainReader } from '../../sources/chain';
import type { MarketRow, MarketTable } from './source';
import type { Pricing } from '../../views/model';
import { oraclePricing } from '../../views/pricing';

/** IAaveOracle (aave-v3-core / aave-v3-origin): both revert when a source's answer cannot be read. */
export const AAVE_ORACLE_ABI = parseAbi([
  'function getAssetsPrices(address[] assets) view returns (uint256[])',
  'function getAssetPrice(address asset) view returns (uint256)',
]);

export interface AavePrices {
  /** asset (lowercase) -> price in the oracle's base currency */
  byAsset: Map<string, bigint>;
  /** market id -> where its price comes from */
  pricing: Map<string, Pricing>;
  warnings: string[];
}

/** Every asset the account math prices: the reserves and the e-mode categories' price sources. */
export function pricedAssets(table: MarketTable): string[] {
  const out = new Set(table.markets.map((m) => m.asset));
  for (const e of table.eModes.values()) if (e.priceSourceAsset) out.add(e.priceSourceAsset);
  return [...out];
}

const indexedPricing = (m: MarketRow): Pricing =>
  m.price === null ? { source: 'NONE', asOfBlock: null, unpricedMarkets: [m.id] } : { source: 'INDEXED_EVENTS', asOfBlock: m.priceUpdatedAtBlock, unpricedMarkets: [] };

export async function readAavePrices(table: MarketTable, chain: ChainReader | undefined, block: number): Promise<AavePrices> {
  const { protocol } = table;
  const assets = pricedAssets(table);
  const indexed = new Map(table.pricesByAsset);
  if (!chain || !protocol.oracle) {
    const why = !chain ? 'no RPC is configured' : 'the subgraph knows no oracle for it yet';
    return {
      byAsset: indexed,
      pricing: new Map(table.markets.map((m) => [m.id, indexedPricing(m)])),
      warnings: [`${protocol.slug} (${protocol.id}): prices are the last indexed oracle events because ${why}; sources that move without an event (Chainlink proxies switching aggregators, price-cap adapters) are not reflected (see pricing.source)`],
    };
  }
  const oracle = protocol.oracle;
  const [all] = await chain.readAll([{ address: oracle, abi: AAVE_ORACLE_ABI, functionName: 'getAssetsPrices', args: [assets] }], block);
  let answers: (bigint | null)[];
  if (all.ok) answers = all.value as bigint[];
  else {
    // One reverting source fails the batch: read each asset alone so only that one is unpriced.
    const one = await chain.readAll(assets.map((a) => ({ address: oracle, abi: AAVE_ORACLE_ABI, functionName: 'getAssetPrice', args: [a] })), block);
    answers = one.map((r) => (r.ok ? (r.value as bigint) : null));
  }
  const byAsset = new Map<string, bigint>();
  const failed = new Set<string>();
  assets.forEach((a, k) => {
    const price = answers[k];
    if (price !== null) byAsset.set(a, price);
    else {
      failed.add(a);
      const fallback = indexed.get(a);
      if (fallback !== undefined) byAsset.set(a, fallback);
    }
  });
  const warnings = failed.size
    ? [`${protocol.slug} (${protocol.id}): AaveOracle ${oracle} did not answer for ${[...failed].join(', ')} at block ${block}; the last indexed price is used where there is one`]
    : [];
  const pricing = new Map(table.markets.map((m) => [m.id, failed.has(m.asset) ? indexedPricing(m) : oraclePricing(block)]));
  return { byAsset, pricing, warnings };
}

/** The table valued with `prices` (market rows and the asset map the account math reads). */
export function withPrices(table: MarketTable, prices: AavePrices): MarketTable {
  const markets = table.markets.map((m) => ({ ...m, price: prices.byAsset.get(m.asset) ?? null }));
  return { ...table, markets, reserves: new Map(markets.map((m) => [m.id, m])), pricesByAsset: prices.byAsset };
}

/** IPool v3.1+ (virtual accounting) and the ERC-20 balance of v3.0's aToken. */
const AAVE_CASH_ABI = parseAbi(['function getVirtualUnderlyingBalance(address asset) view returns (uint128)', 'function balanceOf(address account) view returns (uint256)']);

export interface AaveCash {
  /** market id -> the reserve's cash (underlying units); absent when it could not be read */
  byMarket: Map<string, bigint>;
  warnings: string[];
}

/**
 * Each reserve's cash at the block, the protocol's own figure: v3.1+ `Pool.getVirtualUnderlyingBalance`
 * (what the Pool lends out and checks withdrawals against, blind to donations), v3.0 the aToken's
 * underlying balance (v3.0 has no virtual balance: the call reverts). One multicall per protocol and
 * block. Without an RPC the caller falls back to the balance identity (supply + accrued - debt -
 * deficit), which understates cash while debt compounds and income is linear.
 */
export async function readAaveCash(table: MarketTable, chain: ChainReader | undefined, block: number): Promise<AaveCash> {
  const byMarket = new Map<string, bigint>();
  if (!chain) return { byMarket, warnings: [`${table.protocol.slug} (${table.protocol.id}): no RPC is configured: available liquidity comes from the balance identity (aToken supply + accrued to treasury - debt - deficit), which understates the reserves' cash by up to a few hundred ppm`] };
  const pool = table.protocol.id.slice(0, 42);
  const markets = table.markets;
  const reads = [
    ...markets.map((m) => ({ address: pool, abi: AAVE_CASH_ABI, functionName: 'getVirtualUnderlyingBalance', args: [m.asset] })),
    ...markets.map((m) => ({ address: m.asset, abi: AAVE_CASH_ABI, functionName: 'balanceOf', args: [m.supplyToken ?? pool] })),
  ];
  const results = await chain.readAll(reads, block);
  const failed: string[] = [];
  markets.forEach((m, k) => {
    const virtual = results[k];
    const balance = results[markets.length + k];
    if (virtual.ok) byMarket.set(m.id, virtual.value as bigint);
    else if (balance.ok && m.supplyToken) byMarket.set(m.id, balance.value as bigint);
    else failed.push(m.symbol ?? m.asset);
  });
  const warnings = failed.length ? [`${table.protocol.slug} (${table.protocol.id}): the cash of ${failed.join(', ')} could not be read at block ${block}; their available liquidity comes from the balance identity`] : [];
  return { byMarket, warnings };
}
