/**
 * Reads a Morpho Blue protocol's indexed state at one block (markets with their MorphoMarketParams
 * and MorphoMarketState, the protocol's MorphoBlueConfig, positions as shares and collateral) and
 * its event rows (liquidations, bad debt, socialized losses). Values nothing: USD prices and oracle
 * reads come from the adapter.
 */
import type { MorphoMarketState } from './math';
import type { MorphoPositionState } from './position';
import { loadAccountPositions, type PositionShape } from '../../sources/positions';
import { completeList, linked, PAGE_SIZE, type SubgraphClient } from '../../sources/subgraph-client';

export interface TokenInfo {
  address: string;
  symbol: string | null;
  name: string | null;
  decimals: number;
}

export interface MorphoProtocolInfo {
  id: string;
  name: string;
  slug: string;
  family: string;
  network: string;
  /** Morpho.feeRecipient: its supply shares are the protocol's revenue (Morpho has no treasury). */
  feeRecipient: string;
}

export interface MorphoMarketRow extends MorphoMarketState {
  id: string;
  /** bytes32 market id (MarketParamsLib.id) */
  marketKey: string;
  loan: TokenInfo;
  collateral: TokenInfo | null;
  oracle: string;
  irm: string;
  /** WAD */
  lltv: bigint;
  totalCollateral: bigint;
  /** Market.totalRealizedBadDebt: sum of Liquidate.badDebtAssets, loan-token units. */
  totalRealizedBadDebt: bigint;
  /** Positions ever opened in the market (open or not): sizes the parallel reads of its positions. */
  positionCount: number;
}

export interface MorphoAccountState {
  address: string;
  positions: (MorphoPositionState & { marketId: string })[];
}

const TOKEN = 'id symbol name decimals';
// Market: identity and shared totals; MorphoMarketParams (fixed at CreateMarket) and MorphoMarketState
// (the Market struct) share its id.
const MARKET_FIELDS = `id inputToken { ${TOKEN} } totalRealizedBadDebt positionCount
  morphoParams { collateralToken { ${TOKEN} } oracle irm lltv }
  morphoState { fee totalSupplyAssets totalSupplyShares totalBorrowAssets totalBorrowShares totalCollateral lastUpdateTimestamp }`;

interface RawMarket {
  id: string;
  inputToken: RawToken;
  totalRealizedBadDebt: string;
  positionCount: number;
  morphoParams: { collateralToken: RawToken | null; oracle: string; irm: string; lltv: string } | null;
  morphoState: Record<'fee' | 'totalSupplyAssets' | 'totalSupplyShares' | 'totalBorrowAssets' | 'totalBorrowShares' | 'totalCollateral' | 'lastUpdateTimestamp', string> | null;
}

interface RawToken {
  id: string;
  symbol: string | null;
  name: string | null;
  decimals: number;
}
export const token = (t: RawToken): TokenInfo => ({ address: t.id.toLowerCase(), symbol: t.symbol, name: t.name, decimals: t.decimals });
const big = (v: string | null | undefined) => BigInt(v ?? 0);

export async function loadMorphoMarkets(subgraph: SubgraphClient, protocolId: string, block: number): Promise<{ protocol: MorphoProtocolInfo; markets: MorphoMarketRow[] } | null> {
  const data = await subgraph.query<{
    protocol: { id: string; name: string; slug: string; family: string; network: string; morphoBlue: { feeRecipient: string } | null } | null;
    markets: RawMarket[];
  }>(
    `query($id: ID!) {
      protocol(id: $id, ${subgraph.blockArg(block)}) { id name slug family network morphoBlue { feeRecipient } }
      markets(first: ${PAGE_SIZE}, orderBy: id, orderDirection: asc, where: { protocol: $id }, ${subgraph.blockArg(block)}) { ${MARKET_FIELDS} }
    }`,
    { id: protocolId },
  );
  if (!data.protocol) return null;
  const p = data.protocol;
  // Anyone can create a Morpho market: the list is read to its end.
  data.markets = await completeList(subgraph, data.markets, { collection: 'markets', fields: MARKET_FIELDS, where: { protocol: protocolId }, block });
  return {
    protocol: { id: p.id, name: p.name, slug: p.slug, family: p.family, network: p.network, feeRecipient: linked(p.morphoBlue, `Morpho protocol ${p.id}'s MorphoBlueConfig`, subgraph.name).feeRecipient.toLowerCase() },
    markets: data.markets.map((m) => {
      // Every Morpho market has both (subgraph morpho-blue/market.ts creates the three together).
      const params = linked(m.morphoParams, `Morpho market ${m.id}'s MorphoMarketParams`, subgraph.name);
      const state = linked(m.morphoState, `Morpho market ${m.id}'s MorphoMarketState`, subgraph.name);
      return {
        id: m.id,
        // Subgraph Market id = Morpho address (20 bytes) ++ market id (bytes32).
        marketKey: `0x${m.id.slice(42)}`,
        loan: token(m.inputToken),
        collateral: params.collateralToken ? token(params.collateralToken) : null,
        oracle: params.oracle.toLowerCase(),
        irm: params.irm.toLowerCase(),
        lltv: big(params.lltv),
        fee: big(state.fee),
        totalSupplyAssets: big(state.totalSupplyAssets),
        totalSupplyShares: big(state.totalSupplyShares),
        totalBorrowAssets: big(state.totalBorrowAssets),
        totalBorrowShares: big(state.totalBorrowShares),
        totalCollateral: big(state.totalCollateral),
        lastUpdate: big(state.lastUpdateTimestamp),
        totalRealizedBadDebt: big(m.totalRealizedBadDebt),
        positionCount: m.positionCount,
      };
    }),
  };
}

