/**
 * Resolvers: validate arguments, pin the block, fetch the computed view through the request context
 * and format integers as exact decimal strings. No metric is computed here.
 */
import { formatRatio, formatUnits, parseRatio, ratio, RATIO_DECIMALS } from '../metrics/decimal';
import { liquidationStats, type LiquidationFact, type LiquidationValue } from '../metrics/liquidations';
import { inRange, lossSplit, lossValueBase, realizedTotals, type LossSplit, type RealizedLossFact } from '../metrics/realized';
import { tallyAccounts, type TalliedAccount } from '../metrics/solvency';
import { errorCode, gatewayError } from '../errors';
import type { RequestContext } from '../context';
import type { IndexingState } from '../sources/blocks';
import type { LiquidationRow } from '../sources/liquidations';
import type { AccountView, Computed, MarketView, PositionView, ProtocolView } from '../views/model';
import type { AccountFilter, AccountOrder, ProtocolRealizedBadDebtUsdArgs, Resolvers } from './generated/resolvers-types';
import { subscriptionResolvers } from '../alerts/subscriptions';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
// Aave: pool ++ asset (20 + 20 bytes); Morpho Blue: Morpho ++ market id (20 + 32 bytes).
const MARKET_ID = /^0x(?:[0-9a-fA-F]{80}|[0-9a-fA-F]{104})$/;

const usd = (c: Computed, v: bigint) => formatUnits(v, c.protocol.baseDecimals);
/** A market without a USD price answers null for every USD figure: left out, never zero. */
const musd = (m: MarketView, v: bigint) => (m.valued ? usd(m, v) : null);

/** Facts that can be valued; the others are counted out loud in extensions.warnings, not valued at zero. */
function valuable<T extends { id: string }>(ctx: RequestContext, facts: T[], hasPrice: (f: T) => boolean, what: string): T[] {
  const ok = facts.filter(hasPrice);
  if (ok.length < facts.length) {
    const left = facts.filter((f) => !hasPrice(f)).map((f) => f.id);
    const warning = `${left.length} ${what} without a USD price are left out of USD sums: ${left.slice(0, 20).join(', ')}${left.length > 20 ? ', ...' : ''}`;
    if (!ctx.stats.warnings.includes(warning)) ctx.stats.warnings.push(warning);
  }
  return ok;
}
const realizedPriced = (f: RealizedLossFact) => f.price !== null;
const liquidationPriced = (f: LiquidationFact) => f.debtPrice !== null && f.collateralPrice !== null;
const bps = (v: bigint) => formatUnits(v, 4);

function parseThreshold(text: string, what: string): bigint {
  try {
    return parseRatio(text);
  } catch {
    throw gatewayError('BAD_USER_INPUT', `${what} must be a non-negative decimal string like "1.1", got "${text}"`);
  }
}

function parseUsd(text: string, decimals: number, what: string): bigint {
  const fixed = parseThreshold(text, what);
  return fixed / 10n ** BigInt(RATIO_DECIMALS - decimals);
}

function checkPage(first: number, skip: number, max: number) {
  if (!Number.isInteger(first) || first < 0) throw gatewayError('BAD_USER_INPUT', `first must be a non-negative integer, got ${first}`);
  if (first > max) throw gatewayError('FIRST_TOO_LARGE', `first is at most ${max}, got ${first}`, { max });
  if (!Number.isInteger(skip) || skip < 0) throw gatewayError('BAD_USER_INPUT', `skip must be a non-negative integer, got ${skip}`);
}

function indexingOf(i: IndexingState) {
  return { endpoint: i.endpoint, indexedBlock: i.head, hasIndexingErrors: i.hasIndexingErrors, secondsBehind: Math.max(0, Math.floor(Date.now() / 1000) - i.head.timestamp) };
}

async function protocolView(ctx: RequestContext, id: string, block: number | null | undefined): Promise<ProtocolView> {
  const handle = await ctx.findProtocol(id);
  return ctx.protocolView(handle, await ctx.pin(handle.endpoint, block));
}

/** Counts and sums over the view's accounts (liquidatable with something to seize, dead debt, debt/equity). */
const tallies = new WeakMap<ProtocolView, ReturnType<typeof tallyAccounts>>();
const tally = (v: ProtocolView) => {
  // Several fields of one view read it: one pass over the accounts per view, not per field.
  let t = tallies.get(v);
  if (!t) tallies.set(v, (t = tallyAccounts(v.borrowerTotals, 0n)));
  return t;
};

