/**
 * Resolvers of `stress` and `liquidationCurve` (schema.graphql, "Research" section): validate the
 * shocks, ask the family for its views under them (ProtocolAdapter.stressedViews: the same code as the
 * plain figures), and compare. Formatting only; the math is in metrics/stress.ts and the families.
 */
import { formatUnits } from '../metrics/decimal';
import { tallyAccounts } from '../metrics/solvency';
import { isLiquidatable, newly, SHOCK_DECIMALS, SHOCK_SCALE, shockFactors, unprofitableDebt } from '../metrics/stress';
import { adapterFor, type ProtocolHandle, type RequestContext } from '../context';
import { classify, gatewayError } from '../errors';
import type { StressedViews } from '../views/adapter';
import type { AccountView, ProtocolView } from '../views/model';
import type { QueryResolver } from './research';

/** Most price steps one liquidationCurve computes: each step is a protocol-wide view. */
export const MAX_CURVE_STEPS = 45;

/** Below the GraphQL layer a shock error is a RangeError; at the API it is a coded error. */
function coded<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    const c = classify(err);
    throw c ? gatewayError(c.code, (err as Error).message, c.extra) : err;
  }
}

export interface StressedAt {
  handle: ProtocolHandle;
  sv: StressedViews;
  baseDecimals: number;
  block: { number: number; hash: string | null; timestamp: number };
  accruedTo: number;
}

/** The family's views at the pinned block under each scenario, interest accrued to `accrueTo` (default: the block's time). */
async function stressedAt(ctx: RequestContext, protocol: string, block: number | null | undefined, accrueTo: number | null | undefined, scenarios: ReadonlyMap<string, bigint>[]): Promise<StressedAt> {
  const handle = await ctx.findProtocol(protocol);
  const pinned = await ctx.pin(handle.endpoint, block);
  const timestamp = accrueTo ?? pinned.block.timestamp;
  if (!Number.isSafeInteger(timestamp) || timestamp < pinned.block.timestamp) {
    throw gatewayError('BAD_USER_INPUT', `accrueTo must be a unix time at or after the block's (${pinned.block.timestamp}), got ${accrueTo}`);
  }
  const adapter = adapterFor(ctx.deps, handle.family);
  if (!adapter.stressedViews) throw gatewayError('PROTOCOL_NOT_SUPPORTED', `no stress test for protocol family ${handle.family}`);
  const sv = await adapter.stressedViews(ctx.inputAt(handle, pinned.client, pinned.block, pinned.indexing), scenarios, timestamp).catch((err: unknown) => {
    // A shock the family refuses (an asset it does not hold) is the caller's to fix: a coded error.
    const c = classify(err);
    throw c && (c.code === 'UNKNOWN_ASSET' || c.code === 'INVALID_SHOCK') ? gatewayError(c.code, (err as Error).message) : err;
  });
  if (!sv) throw gatewayError('BLOCK_BEFORE_DEPLOYMENT', `protocol ${handle.protocolId} did not exist yet at block ${pinned.block.number}`);
  for (const v of sv.views) for (const w of v.warnings) if (!ctx.stats.warnings.includes(w)) ctx.stats.warnings.push(w);
  return { handle, sv, baseDecimals: sv.views[0].protocol.baseDecimals, block: pinned.block, accruedTo: timestamp };
}

/** Each borrower's unprofitable debt (metrics/stress.ts), by address and by market. */
function unprofitable(sv: StressedViews, view: ProtocolView) {
  const byAccount = new Map<string, bigint>();
  const byMarket = new Map<string, bigint>();
  for (const a of view.borrowers) {
    if (a.debtBase === 0n) continue;
    let total = 0n;
    for (const [market, v] of unprofitableDebt(a.positions, sv.bonusWad, sv.collateralScope)) {
      total += v;
      byMarket.set(market, (byMarket.get(market) ?? 0n) + v);
    }
    if (total > 0n) byAccount.set(a.address, total);
  }
  return { byAccount, byMarket, total: [...byAccount.values()].reduce((s, v) => s + v, 0n) };
}