type MorphoPosition = MorphoPositionState & { marketId: string };
/** Morpho positions: shares and collateral (account and market come from the id). */
export const MORPHO_POSITION: PositionShape<MorphoPosition> = {
  fields: 'supplyShares borrowShares collateralBalance',
  read: (p, marketId) => ({ marketId, supplyShares: big(p.supplyShares as string), borrowShares: big(p.borrowShares as string), collateral: big(p.collateralBalance as string) }),
};

/** Some accounts with their open positions at `block` (an unknown account has none). */
export async function loadMorphoAccounts(subgraph: SubgraphClient, protocolId: string, block: number, addresses: string[]): Promise<MorphoAccountState[]> {
  const rows = await loadAccountPositions(subgraph, MORPHO_POSITION, protocolId, block, addresses);
  const accounts = new Map<string, MorphoAccountState>(addresses.map((a) => [a, { address: a, positions: [] }]));
  for (const r of rows) accounts.get(r.address)?.positions.push(r.position!);
  return [...accounts.values()];
}

export interface RawMorphoLiquidation {
  id: string;
  blockNumber: string;
  logIndex: string;
  timestamp: string;
  txHash: string;
  account: { id: string };
  liquidator: string;
  debtRepaid: string;
  collateralSeized: string;
  badDebt: string | null;
  debtMarket: { id: string; inputToken: RawToken; morphoParams: { collateralToken: RawToken | null } | null };
}
export const MORPHO_LIQUIDATION_FIELDS = `id blockNumber logIndex timestamp txHash account { id } liquidator debtRepaid collateralSeized badDebt
  debtMarket { id inputToken { ${TOKEN} } morphoParams { collateralToken { ${TOKEN} } } }`;

export async function loadMorphoLiquidations(subgraph: SubgraphClient, protocolId: string, fromBlock: number, toBlock: number): Promise<RawMorphoLiquidation[]> {
  return subgraph.queryAll<RawMorphoLiquidation>({
    collection: 'liquidations',
    fields: MORPHO_LIQUIDATION_FIELDS,
    where: { protocol: protocolId, blockNumber_gte: String(fromBlock), blockNumber_lte: String(toBlock) },
    block: toBlock,
  });
}

export interface RawSocializedLoss {
  id: string;
  blockNumber: string;
  logIndex: string;
  timestamp: string;
  txHash: string;
  account: { id: string };
  market: { id: string; inputToken: RawToken };
  liquidation: { id: string };
  realizedBadDebt: { id: string; kind: string };
  badDebtAssets: string;
  badDebtShares: string;
  totalSupplyAssetsBefore: string;
  totalSupplyAssetsAfter: string;
  totalSupplyShares: string;
  lossPerShare: string | null;
}

/** Every socialized loss up to `toBlock` (Morpho writes one per bad-debt liquidation, beside its RealizedBadDebt). */
export async function loadSocializedLosses(subgraph: SubgraphClient, protocolId: string, toBlock: number): Promise<RawSocializedLoss[]> {
  return subgraph.queryAll<RawSocializedLoss>({
    collection: 'socializedLosses',
    fields: `id blockNumber logIndex timestamp txHash account { id } market { id inputToken { ${TOKEN} } } liquidation { id } realizedBadDebt { id kind }
      badDebtAssets badDebtShares totalSupplyAssetsBefore totalSupplyAssetsAfter totalSupplyShares lossPerShare`,
    where: { protocol: protocolId },
    block: toBlock,
  });
}
