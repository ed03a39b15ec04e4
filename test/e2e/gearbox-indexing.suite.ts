import { parseEventLogs, type Address, type PublicClient } from 'viem';
import { creditFacadeAbi, creditManagerAbi, poolAbi, poolQuotaKeeperAbi } from '../../devnet/gearbox-v3/abis';
import type { GearboxDeployment } from '../../devnet/gearbox-v3/deploy';
import type { GearboxScenarioResult } from '../../devnet/scenario/gearbox-v3';
import type { SubgraphClient } from '../../server/sources/subgraph-client';
import { blockTimestamp, lower } from '../support/chain';

/** What the Gearbox suite needs from the stack: the deployment, the scenario and the indexed head. */
export interface GearboxSuiteContext {
  state: { name: string; indexedBlock: number; deployment: GearboxDeployment; scenario: GearboxScenarioResult };
  chain: PublicClient;
  subgraph: SubgraphClient;
}

const erc20BalanceAbi = [
  { type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'a', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] },
] as const;

const RAY = 10n ** 27n;
const SECONDS_PER_YEAR = 365n * 24n * 3600n;
const big = (v: string | null | undefined) => (v === null || v === undefined ? 0n : BigInt(v));

/** Every checkpoint of the scenario, then the indexed head. */
export function gearboxCheckpoints(ctx: GearboxSuiteContext): { name: string; block: bigint }[] {
  const { scenario, indexedBlock } = ctx.state;
  return [...scenario.checkpoints.map((c) => ({ name: c.name, block: BigInt(c.block) })), { name: 'indexed head', block: BigInt(indexedBlock) }];
}

/**
 * PoolV3.expectedLiquidity() at `timestamp` from the indexed interest state, the contract's formula
 * (expectedLiquidityLU + base interest + quota revenue, each CreditLogic.calcLinearGrowth rounded down).
 */
function expectedLiquidityFrom(p: IndexedPool, timestamp: bigint): bigint {
  const growth = (value: bigint, since: bigint) => (timestamp > since ? (value * (timestamp - since)) / SECONDS_PER_YEAR : 0n);
  return big(p.expectedLiquidityLU) + (big(p.totalBorrowed) * growth(big(p.baseInterestRate), big(p.lastBaseInterestUpdate))) / RAY +
    growth(big(p.quotaRevenue), big(p.lastQuotaRevenueUpdate));
}

interface IndexedPool {
  totalSupply: string;
  treasuryShares: string;
  totalBorrowed: string;
  availableLiquidity: string;
  expectedLiquidityLU: string;
  baseInterestRate: string;
  lastBaseInterestUpdate: string;
  quotaRevenue: string;
  lastQuotaRevenueUpdate: string;
  totalLoss: string;
  totalCoveredLoss: string;
  totalCoveredShares: string;
  totalUncoveredLoss: string;
  lossCount: number;
}
const POOL_FIELDS = 'totalSupply treasuryShares totalBorrowed availableLiquidity expectedLiquidityLU baseInterestRate lastBaseInterestUpdate quotaRevenue lastQuotaRevenueUpdate totalLoss totalCoveredLoss totalCoveredShares totalUncoveredLoss lossCount';

interface IndexedCreditAccount {
  id: string;
  principalDebt: string;
  open: boolean;
  owner: string;
  quotas: { token: { id: string }; quota: string }[];
  balances: { token: { id: string }; balance: string }[];
}

