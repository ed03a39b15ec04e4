/**
 * `history` (schema.graphql, "Research"): a protocol's (or one market's) figures at the last block of
 * each UTC hour or day, and the interval's flows. The block is found by timestamp over the RPC's
 * headers (binary search); each point is the ordinary time-travel view at that block, so a point
 * equals `protocol(block: N)`. Points are kept by block hash (a past block never changes).
 */
import { formatRatio, formatUnits } from '../metrics/decimal';
import { liquidationStats } from '../metrics/liquidations';
import { realizedTotals, type RealizedLossFact } from '../metrics/realized';
import { tallyAccounts } from '../metrics/solvency';
import { BoundedCache, type ProtocolHandle } from '../context';
import { gatewayError } from '../errors';
import type { BlockHeaderSource, BlockRef } from '../sources/blocks';
import type { LiquidationRow } from '../sources/liquidations';
import type { ProtocolView } from '../views/model';
import type { QueryResolver } from './research';

/** Most intervals one history query may span (each is a protocol-wide view; cost is charged per point). */
export const MAX_HISTORY_POINTS = 1000;
export const INTERVAL_SECONDS = { HOUR: 3600, DAY: 86_400 } as const;
export type HistoryInterval = keyof typeof INTERVAL_SECONDS;

/** How many intervals cover [from, to] (without building them). */
export const intervalCount = (from: number, to: number, seconds: number) => (to < from ? 0 : Math.floor(to / seconds) - Math.floor(from / seconds) + 1);

/** Intervals [start, end) covering [from, to], aligned to UTC hours or days (epoch multiples). */
export function intervals(from: number, to: number, seconds: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let start = Math.floor(from / seconds) * seconds; start <= to; start += seconds) out.push({ start, end: start + seconds });
  return out;
}

/**
 * The last block whose timestamp is before `end` (at most `head`), searching [lo, head]; null when
 * even `lo` is not. Timestamps never decrease along the chain, so a binary search is exact.
 */
export async function lastBlockBefore(headers: BlockHeaderSource, end: number, lo: number, head: BlockRef, signal?: AbortSignal): Promise<BlockRef | null> {
  const at = async (n: number) => {
    const h = await headers.header(n, head.number, signal);
    if (!h) throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `the RPC has no header for block ${n}`);
    return h;
  };
  if (head.timestamp < end) return head;
  let best = await at(lo);
  if (best.timestamp >= end) return null;
  let hi = head.number;
  // Invariant: block `best.number` is before `end`, block `hi` is not.
  while (hi - best.number > 1) {
    const mid = Math.floor((best.number + hi) / 2);
    const h = await at(mid);
    if (h.timestamp < end) best = h;
    else hi = mid;
  }
  return best;
}

/** Long backfills in progress (and the last few done), for `historyProgress`. */
const progress = new Map<number, { protocol: string; interval: HistoryInterval; total: number; done: number; startedAt: number; finishedAt: number | null }>();
let nextId = 0;
function track(protocol: string, interval: HistoryInterval, total: number) {
  const id = nextId++;
  const entry = { protocol, interval, total, done: 0, startedAt: Math.floor(Date.now() / 1000), finishedAt: null as number | null };
  progress.set(id, entry);
  for (const [k, v] of progress) if (progress.size > 20 && v.finishedAt !== null) progress.delete(k);
  return entry;
}
export const historyProgress: QueryResolver<'historyProgress'> = () => [...progress.values()].map((p) => ({ ...p }));

/** Points already computed, by endpoint URL, protocol, market and block hash: a past block's figures never change. */
const kept = new BoundedCache<ReturnType<typeof stateFigures>>(20_000);

function stateFigures(view: ProtocolView, marketId: string | null) {
  const d = view.protocol.baseDecimals;
  const usd = (v: bigint) => formatUnits(v, d);
  const m = marketId === null ? null : view.markets.find((x) => x.id.toLowerCase() === marketId);
  if (marketId !== null && !m) throw gatewayError('MARKET_NOT_FOUND', `no market ${marketId} in ${view.protocol.slug} at block ${view.block.number}`);
  const t = m ? m.tally : tallyAccounts(view.borrowerTotals, 0n);
  const sheet = m ? m.sheet : view.sheet;
  const s = m ? m.solvency : view.solvency;
  return {
    latentBadDebtUSD: usd(sheet.latentBadDebtBase),
    insolventAccounts: t.insolventAccounts,
    liquidatableAccounts: t.liquidatableAccounts,
    liquidatableDebtUSD: usd(t.liquidatableDebtBase),
    totalBorrowedUSD: usd(sheet.debtBase),
    solvencyRatio: formatRatio(s.solvencyRatio),
    equityUSD: usd(s.equityBase),
    debtToEquity: m ? null : formatRatio(tallyAccounts(view.borrowerTotals, 0n).debtToEquity),
    coverageRatio: formatRatio(s.coverageRatio),
    outstandingDeficitUSD: usd(sheet.outstandingDeficitBase),
  };
}

interface Flows {
  liquidations: LiquidationRow[];
  realized: RealizedLossFact[];
  socialized: RealizedLossFact[];
}

