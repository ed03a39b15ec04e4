import { parseEventLogs, type Address, type Hex, type PublicClient } from 'viem';
import { morphoBlueAbi, morphoOracleAbi } from '../../devnet/morpho-blue/abis';
import type { MorphoDeployment } from '../../devnet/morpho-blue/deploy';
import type { MorphoScenarioResult } from '../../devnet/scenario/morpho-blue';
import type { SubgraphClient } from '../../server/sources/subgraph-client';
import { lower } from '../support/chain';

/** What the Morpho Blue suite needs from the stack: the deployment, the scenario and the indexed head. */
export interface MorphoUnderTest {
  name: string;
  rpcUrl: string;
  indexedBlock: number;
  deployment: MorphoDeployment;
  scenario: MorphoScenarioResult;
}

export interface MorphoSuiteContext {
  state: MorphoUnderTest;
  chain: PublicClient;
  subgraph: SubgraphClient;
}

/** SocializedLoss.lossPerShare scale (schema.graphql). */
const LOSS_PER_SHARE_SCALE = 10n ** 36n;

/** A Market with its Morpho entities (MorphoMarketParams, MorphoMarketState: same id) and the other families' links. */
interface IndexedMarket {
  id: string;
  inputToken: { id: string; decimals: number };
  supplierCount: number;
  borrowerCount: number;
  liquidationCount: number;
  realizedBadDebtCount: number;
  totalRealizedBadDebt: string;
  morphoParams: { id: string; market: { id: string }; collateralToken: { id: string } | null; oracle: string; irm: string; lltv: string } | null;
  morphoState: {
    id: string;
    market: { id: string };
    fee: string;
    totalSupplyAssets: string;
    totalSupplyShares: string;
    totalBorrowAssets: string;
    totalBorrowShares: string;
    totalCollateral: string;
    lastUpdateTimestamp: string;
  } | null;
  aaveReserve: { id: string } | null;
  aaveReserveState: { id: string } | null;
  gearboxPool: { id: string } | null;
}

interface IndexedPosition {
  id: string;
  account: { id: string };
  market: { id: string };
  supplyShares: string | null;
  borrowShares: string | null;
  collateralBalance: string | null;
  scaledSupplyBalance: string | null;
  scaledVariableDebt: string | null;
}

const MARKET_FIELDS =
  'inputToken { id decimals } supplierCount borrowerCount liquidationCount realizedBadDebtCount totalRealizedBadDebt ' +
  'morphoParams { id market { id } collateralToken { id } oracle irm lltv } ' +
  'morphoState { id market { id } fee totalSupplyAssets totalSupplyShares totalBorrowAssets totalBorrowShares totalCollateral lastUpdateTimestamp } ' +
  'aaveReserve { id } aaveReserveState { id } gearboxPool { id }';

/** Subgraph Market id of a Morpho market: Morpho address ++ market id (bytes32), lower-case hex. */
export const morphoMarketId = (morpho: Address, id: Hex) => lower(`${morpho}${id.slice(2)}`);
const big = (v: string | null | undefined) => (v === null || v === undefined ? 0n : BigInt(v));
const logKey = (txHash: string, logIndex: string | number | bigint) => `${lower(txHash)}:${BigInt(logIndex)}`;

/** Every checkpoint of the scenario, then the indexed head. */
export function morphoCheckpoints(state: MorphoUnderTest): { name: string; block: bigint }[] {
  return [...state.scenario.checkpoints.map((c) => ({ name: c.name, block: BigInt(c.block) })), { name: 'indexed head', block: BigInt(state.indexedBlock) }];
}

async function morphoLogs(ctx: MorphoSuiteContext, fromBlock: bigint, toBlock: bigint) {
  const logs = await ctx.chain.getLogs({ address: ctx.state.deployment.morpho, fromBlock, toBlock });
  return parseEventLogs({ abi: morphoBlueAbi, logs });
}

