// Deploys Gearbox V3.1 (compiled from @gearbox-protocol/core-v3@1.52.1 with solc 0.8.17) on a real anvil, runs
// the seeded scenario and checks its outcomes on the chain itself: the credit manager's own
// calcDebtAndCollateral, the facade's and pool's events, the pool's views, the quota keeper's limits.
import fs from 'node:fs';
import { decodeErrorResult, parseEventLogs, type Address, type Hex } from 'viem';
import { useDevnet } from '../support/devnet-fixture';
import { mintableErc20Abi } from '../../devnet/aave-v3/abis';
import { feedProxyAbi } from '../../devnet/chainlink/feeds';
import {
  addressProviderAbi,
  creditFacadeAbi,
  creditManagerAbi,
  gearboxErrorsAbi,
  poolAbi,
  poolQuotaKeeperAbi,
  priceOracleAbi,
} from '../../devnet/gearbox-v3/abis';
import { compileGearbox } from '../../devnet/gearbox-v3/compile';
import { deployGearboxV3, sharedWithGearbox, type GearboxDeployment } from '../../devnet/gearbox-v3/deploy';
import { deployAaveV3 } from '../../devnet/aave-v3/deploy';
import { TxSender } from '../../devnet/chain/txs';
import { updateAnswer } from '../../devnet/chainlink/feeds';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, devnetClients, freePort, startAnvil, type DevnetClients } from '../../devnet/chain/anvil';
import { GearboxDevnetError } from '../../devnet/gearbox-v3/errors';
import { renderGearboxAbis } from '../../devnet/gearbox-v3/export-abis';
import { debtAndCollateral, step } from '../../devnet/scenario/gearbox-calls';
import { planGearboxScenario } from '../../devnet/scenario/gearbox-plan';
import { runGearboxScenario, type GearboxScenarioResult } from '../../devnet/scenario/gearbox-v3';

jest.setTimeout(240_000);

const SEED = 'jest-gearbox-1';
const ACCOUNTS = 12;
const devnet = useDevnet(async (clients) => {
  const d = await deployGearboxV3(clients);
  return { deployment: d, result: await runGearboxScenario({ clients, deployment: d, seed: SEED, accounts: ACCOUNTS }) };
});
const { block } = devnet;
let clients: DevnetClients;
let d: GearboxDeployment;
let result: GearboxScenarioResult;
beforeAll(() => ({ clients, deployment: d, result } = devnet.state));

const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = [], blockNumber?: bigint) =>
  clients.publicClient.readContract({ address, abi: abi as never, functionName, args, blockNumber } as never) as Promise<T>;
const receipt = (hash: Hex) => clients.publicClient.getTransactionReceipt({ hash });
const poolLogs = async (toBlock: bigint) =>
  parseEventLogs({ abi: poolAbi, logs: await clients.publicClient.getLogs({ address: d.pool, fromBlock: BigInt(d.startBlock), toBlock }) });
/** Share price: assets for 1e18 shares (shares have the underlying's 6 decimals; the large probe keeps rounding out). */
const sharePrice = (blockNumber: bigint) => read<bigint>(d.pool, poolAbi, 'convertToAssets', [10n ** 18n], blockNumber);
const treasuryShares = (blockNumber: bigint) => read<bigint>(d.pool, poolAbi, 'balanceOf', [d.treasury], blockNumber);
const tokenOf = (symbol: string) => d.tokens.find((t) => t.symbol === symbol)!;