const atRiskThreshold = (threshold: string | undefined) => parseThreshold(threshold ?? '1.1', 'healthFactorBelow');

const atRiskDebt = (accounts: TalliedAccount[], threshold: string | undefined) => tallyAccounts(accounts, atRiskThreshold(threshold)).atRiskDebtBase;

function atRiskMarketDebt(accounts: AccountView[], threshold: string | undefined, marketId: string): bigint {
  const below = atRiskThreshold(threshold);
  let total = 0n;
  for (const a of accounts) {
    if (a.healthFactor === null || a.healthFactor >= below) continue;
    for (const p of a.positions) if (p.marketId === marketId) total += p.borrowedBase;
  }
  return total;
}

/** Notes in extensions.warnings that `what` is left out of a list, and why; hands the error back. */
function leftOut(ctx: RequestContext, what: string, err: unknown): unknown {
  const code = errorCode(err) ?? 'INTERNAL_SERVER_ERROR';
  ctx.stats.warnings.push(`${what} left out: ${code}${code === 'INTERNAL_SERVER_ERROR' ? '' : ` (${(err as Error).message})`}`);
  return err;
}

export const resolvers = {
  Query: {
    gatewayStatus(_, __, ctx) {
      const followed = ctx.deps.views?.status() ?? [];
      const memory = process.memoryUsage();
      return {
        rssBytes: String(memory.rss),
        heapUsedBytes: String(memory.heapUsed),
        followedPositions: followed.reduce((n, f) => n + (f.followed ? f.positions : 0), 0),
        maxFollowedPositions: ctx.deps.views?.maxPositions ?? 0,
        followedViews: followed.map((f) => ({ ...f, endpoint: f.key.endpoint, protocol: f.key.protocolId })),
      };
    },
    async protocols(_, args, ctx) {
      // Each endpoint, and each protocol, on its own: one that fails is left out and named in
      // extensions.warnings, the others are served; only when nothing can be served does the query fail.
      const failures: unknown[] = [];
      const perEndpoint = await Promise.all(
        ctx.deps.endpoints.map(async (endpoint) => {
          const served: ProtocolView[] = [];
          let listed;
          try {
            listed = await ctx.protocolsAt(endpoint.name, args.block);
          } catch (err) {
            // Not deployed yet at that block: none of its protocols existed then.
            if (errorCode(err) !== 'BLOCK_BEFORE_DEPLOYMENT') failures.push(leftOut(ctx, `endpoint ${endpoint.name}`, err));
            return served;
          }
          for (const p of listed.protocols) {
            if (!ctx.deps.adapters.some((a) => a.families.includes(p.family))) {
              // Listed in the response's extensions rather than dropped without a word.
              ctx.stats.warnings.push(`protocol ${p.slug} (${p.id}) on ${endpoint.name}: no metrics for family ${p.family}`);
              continue;
            }
            try {
              served.push(await ctx.protocolView({ endpoint: endpoint.name, protocolId: p.id, family: p.family }, listed.pinned));
            } catch (err) {
              failures.push(leftOut(ctx, `protocol ${p.slug} (${p.id}) on ${endpoint.name}`, err));
            }
          }
          return served;
        }),
      );
      const views = perEndpoint.flat();
      if (views.length === 0 && failures.length > 0) throw failures[0];
      return views;
    },
    protocol: (_, args, ctx) => protocolView(ctx, args.id, args.block),
    async market(_, args, ctx) {
      if (!MARKET_ID.test(args.id)) throw gatewayError('BAD_USER_INPUT', `market id must be 0x followed by 80 hex digits (pool address + asset address), got "${args.id}"`);
      const id = args.id.toLowerCase();
      let view: ProtocolView;
      try {
        view = await protocolView(ctx, id.slice(0, 42), args.block);
      } catch (err) {
        if ((err as { extensions?: { code?: string } }).extensions?.code === 'PROTOCOL_NOT_FOUND') throw gatewayError('MARKET_NOT_FOUND', `no indexed market ${args.id}`);
        throw err;
      }
      const market = view.markets.find((m) => m.id.toLowerCase() === id);
      if (!market) throw gatewayError('MARKET_NOT_FOUND', `no market ${args.id} in protocol ${view.protocol.slug} at block ${view.block.number}`);
      return market;
    },
    async account(_, args, ctx) {
      if (!ADDRESS.test(args.address)) throw gatewayError('BAD_USER_INPUT', `address must be 0x followed by 40 hex digits, got "${args.address}"`);
      const handle = await ctx.findProtocol(args.protocol);
      const pinned = await ctx.pin(handle.endpoint, args.block);
      return ctx.accountView(handle, pinned, args.address.toLowerCase());
    },
    async accounts(_, args, ctx) {
      checkPage(args.first, args.skip, ctx.deps.maxFirst);
      const view = await protocolView(ctx, args.protocol, args.block);
      const matching = filterAccounts(view, args.where ?? {}).sort(ORDERS[args.orderBy]);
      return { block: view.block, indexing: indexingOf(view.indexing), totalCount: matching.length, items: matching.slice(args.skip, args.skip + args.first) };
    },
    async realizedBadDebts(_, args, ctx) {
      checkPage(args.first, args.skip, ctx.deps.maxFirst);
      const handle = await ctx.findProtocol(args.protocol);
      const pinned = await ctx.pin(handle.endpoint, args.toBlock);
      const [ref, rows] = await Promise.all([ctx.protocolRef(handle, pinned), ctx.realizedBadDebts(handle, pinned)]);
      const baseDecimals = ref.baseDecimals;
      const range = { ...args, toBlock: pinned.block.number };
      const matching = rows.filter((r) => inRange(r.fact, range));
      return {
        block: pinned.block,
        indexing: indexingOf(pinned.indexing),
        totalCount: matching.length,
        totalUSD: () => formatUnits(realizedTotals(valuable(ctx, matching.map((r) => r.fact), realizedPriced, 'realized bad debts'), {}).amountBase, baseDecimals),
        items: matching.slice(args.skip, args.skip + args.first).map((r) => ({
          id: r.fact.id,
          kind: r.kind,
          block: r.fact.block,
          timestamp: r.fact.timestamp,
          txHash: r.txHash,
          account: r.account,
          market: r.fact.marketId,
          asset: r.asset,
          amount: formatUnits(r.fact.amount, r.fact.decimals),
          amountUSD: r.fact.price === null ? null : formatUnits(lossValueBase(r.fact), baseDecimals),
          covered: formatUnits(r.absorbed.covered, r.fact.decimals),
          socialized: formatUnits(r.absorbed.socialized, r.fact.decimals),
          deficit: formatUnits(r.fact.amount - r.absorbed.covered - r.absorbed.socialized, r.fact.decimals),
          liquidation: r.liquidation ? liquidationOut(r.liquidation, baseDecimals) : null,
        })),
      };
    },
    async socializedLosses(_, args, ctx) {
      checkPage(args.first, args.skip, ctx.deps.maxFirst);
      const handle = await ctx.findProtocol(args.protocol);
      const pinned = await ctx.pin(handle.endpoint, args.toBlock);
      const [ref, rows] = await Promise.all([ctx.protocolRef(handle, pinned), ctx.socializedLosses(handle, pinned)]);
      const matching = rows.filter((r) => inRange(r.fact, { fromBlock: args.fromBlock, toBlock: pinned.block.number }));
      const { baseDecimals } = ref;
      return {
        block: pinned.block,
        indexing: indexingOf(pinned.indexing),
        totalCount: matching.length,
        // A function: valued only when asked for; losses without a price are left out and named.
        totalUSD: () => formatUnits(realizedTotals(valuable(ctx, matching.map((r) => r.fact), realizedPriced, 'socialized losses'), {}).amountBase, baseDecimals),
        items: matching.slice(args.skip, args.skip + args.first).map((r) => ({
          ...r,
          baseDecimals,
          block: r.fact.block,
          timestamp: r.fact.timestamp,
          market: r.fact.marketId,
          badDebtAssets: formatUnits(r.fact.amount, r.fact.decimals),
          badDebtShares: String(r.badDebtShares),
          totalSupplyAssetsBefore: formatUnits(r.totalSupplyAssetsBefore, r.fact.decimals),
          totalSupplyAssetsAfter: formatUnits(r.totalSupplyAssetsAfter, r.fact.decimals),
          totalSupplyShares: String(r.totalSupplyShares),
          lossPerShare: r.lossPerShare === null ? null : formatUnits(r.lossPerShare, 36),
          liquidation: r.liquidationId,
        })),
      };
    },
    async liquidations(_, args, ctx) {
      checkPage(args.first, args.skip, ctx.deps.maxFirst);
      const handle = await ctx.findProtocol(args.protocol);
      const pinned = await ctx.pin(handle.endpoint, args.toBlock);
      const fromBlock = args.fromBlock ?? 0;
      if (!Number.isSafeInteger(fromBlock) || fromBlock < 0 || fromBlock > pinned.block.number) {
        throw gatewayError('BAD_USER_INPUT', `fromBlock must be between 0 and toBlock (${pinned.block.number}), got ${fromBlock}`);
      }
      const [ref, all] = await Promise.all([ctx.protocolRef(handle, pinned), ctx.liquidations(handle, pinned, fromBlock)]);
      const rows = all.filter((r) => inRange({ block: r.out.block, timestamp: r.out.timestamp }, args));
      const baseDecimals = ref.baseDecimals;
      const stats = liquidationStats(valuable(ctx, rows.map((r) => r.fact), liquidationPriced, 'liquidations'));
      return {
        fromBlock,
        toBlock: pinned.block.number,
        block: pinned.block,
        indexing: indexingOf(pinned.indexing),
        totalCount: rows.length,
        items: rows.slice(args.skip, args.skip + args.first).map((r) => liquidationOut(r, baseDecimals)),
        stats: { ...stats, baseDecimals },
      };
    },
  },

  SocializedLoss: {
    amountUSD: (r) => (r.fact.price === null ? null : formatUnits(lossValueBase(r.fact), r.baseDecimals)),
  },

  Protocol: {
    id: (v) => v.protocol.id,
    name: (v) => v.protocol.name,
    slug: (v) => v.protocol.slug,
    family: (v) => v.protocol.family,
    network: (v) => v.protocol.network,
    block: (v) => v.block,
    indexing: (v) => indexingOf(v.indexing),
    pricing: (v) => v.pricing,
    markets: (v) => v.markets,
    accountCount: (v) => v.accountCount,
    borrowerCount: (v) => tally(v).borrowers,
    totalSuppliedUSD: (v) => usd(v, v.totalSuppliedBase),
    totalBorrowedUSD: (v) => usd(v, v.sheet.debtBase),
    availableLiquidityUSD: (v) => usd(v, v.sheet.availableLiquidityBase),
    reservesUSD: (v) => usd(v, v.sheet.reservesBase),
    supplierClaimsUSD: (v) => usd(v, v.sheet.supplierClaimsBase),
    utilization: (v) => formatRatio(ratio(v.sheet.debtBase, v.sheet.debtBase + v.sheet.availableLiquidityBase)),
    latentBadDebtUSD: (v) => usd(v, v.sheet.latentBadDebtBase),
    insolventAccounts: (v) => tally(v).insolventAccounts,
    liquidatableAccounts: (v) => tally(v).liquidatableAccounts,
    liquidatableDebtUSD: (v) => usd(v, tally(v).liquidatableDebtBase),
    unliquidatableAccounts: (v) => tally(v).unliquidatableAccounts,
    unliquidatableDebtUSD: (v) => usd(v, tally(v).unliquidatableDebtBase),
    atRiskDebtUSD: (v, args) => usd(v, atRiskDebt(v.borrowerTotals, args.healthFactorBelow)),
    solvencyRatio: (v) => formatRatio(v.solvency.solvencyRatio),
    equityUSD: (v) => usd(v, v.solvency.equityBase),
    debtToEquity: (v) => formatRatio(tally(v).debtToEquity),
    coverageRatio: (v) => formatRatio(v.solvency.coverageRatio),
    insuranceFund: (v) =>
      v.insuranceFund && {
        name: v.insuranceFund.name,
        balanceUSD: usd(v, v.insuranceFund.balanceBase),
        latentBadDebtCoverage: formatRatio(ratio(v.insuranceFund.balanceBase, v.sheet.latentBadDebtBase)),
      },
    outstandingDeficitUSD: (v) => usd(v, v.sheet.outstandingDeficitBase),
    deficitCoverageRatio: (v) => formatRatio(v.solvency.deficitCoverageRatio),
    realizedBadDebtUSD: async (v, args, ctx) => usd(v, (await realizedIn(ctx, v, args)).amountBase),
    realizedBadDebtCount: async (v, args, ctx) => (await realizedIn(ctx, v, args)).count,
    socializedLossUSD: async (v, args, ctx) => usd(v, await socializedIn(ctx, v, args)),
    realizedLoss: async (v, args, ctx) => splitOut(v, await lossSplitIn(ctx, v, args)),
  },

  Market: {
    protocol: (m) => m.protocol.id,
    asset: (m) => ({ address: m.asset, symbol: m.symbol, name: m.name, decimals: m.decimals }),
    block: (m) => m.block,
    indexing: (m) => indexingOf(m.indexing),
    pricing: (m) => m.pricing,
    priceUSD: (m) => (m.price === null ? null : musd(m, m.price)),
    totalSupplied: (m) => formatUnits(m.totalSupplied, m.decimals),
    totalSuppliedUSD: (m) => musd(m, m.totalSuppliedBase),
    totalBorrowed: (m) => formatUnits(m.totalBorrowed, m.decimals),
    totalBorrowedUSD: (m) => musd(m, m.sheet.debtBase),
    availableLiquidity: (m) => formatUnits(m.availableLiquidity, m.decimals),
    availableLiquidityUSD: (m) => musd(m, m.sheet.availableLiquidityBase),
    reserves: (m) => formatUnits(m.reserves, m.decimals),
    reservesUSD: (m) => musd(m, m.sheet.reservesBase),
    supplierClaimsUSD: (m) => musd(m, m.sheet.supplierClaimsBase),
    utilization: (m) => formatRatio(m.utilization),
    latentBadDebtUSD: (m) => musd(m, m.sheet.latentBadDebtBase),
    borrowerCount: (m) => m.tally.borrowers,
    insolventAccounts: (m) => m.tally.insolventAccounts,
    liquidatableAccounts: (m) => m.tally.liquidatableAccounts,
    liquidatableDebtUSD: (m) => musd(m, m.tally.liquidatableDebtBase),
    unliquidatableAccounts: (m) => m.tally.unliquidatableAccounts,
    unliquidatableDebtUSD: (m) => musd(m, m.tally.unliquidatableDebtBase),
    atRiskDebtUSD: (m, args) => musd(m, atRiskMarketDebt(m.borrowers, args.healthFactorBelow, m.id)),
    solvencyRatio: (m) => formatRatio(m.solvency.solvencyRatio),
    equityUSD: (m) => musd(m, m.solvency.equityBase),
    coverageRatio: (m) => formatRatio(m.solvency.coverageRatio),
    outstandingDeficitUSD: (m) => musd(m, m.sheet.outstandingDeficitBase),
    deficitCoverageRatio: (m) => formatRatio(m.solvency.deficitCoverageRatio),
    realizedBadDebtUSD: async (m, args, ctx) => (m.valued ? usd(m, (await realizedIn(ctx, m, args, m.id)).amountBase) : null),
    realizedBadDebtCount: async (m, args, ctx) => (await realizedIn(ctx, m, args, m.id)).count,
    socializedLossUSD: async (m, args, ctx) => (m.valued ? usd(m, await socializedIn(ctx, m, args, m.id)) : null),
    realizedLoss: async (m, args, ctx) => (m.valued ? splitOut(m, await lossSplitIn(ctx, m, args, m.id)) : null),
    deficit: (m) => formatUnits(m.deficit, m.decimals),
  },

  Account: {
    protocol: (a) => a.protocol.id,
    block: (a) => a.block,
    indexing: (a) => indexingOf(a.indexing),
    collateralUSD: (a) => usd(a, a.collateralBase),
    suppliedUSD: (a) => usd(a, a.suppliedBase),
    debtUSD: (a) => usd(a, a.debtBase),
    healthFactor: (a) => (a.healthFactor === null ? null : formatUnits(a.healthFactor, 18)),
    liquidatable: (a) => a.risk.liquidatable,
    unliquidatable: (a) => a.risk.unliquidatable,
    pricing: (a) => a.pricing,
    debtToEquity: (a) => formatRatio(a.risk.debtToEquity),
    negativeEquity: (a) => a.risk.negativeEquity,
    badDebtUSD: (a) => usd(a, a.risk.badDebtBase),
    netValueUSD: (a) => usd(a, a.risk.netValueBase),
    ltv: (a) => bps(a.ltv),
    liquidationThreshold: (a) => bps(a.liquidationThreshold),
    eModeCategory: (a) => a.eModeCategoryId,
    // Not spread: a Morpho position's USD figures are getters, valued only when asked for.
    positions: (a) => a.positions.map((p) => Object.assign(Object.create(p) as PositionView, { baseDecimals: a.protocol.baseDecimals })),
  },

  Position: {
    market: (p) => p.marketId,
    asset: (p) => ({ address: p.asset, symbol: p.symbol, name: null, decimals: p.decimals }),
    supplied: (p) => formatUnits(p.supplied, p.decimals),
    borrowed: (p) => formatUnits(p.borrowed, p.decimals),
    suppliedUSD: (p) => (p.valued ? formatUnits(p.suppliedBase, p.baseDecimals) : null),
    borrowedUSD: (p) => (p.valued ? formatUnits(p.borrowedBase, p.baseDecimals) : null),
    priceUSD: (p) => (p.valued ? formatUnits(p.price, p.baseDecimals) : null),
  },

  LiquidationStats: {
    debtRepaidUSD: (s) => formatUnits(s.debtRepaidBase, s.baseDecimals),
    collateralSeizedUSD: (s) => formatUnits(s.collateralSeizedBase, s.baseDecimals),
    protocolFeeUSD: (s) => formatUnits(s.protocolFeeBase, s.baseDecimals),
    liquidatorProfitUSD: (s) => formatUnits(s.liquidatorProfitBase, s.baseDecimals),
    topLiquidators: (s, args) =>
      s.liquidators.slice(0, Math.max(0, args.first)).map((l) => ({
        liquidator: l.liquidator,
        count: l.count,
        debtRepaidUSD: formatUnits(l.debtRepaidBase, s.baseDecimals),
        collateralSeizedUSD: formatUnits(l.collateralSeizedBase, s.baseDecimals),
        liquidatorProfitUSD: formatUnits(l.liquidatorProfitBase, s.baseDecimals),
      })),
  },
  // Alerting bots (issue 12): Subscription and Alert, in their own module.
  ...subscriptionResolvers,
} satisfies Resolvers;

