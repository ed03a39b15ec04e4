// Deploys the real Aave V3.0 market on a real anvil, runs a small seeded scenario and checks the
// chain itself (not the scenario's own bookkeeping).
//
// The devnet's price feeds are shaped like mainnet's, and that matters for an indexer: after the
// scenario, some moves reached AaveOracle with no event a log reader could follow (a silent
// aggregator switch behind a Chainlink proxy; an exchange-ratio move under a CAPO adapter), and they
// changed which accounts are liquidatable.
import { getAddress, parseEventLogs, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import { useDevnet } from '../support/devnet-fixture';
import { deployAaveV3, type AaveV3Deployment, type DeployedReserve } from '../../devnet/aave-v3/deploy';
import { RESERVES } from '../../devnet/aave-v3/market-config';
import { capAdapterAbi, currentAggregator, feedAggregatorAbi, feedProxyAbi, RATIO_ONE, readRatio } from '../../devnet/chainlink/feeds';
import { aaveOracleAbi, aaveProtocolDataProviderAbi, aTokenAbi, poolAbi } from '../../devnet/aave-v3/contracts';
import { RATIO_DROP, runAaveV3Scenario, SILENT_SWITCH_SYMBOL, type ScenarioResult } from '../../devnet/scenario/aave-v3';
import { FLASH_LOAN_PREMIUM } from '../../devnet/aave-v3/market-config';
import { expectRepaidFlashLoans, flashLoanPremiums } from '../support/flash-loans';

jest.setTimeout(180_000);

const RAY = 10n ** 27n;
const HF_ONE = 10n ** 18n;

const devnet = useDevnet(async (clients) => {
  const d = await deployAaveV3(clients);
  return { deployment: d, result: await runAaveV3Scenario({ clients, deployment: d, seed: 'jest-1', accounts: 12 }) };
});
const { block } = devnet;
let clients: DevnetClients;
let d: AaveV3Deployment;
let result: ScenarioResult;
beforeAll(() => ({ clients, deployment: d, result } = devnet.state));

const reserve = (symbol: string) => d.reserves.find((r) => r.symbol === symbol)!;
const accountData = (user: Address, blockNumber: bigint) =>
  clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getUserAccountData', args: [user], blockNumber });

test('the pool lists the reserves with decimals 18, 8 and 6', async () => {
  const list = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getReservesList' });
  expect(list).toEqual(d.reserves.map((r) => r.underlying));
  const decimals = await Promise.all(list.map(async (asset) => {
    const cfg = await clients.publicClient.readContract({ address: d.dataProvider, abi: aaveProtocolDataProviderAbi, functionName: 'getReserveConfigurationData', args: [asset] });
    return Number(cfg[0]);
  }));
  expect(decimals).toEqual(expect.arrayContaining([18, 8, 6]));
  for (const asset of list) {
    const data = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getReserveData', args: [asset] });
    expect(data.aTokenAddress).not.toBe('0x0000000000000000000000000000000000000000');
  }
});

test('e-mode, isolation and caps are configured', async () => {
  const e = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getEModeCategoryData', args: [1] });
  expect(e.ltv).toBe(9700);
  expect(e.label).toBe('Stablecoins');
  const inEMode = d.reserves.filter((r) => r.eModeCategory === 1);
  expect(inEMode.length).toBeGreaterThanOrEqual(2);
  for (const r of inEMode) {
    const cat = await clients.publicClient.readContract({ address: d.dataProvider, abi: aaveProtocolDataProviderAbi, functionName: 'getReserveEModeCategory', args: [r.underlying] });
    expect(cat).toBe(1n);
  }
  const iso = d.reserves.find((r) => r.isolated)!;
  const ceiling = await clients.publicClient.readContract({ address: d.dataProvider, abi: aaveProtocolDataProviderAbi, functionName: 'getDebtCeiling', args: [iso.underlying] });
  expect(ceiling).toBeGreaterThan(0n);
  const usdc = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getConfiguration', args: [reserve('USDC').underlying] });
  expect((usdc.data >> 61n) & 1n).toBe(1n); // ReserveConfiguration BORROWABLE_IN_ISOLATION bit
  const caps = await clients.publicClient.readContract({ address: d.dataProvider, abi: aaveProtocolDataProviderAbi, functionName: 'getReserveCaps', args: [reserve('WBTC').underlying] });
  expect(caps[0]).toBeGreaterThan(0n);
  expect(caps[1]).toBeGreaterThan(0n);
});

test('checkpoints are ordered and every action type happened', () => {
  const names = result.checkpoints.map((c) => c.name);
  expect(names).toEqual(['setup', 'after-interest', 'after-silent-switch', 'before-crash', 'after-crash', 'after-ratio-move', 'after-liquidations', 'end']);
  const blocks = result.checkpoints.map((c) => c.block);
  expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);
  for (const k of ['supply', 'borrow', 'repay', 'repayWithATokens', 'withdraw', 'transfer', 'setCollateral', 'setUserEMode', 'liquidation', 'priceUpdate']) {
    expect(result.counts[k] ?? 0).toBeGreaterThan(0);
  }
});