/** The protocol-wide figures of a view, by the same tally as the plain Protocol fields. */
function figures(view: ProtocolView, unprofitableBase: bigint, decimals: number) {
  const t = tallyAccounts(view.borrowerTotals, 0n);
  return {
    borrowers: t.borrowers,
    liquidatableAccounts: t.liquidatableAccounts,
    insolventAccounts: t.insolventAccounts,
    liquidatableDebtUSD: formatUnits(t.liquidatableDebtBase, decimals),
    latentBadDebtUSD: formatUnits(view.sheet.latentBadDebtBase, decimals),
    unprofitableDebtUSD: formatUnits(unprofitableBase, decimals),
  };
}

function marketFigures(m: ProtocolView['markets'][number], unprofitableBase: bigint, decimals: number) {
  const usd = (v: bigint) => (m.valued ? formatUnits(v, decimals) : null);
  return {
    borrowers: m.tally.borrowers,
    liquidatableAccounts: m.tally.liquidatableAccounts,
    insolventAccounts: m.tally.insolventAccounts,
    liquidatableDebtUSD: usd(m.tally.liquidatableDebtBase),
    latentBadDebtUSD: usd(m.sheet.latentBadDebtBase),
    unprofitableDebtUSD: usd(unprofitableBase),
  };
}

const hf = (v: bigint | null) => (v === null ? null : formatUnits(v, 18));

export const stress: QueryResolver<'stress'> = async (_, args, ctx) => {
  const factors = coded(() => shockFactors(args.shocks));
  // The zero shock at the same timestamp is the baseline: "newly" then means by the shock, not by interest.
  const at = await stressedAt(ctx, args.protocol, args.block, args.accrueTo, [new Map(), factors]);
  const { sv, baseDecimals: d } = at;
  const [plain, shocked] = sv.views;
  const [u0, u1] = [unprofitable(sv, plain), unprofitable(sv, shocked)];
  const before = new Map(plain.borrowerTotals.map((a) => [a.address, a]));
  const beforeViews = new Map(plain.borrowers.map((a) => [a.address, a]));
  const hit = shocked.borrowers.filter((a) => a.debtBase > 0n && (isLiquidatable(a.risk) || a.risk.insolvent)).sort((a, b) => (b.debtBase > a.debtBase ? 1 : b.debtBase < a.debtBase ? -1 : a.address.localeCompare(b.address)));
  const account = (a: AccountView) => {
    const was = beforeViews.get(a.address);
    return {
      address: a.address,
      healthFactor: hf(a.healthFactor),
      healthFactorBefore: hf(was?.healthFactor ?? null),
      debtUSD: formatUnits(a.debtBase, d),
      collateralUSD: formatUnits(a.collateralBase, d),
      badDebtUSD: formatUnits(a.risk.badDebtBase, d),
      unprofitableDebtUSD: formatUnits(u1.byAccount.get(a.address) ?? 0n, d),
      liquidatable: isLiquidatable(a.risk),
      insolvent: a.risk.insolvent,
      liquidatableBefore: was ? isLiquidatable(was.risk) : false,
      insolventBefore: was ? was.risk.insolvent : false,
    };
  };
  return {
    protocol: at.handle.protocolId,
    block: at.block,
    accruedTo: at.accruedTo,
    shocks: [...factors].map(([asset, f]) => ({ asset: { address: asset, ...sv.assets.get(asset)! }, change: formatUnits(f - SHOCK_SCALE, SHOCK_DECIMALS) })),
    before: figures(plain, u0.total, d),
    after: figures(shocked, u1.total, d),
    newlyLiquidatableAccounts: newly(before, shocked.borrowerTotals, isLiquidatable).length,
    newlyInsolventAccounts: newly(before, shocked.borrowerTotals, (r) => r.insolvent).length,
    projectedBadDebtUSD: formatUnits(shocked.sheet.latentBadDebtBase - plain.sheet.latentBadDebtBase, d),
    projectedUnprofitableDebtUSD: formatUnits(u1.total - u0.total, d),
    markets: shocked.markets.map((m, k) => ({
      id: m.id,
      asset: { address: m.asset, symbol: m.symbol, name: m.name, decimals: m.decimals },
      valued: m.valued,
      before: marketFigures(plain.markets[k], u0.byMarket.get(m.id) ?? 0n, d),
      after: marketFigures(m, u1.byMarket.get(m.id) ?? 0n, d),
    })),
    accounts: ({ first, skip }) => {
      if (!Number.isInteger(first) || first < 0 || first > ctx.deps.maxFirst) throw gatewayError('FIRST_TOO_LARGE', `first is between 0 and ${ctx.deps.maxFirst}, got ${first}`, { max: ctx.deps.maxFirst });
      if (!Number.isInteger(skip) || skip < 0) throw gatewayError('BAD_USER_INPUT', `skip must be a non-negative integer, got ${skip}`);
      return { totalCount: hit.length, items: hit.slice(skip, skip + first).map(account) };
    },
  };
};

