import { parseAbiItem, parseUnits, type PublicClient } from 'viem';
import { poolV36Abi, aaveOracleV36Abi } from '../../devnet/aave-v36/abis';
import { formatUnits } from '../../server/metrics/decimal';
import type { SubgraphClient } from '../../server/sources/subgraph-client';
import { lower } from '../support/chain';
import { readAaveMarkets } from '../support/aave-subgraph';
import { gqlData } from '../support/gateway-client';
import type { ProtocolUnderTest } from '../support/stack-process';

const DEFICIT_CREATED = parseAbiItem('event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated)');
const DEFICIT_COVERED = parseAbiItem('event DeficitCovered(address indexed reserve, address caller, uint256 amountCovered)');
const BASE_DECIMALS = 8; // AaveOracle BASE_CURRENCY_UNIT 1e8 (USD)

/**
 * Issue 4's oracle on the v3.6 devnet: the indexed deficit of every reserve equals
 * Pool.getReserveDeficit at every checkpoint; every DeficitCreated / DeficitCovered on chain is stored;
 * the gateway's realized bad debt and outstanding deficit equal the chain's figures valued with the
 * chain's own oracle.
 */
export function aaveV36DeficitSuite(ctx: () => { state: ProtocolUnderTest; chain: PublicClient; subgraph: SubgraphClient }) {
  const range = () => {
    const { state } = ctx();
    return { address: state.deployment.pool, fromBlock: BigInt(state.deployment.startBlock), toBlock: BigInt(state.indexedBlock) };
  };

  it('indexes each reserve deficit equal to Pool.getReserveDeficit at every checkpoint', async () => {
    const { state, chain, subgraph } = ctx();
    const names = state.scenario.checkpoints.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['after-liquidations', 'after-partial-coverage', 'after-full-coverage']));
    const mismatches: string[] = [];
    let sawDeficit = false;
    for (const cp of [...state.scenario.checkpoints, { name: 'indexed head', block: state.indexedBlock }]) {
      const block = Number(cp.block);
      const markets = await readAaveMarkets<{ id: string; inputToken: { id: string }; deficit: string }>(subgraph, { market: 'inputToken { id }', state: 'deficit' }, block);
      for (const reserve of state.deployment.reserves) {
        const onChain = await chain.readContract({ address: state.deployment.pool, abi: poolV36Abi, functionName: 'getReserveDeficit', args: [reserve.underlying], blockNumber: BigInt(block) });
        const indexed = markets.find((m) => lower(m.inputToken.id) === lower(reserve.underlying));
        if (onChain > 0n) sawDeficit = true;
        if (!indexed || BigInt(indexed.deficit) !== onChain) mismatches.push(`${cp.name} ${reserve.symbol}: indexed ${indexed?.deficit} chain ${onChain}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(sawDeficit).toBe(true);
  });

  it('stores every DeficitCreated as realized bad debt linked to its liquidation, and every DeficitCovered', async () => {
    const { chain, subgraph } = ctx();
    const created = await chain.getLogs({ ...range(), event: DEFICIT_CREATED });
    const covered = await chain.getLogs({ ...range(), event: DEFICIT_COVERED });
    expect(created.length).toBeGreaterThan(1);
    expect(covered.length).toBeGreaterThanOrEqual(2); // partial and full
    const rows = await subgraph.queryAll<{ id: string; txHash: string; logIndex: string; amount: string; account: { id: string }; market: { inputToken: { id: string } }; liquidation: { txHash: string } | null }>({
      collection: 'realizedBadDebts',
      fields: 'txHash logIndex amount account { id } market { inputToken { id } } liquidation { txHash }',
    });
    const byLog = new Map(rows.map((r) => [`${r.txHash}:${r.logIndex}`, r]));
    expect(rows).toHaveLength(created.length);
    for (const log of created) {
      const row = byLog.get(`${log.transactionHash}:${log.logIndex}`);
      expect({ log: log.logIndex, found: !!row }).toEqual({ log: log.logIndex, found: true });
      expect(BigInt(row!.amount)).toBe(log.args.amountCreated);
      expect(lower(row!.account.id)).toBe(lower(log.args.user!));
      expect(lower(row!.market.inputToken.id)).toBe(lower(log.args.debtAsset!));
      expect(row!.liquidation?.txHash).toBe(log.transactionHash);
    }
    const coverages = await subgraph.queryAll<{ id: string; amount: string }>({ collection: 'deficitCoverages', fields: 'amount' });
    expect(coverages.map((c) => BigInt(c.amount)).sort()).toEqual(covered.map((l) => l.args.amountCovered!).sort());
  });

  it('gateway: realized bad debt and outstanding deficit equal the chain valued with its own oracle', async () => {
    const { state, chain } = ctx();
    const created = await chain.getLogs({ ...range(), event: DEFICIT_CREATED });
    const decimalsOf = new Map(state.deployment.reserves.map((r) => [lower(r.underlying), r.decimals]));
    let realized = 0n;
    for (const log of created) {
      const price = await chain.readContract({ address: state.deployment.aaveOracle, abi: aaveOracleV36Abi, functionName: 'getAssetPrice', args: [log.args.debtAsset!], blockNumber: log.blockNumber! });
      realized += (log.args.amountCreated! * price) / 10n ** BigInt(decimalsOf.get(lower(log.args.debtAsset!))!);
    }
    const afterLiquidations = Number(state.scenario.checkpoints.find((c) => c.name === 'after-liquidations')!.block);
    let outstanding = 0n;
    for (const r of state.deployment.reserves) {
      const [deficit, price] = await Promise.all([
        chain.readContract({ address: state.deployment.pool, abi: poolV36Abi, functionName: 'getReserveDeficit', args: [r.underlying], blockNumber: BigInt(afterLiquidations) }),
        chain.readContract({ address: state.deployment.aaveOracle, abi: aaveOracleV36Abi, functionName: 'getAssetPrice', args: [r.underlying], blockNumber: BigInt(afterLiquidations) }),
      ]);
      outstanding += (deficit * price) / 10n ** BigInt(r.decimals);
    }
    const data = await gqlData<{
      protocol: { realizedBadDebtUSD: string; realizedBadDebtCount: number; outstandingDeficitUSD: string };
      realizedBadDebts: { totalCount: number; totalUSD: string; items: { liquidation: { txHash: string } | null; kind: string }[] };
    }>(
      state.gatewayUrl,
      `{ protocol(id: "${state.name}", block: ${afterLiquidations}) { realizedBadDebtUSD realizedBadDebtCount outstandingDeficitUSD }
         realizedBadDebts(protocol: "${state.name}", first: 1000) { totalCount totalUSD items { kind liquidation { txHash } } } }`,
    );
    expect(realized).toBeGreaterThan(0n);
    expect(data.protocol).toEqual({ realizedBadDebtUSD: formatUnits(realized, BASE_DECIMALS), realizedBadDebtCount: created.length, outstandingDeficitUSD: formatUnits(outstanding, BASE_DECIMALS) });
    expect(data.realizedBadDebts.totalCount).toBe(created.length);
    expect(data.realizedBadDebts.totalUSD).toBe(formatUnits(realized, BASE_DECIMALS));
    expect(data.realizedBadDebts.items.every((i) => i.kind === 'AAVE_DEFICIT' && i.liquidation !== null)).toBe(true);
  });

  it('gateway: who absorbed each write-off; covered equals the DeficitCovered logs and the rest Pool.getReserveDeficit, per reserve', async () => {
    const { state, chain } = ctx();
    const block = state.indexedBlock;
    const covered = await chain.getLogs({ ...range(), event: DEFICIT_COVERED });
    const data = await gqlData<{
      protocol: { realizedBadDebtUSD: string; realizedLoss: { count: number; totalUSD: string; coveredUSD: string; socializedUSD: string; deficitUSD: string } };
      realizedBadDebts: { items: { block: number; asset: { address: string; decimals: number }; amount: string; covered: string; socialized: string; deficit: string }[] };
    }>(
      state.gatewayUrl,
      `{ protocol(id: "${state.name}", block: ${block}) { realizedBadDebtUSD realizedLoss { count totalUSD coveredUSD socializedUSD deficitUSD } }
         realizedBadDebts(protocol: "${state.name}", toBlock: ${block}, first: 1000) { items { block asset { address decimals } amount covered socialized deficit } } }`,
    );
    const units = (s: string, dec: number) => parseUnits(s, dec);
    const items = data.realizedBadDebts.items.map((i) => ({ ...i, asset: lower(i.asset.address), amountRaw: units(i.amount, i.asset.decimals), coveredRaw: units(i.covered, i.asset.decimals), deficitRaw: units(i.deficit, i.asset.decimals) }));
    expect(items.length).toBeGreaterThan(1);
    let coveredBase = 0n;
    let sawCovered = false;
    for (const r of state.deployment.reserves) {
      const mine = items.filter((i) => i.asset === lower(r.underlying));
      const coveredOnChain = covered.filter((l) => lower(l.args.reserve!) === lower(r.underlying)).reduce((a, l) => a + l.args.amountCovered!, 0n);
      const deficitOnChain = await chain.readContract({ address: state.deployment.pool, abi: poolV36Abi, functionName: 'getReserveDeficit', args: [r.underlying], blockNumber: BigInt(block) });
      const got = { reserve: r.symbol, covered: mine.reduce((a, i) => a + i.coveredRaw, 0n), deficit: mine.reduce((a, i) => a + i.deficitRaw, 0n) };
      expect(got).toEqual({ reserve: r.symbol, covered: coveredOnChain, deficit: deficitOnChain });
      if (coveredOnChain > 0n) sawCovered = true;
      for (const i of mine) {
        expect({ parts: i.coveredRaw + i.deficitRaw, socialized: i.socialized }).toEqual({ parts: i.amountRaw, socialized: '0' });
        const price = await chain.readContract({ address: state.deployment.aaveOracle, abi: aaveOracleV36Abi, functionName: 'getAssetPrice', args: [r.underlying], blockNumber: BigInt(i.block) });
        coveredBase += (i.coveredRaw * price) / 10n ** BigInt(r.decimals);
      }
    }
    expect(sawCovered).toBe(true);
    const split = data.protocol.realizedLoss;
    const base = (s: string) => units(s, BASE_DECIMALS);
    // Aave never socializes; what is not covered is still a deficit, valued as the remainder at the loss prices.
    expect(split).toEqual({
      count: items.length,
      totalUSD: data.protocol.realizedBadDebtUSD,
      coveredUSD: formatUnits(coveredBase, BASE_DECIMALS),
      socializedUSD: '0',
      deficitUSD: formatUnits(base(data.protocol.realizedBadDebtUSD) - coveredBase, BASE_DECIMALS),
    });
  });
}