function liquidationOut(r: LiquidationRow, baseDecimals: number) {
  const value = liquidationPriced(r.fact) ? r.value : null;
  const base = (f: (v: LiquidationValue) => bigint) => (value === null ? null : formatUnits(f(value), baseDecimals));
  return {
    ...r.out,
    debtRepaid: formatUnits(r.fact.debtRepaid, r.fact.debtDecimals),
    collateralSeized: formatUnits(r.fact.collateralSeized, r.fact.collateralDecimals),
    protocolFee: formatUnits(r.fact.protocolFee, r.fact.collateralDecimals),
    debtRepaidUSD: base((v) => v.debtRepaidBase),
    collateralSeizedUSD: base((v) => v.collateralSeizedBase),
    protocolFeeUSD: base((v) => v.protocolFeeBase),
    liquidatorProfitUSD: base((v) => v.liquidatorProfitBase),
  };
}

/** The range arguments every realized-loss field takes (the same four in the SDL). */
type RangeArgs = ProtocolRealizedBadDebtUsdArgs;

/** A range read from a computed view ends, at the latest, at the view's block. */
function checkRangeEnd(v: Computed, args: RangeArgs) {
  if (args.toBlock != null && args.toBlock > v.block.number) {
    throw gatewayError('BAD_USER_INPUT', `toBlock ${args.toBlock} is after the block this result is computed at (${v.block.number})`);
  }
}