export const liquidationCurve: QueryResolver<'liquidationCurve'> = async (_, args, ctx) => {
  if (!Number.isInteger(args.steps) || args.steps < 1 || args.steps > MAX_CURVE_STEPS) {
    throw gatewayError('TOO_MANY_POINTS', `steps must be an integer from 1 to ${MAX_CURVE_STEPS}, got ${args.steps}`, { max: MAX_CURVE_STEPS });
  }
  const asset = args.asset.toLowerCase();
  const drop = coded(() => SHOCK_SCALE - shockFactors([{ asset, change: `-${args.maxDrop.replace(/^-/, '')}` }]).get(asset)!);
  const scenarios = Array.from({ length: args.steps + 1 }, (_, k) => new Map([[asset, SHOCK_SCALE - (drop * BigInt(k)) / BigInt(args.steps)]]));
  const at = await stressedAt(ctx, args.protocol, args.block, null, scenarios);
  const { sv, baseDecimals: d } = at;
  const token = sv.assets.get(asset)!;
  // Today's price of each collateral position (the curve values every step at it, as DefiLlama does).
  const today = new Map<string, bigint>();
  for (const a of sv.views[0].borrowers) for (const p of a.positions) if (p.collateral && p.asset === asset) today.set(`${a.address}|${p.marketId}`, p.price);
  const unit = 10n ** BigInt(token.decimals);
  const base = sv.views[0].sheet.latentBadDebtBase;
  return {
    protocol: at.handle.protocolId,
    block: at.block,
    asset: { address: asset, ...token },
    points: sv.views.map((view, k) => {
      let amount = 0n;
      let valued = 0n;
      let accounts = 0;
      let debt = 0n;
      for (const a of view.borrowers) {
        let holds = false;
        for (const p of a.positions) {
          if (!p.collateral || p.asset !== asset || p.supplied === 0n || !sv.collateralLiquidatable(a, p.marketId)) continue;
          holds = true;
          amount += p.supplied;
          valued += (p.supplied * (today.get(`${a.address}|${p.marketId}`) ?? 0n)) / unit;
        }
        if (holds) {
          accounts++;
          debt += a.debtBase;
        }
      }
      return {
        change: formatUnits(scenarios[k].get(asset)! - SHOCK_SCALE, SHOCK_DECIMALS),
        liquidatableCollateral: formatUnits(amount, token.decimals),
        liquidatableCollateralUSD: formatUnits(valued, d),
        liquidatableAccounts: accounts,
        liquidatableDebtUSD: formatUnits(debt, d),
        latentBadDebtUSD: formatUnits(view.sheet.latentBadDebtBase, d),
        badDebtCreatedUSD: formatUnits(view.sheet.latentBadDebtBase - base, d),
      };
    }),
  };
};