test('flash loans (flashLoan over several assets, flashLoanSimple) were repaid and moved accruedToTreasury', async () => {
  expect(result.counts.flashLoan ?? 0).toBeGreaterThanOrEqual(2);
  expect(result.counts.flashLoanSimple ?? 0).toBeGreaterThanOrEqual(2);
  await expectRepaidFlashLoans(clients, d, result);
});

test('v3.0 flash-loan premiums: 9 bps, the treasury share set at deployment and changed before the end', async () => {
  expect(await flashLoanPremiums(clients, d.pool, block('after-interest'))).toEqual({ total: FLASH_LOAN_PREMIUM.total, toProtocol: FLASH_LOAN_PREMIUM.toProtocol });
  expect(await flashLoanPremiums(clients, d.pool, block('end'))).toEqual({ total: FLASH_LOAN_PREMIUM.total, toProtocol: FLASH_LOAN_PREMIUM.laterToProtocol });
});

test('indexes moved away from 1e27 (interest accrued)', async () => {
  for (const symbol of ['WETH', 'USDC']) {
    const data = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getReserveData', args: [reserve(symbol).underlying], blockNumber: block('before-crash') });
    expect(data.liquidityIndex).toBeGreaterThan(RAY);
    expect(data.variableBorrowIndex).toBeGreaterThan(RAY);
  }
});

test('nobody is liquidatable before the crash, someone is after it', async () => {
  const users = result.accounts.filter((a) => !result.liquidators.includes(a));
  const before = await Promise.all(users.map((u) => accountData(u, block('before-crash'))));
  expect(before.every((x) => x[5] >= HF_ONE)).toBe(true);
  const after = await Promise.all(users.map((u) => accountData(u, block('after-crash'))));
  expect(after.some((x) => x[1] > 0n && x[5] < HF_ONE)).toBe(true);
});

test('liquidations leave accounts with debt and no collateral (bad debt)', async () => {
  expect(result.badDebtAccounts.length).toBeGreaterThan(0);
  for (const u of result.badDebtAccounts) {
    const x = await accountData(u, block('after-liquidations'));
    expect(x[0]).toBe(0n); // totalCollateralBase
    expect(x[1]).toBeGreaterThan(0n); // totalDebtBase
  }
});

test('LiquidationCall logs with receiveAToken true and false; the protocol fee reaches the treasury', async () => {
  const logs = await clients.publicClient.getContractEvents({
    address: d.pool, abi: poolAbi, eventName: 'LiquidationCall',
    fromBlock: block('after-crash'), toBlock: block('after-liquidations'),
  });
  expect(logs.length).toBe(result.counts.liquidation);
  expect(logs.some((l) => l.args.receiveAToken === true)).toBe(true);
  expect(logs.some((l) => l.args.receiveAToken === false)).toBe(true);
  const collaterals = [...new Set(logs.map((l) => l.args.collateralAsset!))];
  const fees = await Promise.all(collaterals.map((asset) => {
    const r = d.reserves.find((x) => x.underlying === asset)!;
    return clients.publicClient.readContract({ address: r.aToken, abi: aTokenAbi, functionName: 'balanceOf', args: [d.treasury], blockNumber: block('after-liquidations') });
  }));
  expect(fees.some((f) => f > 0n)).toBe(true);
});

test('repayWithATokens, collateral switches and e-mode switches are on chain', async () => {
  const logs = await clients.publicClient.getLogs({ address: d.pool, fromBlock: BigInt(d.startBlock), toBlock: block('end') });
  const events = parseEventLogs({ abi: poolAbi, logs });
  expect(events.some((e) => e.eventName === 'Repay' && e.args.useATokens)).toBe(true);
  expect(events.some((e) => e.eventName === 'ReserveUsedAsCollateralDisabled')).toBe(true);
  expect(events.some((e) => e.eventName === 'UserEModeSet' && e.args.categoryId === 0)).toBe(true);
  expect(events.some((e) => e.eventName === 'UserEModeSet' && e.args.categoryId === 1)).toBe(true);
});

// ---- mainnet-shaped price feeds -------------------------------------------------------------
const oraclePrice = (r: DeployedReserve, blockNumber: bigint) =>
  clients.publicClient.readContract({ address: d.aaveOracle, abi: aaveOracleAbi, functionName: 'getAssetPrice', args: [r.underlying], blockNumber });
