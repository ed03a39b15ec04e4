import { parseEventLogs, type Address } from 'viem';
import { poolAbi, poolQuotaKeeperAbi, priceOracleAbi } from '../../devnet/gearbox-v3/abis';
import { debtAndCollateral } from '../../devnet/scenario/gearbox-calls';
import { formatUnits } from '../../server/metrics/decimal';
import { devnetClients } from '../../devnet/chain/anvil';
import { lower } from '../support/chain';
import { gqlData } from '../support/gateway-client';
import { gearboxCheckpoints, type GearboxSuiteContext } from './gearbox-indexing.suite';

type Ctx = GearboxSuiteContext & { gatewayUrl: string; rpcUrl: string };

interface GatewayAccount {
  address: string;
  debtUSD: string;
  collateralUSD: string;
  healthFactor: string | null;
  liquidatable: boolean;
  badDebtUSD: string;
}

const USD = 8;
const erc20BalanceAbi = [{ type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'a', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] }] as const;

/**
 * The gateway's Gearbox V3 figures against the chain's own views at every scenario checkpoint:
 * every credit account's debt, total value, health factor (from twvUSD) and liquidation rule equal
 * CreditManagerV3.calcDebtAndCollateral; the pool's totals and the treasury's shares equal
 * PoolV3's views; the loss waterfall equals the Repay and IncurUncoveredLoss logs.
 */
