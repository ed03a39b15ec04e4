/**
 * Reads an Aave V3 protocol's indexed state at one block from its subgraph and turns it into the
 * typed inputs of the metric functions. Two shapes: the market table (one request) and the accounts
 * (paged), loaded separately so a single-account query does not read every position.
 */
import type { AaveAccountState, AaveEModeCategoryState, AavePositionState, AaveReserveState } from './account';
import type { AaveReserveTotalsInput } from './market';
import { aaveRulesFor, tokenBalanceRules, type AaveRules } from './rules';
import { loadAccountPositions, loadOpenPositions, loadPositionChanges, type PositionRow, type PositionShape } from '../../sources/positions';
import { completeList, linked, PAGE_SIZE, type SubgraphClient } from '../../sources/subgraph-client';
import { PROTOCOL_FIELDS, protocolInfo, type ProtocolInfo } from '../../sources/protocols';

/** An Aave protocol: the shared identity and its Pool's own configuration (subgraph AavePool). */
export interface AaveProtocolInfo extends ProtocolInfo {
  /** Raw unit of one base currency (AaveOracle BASE_CURRENCY_UNIT; USD: 1e8). */
  baseCurrencyUnit: bigint;
  /** Zero address or null = USD. */
  baseCurrency: string | null;
  /** Scaled-balance rounding generation the subgraph detected (HALF_UP = v3.0-v3.4, FLOOR_CEIL = v3.5+). */
  scaledRounding: string | null;
  /** The price oracle in force at the block (AaveOracle address); null when not known yet. */
  oracle: string | null;
  /** Pool.POOL_REVISION(); null when unknown. */
  revision: number | null;
}

const AAVE_PROTOCOL_FIELDS = `${PROTOCOL_FIELDS} aavePool { scaledRounding revision oracle { id baseCurrency baseCurrencyUnit } }`;
interface RawAaveProtocol extends ProtocolInfo {
  aavePool: { scaledRounding: string | null; revision: number | null; oracle: { id: string; baseCurrency: string | null; baseCurrencyUnit: string | null } | null } | null;
}

function aaveProtocolInfo(p: RawAaveProtocol): AaveProtocolInfo {
  const pool = p.aavePool;
  return {
    ...protocolInfo(p),
    // Aave V3 oracles quote USD with 8 decimals (AaveOracle BASE_CURRENCY_UNIT) when not stated.
    baseCurrencyUnit: BigInt(pool?.oracle?.baseCurrencyUnit ?? 100_000_000n),
    baseCurrency: pool?.oracle?.baseCurrency ?? null,
    scaledRounding: pool?.scaledRounding ?? null,
    oracle: pool?.oracle?.id.toLowerCase() ?? null,
    revision: pool?.revision ?? null,
  };
}

export interface MarketRow extends AaveReserveState, Omit<AaveReserveTotalsInput, 'treasuryScaledBalance'> {
  symbol: string | null;
  name: string | null;
  supplyToken: string | null;
  variableDebtToken: string | null;
  treasury: string | null;
  liquidationBonus: bigint;
  reserveFactor: bigint;
  liquidationProtocolFee: bigint;
  borrowableInIsolation: boolean;
  isActive: boolean;
  isFrozen: boolean;
  isPaused: boolean;
  borrowingEnabled: boolean;
  /** Underlying written off by liquidations since inception / covered since inception (Aave v3.3+). */
  totalDeficitCreated: bigint;
  totalDeficitCovered: bigint;
  /** Block of the price the subgraph last indexed for this asset (events only: see Pricing). */
  priceUpdatedAtBlock: number | null;
  /** Positions ever opened in the market (open or not): sizes the parallel reads of its positions. */
  positionCount: number;
}

export interface MarketTable {
  protocol: AaveProtocolInfo;
  markets: MarketRow[];
  reserves: Map<string, MarketRow>;
  eModes: Map<number, AaveEModeCategoryState>;
  pricesByAsset: Map<string, bigint>;
  /** The generation's arithmetic (rounding, interest, health factor). */
  rules: AaveRules;
}

