import { parseAbiItem, type PublicClient, type TestClient } from 'viem';
import { formatUnits } from '../../server/metrics/decimal';
import { lower } from '../support/chain';
import { gql, gqlData } from '../support/gateway-client';
import type { ProtocolUnderTest } from '../support/stack-process';
import { BASE_DECIMALS, compareWithAccountData } from '../support/account-data';

/**
 * Issue 3's oracle: the gateway's account figures equal Pool.getUserAccountData at the same block,
 * for every account at every checkpoint; protocol-level bad debt equals the sum computed from the chain.
 */
export function gatewaySuite(ctx: () => { state: ProtocolUnderTest; chain: PublicClient; testClient: TestClient }) {
  const checkpoints = () => {
    const { state } = ctx();
    return [...state.scenario.checkpoints.map((c) => ({ name: c.name, block: Number(c.block) })), { name: 'indexed head', block: state.indexedBlock }];
  };

  const compareAccounts = (block: number) => compareWithAccountData(ctx().state, ctx().chain, block);

  it('account collateral, debt and health factor equal getUserAccountData for every account at every checkpoint', async () => {
    const all: string[] = [];
    let compared = 0;
    for (const cp of checkpoints()) {
      const r = await compareAccounts(cp.block);
      all.push(...r.mismatches);
      compared += r.compared;
    }
    expect(all).toEqual([]);
    expect(compared).toBe(checkpoints().length * new Set([...ctx().state.scenario.accounts, ctx().state.deployment.treasury].map(lower)).size);
  });

  it('protocol latent bad debt equals the sum of account bad debt computed from the chain', async () => {
    const { state } = ctx();
    let sawBadDebt = false;
    for (const cp of checkpoints()) {
      const { chainBadDebt, chainInsolvent } = await compareAccounts(cp.block);
      const data = await gqlData<{ protocol: { latentBadDebtUSD: string; insolventAccounts: number; block: { number: number } } }>(
        state.gatewayUrl,
        `{ protocol(id: "${state.name}", block: ${cp.block}) { latentBadDebtUSD insolventAccounts block { number } } }`,
      );
      expect({ checkpoint: cp.name, ...data.protocol }).toEqual({
        checkpoint: cp.name,
        latentBadDebtUSD: formatUnits(chainBadDebt, BASE_DECIMALS),
        insolventAccounts: chainInsolvent,
        block: { number: cp.block },
      });
      if (chainBadDebt > 0n) sawBadDebt = true;
    }
    // the scenario's crash must leave bad debt behind, or this test proves little
    expect(sawBadDebt).toBe(true);
  });

  it('answers the same figures through block: after the chain has moved on', async () => {
    const { state, testClient } = ctx();
    const before = await gqlData<{ protocols: { block: { number: number } }[] }>(state.gatewayUrl, '{ protocols { block { number } } }');
    // A week passes and one block is mined: every index moves on at the head.
    await testClient.increaseTime({ seconds: 7 * 24 * 3600 });
    await testClient.mine({ blocks: 1 });
    const target = before.protocols[0].block.number + 1;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = await gqlData<{ protocols: { block: { number: number } }[] }>(state.gatewayUrl, '{ protocols { block { number } } }');
      if (now.protocols[0].block.number >= target) break;
      if (Date.now() > deadline) throw new Error(`the subgraph did not index block ${target}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const afterLiquidations = checkpoints().find((c) => /after.?liquidations/i.test(c.name))!;
    const again = await compareAccounts(afterLiquidations.block);
    expect(again.mismatches).toEqual([]);
    const head = await compareAccounts(target);
    expect(head.mismatches).toEqual([]);
  });

  it('lists the top underwater accounts in order, and only those', async () => {
    const { state } = ctx();
    const data = await gqlData<{ accounts: { totalCount: number; items: { address: string; badDebtUSD: string; debtUSD: string }[] } }>(
      state.gatewayUrl,
      `{ accounts(protocol: "${state.name}", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 1000, block: ${state.indexedBlock}) { totalCount items { address badDebtUSD debtUSD } } }`,
    );
    const { chainInsolvent } = await compareAccounts(state.indexedBlock);
    expect(data.accounts.totalCount).toBe(chainInsolvent);
    const values = data.accounts.items.map((i) => Number(i.badDebtUSD));
    expect(values.every((v) => v > 0)).toBe(true);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
  });

  it('reports each result with its block and the indexing status, and refuses bad input with stable codes', async () => {
    const { state } = ctx();
    const ok = await gql<{ protocol: { block: { number: number; hash: string; timestamp: number }; indexing: { hasIndexingErrors: boolean; indexedBlock: { number: number } } } }>(
      state.gatewayUrl,
      `{ protocol(id: "${state.name}") { block { number hash timestamp } indexing { hasIndexingErrors indexedBlock { number } } } }`,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.protocol.block.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(ok.data!.protocol.indexing.hasIndexingErrors).toBe(false);
    // Counted on every response; at the head it is usually 0 here: the stack's gateway follows the head
    // and answers from the view it moved there (test/unit/head-cache.test.ts checks that exactly).
    expect(ok.extensions?.subgraphRequests).toEqual(expect.any(Number));
    const cases: [string, string][] = [
      ['{ protocol(id: "compound-v9") { id } }', 'PROTOCOL_NOT_FOUND'],
      [`{ account(protocol: "${state.name}", address: "0x123") { debtUSD } }`, 'BAD_USER_INPUT'],
      [`{ protocol(id: "${state.name}", block: 999999999) { id } }`, 'BLOCK_NOT_INDEXED'],
      [`{ protocol(id: "${state.name}", block: 0) { id } }`, 'BLOCK_BEFORE_DEPLOYMENT'],
      [`{ accounts(protocol: "${state.name}", first: 1001) { totalCount } }`, 'FIRST_TOO_LARGE'],
      [`{ market(id: "0x${'ab'.repeat(40)}") { id } }`, 'MARKET_NOT_FOUND'],
      [`{ accounts(protocol: "${state.name}", where: { healthFactorBelow: "one" }) { totalCount } }`, 'BAD_USER_INPUT'],
      // 3 x 1000 accounts x ~50 positions x 2 fields: far above the cost limit
      [`{ ${[1, 2, 3].map((i) => `a${i}: accounts(protocol: "${state.name}", first: 1000) { items { positions { asset { symbol } } } }`).join(' ')} }`, 'QUERY_TOO_COSTLY'],
    ];
    for (const [query, code] of cases) {
      const body = await gql(state.gatewayUrl, query);
      expect({ query, code: body.errors?.[0]?.extensions?.code }).toEqual({ query, code });
    }
  });
}

/** Liquidation statistics over block and time ranges, against the chain's LiquidationCall logs. */
export function liquidationRangeSuite(ctx: () => { state: ProtocolUnderTest; chain: PublicClient }) {
  it('counts liquidations in a block range and in a time range like the chain', async () => {
    const { state, chain } = ctx();
    const cp = (name: string) => state.scenario.checkpoints.find((c) => c.name === name) as { block: number | string; timestamp?: number };
    const crash = cp('after-crash');
    const liquidated = cp('after-liquidations');
    const event = parseAbiItem('event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)');
    const logs = await chain.getLogs({ address: state.deployment.pool, event, fromBlock: BigInt(crash.block), toBlock: BigInt(liquidated.block) });
    expect(logs.length).toBeGreaterThan(0);
    const before = Number(cp('before-crash').timestamp);
    const data = await gqlData<{ byBlock: { totalCount: number; stats: { count: number } }; byTime: { totalCount: number } }>(
      state.gatewayUrl,
      `{ byBlock: liquidations(protocol: "${state.name}", fromBlock: ${crash.block}, toBlock: ${liquidated.block}, first: 0) { totalCount stats { count } }
         byTime: liquidations(protocol: "${state.name}", toTimestamp: ${before}, first: 0) { totalCount } }`,
    );
    expect(data.byBlock).toEqual({ totalCount: logs.length, stats: { count: logs.length } });
    // nothing was liquidatable before the crash
    expect(data.byTime.totalCount).toBe(0);
  });
}
