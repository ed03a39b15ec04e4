// The devnet's price feeds are shaped like mainnet's, and that matters for an indexer: on a real
// anvil, after the Aave v3.0 scenario, some moves reach AaveOracle with no event a log reader could
// follow (a silent aggregator switch behind a Chainlink proxy; an exchange-ratio move under a CAPO
// adapter), and they change which accounts are liquidatable.
import { getAddress, parseEventLogs, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import { useDevnet } from '../support/devnet-fixture';
import { deployAaveV3, type AaveV3Deployment, type DeployedReserve } from '../../devnet/aave-v3/deploy';
import { aaveOracleAbi, aTokenAbi, poolAbi } from '../../devnet/aave-v3/contracts';
import { RESERVES } from '../../devnet/aave-v3/market-config';
import { capAdapterAbi, currentAggregator, feedAggregatorAbi, feedProxyAbi, RATIO_ONE, readRatio } from '../../devnet/chainlink/feeds';
import { RATIO_DROP, runAaveV3Scenario, SILENT_SWITCH_SYMBOL, type ScenarioResult } from '../../devnet/scenario/aave-v3';

jest.setTimeout(180_000);

const HF_ONE = 10n ** 18n;

const devnet = useDevnet(async (clients) => {
  const d = await deployAaveV3(clients);
  return { deployment: d, result: await runAaveV3Scenario({ clients, deployment: d, seed: 'jest-feeds-1', accounts: 12 }) };
});
const { block } = devnet;
let clients: DevnetClients;
let d: AaveV3Deployment;
let result: ScenarioResult;
beforeAll(() => ({ clients, deployment: d, result } = devnet.state));

const reserve = (symbol: string) => d.reserves.find((r) => r.symbol === symbol)!;
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