/** A reserve: the shared Market, its configuration (AaveReserve) and its accounting (AaveReserveState). */
const MARKET_FIELDS = `id inputToken { id symbol name } decimals positionCount totalRealizedBadDebt
  aaveReserve { supplyToken variableDebtToken treasury ltv liquidationThreshold liquidationBonus reserveFactor
    liquidationProtocolFee supplyCap borrowCap debtCeiling borrowableInIsolation isActive isFrozen isPaused borrowingEnabled
    eModeCategoryId supplyTokenRounding debtTokenRounding }
  aaveReserveState { liquidityIndex variableBorrowIndex liquidityRate variableBorrowRate lastUpdateTimestamp
    scaledTotalSupply scaledTotalVariableDebt accruedToTreasuryScaled isolationModeTotalDebt price priceUpdatedAtBlock
    deficit totalDeficitCovered }`;

interface RawReserve {
  supplyToken: string;
  variableDebtToken: string;
  treasury: string | null;
  ltv: string;
  liquidationThreshold: string;
  liquidationBonus: string;
  reserveFactor: string;
  liquidationProtocolFee: string;
  supplyCap: string;
  borrowCap: string;
  debtCeiling: string;
  borrowableInIsolation: boolean;
  isActive: boolean;
  isFrozen: boolean;
  isPaused: boolean;
  borrowingEnabled: boolean;
  eModeCategoryId: number;
  supplyTokenRounding: string | null;
  debtTokenRounding: string | null;
}
interface RawReserveState {
  liquidityIndex: string;
  variableBorrowIndex: string;
  liquidityRate: string;
  variableBorrowRate: string;
  lastUpdateTimestamp: string;
  scaledTotalSupply: string;
  scaledTotalVariableDebt: string;
  accruedToTreasuryScaled: string;
  isolationModeTotalDebt: string;
  price: string | null;
  priceUpdatedAtBlock: string | null;
  deficit: string;
  totalDeficitCovered: string;
}
interface RawMarket {
  id: string;
  inputToken: { id: string; symbol: string | null; name: string | null };
  decimals: number;
  positionCount: number;
  totalRealizedBadDebt: string;
  aaveReserve: RawReserve | null;
  aaveReserveState: RawReserveState | null;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

const EMODE_CATEGORY_FIELDS = 'id categoryId ltv liquidationThreshold priceSource';
const EMODE_MEMBERSHIP_FIELDS = 'id category { categoryId } market { id } collateral ltvZero';
interface RawEModeCategory {
  id: string;
  categoryId: number;
  ltv: string;
  liquidationThreshold: string;
  priceSource: string;
}
interface RawEModeMembership {
  id: string;
  category: { categoryId: number };
  market: { id: string };
  collateral: boolean;
  ltvZero: boolean;
}

/** The protocol, its markets and e-mode categories at `block`; null when the protocol did not exist yet. */
export async function loadMarketTable(subgraph: SubgraphClient, protocolId: string, block: number): Promise<MarketTable | null> {
  const at = subgraph.blockArg(block);
  const page = `first: ${PAGE_SIZE}, orderBy: id, orderDirection: asc, where: { protocol: $id }, ${at}`;
  const data = await subgraph.query<{
    protocol: RawAaveProtocol | null;
    markets: RawMarket[];
    emodeCategories: RawEModeCategory[];
    emodeMemberships: RawEModeMembership[];
  }>(
    `query($id: ID!) {
      protocol(id: $id, ${at}) { ${AAVE_PROTOCOL_FIELDS} }
      markets(${page}) { ${MARKET_FIELDS} }
      emodeCategories(${page}) { ${EMODE_CATEGORY_FIELDS} }
      emodeMemberships(${page}) { ${EMODE_MEMBERSHIP_FIELDS} }
    }`,
    { id: protocolId },
  );
  if (!data.protocol) return null;
  // Anyone can list markets / categories on some protocols: every list is read to its end.
  const rest = (collection: string, fields: string) => ({ collection, fields, where: { protocol: protocolId }, block });
  const [rawMarkets, emodeCategories, emodeMemberships] = await Promise.all([
    completeList(subgraph, data.markets, rest('markets', MARKET_FIELDS)),
    completeList(subgraph, data.emodeCategories, rest('emodeCategories', EMODE_CATEGORY_FIELDS)),
    completeList(subgraph, data.emodeMemberships, rest('emodeMemberships', EMODE_MEMBERSHIP_FIELDS)),
  ]);
  data.emodeCategories = emodeCategories;
  data.emodeMemberships = emodeMemberships;
  const protocol = aaveProtocolInfo(data.protocol);
  const rules = aaveRulesFor(protocol.scaledRounding, protocol.revision);
  const markets = rawMarkets.map((m) => {
    const row = marketRow(m, subgraph.name);
    return { ...row, tokens: tokenBalanceRules(rules, m.aaveReserve?.supplyTokenRounding ?? null, m.aaveReserve?.debtTokenRounding ?? null) };
  });
  const pricesByAsset = new Map<string, bigint>();
  for (const m of markets) if (m.price !== null) pricesByAsset.set(m.asset, m.price);
  const eModes = new Map<number, AaveEModeCategoryState>();
  for (const c of data.emodeCategories) {
    const source = c.priceSource.toLowerCase();
    const mine = data.emodeMemberships.filter((m) => m.category.categoryId === c.categoryId);
    eModes.set(c.categoryId, {
      id: c.categoryId,
      ltv: BigInt(c.ltv),
      liquidationThreshold: BigInt(c.liquidationThreshold),
      priceSourceAsset: source === ZERO_ADDRESS ? null : source,
      collateralMarkets: new Set(mine.filter((m) => m.collateral).map((m) => m.market.id)),
      ltvZeroMarkets: new Set(mine.filter((m) => m.ltvZero).map((m) => m.market.id)),
    });
  }
  return { protocol, markets, reserves: new Map(markets.map((m) => [m.id, m])), eModes, pricesByAsset, rules };
}

function marketRow(m: RawMarket, endpoint: string): Omit<MarketRow, 'tokens'> {
  // Every market of an Aave protocol has both (subgraph reserve.ts creates the three together).
  const r = linked(m.aaveReserve, `Aave market ${m.id}'s AaveReserve`, endpoint);
  const st = linked(m.aaveReserveState, `Aave market ${m.id}'s AaveReserveState`, endpoint);
  return {
    id: m.id,
    asset: m.inputToken.id.toLowerCase(),
    symbol: m.inputToken.symbol,
    name: m.inputToken.name,
    decimals: m.decimals,
    supplyToken: r.supplyToken,
    variableDebtToken: r.variableDebtToken,
    treasury: r.treasury?.toLowerCase() ?? null,
    ltv: BigInt(r.ltv),
    liquidationThreshold: BigInt(r.liquidationThreshold),
    liquidationBonus: BigInt(r.liquidationBonus),
    reserveFactor: BigInt(r.reserveFactor),
    liquidationProtocolFee: BigInt(r.liquidationProtocolFee),
    supplyCap: BigInt(r.supplyCap),
    borrowCap: BigInt(r.borrowCap),
    debtCeiling: BigInt(r.debtCeiling),
    borrowableInIsolation: r.borrowableInIsolation,
    isActive: r.isActive,
    isFrozen: r.isFrozen,
    isPaused: r.isPaused,
    borrowingEnabled: r.borrowingEnabled,
    eModeCategoryId: r.eModeCategoryId,
    liquidityIndex: BigInt(st.liquidityIndex),
    variableBorrowIndex: BigInt(st.variableBorrowIndex),
    liquidityRate: BigInt(st.liquidityRate),
    variableBorrowRate: BigInt(st.variableBorrowRate),
    lastUpdateTimestamp: BigInt(st.lastUpdateTimestamp),
    scaledTotalSupply: BigInt(st.scaledTotalSupply),
    scaledTotalVariableDebt: BigInt(st.scaledTotalVariableDebt),
    accruedToTreasuryScaled: BigInt(st.accruedToTreasuryScaled),
    isolationModeTotalDebt: BigInt(st.isolationModeTotalDebt),
    price: st.price === null ? null : BigInt(st.price),
    priceUpdatedAtBlock: st.priceUpdatedAtBlock === null ? null : Number(st.priceUpdatedAtBlock),
    deficit: BigInt(st.deficit),
    totalDeficitCreated: BigInt(m.totalRealizedBadDebt),
    totalDeficitCovered: BigInt(st.totalDeficitCovered),
    positionCount: m.positionCount,
  };
}

/** Aave positions: scaled balances (account and market come from the id). */
const AAVE_POSITION: PositionShape<AavePositionState> = {
  fields: 'scaledSupplyBalance scaledVariableDebt collateralEnabled',
  read: (p, marketId) => ({
    marketId,
    scaledSupply: BigInt(p.scaledSupplyBalance as string),
    scaledVariableDebt: BigInt(p.scaledVariableDebt as string),
    collateralEnabled: p.collateralEnabled as boolean,
  }),
};
export type AavePositionRow = PositionRow<AavePositionState>;

const EMODE_ROW_FIELDS = 'account { id } eModeCategoryId';
type RawEModeRow = { id: string; account: { id: string }; eModeCategoryId: number };
const eModeMap = (rows: RawEModeRow[]) => new Map(rows.map((r) => [r.account.id.toLowerCase(), r.eModeCategoryId]));

/** Every open position at `block` and the e-mode of every account holding one. */
export async function loadOpenAccountRows(
  subgraph: SubgraphClient,
  protocolId: string,
  block: number,
  markets: Pick<MarketRow, 'id' | 'positionCount'>[],
): Promise<{ positions: AavePositionRow[]; eModes: Map<string, number> }> {
  const [positions, eModeRows] = await Promise.all([
    loadOpenPositions(subgraph, AAVE_POSITION, block, markets),
    subgraph.queryAll<RawEModeRow>({ collection: 'protocolAccounts', fields: EMODE_ROW_FIELDS, where: { protocol: protocolId, eModeCategoryId_gt: 0, openPositionCount_gt: 0 }, block }),
  ]);
  return { positions, eModes: eModeMap(eModeRows) };
}

/** Positions (closed ones included) and accounts' e-modes (0 included) that changed in blocks (since, block]. */
export async function loadAccountChanges(subgraph: SubgraphClient, protocolId: string, since: number, block: number): Promise<{ positions: AavePositionRow[]; eModes: Map<string, number> }> {
  const [positions, eModeRows] = await Promise.all([
    loadPositionChanges(subgraph, AAVE_POSITION, protocolId, since, block),
    subgraph.queryAll<RawEModeRow>({ collection: 'protocolAccounts', fields: EMODE_ROW_FIELDS, where: { protocol: protocolId, _change_block: { number_gte: since + 1 } }, block }),
  ]);
  return { positions, eModes: eModeMap(eModeRows) };
}

/** Some accounts with their open positions and e-mode at `block` (an unknown account has none). */
export async function loadAccounts(subgraph: SubgraphClient, protocolId: string, block: number, addresses: string[]): Promise<AaveAccountState[]> {
  const [positions, eModeRows] = await Promise.all([
    loadAccountPositions(subgraph, AAVE_POSITION, protocolId, block, addresses),
    subgraph.queryAll<RawEModeRow>({ collection: 'protocolAccounts', fields: EMODE_ROW_FIELDS, where: { protocol: protocolId, account_in: addresses }, block }),
  ]);
  const eModeOf = eModeMap(eModeRows);
  const accounts = new Map<string, AaveAccountState>(addresses.map((address) => [address, { address, eModeCategoryId: eModeOf.get(address) ?? 0, positions: [] }]));
  for (const row of positions) accounts.get(row.address)?.positions.push(row.position!);
  return [...accounts.values()];
}

/** Each market's DeficitCovered total up to `block` (AaveReserveState.totalDeficitCovered), underlying units. */
export async function loadCoveredDeficits(subgraph: SubgraphClient, protocolId: string, block: number): Promise<Map<string, bigint>> {
  const rows = await subgraph.queryAll<{ id: string; aaveReserveState: { totalDeficitCovered: string } | null }>({
    collection: 'markets',
    fields: 'aaveReserveState { totalDeficitCovered }',
    where: { protocol: protocolId },
    block,
  });
  return new Map(rows.map((r) => [r.id, BigInt(linked(r.aaveReserveState, `Aave market ${r.id}'s AaveReserveState`, subgraph.name).totalDeficitCovered)]));
}