/** At every checkpoint: the pool's totals and the treasury's shares vs the pool's own views at that block. */
export async function comparePool(ctx: GearboxSuiteContext): Promise<{ compared: number; mismatches: string[] }> {
  const { chain, subgraph } = ctx;
  const d = ctx.state.deployment;
  const mismatches: string[] = [];
  let compared = 0;
  for (const cp of gearboxCheckpoints(ctx)) {
    const read = (functionName: 'expectedLiquidity' | 'availableLiquidity' | 'totalBorrowed' | 'totalSupply') =>
      chain.readContract({ address: d.pool, abi: poolAbi, functionName, blockNumber: cp.block }) as Promise<bigint>;
    const [expectedLiquidity, availableLiquidity, totalBorrowed, totalSupply, treasuryShares, timestamp] = await Promise.all([
      read('expectedLiquidity'), read('availableLiquidity'), read('totalBorrowed'), read('totalSupply'),
      chain.readContract({ address: d.pool, abi: poolAbi, functionName: 'balanceOf', args: [d.treasury], blockNumber: cp.block }),
      blockTimestamp(chain, cp.block),
    ]);
    const { gearboxPool: p } = await subgraph.query<{ gearboxPool: IndexedPool | null }>(
      `query($id: Bytes!, $b: Int!) { gearboxPool(id: $id, block: { number: $b }) { ${POOL_FIELDS} } }`, { id: lower(d.pool), b: Number(cp.block) });
    if (!p) {
      mismatches.push(`${cp.name}: no GearboxPool`);
      continue;
    }
    const pairs: [string, bigint, bigint][] = [
      ['expectedLiquidity', expectedLiquidityFrom(p, timestamp), expectedLiquidity],
      ['availableLiquidity', big(p.availableLiquidity), availableLiquidity],
      ['totalBorrowed', big(p.totalBorrowed), totalBorrowed],
      ['totalSupply', big(p.totalSupply), totalSupply],
      ['treasury balanceOf', big(p.treasuryShares), treasuryShares],
    ];
    for (const [what, indexed, onChain] of pairs) {
      compared++;
      if (indexed !== onChain) mismatches.push(`${cp.name} (block ${cp.block}) pool ${what}: indexed ${indexed}, chain ${onChain}`);
    }
  }
  return { compared, mismatches };
}

/**
 * At every checkpoint: every credit account's principal debt (CreditManagerV3.creditAccountInfo),
 * quota per collateral token (PoolQuotaKeeperV3.getQuota) and balance of every token
 * (token.balanceOf) vs the subgraph at that block.
 */
export async function compareCreditAccounts(ctx: GearboxSuiteContext): Promise<{ compared: number; nonZero: number; mismatches: string[] }> {
  const { chain, subgraph } = ctx;
  const d = ctx.state.deployment;
  const accounts = [...new Set(ctx.state.scenario.creditAccounts.map((c) => lower(c.creditAccount)))];
  const quoted = d.collaterals.map((c) => lower(c.token));
  const tokens = d.tokens.map((t) => lower(t.address));
  const mismatches: string[] = [];
  let compared = 0;
  let nonZero = 0;
  for (const cp of gearboxCheckpoints(ctx)) {
    for (const ca of accounts) {
      const opened = ctx.state.scenario.creditAccounts.find((c) => lower(c.creditAccount) === ca)!.openBlock;
      if (BigInt(opened) > cp.block) continue;
      const [info, quotas, balances] = await Promise.all([
        chain.readContract({ address: d.creditManager, abi: creditManagerAbi, functionName: 'creditAccountInfo', args: [ca], blockNumber: cp.block }),
        Promise.all(quoted.map((t) => chain.readContract({ address: d.poolQuotaKeeper, abi: poolQuotaKeeperAbi, functionName: 'getQuota', args: [ca, t], blockNumber: cp.block }))),
        Promise.all(tokens.map((t) => chain.readContract({ address: t, abi: erc20BalanceAbi, functionName: 'balanceOf', args: [ca], blockNumber: cp.block }))),
      ]);
      const { creditAccount: s } = await subgraph.query<{ creditAccount: IndexedCreditAccount | null }>(
        `query($id: Bytes!, $b: Int!) { creditAccount(id: $id, block: { number: $b }) { id principalDebt open owner quotas { token { id } quota } balances { token { id } balance } } }`,
        { id: ca, b: Number(cp.block) });
      if (!s) {
        mismatches.push(`${cp.name}: credit account ${ca} not indexed`);
        continue;
      }
      const debt = (info as readonly unknown[])[0] as bigint;
      compared++;
      if (debt > 0n) nonZero++;
      if (big(s.principalDebt) !== debt) mismatches.push(`${cp.name} ${ca} debt: indexed ${s.principalDebt}, chain ${debt}`);
      quoted.forEach((t, i) => {
        const onChain = (quotas[i] as readonly bigint[])[0];
        const indexed = big(s.quotas.find((q) => lower(q.token.id) === t)?.quota);
        compared++;
        if (indexed !== onChain) mismatches.push(`${cp.name} ${ca} quota ${t}: indexed ${indexed}, chain ${onChain}`);
      });
      tokens.forEach((t, i) => {
        const indexed = big(s.balances.find((b) => lower(b.token.id) === t)?.balance);
        compared++;
        if (indexed !== balances[i]) mismatches.push(`${cp.name} ${ca} balance ${t}: indexed ${indexed}, chain ${balances[i]}`);
      });
    }
  }
  return { compared, nonZero, mismatches };
}