/** Realized losses of the view's protocol in a range that ends, at the latest, at the view's block. */
async function realizedIn(ctx: RequestContext, v: Computed, args: RangeArgs, marketId?: string) {
  const rows = await realizedRowsIn(ctx, v, args, marketId);
  // Counted without valuing: a count needs no price (Morpho losses are priced by another protocol's oracle).
  return { count: rows.length, get amountBase() { return pricedSplit(ctx, rows).totalBase; } };
}

/** Realized losses in a range ending at the view's block, split by who absorbed them; unpriced losses are left out and named. */
async function lossSplitIn(ctx: RequestContext, v: Computed, args: RangeArgs, marketId?: string): Promise<LossSplit> {
  return pricedSplit(ctx, await realizedRowsIn(ctx, v, args, marketId));
}

/** The protocol's realized losses (optionally one market's) in a range that ends, at the latest, at the view's block. */
async function realizedRowsIn(ctx: RequestContext, v: Computed, args: RangeArgs, marketId?: string) {
  checkRangeEnd(v, args);
  const handle = await ctx.findProtocol(v.protocol.id);
  const rows = await ctx.realizedBadDebts(handle, await ctx.pin(handle.endpoint, v.block.number));
  return rows.filter((r) => (marketId === undefined || r.fact.marketId === marketId) && inRange(r.fact, args));
}