export function gearboxGatewaySuite(ctx: () => Ctx) {
  const underlyingDecimals = (c: Ctx) => c.state.deployment.tokens.find((t) => lower(t.address) === lower(c.state.deployment.underlying))!.decimals;

  it('every credit account at every checkpoint: debt, total value, health and liquidatable equal calcDebtAndCollateral', async () => {
    const c = ctx();
    const { chain, gatewayUrl } = c;
    const d = c.state.deployment;
    const clients = devnetClients(c.rpcUrl);
    const mismatches: string[] = [];
    let compared = 0;
    let liquidatable = 0;
    let insolvent = 0;
    for (const cp of gearboxCheckpoints(c)) {
      const open = c.state.scenario.creditAccounts.filter((a) => BigInt(a.openBlock) <= cp.block && !(a.closedBlock !== undefined && BigInt(a.closedBlock) <= cp.block));
      const data = await gqlData<{ accounts: { totalCount: number; items: GatewayAccount[] } }>(
        gatewayUrl,
        `{ accounts(protocol: "gearbox-v3", block: ${cp.block}, first: 1000) { totalCount items { address debtUSD collateralUSD healthFactor liquidatable badDebtUSD } } }`,
      );
      const byAddress = new Map(data.accounts.items.map((a) => [lower(a.address), a]));
      // Listed: every open credit account that owes or holds something (the API lists accounts with a position).
      const onChain = await Promise.all(
        open.map(async (a) => {
          const x = await debtAndCollateral(clients, d.creditManager, a.creditAccount, cp.block);
          const balances = await Promise.all(d.tokens.map((t) => chain.readContract({ address: t.address, abi: erc20BalanceAbi, functionName: 'balanceOf', args: [a.creditAccount], blockNumber: cp.block })));
          return { a, x, listed: x.debt + x.accruedInterest + x.accruedFees > 0n || balances.some((b) => b > 0n) };
        }),
      );
      expect({ checkpoint: cp.name, accounts: [...byAddress.keys()].sort() }).toEqual({ checkpoint: cp.name, accounts: onChain.filter((o) => o.listed).map((o) => lower(o.a.creditAccount)).sort() });
      for (const { a, x, listed } of onChain) {
        if (!listed) continue;
        const expected = {
          debtUSD: formatUnits(x.totalDebtUSD, USD),
          collateralUSD: formatUnits(x.totalValueUSD, USD),
          healthFactor: x.totalDebtUSD === 0n ? null : formatUnits((x.twvUSD * 10n ** 18n) / x.totalDebtUSD, 18),
          // CreditFacadeV3._revertIfNotLiquidatable (the devnet facade does not expire)
          liquidatable: x.debt > 0n && x.twvUSD < x.totalDebtUSD,
          badDebtUSD: formatUnits(x.totalDebtUSD > x.totalValueUSD ? x.totalDebtUSD - x.totalValueUSD : 0n, USD),
        };
        const got = byAddress.get(lower(a.creditAccount));
        const actual = got && { debtUSD: got.debtUSD, collateralUSD: got.collateralUSD, healthFactor: got.healthFactor, liquidatable: got.liquidatable, badDebtUSD: got.badDebtUSD };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${cp.name} ${a.creditAccount} (${a.role}): gateway ${JSON.stringify(actual)} chain ${JSON.stringify(expected)}`);
        compared++;
        if (expected.liquidatable) liquidatable++;
        if (expected.badDebtUSD !== '0') insolvent++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(50);
    expect(liquidatable).toBeGreaterThan(0);
    expect(insolvent).toBeGreaterThan(0);
  }, 240_000);

  it("pool totals, the treasury's shares (insurance fund) and quota use equal the pool's and quota keeper's views", async () => {
    const c = ctx();
    const { chain, gatewayUrl } = c;
    const d = c.state.deployment;
    const dec = underlyingDecimals(c);
    for (const cp of gearboxCheckpoints(c)) {
      const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
        chain.readContract({ address, abi: abi as never, functionName, args, blockNumber: cp.block } as never) as Promise<T>;
      const [el, available, borrowed, treasuryShares, price] = await Promise.all([
        read<bigint>(d.pool, poolAbi, 'expectedLiquidity'),
        read<bigint>(d.pool, poolAbi, 'availableLiquidity'),
        read<bigint>(d.pool, poolAbi, 'totalBorrowed'),
        read<bigint>(d.pool, poolAbi, 'balanceOf', [d.treasury]),
        read<bigint>(d.priceOracle, priceOracleAbi, 'getPrice', [d.underlying]),
      ]);
      const treasuryAssets = await read<bigint>(d.pool, poolAbi, 'convertToAssets', [treasuryShares]);
      const quotas = await Promise.all(d.collaterals.map((q) => read<readonly [number, bigint, number, bigint, bigint, boolean]>(d.poolQuotaKeeper, poolQuotaKeeperAbi, 'getTokenQuotaParams', [q.token])));
      const data = await gqlData<{ protocol: { insuranceFund: { balanceUSD: string } | null; reservesUSD: string; markets: { totalSupplied: string; availableLiquidity: string; totalBorrowed: string; reserves: string; details: Record<string, unknown> & { insuranceFund: { assets: string; valueUSD: string }; quotaTokens: { token: { address: string }; totalQuoted: string; limit: string }[] } }[] } }>(
        gatewayUrl,
        `{ protocol(id: "gearbox-v3", block: ${cp.block}) { reservesUSD insuranceFund { balanceUSD } markets { totalSupplied availableLiquidity totalBorrowed reserves
          details { family ... on GearboxV3PoolDetails { expectedLiquidity availableLiquidity totalBorrowed treasuryShares insuranceFund { assets valueUSD } quotaTokens { token { address } totalQuoted limit } } } } } }`,
      );
      const m = data.protocol.markets[0];
      const u = (v: bigint) => formatUnits(v, dec);
      const usd = (v: bigint) => formatUnits((v * price) / 10n ** BigInt(dec), USD);
      expect({ cp: cp.name, el: m.details.expectedLiquidity, supplied: m.totalSupplied, available: m.availableLiquidity, detailsAvailable: m.details.availableLiquidity, borrowed: m.totalBorrowed, detailsBorrowed: m.details.totalBorrowed, shares: m.details.treasuryShares, reserves: m.reserves, fund: m.details.insuranceFund.assets })
        .toEqual({ cp: cp.name, el: u(el), supplied: u(el), available: u(available), detailsAvailable: u(available), borrowed: u(borrowed), detailsBorrowed: u(borrowed), shares: u(treasuryShares), reserves: u(treasuryAssets), fund: u(treasuryAssets) });
      expect({ cp: cp.name, fund: data.protocol.insuranceFund?.balanceUSD, reserves: data.protocol.reservesUSD, detail: m.details.insuranceFund.valueUSD }).toEqual({ cp: cp.name, fund: usd(treasuryAssets), reserves: usd(treasuryAssets), detail: usd(treasuryAssets) });
      const byToken = new Map(m.details.quotaTokens.map((q) => [lower(q.token.address), q]));
      d.collaterals.forEach((q, k) => {
        const g = byToken.get(lower(q.token));
        expect({ cp: cp.name, token: q.symbol, totalQuoted: g?.totalQuoted, limit: g?.limit }).toEqual({ cp: cp.name, token: q.symbol, totalQuoted: u(quotas[k][3]), limit: u(quotas[k][4]) });
      });
    }
  }, 240_000);

  it('the loss waterfall: covered + socialized per loss equal the Repay and IncurUncoveredLoss logs', async () => {
    const c = ctx();
    const { chain, gatewayUrl } = c;
    const d = c.state.deployment;
    const dec = underlyingDecimals(c);
    const head = BigInt(c.state.indexedBlock);
    const logs = parseEventLogs({ abi: poolAbi, logs: await chain.getLogs({ address: d.pool, fromBlock: BigInt(d.startBlock), toBlock: head }) });
    const expected = new Map<string, { amount: string; covered: string; socialized: string }>();
    for (const l of logs) {
      if (l.eventName !== 'Repay' || l.args.loss === 0n) continue;
      const uncovered = logs.find((x) => x.eventName === 'IncurUncoveredLoss' && x.transactionHash === l.transactionHash);
      const socialized = uncovered && uncovered.eventName === 'IncurUncoveredLoss' ? uncovered.args.loss : 0n;
      expected.set(l.transactionHash, { amount: formatUnits(l.args.loss, dec), covered: formatUnits(l.args.loss - socialized, dec), socialized: formatUnits(socialized, dec) });
    }
    expect([...expected.values()].some((e) => e.socialized !== '0')).toBe(true);
    expect([...expected.values()].some((e) => e.socialized === '0')).toBe(true);
    const data = await gqlData<{
      realizedBadDebts: { totalCount: number; items: { txHash: string; amount: string; covered: string; socialized: string; deficit: string; amountUSD: string | null }[] };
      socializedLosses: { totalCount: number; items: { txHash: string; badDebtAssets: string }[] };
    }>(
      gatewayUrl,
      `{ realizedBadDebts(protocol: "gearbox-v3", first: 1000) { totalCount items { txHash amount covered socialized deficit amountUSD } }
         socializedLosses(protocol: "gearbox-v3", first: 1000) { totalCount items { txHash badDebtAssets } } }`,
    );
    const got = new Map(data.realizedBadDebts.items.map((r) => [r.txHash, { amount: r.amount, covered: r.covered, socialized: r.socialized }]));
    expect(got).toEqual(expected);
    for (const r of data.realizedBadDebts.items) expect({ tx: r.txHash, deficit: r.deficit, priced: r.amountUSD !== null }).toEqual({ tx: r.txHash, deficit: '0', priced: true });
    const socialized = new Map([...expected].filter(([, e]) => e.socialized !== '0').map(([tx, e]) => [tx, e.socialized]));
    expect(new Map(data.socializedLosses.items.map((s) => [s.txHash, s.badDebtAssets]))).toEqual(socialized);
  }, 120_000);

  it('protocols lists Aave, Morpho and Gearbox side by side; Gearbox with its insurance fund', async () => {
    const c = ctx();
    const data = await gqlData<{ protocols: { slug: string; family: string; insuranceFund: { balanceUSD: string } | null; latentBadDebtUSD: string }[] }>(
      c.gatewayUrl,
      `{ protocols(block: ${c.state.indexedBlock}) { slug family insuranceFund { balanceUSD } latentBadDebtUSD } }`,
    );
    expect(data.protocols.map((p) => p.family).sort()).toEqual(['AAVE_V3', 'AAVE_V3', 'AAVE_V3', 'GEARBOX_V3', 'MORPHO_BLUE']);
    const g = data.protocols.find((p) => p.family === 'GEARBOX_V3')!;
    expect(g.insuranceFund).not.toBeNull();
  }, 60_000);
}