/**
 * At every checkpoint: every (account, market) position's supplyShares / borrowShares / collateral
 * equals Morpho.position(id, user) at that block (and it stores no Aave scaled balance), and every
 * market's MorphoMarketState (totals, lastUpdate, fee) equals Morpho.market(id); totalCollateral and
 * the Market's supplier/borrower counts equal those of the chain's positions, its liquidation and
 * realized-bad-debt counts and totalRealizedBadDebt those of the Liquidate logs up to that block;
 * MorphoMarketParams equals the deployed MarketParams; the Market links its two Morpho entities (same
 * id) and no other family's. Accounts: the scenario's, the owner, the fee recipient, and any the store knows.
 */
export async function compareMorphoState(ctx: MorphoSuiteContext): Promise<{ compared: number; accounts: number; mismatches: string[] }> {
  const { state, chain, subgraph } = ctx;
  const d = state.deployment;
  const mismatches: string[] = [];
  let compared = 0;
  let accountsSeen = 0;
  const liquidates = (await morphoLogs(ctx, BigInt(d.startBlock), BigInt(state.indexedBlock))).filter((l) => l.eventName === 'Liquidate');
  for (const cp of morphoCheckpoints(state)) {
    const block = Number(cp.block);
    const [markets, positions] = await Promise.all([
      subgraph.queryAll<IndexedMarket>({ collection: 'markets', fields: MARKET_FIELDS, block }),
      subgraph.queryAll<IndexedPosition>({ collection: 'positions', fields: 'account { id } market { id } supplyShares borrowShares collateralBalance scaledSupplyBalance scaledVariableDebt', block }),
    ]);
    for (const p of positions) {
      compared++;
      if (p.scaledSupplyBalance !== null || p.scaledVariableDebt !== null) {
        mismatches.push(`${cp.name} position ${p.id}: Aave scaled balances stored (${p.scaledSupplyBalance}, ${p.scaledVariableDebt}), expected null`);
      }
    }
    const byKey = new Map(positions.map((p) => [`${p.market.id}:${lower(p.account.id)}`, p]));
    const accounts = [...new Set<Address>([...state.scenario.accounts, d.owner, d.feeRecipient, ...positions.map((p) => p.account.id as Address)].map(lower))];
    accountsSeen = Math.max(accountsSeen, accounts.length);
    if (markets.length !== d.markets.length) mismatches.push(`${cp.name}: ${markets.length} markets indexed, ${d.markets.length} deployed`);
    for (const m of d.markets) {
      const id = morphoMarketId(d.morpho, m.id);
      const market = markets.find((x) => x.id === id);
      if (!market) {
        mismatches.push(`${cp.name} ${m.label}: market missing`);
        continue;
      }
      const [onChain, chainMarket] = await Promise.all([
        Promise.all(accounts.map((a) => chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [m.id, a], blockNumber: cp.block }))),
        chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'market', args: [m.id], blockNumber: cp.block }),
      ]);
      let collateral = 0n, suppliers = 0, borrowers = 0;
      accounts.forEach((account, i) => {
        const p = byKey.get(`${id}:${account}`);
        const [supplyShares, borrowShares, chainCollateral] = onChain[i];
        collateral += chainCollateral;
        if (supplyShares > 0n) suppliers++;
        if (borrowShares > 0n) borrowers++;
        const checks: [string, bigint, bigint][] = [
          ['supplyShares', big(p?.supplyShares), supplyShares],
          ['borrowShares', big(p?.borrowShares), borrowShares],
          ['collateral', big(p?.collateralBalance), chainCollateral],
        ];
        for (const [what, indexed, chainValue] of checks) {
          compared++;
          if (indexed !== chainValue) mismatches.push(`${cp.name} ${m.label} ${account} ${what}: indexed ${indexed} chain ${chainValue}`);
        }
      });
      const [totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee] = chainMarket;
      const st = market.morphoState;
      const params = market.morphoParams;
      const liquidated = liquidates.filter((l) => l.args.id === m.id && l.blockNumber <= cp.block);
      const written = liquidated.filter((l) => l.args.badDebtAssets > 0n);
      const checks: [string, bigint | number | string, bigint | number | string][] = [
        ['morphoState.id', st?.id ?? 'none', id],
        ['morphoState.market', st?.market.id ?? 'none', id],
        ['morphoParams.id', params?.id ?? 'none', id],
        ['morphoParams.market', params?.market.id ?? 'none', id],
        ['other families linked', [market.aaveReserve, market.aaveReserveState, market.gearboxPool].filter((x) => x !== null).length, 0],
        ['totalSupplyAssets', big(st?.totalSupplyAssets), totalSupplyAssets],
        ['totalSupplyShares', big(st?.totalSupplyShares), totalSupplyShares],
        ['totalBorrowAssets', big(st?.totalBorrowAssets), totalBorrowAssets],
        ['totalBorrowShares', big(st?.totalBorrowShares), totalBorrowShares],
        ['lastUpdate', big(st?.lastUpdateTimestamp), lastUpdate],
        ['fee', big(st?.fee), fee],
        ['totalCollateral', big(st?.totalCollateral), collateral],
        ['supplierCount', market.supplierCount, suppliers],
        ['borrowerCount', market.borrowerCount, borrowers],
        ['liquidationCount', market.liquidationCount, liquidated.length],
        ['realizedBadDebtCount', market.realizedBadDebtCount, written.length],
        ['totalRealizedBadDebt', big(market.totalRealizedBadDebt), written.reduce((s, l) => s + l.args.badDebtAssets, 0n)],
        ['loanToken', lower(market.inputToken.id), lower(m.loanToken)],
        ['loanDecimals', market.inputToken.decimals, m.loanDecimals],
        ['collateralToken', lower(params?.collateralToken?.id ?? ''), lower(m.collateralToken)],
        ['oracle', lower(params?.oracle ?? ''), lower(m.oracle)],
        ['irm', lower(params?.irm ?? ''), lower(m.irm)],
        ['lltv', big(params?.lltv), BigInt(m.lltv)],
      ];
      for (const [what, indexed, chainValue] of checks) {
        compared++;
        if (indexed !== chainValue) mismatches.push(`${cp.name} ${m.label} ${what}: indexed ${indexed} chain ${chainValue}`);
      }
    }
  }
  return { compared, accounts: accountsSeen, mismatches };
}

