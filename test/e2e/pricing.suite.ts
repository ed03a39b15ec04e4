import { parseAbi, type PublicClient } from 'viem';
import { createGateway } from '../../server/app';
import { formatUnits } from '../../server/metrics/decimal';
import { freePort } from '../../devnet/stack/ports';
import { gql, gqlData } from '../support/gateway-client';
import type { ProtocolUnderTest } from '../support/stack-process';
import type { SubgraphClient } from '../../server/sources/subgraph-client';

const ORACLE_ABI = parseAbi(['function getAssetPrice(address) view returns (uint256)']);
const BASE_DECIMALS = 8; // AaveOracle BASE_CURRENCY_UNIT 1e8 (USD)
/** "123.45" in `decimals` units -> 12345... as an integer (the gateway's exact decimal strings). */
const units = (s: string, decimals: number) => {
  const [whole, frac = ''] = s.split('.');
  return BigInt(whole + frac.padEnd(decimals, '0'));
};

interface Ctx {
  state: ProtocolUnderTest;
  chain: PublicClient;
  subgraph: SubgraphClient;
}

/**
 * Issue 8's oracle: prices are the protocol's own at the pinned block. On the mainnet-shaped devnet
 * (Chainlink proxies, a silent aggregator switch, an eventless exchange-ratio adapter) the prices the
 * subgraph indexed from events go stale; the gateway must still equal AaveOracle.getAssetPrice.
 */