interface IndexedLoss {
  id: string;
  txHash: string;
  loss: string;
  coveredAssets: string;
  coveredShares: string;
  uncoveredLoss: string;
  creditAccount: { id: string } | null;
  socializedLoss: { badDebtAssets: string } | null;
  realizedBadDebt: { amount: string; kind: string; liquidation: { txHash: string; account: { id: string } } | null };
}

/**
 * The loss waterfall vs the pool's logs: one GearboxLoss per Repay with loss > 0, its loss = Repay.loss,
 * uncovered = the IncurUncoveredLoss of that tx, covered = loss - uncovered, coveredShares = the
 * treasury's burn (Transfer treasury -> 0) in it; a SocializedLoss exactly when uncovered > 0.
 */
export async function compareLosses(ctx: GearboxSuiteContext) {
  const { chain, subgraph } = ctx;
  const d = ctx.state.deployment;
  const raw = await chain.getLogs({ address: d.pool, fromBlock: BigInt(d.startBlock), toBlock: BigInt(ctx.state.indexedBlock) });
  const lossy = parseEventLogs({ abi: poolAbi, logs: raw, eventName: 'Repay' }).filter((l) => l.args.loss > 0n);
  const uncoveredByTx = new Map<string, bigint>();
  const burnedByTx = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, tx: string, v: bigint) => m.set(lower(tx), (m.get(lower(tx)) ?? 0n) + v);
  for (const l of parseEventLogs({ abi: poolAbi, logs: raw, eventName: 'IncurUncoveredLoss' })) add(uncoveredByTx, l.transactionHash, l.args.loss);
  for (const l of parseEventLogs({ abi: poolAbi, logs: raw, eventName: 'Transfer' })) {
    if (lower(l.args.from) === lower(d.treasury) && BigInt(l.args.to) === 0n) add(burnedByTx, l.transactionHash, l.args.value);
  }
  const { gearboxLosses } = await subgraph.query<{ gearboxLosses: IndexedLoss[] }>(
    `query($b: Int!) { gearboxLosses(first: 1000, block: { number: $b }) { id txHash loss coveredAssets coveredShares uncoveredLoss creditAccount { id } socializedLoss { badDebtAssets } realizedBadDebt { amount kind liquidation { txHash account { id } } } } }`,
    { b: ctx.state.indexedBlock });
  const mismatches: string[] = [];
  if (gearboxLosses.length !== lossy.length) mismatches.push(`GearboxLoss rows ${gearboxLosses.length}, lossy Repay logs ${lossy.length}`);
  let covered = 0n;
  let uncovered = 0n;
  for (const log of lossy) {
    const tx = lower(log.transactionHash);
    const row = gearboxLosses.find((g) => lower(g.txHash) === tx);
    if (!row) {
      mismatches.push(`no GearboxLoss for the Repay in ${tx}`);
      continue;
    }
    const u = uncoveredByTx.get(tx) ?? 0n;
    const burned = burnedByTx.get(tx) ?? 0n;
    const expect: [string, bigint, bigint][] = [
      ['loss', big(row.loss), log.args.loss],
      ['uncoveredLoss', big(row.uncoveredLoss), u],
      ['coveredAssets', big(row.coveredAssets), log.args.loss - u],
      ['coveredShares', big(row.coveredShares), burned],
      ['realizedBadDebt.amount', big(row.realizedBadDebt.amount), log.args.loss],
      ['socializedLoss', big(row.socializedLoss?.badDebtAssets), u],
    ];
    for (const [what, indexed, onChain] of expect) if (indexed !== onChain) mismatches.push(`${tx} ${what}: indexed ${indexed}, logs ${onChain}`);
    if ((row.socializedLoss !== null) !== (u > 0n)) mismatches.push(`${tx}: SocializedLoss ${row.socializedLoss ? 'present' : 'absent'} with uncovered ${u}`);
    if (row.realizedBadDebt.kind !== 'GEARBOX_LIQUIDATION_LOSS') mismatches.push(`${tx}: kind ${row.realizedBadDebt.kind}`);
    if (!row.creditAccount) mismatches.push(`${tx}: loss not attributed to a credit account`);
    const liq = row.realizedBadDebt.liquidation;
    if (!liq || lower(liq.txHash) !== tx || lower(liq.account.id) !== lower(row.creditAccount?.id ?? '')) {
      mismatches.push(`${tx}: realized bad debt not linked to the liquidation of its credit account`);
    }
    covered += log.args.loss - u;
    uncovered += u;
  }
  const { gearboxPool: p } = await subgraph.query<{ gearboxPool: IndexedPool }>(
    `query($id: Bytes!, $b: Int!) { gearboxPool(id: $id, block: { number: $b }) { ${POOL_FIELDS} } }`, { id: lower(d.pool), b: ctx.state.indexedBlock });
  const totals: [string, bigint, bigint][] = [
    ['totalCoveredLoss', big(p.totalCoveredLoss), covered],
    ['totalUncoveredLoss', big(p.totalUncoveredLoss), uncovered],
    ['totalLoss', big(p.totalLoss), covered + uncovered],
    ['totalCoveredShares', big(p.totalCoveredShares), [...burnedByTx.entries()].filter(([tx]) => lossy.some((l) => lower(l.transactionHash) === tx)).reduce((a, [, v]) => a + v, 0n)],
  ];
  for (const [what, indexed, onChain] of totals) if (indexed !== onChain) mismatches.push(`pool ${what}: indexed ${indexed}, logs ${onChain}`);
  return { lossy: lossy.length, withUncovered: lossy.filter((l) => (uncoveredByTx.get(lower(l.transactionHash)) ?? 0n) > 0n).length, mismatches };
}