describe('compile and deployment', () => {
  test('solc 0.8.17; CreditFacadeV3 runtime code on the chain is under EIP-170 (24,576 bytes)', async () => {
    const a = await compileGearbox();
    expect(a.compiler).toBe('0.8.17');
    const code = await clients.publicClient.getCode({ address: d.creditFacade });
    const size = (code!.length - 2) / 2;
    expect(size).toBeGreaterThan(20_000);
    expect(size).toBeLessThanOrEqual(24_576);
  });

  test('devnet/gearbox-v3/abis.ts is current', async () => {
    for (const [file, text] of Object.entries(await renderGearboxAbis())) {
      expect({ file, text: fs.readFileSync(file, 'utf8') }).toEqual({ file, text });
    }
  });

  test('the wiring read back from the contracts', async () => {
    const cm = d.creditManager;
    expect(await read(d.pool, poolAbi, 'asset')).toBe(d.underlying);
    expect(await read(d.pool, poolAbi, 'treasury')).toBe(d.treasury);
    expect(await read(d.pool, poolAbi, 'interestRateModel')).toBe(d.interestRateModel);
    expect(await read(d.pool, poolAbi, 'poolQuotaKeeper')).toBe(d.poolQuotaKeeper);
    expect(await read(d.pool, poolAbi, 'creditManagers')).toEqual([cm]);
    expect(await read(d.poolQuotaKeeper, poolQuotaKeeperAbi, 'gauge')).toBe(d.gauge);
    expect(await read(cm, creditManagerAbi, 'pool')).toBe(d.pool);
    expect(await read(cm, creditManagerAbi, 'creditFacade')).toBe(d.creditFacade);
    expect(await read(cm, creditManagerAbi, 'creditConfigurator')).toBe(d.creditConfigurator);
    expect(await read(cm, creditManagerAbi, 'priceOracle')).toBe(d.priceOracle);
    expect(await read(cm, creditManagerAbi, 'accountFactory')).toBe(d.accountFactory);
    expect(await read(d.creditFacade, creditFacadeAbi, 'lossPolicy')).toBe(d.lossPolicy);
    expect(await read(d.creditFacade, creditFacadeAbi, 'botList')).toBe(d.botList);
    expect(await read(d.creditFacade, creditFacadeAbi, 'priceFeedStore')).toBe(d.priceFeedStore);
    expect(await read(d.creditFacade, creditFacadeAbi, 'debtLimits')).toEqual([BigInt(d.debtLimits.minDebt), BigInt(d.debtLimits.maxDebt)]);
    expect(await read(d.addressProvider, addressProviderAbi, 'isPool', [d.pool])).toBe(true);
    expect(await read(d.addressProvider, addressProviderAbi, 'isCreditManager', [cm])).toBe(true);
    for (const t of d.tokens) {
      // PriceOracleV3 reads the real Chainlink proxy, whose aggregator is the one recorded.
      expect(await read(d.priceOracle, priceOracleAbi, 'priceFeeds', [t.address])).toBe(t.feed.proxy);
      expect(await read(t.feed.proxy, feedProxyAbi, 'aggregator', [], BigInt(d.quotaRatesBlock))).toBe(t.feed.aggregator);
      expect(await read(t.address, mintableErc20Abi, 'decimals')).toBe(t.decimals);
    }
    for (const c of d.collaterals) {
      expect(await read(cm, creditManagerAbi, 'liquidationThresholds', [c.token])).toBe(c.lt);
      const [rate, , fee, , limit, isActive] = await read<readonly [number, bigint, number, bigint, bigint, boolean]>(d.poolQuotaKeeper, poolQuotaKeeperAbi, 'getTokenQuotaParams', [c.token], BigInt(d.readyBlock));
      expect({ symbol: c.symbol, rate, fee, limit, isActive }).toEqual({ symbol: c.symbol, rate: c.minRate, fee: c.quotaIncreaseFee, limit: BigInt(c.quotaLimit), isActive: true });
      // No quota rate before the first gauge epoch update (quotas could not be bought then).
      expect(await read(d.poolQuotaKeeper, poolQuotaKeeperAbi, 'getQuotaRate', [c.token], BigInt(d.quotaRatesBlock) - 1n)).toBe(0);
    }
  });
});

