// Gearbox V3 health in the gateway (server/families/gearbox-v3/math.ts) against the chain itself: on a
// real anvil with the devnet's Gearbox V3.1 and its seeded scenario, every credit account's debt,
// interest, fees, total value and TWV computed by the gateway's math from raw state (the gateway's own
// chain reads, balances by balanceOf) equal CreditManagerV3.calcDebtAndCollateral(ca, DEBT_COLLATERAL)
// at each checkpoint, to the unit; pool figures equal the pool's own views.
import type { Address } from 'viem';
import { useDevnet } from '../support/devnet-fixture';
import { poolAbi } from '../../devnet/gearbox-v3/abis';
import { deployGearboxV3 } from '../../devnet/gearbox-v3/deploy';
import { debtAndCollateral } from '../../devnet/scenario/gearbox-calls';
import { runGearboxScenario } from '../../devnet/scenario/gearbox-v3';
import { createRpcChainReader } from '../../server/sources/chain';
import { readAccountsChain, readPoolChain, type PoolReadSpec } from '../../server/families/gearbox-v3/chain';
import {
  baseInterestIndex,
  calcDebtAndCollateral,
  expectedLiquidity,
  healthFactorBps,
  isLiquidatable,
  latentBadDebt,
  liquidationThresholdAt,
  quotaCumulativeIndex,
  sharesToAssets,
  type HealthInputs,
} from '../../server/families/gearbox-v3/math';

jest.setTimeout(300_000);

const devnet = useDevnet(async (clients) => {
  const d = await deployGearboxV3(clients);
  return { deployment: d, result: await runGearboxScenario({ clients, deployment: d, seed: 'gearbox-math-1', accounts: 10 }) };
});

const erc20 = [{ type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'a', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] }] as const;
const lc = (a: string) => a.toLowerCase();

describe('Gearbox V3 math == the chain', () => {
  const state = () => devnet.state;
  const spec = (): PoolReadSpec => {
    const d = state().deployment;
    const underlying = d.tokens.find((t) => lc(t.address) === lc(d.underlying))!;
    return {
      pool: d.pool,
      underlying: { address: lc(underlying.address), decimals: underlying.decimals },
      quotaTokens: d.collaterals.map((c) => lc(c.token)),
      tokens: d.tokens.map((t) => ({ address: lc(t.address), decimals: t.decimals })),
      managers: [{ address: d.creditManager, collateralTokens: d.tokens.map((t) => lc(t.address)) }],
    };
  };
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[], blockNumber: bigint) =>
    state().clients.publicClient.readContract({ address, abi: abi as never, functionName, args, blockNumber } as never) as Promise<T>;

  test('every open credit account at every checkpoint: calcDebtAndCollateral to the unit', async () => {
    const { clients, deployment: d, result } = state();
    const chain = createRpcChainReader(clients.rpcUrl);
    const s = spec();
    let compared = 0;
    let withInterest = 0;
    let withQuotaInterest = 0;
    let liquidatable = 0;
    let insolvent = 0;
    for (const cp of result.checkpoints) {
      const block = BigInt(cp.block);
      const now = (await clients.publicClient.getBlock({ blockNumber: block })).timestamp;
      const pool = await readPoolChain(chain, s, cp.block);
      expect([pool.quotaKeeper, pool.priceOracle]).toEqual([lc(d.poolQuotaKeeper), lc(d.priceOracle)]);
      const cm = pool.managers.get(lc(d.creditManager))!;
      const h: HealthInputs = { now, pool: pool.pool, cm: cm.params, lastQuotaRateUpdate: pool.lastQuotaRateUpdate, quotaTokens: pool.quotaTokens, prices: pool.prices };
      // The pool's own views at the block, from the same interest state.
      expect(baseInterestIndex(pool.pool, now)).toBe(await read<bigint>(d.pool, poolAbi, 'baseInterestIndex', [], block));
      expect(expectedLiquidity(pool.pool, now)).toBe(await read<bigint>(d.pool, poolAbi, 'expectedLiquidity', [], block));
      const supply = await read<bigint>(d.pool, poolAbi, 'totalSupply', [], block);
      const treasury = await read<bigint>(d.pool, poolAbi, 'balanceOf', [d.treasury], block);
      expect(sharesToAssets(treasury, expectedLiquidity(pool.pool, now), supply)).toBe(await read<bigint>(d.pool, poolAbi, 'convertToAssets', [treasury], block));

      const open = result.creditAccounts.filter((a) => a.openBlock <= cp.block && !(a.closedBlock !== undefined && a.closedBlock <= cp.block));
      const accounts = await readAccountsChain(chain, pool.quotaKeeper, open.map((a) => ({ address: lc(a.creditAccount), creditManager: d.creditManager, quotedTokens: s.quotaTokens })), cp.block);
      for (const a of open) {
        const st = accounts.get(lc(a.creditAccount))!;
        expect(st.info.borrower).toBe(lc(a.owner));
        const balances = new Map<string, bigint>();
        for (const t of d.tokens) balances.set(lc(t.address), await read<bigint>(t.address, erc20, 'balanceOf', [a.creditAccount], block));
        const mine = calcDebtAndCollateral(h, { info: st.info, quotas: st.quotas, balances });
        const theirs = await debtAndCollateral(clients, d.creditManager, a.creditAccount, block);
        const pick = (x: typeof mine | typeof theirs) => ({
          debt: x.debt, cumulativeIndexNow: x.cumulativeIndexNow, cumulativeIndexLastUpdate: x.cumulativeIndexLastUpdate,
          cumulativeQuotaInterest: x.cumulativeQuotaInterest, accruedInterest: x.accruedInterest, accruedFees: x.accruedFees,
          totalDebtUSD: x.totalDebtUSD, totalValueUSD: x.totalValueUSD, twvUSD: x.twvUSD, totalValue: x.totalValue,
          quotedTokens: x.quotedTokens.map(lc),
        });
        expect({ checkpoint: cp.name, account: a.creditAccount, ...pick(mine) }).toEqual({ checkpoint: cp.name, account: a.creditAccount, ...pick(theirs) });
        // The health factor and the liquidation rule, from the chain's own figures.
        if (theirs.totalDebtUSD > 0n) expect(healthFactorBps(mine)).toBe((theirs.twvUSD * 10_000n) / theirs.totalDebtUSD);
        expect(isLiquidatable(mine, false)).toBe(theirs.debt > 0n && theirs.twvUSD < theirs.totalDebtUSD);
        compared++;
        if (mine.accruedInterest - mine.cumulativeQuotaInterest > 0n) withInterest++;
        if (mine.cumulativeQuotaInterest > 0n) withQuotaInterest++;
        if (isLiquidatable(mine, false)) liquidatable++;
        if (latentBadDebt(mine).usd > 0n) insolvent++;
      }
    }
    // The scenario exercises every term (a comparison of zeros would prove nothing).
    expect(compared).toBeGreaterThan(40);
    expect(withInterest).toBeGreaterThan(10);
    expect(withQuotaInterest).toBeGreaterThan(10);
    expect(liquidatable).toBeGreaterThan(0);
    expect(insolvent).toBeGreaterThan(0);
  });
});