interface IndexedLiquidation {
  id: string;
  txHash: string;
  logIndex: string;
  blockNumber: string;
  account: { id: string };
  liquidator: string;
  collateralMarket: { id: string };
  debtMarket: { id: string };
  debtRepaid: string;
  collateralSeized: string;
  protocolFee: string;
  receiveAToken: boolean;
  collateralPrice: string | null;
  debtPrice: string | null;
  badDebt: string | null;
  repaidShares: string | null;
  badDebtShares: string | null;
  borrowerBorrowSharesAfter: string | null;
  borrowerCollateralAfter: string | null;
  oraclePrice: string | null;
}

interface IndexedRealizedBadDebt {
  id: string;
  txHash: string;
  logIndex: string;
  market: { id: string };
  account: { id: string };
  amount: string;
  price: string | null;
  kind: string;
  liquidation: { id: string } | null;
}

interface IndexedSocializedLoss {
  id: string;
  txHash: string;
  logIndex: string;
  market: { id: string };
  account: { id: string };
  liquidation: { id: string };
  realizedBadDebt: { id: string };
  badDebtAssets: string;
  badDebtShares: string;
  totalSupplyAssetsBefore: string;
  totalSupplyAssetsAfter: string;
  totalSupplyShares: string;
  lossPerShare: string | null;
  oraclePrice: string | null;
}

/**
 * Every Liquidate log is stored as a Liquidation with the logged amounts; every one with
 * badDebtAssets > 0 has exactly one RealizedBadDebt (MORPHO_BAD_DEBT_LIQUIDATION, linked to it) and
 * one SocializedLoss, and there are no others. Balances after and the oracle price are checked against
 * the chain at the log's block when nothing else touched that borrower later in the same block.
 */