/** The interval's flows; events without a USD price are left out of USD sums and counted in `unpricedEvents`. */
function flowFigures(f: Flows, start: number, end: number, marketId: string | null, d: number) {
  const inside = (t: number, m: string) => t >= start && t < end && (marketId === null || m.toLowerCase() === marketId);
  const liq = f.liquidations.filter((r) => inside(r.out.timestamp, r.out.debtMarket));
  const priced = liq.filter((r) => r.fact.debtPrice !== null && r.fact.collateralPrice !== null);
  const stats = liquidationStats(priced.map((r) => r.fact));
  const losses = (facts: RealizedLossFact[]) => facts.filter((x) => inside(x.timestamp, x.marketId));
  const realized = losses(f.realized);
  const socialized = losses(f.socialized);
  const value = (facts: RealizedLossFact[]) => formatUnits(realizedTotals(facts.filter((x) => x.price !== null), {}).amountBase, d);
  return {
    liquidations: liq.length,
    liquidators: stats.liquidators.length,
    liquidatedDebtUSD: formatUnits(stats.debtRepaidBase, d),
    liquidationBonusUSD: formatUnits(stats.liquidatorProfitBase, d),
    liquidationProtocolFeeUSD: formatUnits(stats.protocolFeeBase, d),
    realizedBadDebts: realized.length,
    realizedBadDebtUSD: value(realized),
    socializedLossUSD: value(socialized),
    unpricedEvents: liq.length - priced.length + [...realized, ...socialized].filter((x) => x.price === null).length,
  };
}

export const history: QueryResolver<'history'> = async (_, args, ctx) => {
  const headers = ctx.deps.headers;
  if (!headers) throw gatewayError('CHAIN_REQUIRED', 'history finds each interval\'s last block by timestamp over the RPC: start the gateway with an RPC');
  const handle: ProtocolHandle = await ctx.findProtocol(args.protocol);
  const head = await ctx.pin(handle.endpoint, null);
  const to = Math.min(args.toTimestamp ?? head.block.timestamp, head.block.timestamp);
  if (!Number.isSafeInteger(args.fromTimestamp) || args.fromTimestamp < 0 || args.fromTimestamp > to) {
    throw gatewayError('BAD_USER_INPUT', `fromTimestamp must be a unix time from 0 to toTimestamp (${to}, at most the indexed head's), got ${args.fromTimestamp}`);
  }
  const count = intervalCount(args.fromTimestamp, to, INTERVAL_SECONDS[args.interval]);
  if (count > MAX_HISTORY_POINTS) throw gatewayError('TOO_MANY_POINTS', `${count} intervals, more than ${MAX_HISTORY_POINTS}: ask for a shorter range or a longer interval`, { max: MAX_HISTORY_POINTS });
  const spans = intervals(args.fromTimestamp, to, INTERVAL_SECONDS[args.interval]);
  const marketId = args.market?.toLowerCase() ?? null;
  const url = ctx.deps.endpoints.find((e) => e.name === handle.endpoint)?.url ?? handle.endpoint;
  const ref = await ctx.protocolRef(handle, head);
  // Flows of the whole range, read once up to the head and bucketed by timestamp.
  const [liquidations, realized, socialized] = await Promise.all([ctx.liquidations(handle, head, 0), ctx.realizedBadDebts(handle, head), ctx.socializedLosses(handle, head)]);
  const flows: Flows = { liquidations, realized: realized.map((r) => r.fact), socialized: socialized.map((r) => r.fact) };
  const job = track(ref.slug, args.interval, spans.length);
  const points = [];
  let lo = 0;
  let computed = 0;
  let before = 0;
  try {
    for (const span of spans) {
      const block = await lastBlockBefore(headers, Math.min(span.end, to + 1), lo, head.block, ctx.signal);
      job.done++;
      if (!block) {
        before++;
        continue;
      }
      lo = block.number;
      const pinned = await ctx.pin(handle.endpoint, block.number);
      const compute = async () => {
        computed++;
        return stateFigures(await ctx.protocolView(handle, pinned), marketId);
      };
      let state;
      try {
        state = pinned.block.hash ? await kept.get(`${url}|${handle.protocolId}|${marketId}|${pinned.block.hash}`, compute) : await compute();
      } catch (err) {
        // Before the protocol's deployment (or its subgraph's start block): no point, counted below.
        const code = (err as { extensions?: { code?: string } }).extensions?.code ?? (err as { code?: string }).code;
        if (code !== 'BLOCK_BEFORE_DEPLOYMENT') throw err;
        before++;
        continue;
      }
      points.push({ intervalStart: span.start, intervalEnd: span.end, block: pinned.block, ...state, ...flowFigures(flows, span.start, span.end, marketId, ref.baseDecimals) });
    }
  } finally {
    job.finishedAt = Math.floor(Date.now() / 1000);
  }
  if (before > 0) ctx.stats.warnings.push(`history: ${before} interval(s) before the protocol's first indexed block are left out`);
  return { protocol: handle.protocolId, interval: args.interval, points, computedPoints: computed, keptPoints: points.length - computed };
};
