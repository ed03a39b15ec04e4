/**
 * The Morpho Blue family as a gateway adapter: subgraph state, plus the chain reads Morpho needs at
 * the pinned block (oracle prices, IRM rates), plus USD prices of its tokens from another indexed
 * protocol (Morpho has no USD oracle).
 */
import type { RealizedLossFact } from '../../metrics/realized';
import { valueLiquidation, type LiquidationFact, type LiquidationValue } from '../../metrics/liquidations';
import type { LiquidationRow } from '../../sources/liquidations';
import {
  loadMorphoAccounts,
  loadMorphoLiquidations,
  loadMorphoMarkets,
  loadSocializedLosses,
  token,
  MORPHO_POSITION,
  type MorphoAccountState,
  type RawMorphoLiquidation,
} from './source';
import { readMorphoChain, requireChain } from './chain';
import type { RealizedRow } from '../../sources/realized-bad-debt';
import { loadOpenPositions, loadPositionChanges } from '../../sources/positions';
import { AccountBook } from '../../views/account-book';
import { viewFromScratch, type AdapterInput, type Follower, type ProtocolAdapter, type SocializedLossRow } from '../../views/adapter';
import type { Pricing } from '../../views/model';
import { lazy } from '../../views/lazy';
import { morphoStressedViews } from './stress';
import { MORPHO_BASE_DECIMALS, morphoAccountViews, morphoProtocolView, morphoRef, type MorphoInputs } from './view';

/** USD prices (MORPHO_BASE_DECIMALS) of `tokens` at `block` from the protocols that offer them, with where each comes from. */
async function usdAt(i: AdapterInput, tokens: string[], block: number): Promise<{ usd: Map<string, bigint>; pricing: Map<string, Pricing> }> {
  const usd = new Map<string, bigint>();
  const pricing = new Map<string, Pricing>();
  if (!i.usdPrices || tokens.length === 0) return { usd, pricing };
  for (const [t, p] of await i.usdPrices([...new Set(tokens)], block)) {
    const shift = MORPHO_BASE_DECIMALS - p.decimals;
    usd.set(t.toLowerCase(), shift >= 0 ? p.price * 10n ** BigInt(shift) : p.price / 10n ** BigInt(-shift));
    pricing.set(t.toLowerCase(), p.pricing);
  }
  return { usd, pricing };
}

/** The protocol and its markets at the pinned block (one read per block). */
const marketsAt = (i: AdapterInput) => i.cached(`morpho-markets|${i.protocolId}`, () => loadMorphoMarkets(i.client, i.protocolId, i.block.number));

/** `accrueTo` (research: stress): the rates are read for interest up to then (default the block's time). */
async function inputsAt(i: AdapterInput, accrueTo = i.block.timestamp): Promise<MorphoInputs | null> {
  const loaded = await marketsAt(i);
  if (!loaded) return null;
  const { protocol, markets } = loaded;
  const block = i.block.number;
  const timestamp = BigInt(accrueTo);
  const chain = markets.length > 0 ? requireChain(i.chain, 'Morpho Blue') : undefined;
  // Valued by Morpho: collateral through each market's own oracle, so only loan tokens need USD.
  const [reads, usd] = await Promise.all([
    chain ? i.cached(`morpho-reads|${i.protocolId}${accrueTo === i.block.timestamp ? '' : `|${accrueTo}`}`, () => readMorphoChain(chain, markets, block, timestamp)) : null,
    usdAt(i, markets.map((m) => m.loan.address), block),
  ]);
  return {
    protocol,
    markets,
    oraclePrices: reads?.oraclePrices ?? new Map(),
    oracleFailed: reads?.oracleFailed ?? new Set(),
    borrowRates: reads?.borrowRates ?? new Map(),
    usd: usd.usd,
    usdPricing: usd.pricing,
    warnings: reads?.warnings ?? [],
    block: i.block,
    indexing: i.indexing,
  };
}

/** USD prices at each distinct block of `events`, one lookup per block. */
async function usdByBlock(i: AdapterInput, events: { block: number; tokens: string[] }[]): Promise<Map<number, Map<string, bigint>>> {
  const byBlock = new Map<number, Set<string>>();
  for (const e of events) for (const t of e.tokens) (byBlock.get(e.block) ?? byBlock.set(e.block, new Set()).get(e.block)!).add(t);
  const out = new Map<number, Map<string, bigint>>();
  await Promise.all([...byBlock].map(async ([b, tokens]) => out.set(b, (await usdAt(i, [...tokens], b)).usd)));
  return out;
}

function liquidationRow(l: RawMorphoLiquidation, usd: Map<string, bigint>): LiquidationRow {
  const loan = token(l.debtMarket.inputToken);
  const collateralToken = l.debtMarket.morphoParams?.collateralToken;
  const collateral = collateralToken ? token(collateralToken) : loan;
  const fact: LiquidationFact = {
    id: l.id,
    liquidator: l.liquidator.toLowerCase(),
    debtRepaid: BigInt(l.debtRepaid),
    collateralSeized: BigInt(l.collateralSeized),
    protocolFee: 0n, // Morpho Blue takes no liquidation fee
    debtPrice: usd.get(loan.address) ?? null,
    collateralPrice: usd.get(collateral.address) ?? null,
    debtDecimals: loan.decimals,
    collateralDecimals: collateral.decimals,
  };
  // Valued only when asked: without a USD price the row's token amounts are still served.
  return lazy<LiquidationRow>(
    {
      fact,
      out: {
        id: l.id,
        block: Number(l.blockNumber),
        timestamp: Number(l.timestamp),
        txHash: l.txHash,
        borrower: l.account.id,
        liquidator: l.liquidator,
        debtMarket: l.debtMarket.id,
        collateralMarket: l.debtMarket.id,
        debtAsset: loan,
        collateralAsset: collateral,
        receiveAToken: false,
      },
    },
    { value: (): LiquidationValue => valueLiquidation(fact) },
  );
}

