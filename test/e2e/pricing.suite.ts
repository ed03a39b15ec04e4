import { parseAbi, parseAbiItem, type PublicClient } from 'viem';
import { createGateway } from '../../server/app';
import { formatUnits } from '../../server/metrics/decimal';
import { freePort } from '../../devnet/stack/ports';
import { gql, gqlData } from '../support/gateway-client';
import { readAaveMarkets } from '../support/aave-subgraph';
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
      const indexed = { markets: await readAaveMarkets<{ id: string; price: string | null }>(subgraph, { state: 'price' }, cp.block) };
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
      liquidations: { totalCount: number; items: { block: number; debtAsset: { address: string; decimals: number }; collateralAsset: { address: string; decimals: number }; debtRepaid: string; collateralSeized: string; debtRepaidUSD: string; collateralSeizedUSD: string }[] };
      realizedBadDebts: { totalCount: number; items: { block: number; asset: { address: string; decimals: number }; amount: string; amountUSD: string }[] };
    }>(
      state.gatewayUrl,
      `{ liquidations(protocol: "${state.name}", first: 1000) { totalCount items { block debtAsset { address decimals } collateralAsset { address decimals } debtRepaid collateralSeized debtRepaidUSD collateralSeizedUSD } }
         realizedBadDebts(protocol: "${state.name}", first: 1000) { totalCount items { block asset { address decimals } amount amountUSD } } }`,
    );
    expect(data.liquidations.items.length).toBeGreaterThan(0);
    // Every one is compared: the page holds the whole range.
    expect(data.liquidations.items.length).toBe(data.liquidations.totalCount);
    expect(data.realizedBadDebts.items.length).toBe(data.realizedBadDebts.totalCount);
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

/**
 * The in-place upgrade switches the Pool first and each aToken / variable debt token in later
 * transactions (as mainnet payloads can land): at every block of that window, every account's token
 * balances and every market's totals from the gateway equal the tokens' own balanceOf / totalSupply.
 */
export function upgradeWindowSuite(ctx: () => Ctx) {
  it('token balances are exact at every block of the in-place upgrade', async () => {
    const { state, chain } = ctx();
    const d = state.deployment;
    expect(d.upgradeBlock).toEqual(expect.any(Number));
    const upgraded = parseAbiItem('event Upgraded(address indexed implementation)');
    const tokens = d.reserves.flatMap((r) => [r.aToken, r.variableDebtToken]);
    const logs = await chain.getLogs({ address: tokens, event: upgraded, fromBlock: BigInt(d.upgradeBlock!), toBlock: BigInt(state.indexedBlock) });
    const lastSwitch = Math.max(...logs.map((l) => Number(l.blockNumber)));
    // The window exists: the tokens moved to v3.6 after the Pool did.
    expect(lastSwitch).toBeGreaterThan(d.upgradeBlock!);
    const erc20 = parseAbi(['function balanceOf(address) view returns (uint256)', 'function totalSupply() view returns (uint256)']);
    const accounts = [...new Set(state.scenario.accounts.map((a) => a.toLowerCase()))];
    const mismatches: string[] = [];
    let compared = 0;
    for (let block = d.upgradeBlock! - 1; block <= lastSwitch + 1; block++) {
      const at = BigInt(block);
      for (let i = 0; i < accounts.length; i += 100) {
        const slice = accounts.slice(i, i + 100);
        const data = await gqlData<Record<string, { positions: { asset: { address: string; decimals: number }; supplied: string; borrowed: string; collateral: boolean }[] }>>(
          state.gatewayUrl,
          `{ ${slice.map((a, j) => `a${j}: account(protocol: "${state.name}", address: "${a}", block: ${block}) { positions { asset { address decimals } supplied borrowed } }`).join('\n')} }`,
        );
        for (const [j, user] of slice.entries()) {
          for (const r of d.reserves) {
            const p = data[`a${j}`].positions.find((x) => x.asset.address.toLowerCase() === r.underlying.toLowerCase());
            const [supplied, borrowed] = await Promise.all([
              chain.readContract({ address: r.aToken, abi: erc20, functionName: 'balanceOf', args: [user as `0x${string}`], blockNumber: at }),
              chain.readContract({ address: r.variableDebtToken, abi: erc20, functionName: 'balanceOf', args: [user as `0x${string}`], blockNumber: at }),
            ]);
            const got = { supplied: p ? units(p.supplied, r.decimals) : 0n, borrowed: p ? units(p.borrowed, r.decimals) : 0n };
            compared++;
            if (got.supplied !== supplied || got.borrowed !== borrowed) mismatches.push(`block ${block} ${user} ${r.symbol}: gateway ${got.supplied}/${got.borrowed} chain ${supplied}/${borrowed}`);
          }
        }
      }
      const markets = await gqlData<{ protocol: { markets: { asset: { address: string }; totalSupplied: string; totalBorrowed: string }[] } }>(
        state.gatewayUrl,
        `{ protocol(id: "${state.name}", block: ${block}) { markets { asset { address } totalSupplied totalBorrowed } } }`,
      );
      for (const r of d.reserves) {
        const m = markets.protocol.markets.find((x) => x.asset.address.toLowerCase() === r.underlying.toLowerCase())!;
        const [supply, debt] = await Promise.all([
          chain.readContract({ address: r.aToken, abi: erc20, functionName: 'totalSupply', blockNumber: at }),
          chain.readContract({ address: r.variableDebtToken, abi: erc20, functionName: 'totalSupply', blockNumber: at }),
        ]);
        if (units(m.totalSupplied, r.decimals) !== supply || units(m.totalBorrowed, r.decimals) !== debt) mismatches.push(`block ${block} ${r.symbol} totals: gateway ${m.totalSupplied}/${m.totalBorrowed} chain ${supply}/${debt}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
}