export async function compareMorphoLiquidations(ctx: MorphoSuiteContext): Promise<{ liquidations: number; badDebt: number; mismatches: string[] }> {
  const { state, chain, subgraph } = ctx;
  const d = state.deployment;
  const mismatches: string[] = [];
  const logs = await morphoLogs(ctx, BigInt(d.startBlock), BigInt(state.indexedBlock));
  const liquidates = logs.filter((l) => l.eventName === 'Liquidate');
  const [liquidations, realized, losses] = await Promise.all([
    subgraph.queryAll<IndexedLiquidation>({
      collection: 'liquidations',
      fields: 'txHash logIndex blockNumber account { id } liquidator collateralMarket { id } debtMarket { id } debtRepaid collateralSeized protocolFee receiveAToken ' +
        'collateralPrice debtPrice badDebt repaidShares badDebtShares borrowerBorrowSharesAfter borrowerCollateralAfter oraclePrice',
    }),
    subgraph.queryAll<IndexedRealizedBadDebt>({ collection: 'realizedBadDebts', fields: 'txHash logIndex market { id } account { id } amount price kind liquidation { id }' }),
    subgraph.queryAll<IndexedSocializedLoss>({
      collection: 'socializedLosses',
      fields: 'txHash logIndex market { id } account { id } liquidation { id } realizedBadDebt { id } badDebtAssets badDebtShares totalSupplyAssetsBefore totalSupplyAssetsAfter totalSupplyShares lossPerShare oraclePrice',
    }),
  ]);
  const liqByLog = new Map(liquidations.map((l) => [logKey(l.txHash, l.logIndex), l]));
  const badByLog = new Map(realized.map((r) => [logKey(r.txHash, r.logIndex), r]));
  const lossByLog = new Map(losses.map((r) => [logKey(r.txHash, r.logIndex), r]));
  if (liquidations.length !== liquidates.length) mismatches.push(`${liquidations.length} liquidations indexed, ${liquidates.length} Liquidate logs`);
  let badDebt = 0;
  for (const log of liquidates) {
    const a = log.args;
    const key = logKey(log.transactionHash, log.logIndex);
    const where = `Liquidate ${key}`;
    const marketId = morphoMarketId(d.morpho, a.id);
    const row = liqByLog.get(key);
    if (!row) {
      mismatches.push(`${where}: no Liquidation`);
      continue;
    }
    const fields: [string, unknown, unknown][] = [
      ['account', lower(row.account.id), lower(a.borrower)],
      ['liquidator', lower(row.liquidator), lower(a.caller)],
      ['collateralMarket', row.collateralMarket.id, marketId],
      ['debtMarket', row.debtMarket.id, marketId],
      ['debtRepaid', big(row.debtRepaid), a.repaidAssets],
      ['collateralSeized', big(row.collateralSeized), a.seizedAssets],
      ['repaidShares', big(row.repaidShares), a.repaidShares],
      ['badDebt', big(row.badDebt), a.badDebtAssets],
      ['badDebtShares', big(row.badDebtShares), a.badDebtShares],
      ['protocolFee', big(row.protocolFee), 0n],
      ['receiveAToken', row.receiveAToken, false],
      ['collateralPrice', row.collateralPrice, null],
      ['debtPrice', row.debtPrice, null],
    ];
    // The chain's view at the log's block is the state after the whole block: compare the borrower's
    // balances only when no later log of that block touched this market and borrower.
    const laterTouch = logs.some((l) => l.blockNumber === log.blockNumber && l.logIndex > log.logIndex &&
      'id' in l.args && l.args.id === a.id && Object.values(l.args).some((v) => typeof v === 'string' && lower(v) === lower(a.borrower)));
    if (!laterTouch) {
      const [, borrowShares, collateral] = await chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [a.id, a.borrower], blockNumber: log.blockNumber });
      fields.push(['borrowerBorrowSharesAfter', big(row.borrowerBorrowSharesAfter), borrowShares], ['borrowerCollateralAfter', big(row.borrowerCollateralAfter), collateral]);
    }
    const oracle = d.markets.find((m) => m.id === a.id)!.oracle;
    const price = await chain.readContract({ address: oracle, abi: morphoOracleAbi, functionName: 'price', blockNumber: log.blockNumber });
    fields.push(['oraclePrice', big(row.oraclePrice), price]);

    const bad = badByLog.get(key);
    const loss = lossByLog.get(key);
    if (a.badDebtAssets > 0n) {
      badDebt++;
      if (!bad) mismatches.push(`${where}: badDebtAssets ${a.badDebtAssets} but no RealizedBadDebt`);
      else {
        fields.push(
          ['rbd.kind', bad.kind, 'MORPHO_BAD_DEBT_LIQUIDATION'],
          ['rbd.amount', big(bad.amount), a.badDebtAssets],
          ['rbd.market', bad.market.id, marketId],
          ['rbd.account', lower(bad.account.id), lower(a.borrower)],
          ['rbd.price', bad.price, null],
          ['rbd.liquidation', bad.liquidation?.id, row.id],
        );
      }
      if (!loss) mismatches.push(`${where}: badDebtAssets ${a.badDebtAssets} but no SocializedLoss`);
      else {
        const shares = big(loss.totalSupplyShares);
        fields.push(
          ['loss.badDebtAssets', big(loss.badDebtAssets), a.badDebtAssets],
          ['loss.badDebtShares', big(loss.badDebtShares), a.badDebtShares],
          ['loss.before - after', big(loss.totalSupplyAssetsBefore) - big(loss.totalSupplyAssetsAfter), a.badDebtAssets],
          ['loss.lossPerShare', big(loss.lossPerShare), shares > 0n ? (a.badDebtAssets * LOSS_PER_SHARE_SCALE) / shares : 0n],
          ['loss.market', loss.market.id, marketId],
          ['loss.account', lower(loss.account.id), lower(a.borrower)],
          ['loss.liquidation', loss.liquidation.id, row.id],
          ['loss.realizedBadDebt', loss.realizedBadDebt.id, bad?.id],
          ['loss.oraclePrice', big(loss.oraclePrice), price],
        );
        if (shares === 0n) mismatches.push(`${where}: SocializedLoss.totalSupplyShares is 0`);
      }
    } else {
      if (bad) mismatches.push(`${where}: RealizedBadDebt without bad debt`);
      if (loss) mismatches.push(`${where}: SocializedLoss without bad debt`);
    }
    for (const [what, indexed, chainValue] of fields) {
      if (indexed !== chainValue) mismatches.push(`${where} ${what}: indexed ${String(indexed)} chain ${String(chainValue)}`);
    }
  }
  if (realized.length !== badDebt) mismatches.push(`${realized.length} RealizedBadDebt rows, ${badDebt} bad-debt liquidations`);
  if (losses.length !== badDebt) mismatches.push(`${losses.length} SocializedLoss rows, ${badDebt} bad-debt liquidations`);
  return { liquidations: liquidates.length, badDebt, mismatches };
}

