import { createWalletClient, encodeFunctionData, http, maxUint256, parseAbi, parseAbiItem, type Address, type Hex, type PublicClient, type TestClient } from 'viem';
import { poolAbi } from '../../devnet/aave-v3/abis';
import { freePort } from '../../devnet/stack/ports';
import { createGateway } from '../../server/app';
import { compareWithAccountData } from '../support/account-data';
import { gql, gqlData } from '../support/gateway-client';
import { protocolUnderTest, type StackState } from '../support/stack-process';
import { followedAt, HEAD_FIGURES, until } from './view-service.suite';

interface SuiteCtx {
  state: StackState;
  chain: PublicClient;
  testClient: TestClient;
}

const AGGREGATOR_ABI = parseAbi(['function transmitAnswer(int256 answer)', 'function latestAnswer() view returns (int256)', 'function aggregator() view returns (address)']);
const TOKEN_ABI = parseAbi(['function mint(address account, uint256 value) returns (bool)', 'function approve(address spender, uint256 amount) returns (bool)', 'function balanceOf(address) view returns (uint256)']);
const LIQUIDATION_CALL = parseAbiItem('event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)');
const HF_ONE = 10n ** 18n;
/** The devnet's volatile collateral (devnet/aave-v3/market-config.ts): the stablecoins keep their price. */
const CRASHED = new Set(['WETH', 'WBTC']);
/** Blocks the branch adds and anvil_reorg then replaces: the crash, the liquidations, one more. */
const DEPTH = 3;

type Liquidations = { liquidations: { stats: { count: number } } };
const liquidationCount = (gatewayUrl: string, name: string, fromBlock: number, block?: number) =>
  gqlData<Liquidations>(gatewayUrl, `{ liquidations(protocol: "${name}", fromBlock: ${fromBlock}${block === undefined ? '' : `, toBlock: ${block}`}) { stats { count } } }`).then((d) => d.liquidations.stats.count);

/**
 * The issue's reorg: a branch of three blocks (a price crash, liquidations, one more block) indexed
 * and served, then `anvil_reorg` depth 3 replaces it with three empty blocks at the same heights.
 * Until graph-node reverts (at the next block) the gateway refuses the orphaned head and is not ready;
 * afterwards no answer may rest on the orphaned branch: no liquidation is reported, every pinned hash
 * is the canonical one, head and historical figures equal a fresh gateway's, and every account equals
 * Pool.getUserAccountData at the reorganised heights and the new head.
 */