describe('plan', () => {
  test('a pure function of the seed, one account per loss role, typed error below 6 accounts', () => {
    expect(planGearboxScenario('a', 20)).toEqual(planGearboxScenario('a', 20));
    expect(planGearboxScenario('a', 20)).not.toEqual(planGearboxScenario('b', 20));
    const roles = planGearboxScenario(SEED, ACCOUNTS).accounts.map((a) => a.role);
    expect(roles.filter((r) => r === 'uncovered-loss')).toHaveLength(1);
    expect(roles.filter((r) => r === 'covered-loss')).toHaveLength(1);
    expect(roles.filter((r) => r === 'partial')).toHaveLength(1);
    expect(roles.filter((r) => r === 'liquidated')).toHaveLength(2);
    expect(() => planGearboxScenario('a', 5)).toThrow(expect.objectContaining({ code: 'GEARBOX_PLAN_INVALID' }) as unknown as GearboxDevnetError);
  });
});

describe('scenario outcomes on the chain', () => {
  test('checkpoints in order; every credit account belongs to its borrower', async () => {
    expect(result.checkpoints.map((c) => c.name)).toEqual(['setup', 'after-interest', 'before-crash', 'after-crash', 'after-liquidations', 'after-covered-loss', 'after-uncovered-loss', 'end']);
    const blocks = result.checkpoints.map((c) => c.block);
    expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);
    expect(result.creditAccounts).toHaveLength(ACCOUNTS);
    for (const a of result.creditAccounts) {
      expect(await read(d.creditManager, creditManagerAbi, 'getBorrowerOrRevert', [a.creditAccount], block('setup'))).toBe(a.owner);
    }
    const opened = parseEventLogs({ abi: creditFacadeAbi, eventName: 'OpenCreditAccount', logs: await clients.publicClient.getLogs({ address: d.creditFacade, fromBlock: BigInt(d.startBlock), toBlock: block('setup') }) });
    expect(opened.map((l) => l.args.creditAccount).sort()).toEqual(result.creditAccounts.map((a) => a.creditAccount).sort());
  });

  test('calcDebtAndCollateral: all healthy before the crash; after it, healthy ones healthy and the others liquidatable (twvUSD < totalDebtUSD)', async () => {
    for (const name of ['setup', 'after-interest', 'before-crash'] as const) {
      for (const a of result.creditAccounts) {
        const cdd = await debtAndCollateral(clients, d.creditManager, a.creditAccount, block(name));
        expect({ at: name, account: a.creditAccount, debt: cdd.debt > 0n, healthy: cdd.twvUSD >= cdd.totalDebtUSD }).toEqual({ at: name, account: a.creditAccount, debt: true, healthy: true });
      }
    }
    const premium = BigInt(d.fees.liquidationPremium);
    for (const a of result.creditAccounts) {
      const cdd = await debtAndCollateral(clients, d.creditManager, a.creditAccount, block('after-crash'));
      // CreditFacadeV3._hasBadDebt: totalValue x (1 - premium) < debt + interest
      const badDebt = cdd.totalValue * (10_000n - premium) < (cdd.debt + cdd.accruedInterest) * 10_000n;
      expect({ account: a.creditAccount, role: a.role, liquidatable: cdd.twvUSD < cdd.totalDebtUSD, badDebt }).toEqual({
        account: a.creditAccount, role: a.role, liquidatable: a.role !== 'healthy', badDebt: a.role === 'covered-loss' || a.role === 'uncovered-loss',
      });
    }
  });

  test('interest accrued: debt with interest grew between setup and before-crash', async () => {
    const a = result.creditAccounts.find((x) => x.role === 'uncovered-loss')!;
    const [s, b] = await Promise.all([debtAndCollateral(clients, d.creditManager, a.creditAccount, block('setup')), debtAndCollateral(clients, d.creditManager, a.creditAccount, block('before-crash'))]);
    expect(b.debt).toBe(s.debt);
    expect(b.accruedInterest).toBeGreaterThan(s.accruedInterest);
    expect(await sharePrice(block('before-crash'))).toBeGreaterThan(await sharePrice(block('setup')));
  });

  test('liquidations emitted LiquidateCreditAccount / PartiallyLiquidateCreditAccount; full ones left no debt, the partial one left a healthy account', async () => {
    const liquidated = result.creditAccounts.filter((a) => a.role !== 'healthy');
    expect(result.liquidations).toHaveLength(liquidated.length);
    for (const a of liquidated) {
      const l = a.liquidation!;
      const r = await receipt(l.tx);
      const events = parseEventLogs({ abi: creditFacadeAbi, logs: r.logs });
      const after = await debtAndCollateral(clients, d.creditManager, a.creditAccount, BigInt(l.block));
      if (a.role === 'partial') {
        const ev = events.find((e) => e.eventName === 'PartiallyLiquidateCreditAccount');
        expect(ev?.args).toMatchObject({ creditAccount: a.creditAccount, token: a.collateralToken, liquidator: l.liquidator });
        const before = await debtAndCollateral(clients, d.creditManager, a.creditAccount, BigInt(l.block) - 1n);
        expect(after.debt).toBeLessThan(before.debt);
        expect(after.debt).toBeGreaterThanOrEqual(BigInt(d.debtLimits.minDebt));
        expect(after.twvUSD).toBeGreaterThanOrEqual(after.totalDebtUSD);
      } else {
        const ev = events.find((e) => e.eventName === 'LiquidateCreditAccount');
        expect(ev?.args).toMatchObject({ creditAccount: a.creditAccount, liquidator: l.liquidator, to: l.liquidator });
        expect(after.debt).toBe(0n);
      }
    }
  });

  test('liquidations without loss: the liquidator profits at oracle prices, the treasury is minted the fee (Repay.profit > 0)', async () => {
    for (const a of result.creditAccounts.filter((x) => x.role === 'liquidated')) {
      const l = a.liquidation!;
      const r = await receipt(l.tx);
      const transfers = parseEventLogs({ abi: mintableErc20Abi, eventName: 'Transfer', logs: r.logs });
      const sum = (tokenAddr: Address, pred: (x: { from: Address; to: Address }) => boolean) =>
        transfers.filter((t) => t.address.toLowerCase() === tokenAddr.toLowerCase() && pred(t.args)).reduce((s, t) => s + t.args.value, 0n);
      const paid = sum(d.underlying, (x) => x.from === l.liquidator) - sum(d.underlying, (x) => x.to === l.liquidator);
      const seized = sum(a.collateralToken, (x) => x.to === l.liquidator);
      const at = BigInt(l.block) - 1n;
      const [paidUSD, seizedUSD] = await Promise.all([
        read<bigint>(d.priceOracle, priceOracleAbi, 'convertToUSD', [paid, d.underlying], at),
        read<bigint>(d.priceOracle, priceOracleAbi, 'convertToUSD', [seized, a.collateralToken], at),
      ]);
      expect(paid).toBeGreaterThan(0n);
      expect(seizedUSD).toBeGreaterThan(paidUSD);
      const repay = parseEventLogs({ abi: poolAbi, eventName: 'Repay', logs: r.logs });
      expect(repay).toHaveLength(1);
      expect(repay[0].args.creditManager).toBe(d.creditManager);
      expect(repay[0].args.profit).toBeGreaterThan(0n);
      expect(repay[0].args.loss).toBe(0n);
      expect(parseEventLogs({ abi: poolAbi, eventName: 'Transfer', logs: r.logs }).some((t) => t.args.to === d.treasury && t.args.value > 0n)).toBe(true);
    }
  });

  test('the covered loss burned treasury shares, with no IncurUncoveredLoss and no share-price drop; quota limit zeroed, borrowing stopped', async () => {
    const l = result.creditAccounts.find((a) => a.role === 'covered-loss')!.liquidation!;
    const r = await receipt(l.tx);
    const repay = parseEventLogs({ abi: poolAbi, eventName: 'Repay', logs: r.logs });
    expect(repay[0].args.loss).toBeGreaterThan(0n);
    expect(parseEventLogs({ abi: poolAbi, eventName: 'IncurUncoveredLoss', logs: r.logs })).toHaveLength(0);
    const burned = parseEventLogs({ abi: poolAbi, eventName: 'Transfer', logs: r.logs }).filter((t) => t.args.from === d.treasury && t.args.to === '0x0000000000000000000000000000000000000000');
    expect(burned).toHaveLength(1);
    const [before, after] = [await treasuryShares(BigInt(l.block) - 1n), await treasuryShares(BigInt(l.block))];
    expect(after).toBe(before - burned[0].args.value);
    expect(after).toBeGreaterThan(0n);
    expect(await sharePrice(BigInt(l.block))).toBeGreaterThanOrEqual(await sharePrice(BigInt(l.block) - 1n));
    // A liquidation with loss also zeroes the quota limits of the account's quoted tokens (removeQuotas, setLimitsToZero).
    const weth = tokenOf('WETH').address;
    expect(parseEventLogs({ abi: poolQuotaKeeperAbi, eventName: 'SetTokenLimit', logs: r.logs }).map((e) => e.args)).toEqual([{ token: weth, limit: 0n }]);
    const limitAt = async (b: bigint) => (await read<readonly [number, bigint, number, bigint, bigint, boolean]>(d.poolQuotaKeeper, poolQuotaKeeperAbi, 'getTokenQuotaParams', [weth], b))[4];
    expect(await limitAt(BigInt(l.block) - 1n)).toBe(BigInt(d.collaterals.find((c) => c.symbol === 'WETH')!.quotaLimit));
    expect(await limitAt(BigInt(l.block))).toBe(0n);
    // CreditFacadeV3 forbids new debt after a liquidation with loss (maxDebtPerBlockMultiplier = 0).
    expect(await read(d.creditFacade, creditFacadeAbi, 'maxDebtPerBlockMultiplier', [], BigInt(l.block) - 1n)).toBe(2);
    expect(await read(d.creditFacade, creditFacadeAbi, 'maxDebtPerBlockMultiplier', [], BigInt(l.block))).toBe(0);
  });

  test('the uncovered loss emitted IncurUncoveredLoss, emptied the treasury and cut the share price', async () => {
    const l = result.creditAccounts.find((a) => a.role === 'uncovered-loss')!.liquidation!;
    const r = await receipt(l.tx);
    const [uncovered] = parseEventLogs({ abi: poolAbi, eventName: 'IncurUncoveredLoss', logs: r.logs });
    expect(uncovered.args.creditManager).toBe(d.creditManager);
    expect(uncovered.args.loss).toBeGreaterThan(0n);
    const [repay] = parseEventLogs({ abi: poolAbi, eventName: 'Repay', logs: r.logs });
    expect(repay.args.loss).toBeGreaterThan(uncovered.args.loss);
    const before = BigInt(l.block) - 1n;
    expect(await treasuryShares(before)).toBeGreaterThan(0n);
    expect(await treasuryShares(BigInt(l.block))).toBe(0n);
    // Repay.loss = treasury's assets burned + the uncovered rest. The treasury's assets are read one block
    // earlier (the pool accrues one block of interest inside the liquidation): equal to 1 ppm.
    const treasuryAssets = await read<bigint>(d.pool, poolAbi, 'convertToAssets', [await treasuryShares(before)], before);
    const diff = repay.args.loss - (treasuryAssets + uncovered.args.loss);
    expect(diff < 0n ? -diff : diff).toBeLessThanOrEqual(repay.args.loss / 1_000_000n);
    const [p0, p1] = [await sharePrice(before), await sharePrice(BigInt(l.block))];
    expect(p1).toBeLessThan(p0);
  });

  test('pool views agree with the logs: availableLiquidity = USDC in - out, totalBorrowed = Borrow - Repay, expectedLiquidity covers both', async () => {
    for (const c of result.checkpoints) {
      const b = BigInt(c.block);
      const transfers = parseEventLogs({ abi: mintableErc20Abi, eventName: 'Transfer', logs: await clients.publicClient.getLogs({ address: d.underlying, fromBlock: BigInt(d.startBlock), toBlock: b }) });
      const cash = transfers.reduce((s, t) => s + (t.args.to === d.pool ? t.args.value : 0n) - (t.args.from === d.pool ? t.args.value : 0n), 0n);
      const logs = await poolLogs(b);
      let borrowed = 0n;
      for (const l of logs) {
        if (l.eventName === 'Borrow') borrowed += l.args.amount;
        if (l.eventName === 'Repay') borrowed -= l.args.borrowedAmount;
      }
      const [available, totalBorrowed, expected] = await Promise.all(['availableLiquidity', 'totalBorrowed', 'expectedLiquidity'].map((fn) => read<bigint>(d.pool, poolAbi, fn, [], b)));
      expect({ at: c.name, available, totalBorrowed }).toEqual({ at: c.name, available: cash, totalBorrowed: borrowed });
      expect(expected).toBeGreaterThanOrEqual(available + totalBorrowed);
    }
    // At setup nothing was repaid yet: expected liquidity = deposits plus a few blocks of interest.
    const deposits = (await poolLogs(block('setup'))).filter((l) => l.eventName === 'Deposit');
    expect(deposits).toHaveLength(result.depositors.length + 1);
    const deposited = deposits.reduce((s, l) => s + (l.args as { assets: bigint }).assets, 0n);
    const expected = await read<bigint>(d.pool, poolAbi, 'expectedLiquidity', [], block('setup'));
    expect(expected).toBeGreaterThanOrEqual(deposited);
    expect(expected - deposited).toBeLessThan(deposited / 10_000n);
    const refer = (await poolLogs(block('setup'))).filter((l) => l.eventName === 'Refer');
    expect(refer.map((l) => l.args)).toEqual([expect.objectContaining({ onBehalfOf: result.depositors[0], referralCode: 7n })]);
  });

  test('quota limits are enforced: one unit over the LINK limit reverts with QuotaIsOutOfBoundsException, the limit itself does not', async () => {
    const b = block('before-crash');
    const link = tokenOf('LINK').address;
    const [, , , totalQuoted, limit] = await read<readonly [number, bigint, number, bigint, bigint, boolean]>(d.poolQuotaKeeper, poolQuotaKeeperAbi, 'getTokenQuotaParams', [link], b);
    const room = limit - totalQuoted;
    expect(room).toBeGreaterThan(0n);
    const a = result.creditAccounts.find((x) => x.role === 'healthy' && x.collateral !== 'LINK') ?? result.creditAccounts.find((x) => x.role === 'healthy')!;
    const simulate = (amount: bigint) => clients.publicClient.simulateContract({
      account: a.owner, address: d.creditFacade, abi: creditFacadeAbi, functionName: 'multicall', blockNumber: b,
      args: [a.creditAccount, [step(d.creditFacade, { fn: 'updateQuota', token: link, change: amount, minQuota: amount })]],
    });
    await expect(simulate(room)).resolves.toBeDefined();
    const err = await simulate(room + 1n).then(() => undefined, (e: { walk: (f: (x: unknown) => boolean) => { data?: Hex } | null }) => e);
    expect(err).toBeDefined();
    const data = (err as { walk: (f: (x: unknown) => boolean) => { data?: Hex; raw?: Hex } | null }).walk((x) => typeof (x as { raw?: unknown }).raw === 'string' || typeof (x as { data?: unknown }).data === 'string');
    const raw = (data?.raw ?? data?.data) as Hex;
    expect(decodeErrorResult({ abi: gearboxErrorsAbi, data: raw }).errorName).toBe('QuotaIsOutOfBoundsException');
  });

  test('the closing borrower repaid everything and closed: CloseCreditAccount, zero debt, collateral back', async () => {
    const a = result.creditAccounts.find((x) => x.closedBlock)!;
    expect(a.role).toBe('healthy');
    const logs = parseEventLogs({ abi: creditFacadeAbi, eventName: 'CloseCreditAccount', logs: await clients.publicClient.getLogs({ address: d.creditFacade, fromBlock: BigInt(a.closedBlock!), toBlock: BigInt(a.closedBlock!) }) });
    expect(logs.map((l) => l.args)).toEqual([{ creditAccount: a.creditAccount, borrower: a.owner }]);
    // Closed accounts go back to the factory: the credit manager no longer knows them.
    const closed = BigInt(a.closedBlock!);
    expect(await read<readonly Address[]>(d.creditManager, creditManagerAbi, 'creditAccounts', [], closed - 1n)).toContain(a.creditAccount);
    expect(await read<readonly Address[]>(d.creditManager, creditManagerAbi, 'creditAccounts', [], closed)).not.toContain(a.creditAccount);
    await expect(debtAndCollateral(clients, d.creditManager, a.creditAccount, closed)).rejects.toThrow('CreditAccountDoesNotExistException');
    expect(await read(a.collateralToken, mintableErc20Abi, 'balanceOf', [a.creditAccount], BigInt(a.closedBlock!))).toBeLessThanOrEqual(1n);
  });
});