export function oraclePricingSuite(ctx: () => Ctx) {
  it('every market price equals AaveOracle.getAssetPrice at every checkpoint, labelled ORACLE_CALL, while indexed event prices go stale', async () => {
    const { state, chain, subgraph } = ctx();
    const checkpoints = [...state.scenario.checkpoints.map((c) => ({ name: c.name, block: Number(c.block) })), { name: 'indexed head', block: state.indexedBlock }];
    const mismatches: string[] = [];
    const stale: string[] = [];
    for (const cp of checkpoints) {
      const data = await gqlData<{ protocol: { pricing: { source: string; asOfBlock: number; unpricedMarkets: string[] }; markets: { id: string; asset: { address: string; symbol: string }; priceUSD: string }[] } }>(
        state.gatewayUrl,
        `{ protocol(id: "${state.name}", block: ${cp.block}) { pricing { source asOfBlock unpricedMarkets } markets { id asset { address symbol } priceUSD } } }`,
      );
      expect({ checkpoint: cp.name, pricing: data.protocol.pricing }).toEqual({ checkpoint: cp.name, pricing: { source: 'ORACLE_CALL', asOfBlock: cp.block, unpricedMarkets: [] } });
      const indexed = await subgraph.query<{ markets: { id: string; price: string | null }[] }>(`{ markets(first: 1000, block: { number: ${cp.block} }) { id price } }`);
      for (const m of data.protocol.markets) {
        const chainPrice = await chain.readContract({ address: state.deployment.aaveOracle, abi: ORACLE_ABI, functionName: 'getAssetPrice', args: [m.asset.address as `0x${string}`], blockNumber: BigInt(cp.block) });
        if (m.priceUSD !== formatUnits(chainPrice, BASE_DECIMALS)) mismatches.push(`${cp.name} ${m.asset.symbol}: gateway ${m.priceUSD} chain ${formatUnits(chainPrice, BASE_DECIMALS)}`);
        const ix = indexed.markets.find((x) => x.id.toLowerCase() === m.id.toLowerCase())?.price;
        if (ix != null && BigInt(ix) !== chainPrice) stale.push(`${cp.name} ${m.asset.symbol}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The devnet must be as unfriendly as mainnet: some event-indexed price differs from the oracle's.
    expect(stale.length).toBeGreaterThan(0);
  });

  it("available liquidity equals the reserve's cash at every checkpoint (v3.0: the aToken's underlying balance; v3.1+: the virtual balance)", async () => {
    const { state, chain } = ctx();
    const d = state.deployment;
    const cashAbi = parseAbi(['function getVirtualUnderlyingBalance(address) view returns (uint128)', 'function balanceOf(address) view returns (uint256)']);
    const mismatches: string[] = [];
    for (const cp of [...state.scenario.checkpoints.map((c) => ({ name: c.name, block: Number(c.block) })), { name: 'indexed head', block: state.indexedBlock }]) {
      // The in-place upgrade turns a v3.0 market into v3.6 at upgradeBlock (virtual balances from then on).
      const virtual = d.version === '3.6' && (d.upgradeBlock === undefined || cp.block >= d.upgradeBlock);
      const data = await gqlData<{ protocol: { markets: { asset: { address: string; decimals: number; symbol: string }; availableLiquidity: string }[] } }>(
        state.gatewayUrl,
        `{ protocol(id: "${state.name}", block: ${cp.block}) { markets { asset { address decimals symbol } availableLiquidity } } }`,
      );
      for (const m of data.protocol.markets) {
        const r = d.reserves.find((x) => x.underlying.toLowerCase() === m.asset.address.toLowerCase())!;
        const cash = virtual
          ? await chain.readContract({ address: d.pool, abi: cashAbi, functionName: 'getVirtualUnderlyingBalance', args: [r.underlying], blockNumber: BigInt(cp.block) })
          : await chain.readContract({ address: r.underlying, abi: cashAbi, functionName: 'balanceOf', args: [r.aToken], blockNumber: BigInt(cp.block) });
        if (units(m.availableLiquidity, m.asset.decimals) !== cash) mismatches.push(`${cp.name} ${m.asset.symbol}: gateway ${m.availableLiquidity} chain ${formatUnits(cash, m.asset.decimals)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('liquidations and realized bad debt are valued at the oracle price of their own block', async () => {
    const { state, chain } = ctx();
    const data = await gqlData<{
      liquidations: { items: { block: number; debtAsset: { address: string; decimals: number }; collateralAsset: { address: string; decimals: number }; debtRepaid: string; collateralSeized: string; debtRepaidUSD: string; collateralSeizedUSD: string }[] };
      realizedBadDebts: { items: { block: number; asset: { address: string; decimals: number }; amount: string; amountUSD: string }[] };
    }>(
      state.gatewayUrl,
      `{ liquidations(protocol: "${state.name}", first: 1000) { items { block debtAsset { address decimals } collateralAsset { address decimals } debtRepaid collateralSeized debtRepaidUSD collateralSeizedUSD } }
         realizedBadDebts(protocol: "${state.name}", first: 1000) { items { block asset { address decimals } amount amountUSD } } }`,
    );
    expect(data.liquidations.items.length).toBeGreaterThan(0);
    const price = (asset: string, block: number) => chain.readContract({ address: state.deployment.aaveOracle, abi: ORACLE_ABI, functionName: 'getAssetPrice', args: [asset as `0x${string}`], blockNumber: BigInt(block) });
    const value = async (amount: string, t: { address: string; decimals: number }, block: number) => formatUnits((units(amount, t.decimals) * (await price(t.address, block))) / 10n ** BigInt(t.decimals), BASE_DECIMALS);
    const mismatches: string[] = [];
    for (const l of data.liquidations.items) {
      const want = { debtRepaidUSD: await value(l.debtRepaid, l.debtAsset, l.block), collateralSeizedUSD: await value(l.collateralSeized, l.collateralAsset, l.block) };
      const got = { debtRepaidUSD: l.debtRepaidUSD, collateralSeizedUSD: l.collateralSeizedUSD };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`liquidation at ${l.block}: gateway ${JSON.stringify(got)} chain ${JSON.stringify(want)}`);
    }
    for (const r of data.realizedBadDebts.items) {
      const want = await value(r.amount, r.asset, r.block);
      if (r.amountUSD !== want) mismatches.push(`realized bad debt at ${r.block}: gateway ${r.amountUSD} chain ${want}`);
    }
    expect(mismatches).toEqual([]);
  });
}

/**
 * A gateway without an RPC still serves Aave, from indexed prices, and says so where a dashboard or
 * a bot can see it; Morpho Blue (oracles emit no events) is refused with a stable code.
 */
export function rpcLessGatewaySuite(ctx: () => { subgraphs: Record<string, string>; aave: string; morpho: string }) {
  it('labels its figures as indexed-price based and warns; refuses Morpho with CHAIN_REQUIRED', async () => {
    const { subgraphs, aave, morpho } = ctx();
    const gateway = createGateway({ endpoints: Object.entries(subgraphs).map(([name, url]) => ({ name, url })) });
    const { url, stop } = await gateway.listen(await freePort());
    try {
      const body = await gql<{ protocol: { pricing: { source: string; asOfBlock: number | null }; latentBadDebtUSD: string } }>(url, `{ protocol(id: "${aave}") { pricing { source asOfBlock } latentBadDebtUSD } }`);
      expect(body.errors).toBeUndefined();
      expect(body.data!.protocol.pricing.source).toBe('INDEXED_EVENTS');
      expect(body.data!.protocol.pricing.asOfBlock).toEqual(expect.any(Number));
      const warnings = (body.extensions as { warnings?: string[] } | undefined)?.warnings ?? [];
      expect(warnings.some((w) => /no RPC is configured/.test(w) && /indexed oracle events/.test(w))).toBe(true);
      const refused = await gql(url, `{ protocol(id: "${morpho}") { latentBadDebtUSD } }`);
      expect(refused.errors?.[0]?.extensions?.code).toBe('CHAIN_REQUIRED');
    } finally {
      await stop();
    }
  });
}