export function reorgSuite(ctx: () => SuiteCtx, name: string) {
  it(`anvil_reorg depth ${DEPTH} removing liquidations: head and historical answers equal the canonical chain`, async () => {
    const { state, chain, testClient } = ctx();
    const under = protocolUnderTest(state, name);
    const d = under.deployment;
    const h0 = Number(await chain.getBlockNumber());
    await until('the gateway to follow the head', async () => (await followedAt(state.gatewayUrl, name))?.block.number === h0);

    const liquidator = under.scenario.liquidators[0] as Address;
    await testClient.impersonateAccount({ address: liquidator });
    await testClient.setBalance({ address: liquidator, value: 10n ** 20n });
    const signer = createWalletClient({ account: liquidator, transport: http(state.rpcUrl) });
    let nonce = await chain.getTransactionCount({ address: liquidator, blockTag: 'pending' });
    const send = (to: Address, data: Hex) => signer.sendTransaction({ to, data, gas: 1_500_000n, nonce: nonce++, chain: null });
    await testClient.setAutomine(false);
    try {
      // Block 1: the volatile collateral at 40% of its price (anyone may transmit a round to the devnet aggregators),
      // and the liquidator's debt tokens, approved.
      for (const r of d.reserves) {
        if (r.feed?.kind !== 'chainlink-proxy' || !CRASHED.has(r.symbol)) continue;
        // The aggregator behind the proxy now (the scenario switched some silently since deployment).
        const aggregator = await chain.readContract({ address: r.feed.proxy, abi: AGGREGATOR_ABI, functionName: 'aggregator' });
        const answer = await chain.readContract({ address: aggregator, abi: AGGREGATOR_ABI, functionName: 'latestAnswer' });
        await send(aggregator, encodeFunctionData({ abi: AGGREGATOR_ABI, functionName: 'transmitAnswer', args: [(answer * 40n) / 100n] }));
      }
      for (const r of d.reserves) {
        await send(r.underlying as Address, encodeFunctionData({ abi: TOKEN_ABI, functionName: 'mint', args: [liquidator, 10n ** 40n] }));
        await send(r.underlying as Address, encodeFunctionData({ abi: TOKEN_ABI, functionName: 'approve', args: [d.pool as Address, maxUint256] }));
      }
      await testClient.mine({ blocks: 1 });
      // Block 2: liquidations of the accounts the crash made liquidatable, largest debt against largest collateral.
      const targets = await liquidatable(chain, under.deployment, under.scenario.accounts as Address[]);
      expect(targets.length).toBeGreaterThan(0);
      const sent = await Promise.all(
        targets.slice(0, 3).map((t) => send(d.pool as Address, encodeFunctionData({ abi: poolAbi, functionName: 'liquidationCall', args: [t.collateral, t.debt, t.user, maxUint256, false] }))),
      );
      await testClient.mine({ blocks: 1 });
      const receipts = await Promise.all(sent.map((hash) => chain.getTransactionReceipt({ hash })));
      expect(receipts.some((r) => r.status === 'success')).toBe(true);
      await testClient.mine({ blocks: 1 });
    } finally {
      await testClient.setAutomine(true);
      await testClient.stopImpersonatingAccount({ address: liquidator });
    }
    const branchHead = await chain.getBlock();
    expect(Number(branchHead.number)).toBe(h0 + DEPTH);
    const onBranch = await chain.getLogs({ address: d.pool as Address, event: LIQUIDATION_CALL, fromBlock: BigInt(h0 + 1), toBlock: branchHead.number });
    expect(onBranch.length).toBeGreaterThan(0);
    await until('the gateway to serve the branch', async () => (await followedAt(state.gatewayUrl, name))?.block.hash === branchHead.hash);
    expect(await liquidationCount(state.gatewayUrl, name, h0 + 1)).toBe(onBranch.length);

    await testClient.request({ method: 'anvil_reorg' as never, params: [DEPTH, []] as never });
    const replaced = await chain.getBlock();
    expect(Number(replaced.number)).toBe(h0 + DEPTH);
    expect(replaced.hash).not.toBe(branchHead.hash);
    // graph-node reverts only once a newer block arrives: until then its head is the orphaned one,
    // and the gateway must refuse it (retryable) rather than serve the orphaned branch's figures.
    const refused = await until('the gateway to refuse the orphaned head', async () => {
      const body = await gql(state.gatewayUrl, `{ protocol(id: "${name}") { latentBadDebtUSD } }`);
      return body.errors?.[0]?.extensions?.code === 'SUBGRAPH_REORG_PENDING' && body.errors[0];
    });
    expect(refused.extensions).toMatchObject({ endpoint: name, indexedBlock: h0 + DEPTH });
    const ready = await fetch(new URL('/health/ready', state.gatewayUrl));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { endpoints: { name: string; reason: string }[] }).endpoints.find((e) => e.name === name)?.reason).toBe('SUBGRAPH_REORG_PENDING');
    await testClient.mine({ blocks: 1 });
    const head = await chain.getBlock();
    await until('the gateway to follow the new branch', async () => (await followedAt(state.gatewayUrl, name))?.block.hash === head.hash);

    expect(await chain.getLogs({ address: d.pool as Address, event: LIQUIDATION_CALL, fromBlock: BigInt(h0 + 1), toBlock: head.number })).toEqual([]);
    expect(await liquidationCount(state.gatewayUrl, name, h0 + 1)).toBe(0);
    const fresh = createGateway({ endpoints: Object.entries(state.subgraphs).map(([n, url]) => ({ name: n, url })), rpcUrl: state.rpcUrl });
    const listening = await fresh.listen(await freePort());
    try {
      for (let block = h0 + 1; block <= h0 + DEPTH + 1; block++) {
        const canonical = (await chain.getBlock({ blockNumber: BigInt(block) })).hash;
        const [ours, theirs] = await Promise.all([gqlData<{ protocol: { block: { hash: string } } }>(state.gatewayUrl, HEAD_FIGURES(name, block)), gqlData(listening.url, HEAD_FIGURES(name, block))]);
        expect({ block, hash: ours.protocol.block.hash }).toEqual({ block, hash: canonical });
        expect({ block, figures: ours }).toEqual({ block, figures: theirs });
        expect(await liquidationCount(state.gatewayUrl, name, h0 + 1, block)).toBe(0);
        const { mismatches, compared } = await compareWithAccountData({ ...under, gatewayUrl: state.gatewayUrl }, chain, block);
        expect(compared).toBeGreaterThan(0);
        expect(mismatches).toEqual([]);
      }
    } finally {
      await listening.stop();
    }
  }, 240_000);
}

/** Accounts below HF 1 with collateral left, each with its largest collateral and largest debt reserve (by balance in base currency). */
async function liquidatable(chain: PublicClient, d: ReturnType<typeof protocolUnderTest>['deployment'], users: Address[]) {
  const pool = d.pool as Address;
  const data = await Promise.all(users.map((user) => chain.readContract({ address: pool, abi: poolAbi, functionName: 'getUserAccountData', args: [user] })));
  const candidates = users.filter((_, i) => data[i][5] < HF_ONE && data[i][0] > 0n && data[i][1] > 0n);
  const oracle = d.aaveOracle as Address;
  const prices = await chain.readContract({ address: oracle, abi: parseAbi(['function getAssetsPrices(address[]) view returns (uint256[])']), functionName: 'getAssetsPrices', args: [d.reserves.map((r) => r.underlying as Address)] });
  const valued = async (user: Address, token: 'aToken' | 'variableDebtToken') => {
    const balances = await Promise.all(d.reserves.map((r) => chain.readContract({ address: r[token] as Address, abi: TOKEN_ABI, functionName: 'balanceOf', args: [user] })));
    let best = -1;
    let bestValue = 0n;
    balances.forEach((b, i) => {
      const v = (b * prices[i]) / 10n ** BigInt(d.reserves[i].decimals);
      if (v > bestValue) [best, bestValue] = [i, v];
    });
    return best < 0 ? null : (d.reserves[best].underlying as Address);
  };
  const targets: { user: Address; collateral: Address; debt: Address }[] = [];
  for (const user of candidates) {
    const [collateral, debt] = await Promise.all([valued(user, 'aToken'), valued(user, 'variableDebtToken')]);
    if (collateral && debt) targets.push({ user, collateral, debt });
  }
  return targets;
}