interface IndexedGearboxMarket {
  id: string;
  protocol: { id: string; gearboxPool: { id: string } | null; aavePool: { id: string } | null; morphoBlue: { id: string } | null };
  inputToken: { id: string };
  supplierCount: number;
  borrowerCount: number;
  liquidationCount: number;
  realizedBadDebtCount: number;
  totalRealizedBadDebt: string;
  gearboxPool: { id: string; market: { id: string }; interestRateModel: string | null; totalLoss: string; lossCount: number } | null;
  aaveReserve: { id: string } | null;
  aaveReserveState: { id: string } | null;
  morphoParams: { id: string } | null;
  morphoState: { id: string } | null;
}
const MARKET_FIELDS = 'id protocol { id gearboxPool { id } aavePool { id } morphoBlue { id } } inputToken { id } supplierCount borrowerCount liquidationCount realizedBadDebtCount ' +
  'totalRealizedBadDebt gearboxPool { id market { id } interestRateModel totalLoss lossCount } aaveReserve { id } aaveReserveState { id } morphoParams { id } morphoState { id }';

/**
 * At every checkpoint, the pool's Market (identity and shared totals only): linked to its GearboxPool
 * both ways (and the Protocol to it), to no other family's entity; inputToken = pool.asset();
 * GearboxPool.interestRateModel = pool.interestRateModel(); totalRealizedBadDebt / realizedBadDebtCount
 * = the sum / count of the lossy Repay logs so far (and equal to GearboxPool.totalLoss / lossCount);
 * liquidationCount = the facade's liquidation logs so far; supplierCount = holders with
 * pool.balanceOf > 0, each one's Position.supplyShares equal to it; borrowerCount = credit accounts
 * with creditAccountInfo.debt > 0. No position stores an Aave scaled balance.
 */