describe('on the Aave v3.0 devnet tokens', () => {
  test("USDC, WETH and WBTC are Aave's tokens and proxies, LINK Gearbox's own; the scenario resets a moved shared feed and runs", async () => {
    const anvil = await startAnvil({ port: await freePort() });
    try {
      const c = devnetClients(anvil.rpcUrl);
      const aave = await deployAaveV3(c);
      const g = await deployGearboxV3(c, { existingTokens: sharedWithGearbox(aave) });
      for (const t of g.tokens) {
        const r = aave.reserves.find((x) => x.symbol === t.symbol);
        expect({ symbol: t.symbol, shared: t.shared }).toEqual({ symbol: t.symbol, shared: r !== undefined });
        if (r && r.feed.kind === 'chainlink-proxy') {
          expect(t.address).toBe(r.underlying);
          expect(t.feed.proxy).toBe(r.feed.proxy);
        }
        const price = await c.publicClient.readContract({ address: g.priceOracle, abi: priceOracleAbi, functionName: 'getPrice', args: [t.address] });
        const answer = await c.publicClient.readContract({ address: t.feed.proxy, abi: feedProxyAbi, functionName: 'latestAnswer' });
        expect({ symbol: t.symbol, price }).toEqual({ symbol: t.symbol, price: answer });
      }
      expect(g.tokens.filter((t) => t.shared).map((t) => t.symbol).sort()).toEqual(['USDC', 'WBTC', 'WETH']);
      // Another protocol's crash left WETH at half its price: the Gearbox scenario puts it back first.
      const tx = await TxSender.create(c);
      const owner = privateKeyToAccount(ANVIL_DEPLOYER_KEY);
      await tx.prime([owner]);
      const weth = g.tokens.find((t) => t.symbol === 'WETH')!;
      const initial = await c.publicClient.readContract({ address: weth.feed.proxy, abi: feedProxyAbi, functionName: 'latestAnswer' });
      await updateAnswer(tx, owner, weth.feed.proxy, initial / 2n, 'WETH');
      await tx.settle();
      const r = await runGearboxScenario({ clients: c, deployment: g, seed: 'jest-gearbox-shared', accounts: 6 });
      const setup = BigInt(r.checkpoints.find((x) => x.name === 'setup')!.block);
      expect(await c.publicClient.readContract({ address: weth.feed.proxy, abi: feedProxyAbi, functionName: 'latestAnswer', blockNumber: setup })).toBe(initial);
      expect(r.liquidations).toHaveLength(5);
    } finally {
      await anvil.stop();
    }
  });
});