describe('a stale feed (run last: it moves the chain past the staleness period)', () => {
  test("getPrice reverts and so does calcDebtAndCollateral; the reads take each main feed's latestRoundData answer and name the token stale", async () => {
    const { clients, deployment: d, result } = devnet.state;
    await clients.testClient.increaseTime({ seconds: d.stalenessPeriod + 3_600 });
    await clients.testClient.mine({ blocks: 1 });
    const block = await clients.publicClient.getBlockNumber();
    const open = result.creditAccounts.find((a) => a.closedBlock === undefined && a.role === 'healthy')!;
    await expect(debtAndCollateral(clients, d.creditManager, open.creditAccount, block)).rejects.toThrow();
    const tokens = d.tokens.map((t) => ({ address: lc(t.address), decimals: t.decimals }));
    const underlying = tokens.find((t) => t.address === lc(d.underlying))!;
    const pool = await readPoolChain(createRpcChainReader(clients.rpcUrl), { pool: d.pool, underlying, quotaTokens: d.collaterals.map((c) => lc(c.token)), tokens, managers: [{ address: d.creditManager, collateralTokens: tokens.map((t) => t.address) }] }, Number(block));
    expect([...pool.staleFeeds].sort()).toEqual(tokens.map((t) => t.address).sort());
    const latest = [{ type: 'function', name: 'latestRoundData', stateMutability: 'view', inputs: [], outputs: [{ name: 'r', type: 'uint80' }, { name: 'a', type: 'int256' }, { name: 's', type: 'uint256' }, { name: 'u', type: 'uint256' }, { name: 'i', type: 'uint80' }] }] as const;
    for (const t of d.tokens) {
      const [, answer] = await clients.publicClient.readContract({ address: t.feed.proxy, abi: latest, functionName: 'latestRoundData', blockNumber: block });
      expect({ token: t.symbol, price: pool.prices.get(lc(t.address))?.price }).toEqual({ token: t.symbol, price: answer });
    }
  });
});

describe('pure parts', () => {
  test('LT ramp (CreditLogic.getLiquidationThreshold): before, during and after', () => {
    const p = { ltInitial: 9000n, ltFinal: 8000n, timestampRampStart: 1000n, rampDuration: 100n };
    expect(liquidationThresholdAt(p, 1000n)).toBe(9000n);
    // (9000 * 75 + 8000 * 25) / 100 = 8750
    expect(liquidationThresholdAt(p, 1025n)).toBe(8750n);
    // (9000 * 67 + 8000 * 33) / 100 = 8670
    expect(liquidationThresholdAt(p, 1033n)).toBe(8670n);
    expect(liquidationThresholdAt(p, 1100n)).toBe(8000n);
  });

  test('quota index: 1e23 per bps-year, linear', () => {
    // 500 bps for half a year on index 1e27: + 1e23 * 15768000 * 500 / 31536000 = 2.5e25
    expect(quotaCumulativeIndex(10n ** 27n, 500n, 0n, 15_768_000n)).toBe(10n ** 27n + 25n * 10n ** 24n);
  });
});