export async function compareMarket(ctx: GearboxSuiteContext): Promise<{ compared: number; mismatches: string[] }> {
  const { chain, subgraph } = ctx;
  const d = ctx.state.deployment;
  const head = BigInt(ctx.state.indexedBlock);
  const poolLogs = parseEventLogs({ abi: poolAbi, logs: await chain.getLogs({ address: d.pool, fromBlock: BigInt(d.startBlock), toBlock: head }) });
  const facadeLogs = parseEventLogs({ abi: creditFacadeAbi, logs: await chain.getLogs({ address: d.creditFacade, fromBlock: BigInt(d.startBlock), toBlock: head }) });
  const marketId = lower(`${d.pool}${d.underlying.slice(2)}`);
  const mismatches: string[] = [];
  let compared = 0;
  const check = (where: string, what: string, indexed: unknown, onChain: unknown) => {
    compared++;
    if (indexed !== onChain) mismatches.push(`${where} ${what}: indexed ${String(indexed)}, chain ${String(onChain)}`);
  };
  for (const cp of gearboxCheckpoints(ctx)) {
    const where = `${cp.name} (block ${cp.block})`;
    const b = Number(cp.block);
    const { market: m } = await subgraph.query<{ market: IndexedGearboxMarket | null }>(
      `query($id: Bytes!, $b: Int!) { market(id: $id, block: { number: $b }) { ${MARKET_FIELDS} } }`, { id: marketId, b });
    const positions = await subgraph.queryAll<{ id: string; account: { id: string }; supplyShares: string | null; scaledSupplyBalance: string | null; scaledVariableDebt: string | null }>({
      collection: 'positions', fields: 'account { id } supplyShares scaledSupplyBalance scaledVariableDebt', where: { market: marketId }, block: b,
    });
    if (!m) {
      mismatches.push(`${where}: no Market ${marketId}`);
      continue;
    }
    const upTo = <T extends { blockNumber: bigint }>(logs: T[]) => logs.filter((l) => l.blockNumber <= cp.block);
    const lossy = upTo(poolLogs).flatMap((l) => (l.eventName === 'Repay' && l.args.loss > 0n ? [l.args.loss] : []));
    const liquidations = upTo(facadeLogs).filter((l) => l.eventName === 'LiquidateCreditAccount' || l.eventName === 'PartiallyLiquidateCreditAccount').length;
    const holders = [...new Set(upTo(poolLogs).flatMap((l) => (l.eventName === 'Transfer' ? [l.args.from, l.args.to] : [])).map(lower))].filter((a) => BigInt(a) !== 0n);
    const accounts = [...new Set(upTo(facadeLogs).flatMap((l) => (l.eventName === 'OpenCreditAccount' ? [lower(l.args.creditAccount)] : [])))];
    const [asset, irm, balances, debts] = await Promise.all([
      chain.readContract({ address: d.pool, abi: poolAbi, functionName: 'asset', blockNumber: cp.block }),
      chain.readContract({ address: d.pool, abi: poolAbi, functionName: 'interestRateModel', blockNumber: cp.block }),
      Promise.all(holders.map((a) => chain.readContract({ address: d.pool, abi: poolAbi, functionName: 'balanceOf', args: [a as Address], blockNumber: cp.block }))),
      Promise.all(accounts.map((a) => chain.readContract({ address: d.creditManager, abi: creditManagerAbi, functionName: 'creditAccountInfo', args: [a as Address], blockNumber: cp.block }))),
    ]);
    const loss = lossy.reduce((a, v) => a + v, 0n);
    check(where, 'market.gearboxPool', m.gearboxPool?.id, lower(d.pool));
    check(where, 'gearboxPool.market', m.gearboxPool?.market.id, marketId);
    check(where, 'protocol', lower(m.protocol.id), lower(d.pool));
    check(where, 'protocol.gearboxPool', m.protocol.gearboxPool?.id, lower(d.pool));
    check(where, 'other families linked', [m.aaveReserve, m.aaveReserveState, m.morphoParams, m.morphoState, m.protocol.aavePool, m.protocol.morphoBlue].filter((x) => x !== null).length, 0);
    check(where, 'inputToken', lower(m.inputToken.id), lower(asset));
    check(where, 'gearboxPool.interestRateModel', lower(m.gearboxPool?.interestRateModel ?? ''), lower(irm));
    check(where, 'totalRealizedBadDebt', big(m.totalRealizedBadDebt), loss);
    check(where, 'totalRealizedBadDebt = gearboxPool.totalLoss', big(m.totalRealizedBadDebt), big(m.gearboxPool?.totalLoss));
    check(where, 'realizedBadDebtCount', m.realizedBadDebtCount, lossy.length);
    check(where, 'realizedBadDebtCount = gearboxPool.lossCount', m.realizedBadDebtCount, m.gearboxPool?.lossCount);
    check(where, 'liquidationCount', m.liquidationCount, liquidations);
    check(where, 'supplierCount', m.supplierCount, balances.filter((v) => v > 0n).length);
    check(where, 'borrowerCount', m.borrowerCount, debts.filter((info) => ((info as readonly unknown[])[0] as bigint) > 0n).length);
    holders.forEach((h, i) => check(where, `position ${h} supplyShares`, big(positions.find((p) => lower(p.account.id) === h)?.supplyShares), balances[i]));
    for (const p of positions) check(where, `position ${p.id} Aave scaled balances`, `${p.scaledSupplyBalance}/${p.scaledVariableDebt}`, 'null/null');
  }
  return { compared, mismatches };
}