/**
 * Every action log is stored once with its amounts (and shares where it has them), and the
 * protocol's own record (counts; its MorphoBlueConfig: owner, fee recipient, enabled IRMs and LLTVs
 * in log order) matches the chain.
 */
export async function compareMorphoEvents(ctx: MorphoSuiteContext): Promise<{ counts: Record<string, number>; mismatches: string[] }> {
  const { state, chain, subgraph } = ctx;
  const d = state.deployment;
  const mismatches: string[] = [];
  const logs = await morphoLogs(ctx, BigInt(d.startBlock), BigInt(state.indexedBlock));
  type Row = { id: string; txHash: string; logIndex: string; market: { id: string }; account?: { id: string }; amount?: string; shares?: string | null };
  const kinds: { event: string; collection: string; fields: string; expect: (a: any) => Record<string, unknown> }[] = [
    { event: 'Supply', collection: 'supplies', fields: 'account { id } amount shares', expect: (a) => ({ account: lower(a.onBehalf), amount: a.assets, shares: a.shares }) },
    { event: 'Withdraw', collection: 'withdraws', fields: 'account { id } amount shares', expect: (a) => ({ account: lower(a.onBehalf), amount: a.assets, shares: a.shares }) },
    { event: 'Borrow', collection: 'borrows', fields: 'account { id } amount shares', expect: (a) => ({ account: lower(a.onBehalf), amount: a.assets, shares: a.shares }) },
    { event: 'Repay', collection: 'repays', fields: 'account { id } amount shares', expect: (a) => ({ account: lower(a.onBehalf), amount: a.assets, shares: a.shares }) },
    { event: 'SupplyCollateral', collection: 'supplyCollaterals', fields: 'account { id } amount', expect: (a) => ({ account: lower(a.onBehalf), amount: a.assets }) },
    { event: 'WithdrawCollateral', collection: 'withdrawCollaterals', fields: 'account { id } amount', expect: (a) => ({ account: lower(a.onBehalf), amount: a.assets }) },
    { event: 'AccrueInterest', collection: 'interestAccruals', fields: 'interest feeShares borrowRate', expect: (a) => ({ interest: a.interest, feeShares: a.feeShares, borrowRate: a.prevBorrowRate }) },
    { event: 'SetFee', collection: 'feeChanges', fields: 'newFee', expect: (a) => ({ newFee: a.newFee }) },
  ];
  const counts: Record<string, number> = {};
  for (const k of kinds) {
    const chainLogs = logs.filter((l) => l.eventName === k.event);
    counts[k.event] = chainLogs.length;
    const rows = await subgraph.queryAll<Row & Record<string, unknown>>({ collection: k.collection, fields: `txHash logIndex market { id } ${k.fields}` });
    if (rows.length !== chainLogs.length) mismatches.push(`${k.collection}: ${rows.length} indexed, ${chainLogs.length} ${k.event} logs`);
    const byLog = new Map(rows.map((r) => [logKey(r.txHash, r.logIndex), r]));
    for (const log of chainLogs) {
      const key = logKey(log.transactionHash, log.logIndex);
      const row = byLog.get(key);
      const args = log.args as { id: Hex };
      if (!row) {
        mismatches.push(`${k.event} ${key}: not indexed`);
        continue;
      }
      if (row.market.id !== morphoMarketId(d.morpho, args.id)) mismatches.push(`${k.event} ${key}: market ${row.market.id}`);
      for (const [field, want] of Object.entries(k.expect(args))) {
        const got = field === 'account' ? lower((row.account as { id: string }).id) : big(row[field] as string);
        if (got !== want) mismatches.push(`${k.event} ${key} ${field}: indexed ${String(got)} chain ${String(want)}`);
      }
    }
  }
  type Config = { id: string; protocol: { id: string }; owner: string; feeRecipient: string; enabledIrms: string[]; enabledLltvs: string[] };
  const { protocols } = await subgraph.query<{
    protocols: { id: string; family: string; slug: string; marketCount: number; liquidationCount: number; realizedBadDebtCount: number; morphoBlue: Config | null; aavePool: { id: string } | null; gearboxPool: { id: string } | null }[];
  }>(
    `{ protocols(block: { number: ${state.indexedBlock} }) { id family slug marketCount liquidationCount realizedBadDebtCount
        morphoBlue { id protocol { id } owner feeRecipient enabledIrms enabledLltvs } aavePool { id } gearboxPool { id } } }`,
  );
  const liquidates = logs.filter((l) => l.eventName === 'Liquidate');
  const [owner, feeRecipient] = await Promise.all([
    chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'owner', blockNumber: BigInt(state.indexedBlock) }),
    chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'feeRecipient', blockNumber: BigInt(state.indexedBlock) }),
  ]);
  const expected = {
    id: lower(d.morpho), family: 'MORPHO_BLUE', slug: 'morpho-blue', marketCount: d.markets.length,
    liquidationCount: liquidates.length, realizedBadDebtCount: liquidates.filter((l) => l.args.badDebtAssets > 0n).length,
    morphoBlue: {
      id: lower(d.morpho), protocol: lower(d.morpho), owner: lower(owner), feeRecipient: lower(feeRecipient),
      enabledIrms: logs.flatMap((l) => (l.eventName === 'EnableIrm' ? [lower(l.args.irm)] : [])),
      enabledLltvs: logs.flatMap((l) => (l.eventName === 'EnableLltv' ? [String(l.args.lltv)] : [])),
    },
    otherFamilies: 0,
  };
  const got = protocols.map((p) => ({
    id: lower(p.id), family: p.family, slug: p.slug, marketCount: p.marketCount, liquidationCount: p.liquidationCount, realizedBadDebtCount: p.realizedBadDebtCount,
    morphoBlue: p.morphoBlue && {
      id: lower(p.morphoBlue.id), protocol: lower(p.morphoBlue.protocol.id), owner: lower(p.morphoBlue.owner), feeRecipient: lower(p.morphoBlue.feeRecipient),
      enabledIrms: p.morphoBlue.enabledIrms.map(lower), enabledLltvs: p.morphoBlue.enabledLltvs,
    },
    otherFamilies: [p.aavePool, p.gearboxPool].filter((x) => x !== null).length,
  }));
  if (JSON.stringify(got) !== JSON.stringify([expected])) mismatches.push(`protocol: indexed ${JSON.stringify(got)} expected ${JSON.stringify([expected])}`);
  return { counts, mismatches };
}