const logsOf = (address: Address, fromBlock: bigint, toBlock: bigint) => clients.publicClient.getLogs({ address, fromBlock, toBlock });

/** What a reader that only follows AnswerUpdated of the aggregators seen at listing believes a price is. */
async function naivePrice(r: DeployedReserve, at: bigint): Promise<bigint> {
  const logs = parseEventLogs({ abi: feedAggregatorAbi, eventName: 'AnswerUpdated', logs: await logsOf(r.feed.aggregator, BigInt(d.startBlock), at) });
  // CAPO: the base feed's answer times the ratio it was listed at (1e18); ratio moves emit nothing.
  return BigInt(logs[logs.length - 1].args.current);
}

/** v3.0 health factor of a non-e-mode account at `at`, from its balances and the given prices. */
async function healthFactor(user: Address, at: bigint, price: (r: DeployedReserve) => bigint): Promise<bigint | undefined> {
  const list = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getReservesList', blockNumber: at });
  const { data: config } = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getUserConfiguration', args: [user], blockNumber: at });
  let weighted = 0n, debt = 0n;
  for (const [i, asset] of list.entries()) {
    const r = d.reserves.find((x) => x.underlying === getAddress(asset))!;
    const lt = BigInt(RESERVES.find((x) => x.symbol === r.symbol)!.liquidationThreshold);
    const balance = (token: Address) => clients.publicClient.readContract({ address: token, abi: aTokenAbi, functionName: 'balanceOf', args: [user], blockNumber: at });
    const unit = 10n ** BigInt(r.decimals);
    // UserConfiguration: bit 2i = borrowing, bit 2i+1 = collateral (Aave's UserConfiguration library)
    if ((config >> BigInt(2 * i + 1)) & 1n) weighted += ((await balance(r.aToken)) * price(r) / unit) * lt;
    if ((config >> BigInt(2 * i)) & 1n) debt += (await balance(r.variableDebtToken)) * price(r) / unit;
  }
  return debt === 0n ? undefined : (weighted * HF_ONE) / 10_000n / debt;
}

test('every oracle source is a Chainlink proxy in front of an aggregator, ISO a CAPO adapter', async () => {
  for (const r of d.reserves) {
    const source = await clients.publicClient.readContract({ address: d.aaveOracle, abi: aaveOracleAbi, functionName: 'getSourceOfAsset', args: [r.underlying], blockNumber: block('setup') });
    expect(source).toBe(r.aggregator);
    expect(await currentAggregator(clients.publicClient, r.feed.proxy, block('setup'))).toBe(r.feed.aggregator);
    expect(await clients.publicClient.readContract({ address: r.feed.proxy, abi: feedProxyAbi, functionName: 'decimals' })).toBe(8);
    if (r.symbol === 'ISO') {
      expect(r.feed.kind).toBe('capo');
      if (r.feed.kind !== 'capo') continue;
      expect(r.aggregator).toBe(r.feed.adapter);
      expect(await readRatio(clients.publicClient, r.feed.ratioProvider, block('setup') - 5n)).toBe(RATIO_ONE);
    } else {
      expect({ symbol: r.symbol, kind: r.feed.kind, source: r.aggregator }).toEqual({ symbol: r.symbol, kind: 'chainlink-proxy', source: r.feed.proxy });
    }
    expect(await oraclePrice(r, block('setup'))).toBe(BigInt(r.initialPrice));
  }
});

test('price moves are AnswerUpdated rounds of the aggregator; the proxies never log anything', async () => {
  const weth = reserve('WETH');
  const rounds = parseEventLogs({ abi: feedAggregatorAbi, eventName: 'AnswerUpdated', logs: await logsOf(weth.feed.aggregator, BigInt(d.startBlock), block('end')) });
  // listing, pre-crash move, crash
  expect(rounds.map((l) => l.args.current)).toEqual([BigInt(weth.initialPrice), await oraclePrice(weth, block('after-silent-switch')), await oraclePrice(weth, block('after-crash'))]);
  for (const r of d.reserves) expect({ symbol: r.symbol, logs: await logsOf(r.feed.proxy, BigInt(d.startBlock), block('end')) }).toEqual({ symbol: r.symbol, logs: [] });
});