/** Liquidations vs the facade's logs: one Liquidation per LiquidateCreditAccount / PartiallyLiquidateCreditAccount, on the right account. */
export async function compareLiquidations(ctx: GearboxSuiteContext) {
  const { chain, subgraph } = ctx;
  const d = ctx.state.deployment;
  const logs = parseEventLogs({ abi: creditFacadeAbi, logs: await chain.getLogs({ address: d.creditFacade, fromBlock: BigInt(d.startBlock), toBlock: BigInt(ctx.state.indexedBlock) }) });
  const liq = logs.filter((l) => l.eventName === 'LiquidateCreditAccount' || l.eventName === 'PartiallyLiquidateCreditAccount');
  const { liquidations } = await subgraph.query<{ liquidations: { txHash: string; logIndex: string; account: { id: string }; liquidator: string }[] }>(
    `query($p: String!, $b: Int!) { liquidations(first: 1000, where: { protocol: $p }, block: { number: $b }) { txHash logIndex account { id } liquidator } }`,
    { p: lower(d.pool), b: ctx.state.indexedBlock });
  const mismatches: string[] = [];
  if (liquidations.length !== liq.length) mismatches.push(`Liquidation rows ${liquidations.length}, facade logs ${liq.length}`);
  for (const l of liq) {
    const row = liquidations.find((r) => lower(r.txHash) === lower(l.transactionHash) && BigInt(r.logIndex) === BigInt(l.logIndex));
    const args = l.args as { creditAccount: Address; liquidator: Address };
    if (!row) mismatches.push(`no Liquidation for ${l.eventName} in ${l.transactionHash}`);
    else if (lower(row.account.id) !== lower(args.creditAccount) || lower(row.liquidator) !== lower(args.liquidator)) mismatches.push(`${l.transactionHash}: account/liquidator differ`);
  }
  return { full: liq.filter((l) => l.eventName === 'LiquidateCreditAccount').length, partial: liq.filter((l) => l.eventName === 'PartiallyLiquidateCreditAccount').length, mismatches };
}