/**
 * Between after-crash and after-liquidations, per market: the drop in totalSupplyAssets that
 * withdrawals and interest do not explain (S0 + supplied + interest - withdrawn - S1, all from the
 * subgraph) equals the sum of RealizedBadDebt.amount there, and the sum of the chain's
 * Liquidate.badDebtAssets; S0 and S1 also equal the chain's market().totalSupplyAssets.
 */
export async function compareMorphoSupplyDrop(ctx: MorphoSuiteContext): Promise<{ badDebt: bigint; perMarket: Record<string, bigint>; mismatches: string[] }> {
  const { state, chain, subgraph } = ctx;
  const d = state.deployment;
  const cp = (name: string) => {
    const c = state.scenario.checkpoints.find((x) => x.name === name);
    if (!c) throw new Error(`no checkpoint ${name}`);
    return c.block;
  };
  const from = cp('after-crash'), to = cp('after-liquidations');
  const mismatches: string[] = [];
  const range = { blockNumber_gt: String(from), blockNumber_lte: String(to) };
  const sumBy = async (collection: string, field: string) => {
    const rows = await subgraph.queryAll<{ id: string; market: { id: string } } & Record<string, unknown>>({ collection, fields: `market { id } ${field}`, where: range });
    const out = new Map<string, bigint>();
    for (const r of rows) out.set(r.market.id, (out.get(r.market.id) ?? 0n) + BigInt(r[field] as string));
    return out;
  };
  type SupplyRow = { id: string; morphoState: { totalSupplyAssets: string } | null };
  const [m0, m1, interest, supplied, withdrawn, realized] = await Promise.all([
    subgraph.queryAll<SupplyRow>({ collection: 'markets', fields: 'morphoState { totalSupplyAssets }', block: from }),
    subgraph.queryAll<SupplyRow>({ collection: 'markets', fields: 'morphoState { totalSupplyAssets }', block: to }),
    sumBy('interestAccruals', 'interest'),
    sumBy('supplies', 'amount'),
    sumBy('withdraws', 'amount'),
    sumBy('realizedBadDebts', 'amount'),
  ]);
  const logs = (await morphoLogs(ctx, BigInt(from) + 1n, BigInt(to))).filter((l) => l.eventName === 'Liquidate');
  let total = 0n;
  const perMarket: Record<string, bigint> = {};
  for (const m of d.markets) {
    const id = morphoMarketId(d.morpho, m.id);
    const s0 = big(m0.find((x) => x.id === id)?.morphoState?.totalSupplyAssets), s1 = big(m1.find((x) => x.id === id)?.morphoState?.totalSupplyAssets);
    const [[c0], [c1]] = await Promise.all([
      chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'market', args: [m.id], blockNumber: BigInt(from) }),
      chain.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'market', args: [m.id], blockNumber: BigInt(to) }),
    ]);
    if (s0 !== c0 || s1 !== c1) mismatches.push(`${m.label}: totalSupplyAssets indexed ${s0} -> ${s1}, chain ${c0} -> ${c1}`);
    const unexplained = s0 + (supplied.get(id) ?? 0n) + (interest.get(id) ?? 0n) - (withdrawn.get(id) ?? 0n) - s1;
    const chainBad = logs.filter((l) => l.args.id === m.id).reduce((s, l) => s + l.args.badDebtAssets, 0n);
    const indexedBad = realized.get(id) ?? 0n;
    perMarket[m.label] = unexplained;
    total += unexplained;
    if (unexplained !== indexedBad || indexedBad !== chainBad) {
      mismatches.push(`${m.label}: unexplained supply drop ${unexplained}, RealizedBadDebt sum ${indexedBad}, Liquidate.badDebtAssets sum ${chainBad}`);
    }
  }
  return { badDebt: total, perMarket, mismatches };
}