const tokenOut = (t: ReturnType<typeof token>) => t;

async function liquidationRows(i: AdapterInput, fromBlock: number): Promise<LiquidationRow[]> {
  const raw = await loadMorphoLiquidations(i.client, i.protocolId, fromBlock, i.block.number);
  const usd = await usdByBlock(
    i,
    raw.map((l) => {
      const collateral = l.debtMarket.morphoParams?.collateralToken;
      return { block: Number(l.blockNumber), tokens: [l.debtMarket.inputToken.id, ...(collateral ? [collateral.id] : [])].map((t) => t.toLowerCase()) };
    }),
  );
  return raw
    .sort((a, b) => Number(b.blockNumber) - Number(a.blockNumber) || Number(b.logIndex) - Number(a.logIndex))
    .map((l) => liquidationRow(l, usd.get(Number(l.blockNumber))!));
}

async function socializedRows(i: AdapterInput): Promise<SocializedLossRow[]> {
  const raw = await loadSocializedLosses(i.client, i.protocolId, i.block.number);
  const usd = await usdByBlock(i, raw.map((s) => ({ block: Number(s.blockNumber), tokens: [s.market.inputToken.id.toLowerCase()] })));
  return raw
    .sort((a, b) => Number(b.blockNumber) - Number(a.blockNumber) || Number(b.logIndex) - Number(a.logIndex))
    .map((s) => {
      const asset = tokenOut(token(s.market.inputToken));
      const fact: RealizedLossFact = {
        id: s.realizedBadDebt.id,
        marketId: s.market.id,
        block: Number(s.blockNumber),
        timestamp: Number(s.timestamp),
        amount: BigInt(s.badDebtAssets),
        price: usd.get(Number(s.blockNumber))!.get(asset.address) ?? null,
        decimals: asset.decimals,
      };
      return {
        id: s.id,
        fact,
        kind: s.realizedBadDebt.kind,
        txHash: s.txHash,
        account: s.account.id,
        asset,
        liquidationId: s.liquidation.id,
        badDebtShares: BigInt(s.badDebtShares),
        totalSupplyAssetsBefore: BigInt(s.totalSupplyAssetsBefore),
        totalSupplyAssetsAfter: BigInt(s.totalSupplyAssetsAfter),
        totalSupplyShares: BigInt(s.totalSupplyShares),
        lossPerShare: s.lossPerShare === null ? null : BigInt(s.lossPerShare),
      };
    });
}

/** Open positions by account. */
type MorphoAccounts = AccountBook<MorphoAccountState['positions'][number], MorphoAccountState>;

/** From scratch at a block, or moved forward by the positions that changed since: the same state either way. */
const morphoFollower: Follower<MorphoAccounts> = {
  async load(i) {
    const loaded = await marketsAt(i);
    if (!loaded) return null;
    const state: MorphoAccounts = new AccountBook((address) => ({ address, positions: [] }));
    state.apply(await loadOpenPositions(i.client, MORPHO_POSITION, i.block.number, loaded.markets));
    return state;
  },
  async advance(state, i, since) {
    state.apply(await loadPositionChanges(i.client, MORPHO_POSITION, i.protocolId, since, i.block.number));
  },
  async view(state, i) {
    const inputs = await inputsAt(i);
    return inputs && morphoProtocolView(inputs, state.all());
  },
};

export const morphoBlueAdapter: ProtocolAdapter = {
  families: ['MORPHO_BLUE'],
  async protocolRef(i) {
    const loaded = await marketsAt(i);
    return loaded && morphoRef(loaded.protocol);
  },
  protocolView: (i) => viewFromScratch(morphoFollower, i),
  follow: morphoFollower,
  async accountViews(i, addresses) {
    const [inputs, states] = await Promise.all([inputsAt(i), loadMorphoAccounts(i.client, i.protocolId, i.block.number, addresses)]);
    if (!inputs) return null;
    const byAddress = new Map(states.map((s) => [s.address, s]));
    return morphoAccountViews(inputs, addresses.map((a) => byAddress.get(a)!));
  },
  // Every Morpho bad-debt liquidation books one RealizedBadDebt and one SocializedLoss (the same
  // write-off): the realized rows are built from the socialized losses and their liquidations.
  async realizedBadDebts(i): Promise<RealizedRow[]> {
    const [losses, liquidations] = await Promise.all([socializedRows(i), liquidationRows(i, 0)]);
    const byId = new Map(liquidations.map((l) => [l.out.id, l]));
    // All of it falls on the market's suppliers at once: nothing covered, nothing left as a deficit.
    return losses.map((s) => ({ fact: s.fact, kind: s.kind, txHash: s.txHash, account: s.account, asset: s.asset, liquidation: byId.get(s.liquidationId) ?? null, absorbed: { covered: 0n, socialized: s.fact.amount } }));
  },
  liquidations: liquidationRows,
  socializedLosses: socializedRows,
  // Research: the same view with shocked oracle and USD prices (morpho-blue-stress.ts).
  async stressedViews(i, scenarios, timestamp) {
    const [inputs, state] = await Promise.all([inputsAt(i, timestamp), morphoFollower.load(i)]);
    return inputs && state && morphoStressedViews(inputs, state.all(), scenarios, timestamp);
  },
};