/** AddCollateral / WithdrawCollateral logs vs the SupplyCollateral / WithdrawCollateral records: one each, same account, token and amount. */
export async function compareCollateralEvents(ctx: GearboxSuiteContext) {
  const { chain, subgraph } = ctx;
  const d = ctx.state.deployment;
  const raw = await chain.getLogs({ address: d.creditFacade, fromBlock: BigInt(d.startBlock), toBlock: BigInt(ctx.state.indexedBlock) });
  const key = (tx: string, i: bigint | number | string, ca: string, token: string, amount: bigint | string) => `${lower(tx)}:${BigInt(i)}:${lower(ca)}:${lower(token)}:${BigInt(amount)}`;
  const onChain = {
    in: parseEventLogs({ abi: creditFacadeAbi, logs: raw, eventName: 'AddCollateral' }).map((l) => key(l.transactionHash, l.logIndex, l.args.creditAccount, l.args.token, l.args.amount)).sort(),
    out: parseEventLogs({ abi: creditFacadeAbi, logs: raw, eventName: 'WithdrawCollateral' }).map((l) => key(l.transactionHash, l.logIndex, l.args.creditAccount, l.args.token, l.args.amount)).sort(),
  };
  type Row = { txHash: string; logIndex: string; account: { id: string }; token: { id: string } | null; amount: string };
  const fields = 'txHash logIndex account { id } token { id } amount';
  const r = await subgraph.query<{ supplyCollaterals: Row[]; withdrawCollaterals: Row[] }>(
    `query($p: String!, $b: Int!) { supplyCollaterals(first: 1000, where: { protocol: $p }, block: { number: $b }) { ${fields} } withdrawCollaterals(first: 1000, where: { protocol: $p }, block: { number: $b }) { ${fields} } }`,
    { p: lower(d.pool), b: ctx.state.indexedBlock });
  const keys = (rows: Row[]) => rows.map((x) => key(x.txHash, x.logIndex, x.account.id, x.token?.id ?? '0x', x.amount)).sort();
  return { onChain, indexed: { in: keys(r.supplyCollaterals), out: keys(r.withdrawCollaterals) } };
}

export function gearboxIndexingSuite(ctx: () => GearboxSuiteContext) {
  it('indexed to the head without indexing errors', async () => {
    const { state, subgraph } = ctx();
    const { _meta } = await subgraph.query<{ _meta: { block: { number: number }; hasIndexingErrors: boolean } }>('{ _meta { block { number } hasIndexingErrors } }');
    expect(_meta.hasIndexingErrors).toBe(false);
    expect(_meta.block.number).toBeGreaterThanOrEqual(state.indexedBlock);
  });

  it("pool totals (expectedLiquidity, availableLiquidity, totalBorrowed, totalSupply, the treasury's shares) equal the pool's views at every checkpoint", async () => {
    const c = ctx();
    const { compared, mismatches } = await comparePool(c);
    expect(mismatches).toEqual([]);
    expect(compared).toBe(gearboxCheckpoints(c).length * 5);
  });

  it('the Market holds identity and shared totals only: linked to its GearboxPool, counts and realized bad debt equal the chain at every checkpoint', async () => {
    const c = ctx();
    const { compared, mismatches } = await compareMarket(c);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(gearboxCheckpoints(c).length * 14);
  });

  it('every credit account: principal debt, quotas and token balances equal creditAccountInfo / getQuota / balanceOf at every checkpoint', async () => {
    const c = ctx();
    const { compared, nonZero, mismatches } = await compareCreditAccounts(c);
    expect(mismatches).toEqual([]);
    expect(nonZero).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(c.state.scenario.creditAccounts.length * (1 + c.state.deployment.collaterals.length + c.state.deployment.tokens.length));
  });

  it('the loss waterfall (covered by the treasury + uncovered) equals the Repay, Transfer and IncurUncoveredLoss logs', async () => {
    const { lossy, withUncovered, mismatches } = await compareLosses(ctx());
    expect(mismatches).toEqual([]);
    // The scenario has a loss the treasury covers and one beyond its shares.
    expect(lossy).toBeGreaterThanOrEqual(2);
    expect(withUncovered).toBeGreaterThanOrEqual(1);
    expect(withUncovered).toBeLessThan(lossy);
  });

  it("collateral in and out (AddCollateral / WithdrawCollateral) equals the facade's logs", async () => {
    const { onChain, indexed } = await compareCollateralEvents(ctx());
    expect(indexed).toEqual(onChain);
    expect(onChain.in.length).toBeGreaterThan(0);
  });

  it("liquidations (full and partial) equal the facade's logs and the scenario's", async () => {
    const c = ctx();
    const { full, partial, mismatches } = await compareLiquidations(c);
    expect(mismatches).toEqual([]);
    expect(full + partial).toBe(c.state.scenario.liquidations.length);
    expect(partial).toBeGreaterThanOrEqual(1);
    expect(full).toBeGreaterThanOrEqual(1);
  });
}