test('the silent switch: WBTC proxy reads a new aggregator, with no log from the proxy in that transaction', async () => {
  const r = reserve(SILENT_SWITCH_SYMBOL);
  const next = await currentAggregator(clients.publicClient, r.feed.proxy, block('after-silent-switch'));
  expect(next).not.toBe(r.feed.aggregator);
  // the block of confirmAggregator: the first where the proxy reads `next`
  let b = block('after-interest');
  while ((await currentAggregator(clients.publicClient, r.feed.proxy, b)) !== next) b++;
  const txs = (await clients.publicClient.getBlock({ blockNumber: b, includeTransactions: true })).transactions.filter((t) => t.to && getAddress(t.to) === r.feed.proxy);
  expect(txs.length).toBeGreaterThan(0);
  for (const t of txs) expect((await clients.publicClient.getTransactionReceipt({ hash: t.hash })).logs).toEqual([]);
  const answer = await clients.publicClient.readContract({ address: next, abi: feedAggregatorAbi, functionName: 'latestAnswer', blockNumber: block('after-silent-switch') });
  expect(await oraclePrice(r, block('after-silent-switch'))).toBe(answer);
  expect(answer).toBe(BigInt(r.initialPrice) * 102n / 100n);
  // The aggregator of the listing never saw the move nor the crash.
  expect(await naivePrice(r, block('after-ratio-move'))).toBe(BigInt(r.initialPrice));
  expect(await oraclePrice(r, block('after-ratio-move'))).toBeLessThan(BigInt(r.initialPrice));
});

test('the CAPO ratio grows and drops with no event from the adapter, the ratio provider or any aggregator', async () => {
  const iso = reserve('ISO');
  if (iso.feed.kind !== 'capo') throw new Error('ISO is not a CAPO source');
  const { adapter, ratioProvider } = iso.feed;
  expect(await logsOf(adapter, BigInt(d.startBlock), block('end'))).toEqual([]);
  expect(await logsOf(ratioProvider, BigInt(d.startBlock), block('end'))).toEqual([]);
  const before = await readRatio(clients.publicClient, ratioProvider, block('before-crash'));
  expect(before).toBeGreaterThan(RATIO_ONE);
  const capped = await clients.publicClient.readContract({ address: adapter, abi: capAdapterAbi, functionName: 'cappedRatio', blockNumber: block('before-crash') });
  expect(before).toBeLessThanOrEqual(capped);
  const [crash, moved] = await Promise.all([oraclePrice(iso, block('after-crash')), oraclePrice(iso, block('after-ratio-move'))]);
  expect(moved).toBeLessThan(crash);
  expect(Number(moved) / Number(crash)).toBeCloseTo(Number(RATIO_DROP.num) / Number(RATIO_DROP.den), 6);
  // Nothing any reader could have seen between the two checkpoints: no log of any feed contract.
  const feedContracts = d.reserves.flatMap((r) => [r.aggregator, r.feed.proxy, r.feed.aggregator, ...(r.feed.kind === 'capo' ? [r.feed.ratioProvider] : [])]);
  const wbtcNow = await currentAggregator(clients.publicClient, reserve(SILENT_SWITCH_SYMBOL).feed.proxy, block('after-ratio-move'));
  const logs = await clients.publicClient.getLogs({ address: [...feedContracts, wbtcNow, d.aaveOracle], fromBlock: block('after-crash') + 1n, toBlock: block('after-ratio-move') });
  expect(logs).toEqual([]);
  // The composite after the drop is the planned crash price (within one unit of rounding).
  expect(Number(moved) / Number(iso.initialPrice)).toBeGreaterThan(0.37);
  expect(Number(moved) / Number(iso.initialPrice)).toBeLessThan(0.43);
});

test('the silent moves change who is liquidatable: health factor < 1 on chain, >= 1 at the prices a log reader knows', async () => {
  const at = block('after-ratio-move');
  const users = result.accounts.filter((a) => !result.liquidators.includes(a));
  const naive = new Map(await Promise.all(d.reserves.map(async (r) => [r.symbol, await naivePrice(r, at)] as const)));
  const actual = new Map(await Promise.all(d.reserves.map(async (r) => [r.symbol, await oraclePrice(r, at)] as const)));
  const flipped: Address[] = [];
  for (const u of users) {
    const eMode = await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getUserEMode', args: [u], blockNumber: at });
    if (eMode !== 0n) continue;
    const onChain = (await clients.publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getUserAccountData', args: [u], blockNumber: at }))[5];
    const mine = await healthFactor(u, at, (r) => actual.get(r.symbol)!);
    if (mine === undefined) continue;
    // the formula above is Aave's at the oracle's own prices, up to the integer average threshold's rounding
    expect(Number(mine) / Number(onChain)).toBeCloseTo(1, 3);
    const believed = (await healthFactor(u, at, (r) => naive.get(r.symbol)!))!;
    if (onChain < HF_ONE && believed >= HF_ONE) flipped.push(u);
  }
  expect(flipped.length).toBeGreaterThan(0);
});