export function morphoIndexingSuite(ctx: () => MorphoSuiteContext) {
  it('indexed to the head without indexing errors', async () => {
    const { state, subgraph } = ctx();
    const { _meta } = await subgraph.query<{ _meta: { block: { number: number }; hasIndexingErrors: boolean } }>('{ _meta { block { number } hasIndexingErrors } }');
    expect(_meta.hasIndexingErrors).toBe(false);
    expect(_meta.block.number).toBeGreaterThanOrEqual(state.indexedBlock);
  });

  it('has checkpoints before the crash, after it and after liquidations', () => {
    const names = ctx().state.scenario.checkpoints.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['before-crash', 'after-crash', 'after-liquidations']));
  });

  it('positions (supply shares, borrow shares, collateral) and market totals equal Morpho.position / Morpho.market at every checkpoint', async () => {
    const c = ctx();
    const { compared, accounts, mismatches } = await compareMorphoState(c);
    expect(mismatches).toEqual([]);
    const markets = c.state.deployment.markets.length;
    // 3 figures per account and market, 23 per market, at each checkpoint.
    expect(accounts).toBeGreaterThanOrEqual(c.state.scenario.accounts.length + 1);
    expect(compared).toBeGreaterThanOrEqual(morphoCheckpoints(c.state).length * markets * (3 * accounts + 23));
  });

  it('stores every action log once, with its amounts and shares; the protocol record matches the chain', async () => {
    const { counts, mismatches } = await compareMorphoEvents(ctx());
    expect(mismatches).toEqual([]);
    for (const event of ['Supply', 'Withdraw', 'Borrow', 'Repay', 'SupplyCollateral', 'WithdrawCollateral', 'AccrueInterest', 'SetFee']) {
      expect({ event, n: counts[event] > 0 }).toEqual({ event, n: true });
    }
  });

  it('stores every Liquidate; each with bad debt has a RealizedBadDebt and a SocializedLoss, and no other liquidation has one', async () => {
    const c = ctx();
    const { liquidations, badDebt, mismatches } = await compareMorphoLiquidations(c);
    expect(mismatches).toEqual([]);
    expect(badDebt).toBe(c.state.scenario.badDebtLiquidations);
    expect(badDebt).toBeGreaterThan(0);
    expect(liquidations).toBeGreaterThan(badDebt);
  });

  it('the realized bad debt equals the drop in totalSupplyAssets that withdrawals and interest do not explain (after-crash -> after-liquidations)', async () => {
    const { badDebt, mismatches } = await compareMorphoSupplyDrop(ctx());
    expect(mismatches).toEqual([]);
    expect(badDebt).toBeGreaterThan(0n);
  });
}