function pricedSplit(ctx: RequestContext, rows: Awaited<ReturnType<typeof realizedRowsIn>>): LossSplit {
  const priced = new Set(valuable(ctx, rows.map((r) => r.fact), realizedPriced, 'realized bad debts'));
  return lossSplit(rows.filter((r) => priced.has(r.fact)), {});
}

function splitOut(c: Computed, s: LossSplit) {
  return { count: s.count, totalUSD: usd(c, s.totalBase), coveredUSD: usd(c, s.coveredBase), socializedUSD: usd(c, s.socializedBase), deficitUSD: usd(c, s.deficitBase) };
}

/** Socialized losses of the view's protocol (optionally one market) in a range ending at the view's block, in base currency. */
async function socializedIn(ctx: RequestContext, v: Computed, args: RangeArgs, marketId?: string): Promise<bigint> {
  checkRangeEnd(v, args);
  const handle = await ctx.findProtocol(v.protocol.id);
  const rows = await ctx.socializedLosses(handle, await ctx.pin(handle.endpoint, v.block.number));
  return realizedTotals(valuable(ctx, rows.map((r) => r.fact), realizedPriced, 'socialized losses'), args, marketId).amountBase;
}


const desc = (a: bigint, b: bigint) => (a === b ? 0 : a > b ? -1 : 1);
const byAddress = (a: AccountView, b: AccountView) => a.address.localeCompare(b.address);
const ORDERS: Record<AccountOrder, (a: AccountView, b: AccountView) => number> = {
  DEBT_USD_DESC: (a, b) => desc(a.debtBase, b.debtBase) || byAddress(a, b),
  BAD_DEBT_USD_DESC: (a, b) => desc(a.risk.badDebtBase, b.risk.badDebtBase) || desc(a.debtBase, b.debtBase) || byAddress(a, b),
  COLLATERAL_USD_DESC: (a, b) => desc(a.collateralBase, b.collateralBase) || byAddress(a, b),
  // No debt (null health factor) sorts last.
  HEALTH_FACTOR_ASC: (a, b) => {
    if (a.healthFactor === null || b.healthFactor === null) return (a.healthFactor === null ? 1 : 0) - (b.healthFactor === null ? 1 : 0) || byAddress(a, b);
    return -desc(a.healthFactor, b.healthFactor) || byAddress(a, b);
  },
};

function filterAccounts(view: ProtocolView, where: AccountFilter): AccountView[] {
  const below = where.healthFactorBelow == null ? null : parseThreshold(where.healthFactorBelow, 'where.healthFactorBelow');
  const minDebt = where.minDebtUSD == null ? null : parseUsd(where.minDebtUSD, view.protocol.baseDecimals, 'where.minDebtUSD');
  // Each of these filters but `liquidatable: false` / `insolvent: false` excludes accounts without debt.
  const owing = where.liquidatable === true || where.insolvent === true || below !== null || (minDebt !== null && minDebt > 0n);
  return (owing ? view.borrowers : view.accounts).filter(
    (a) =>
      a.positions.length > 0 &&
      (where.liquidatable == null || a.risk.liquidatable === where.liquidatable) &&
      (where.insolvent == null || a.risk.insolvent === where.insolvent) &&
      (below === null || (a.healthFactor !== null && a.healthFactor < below)) &&
      (minDebt === null || a.debtBase >= minDebt),
  );
}
