// Deploys the real Aave V3.0 market on a real anvil, runs a small seeded scenario and checks the
// chain itself (not the scenario's own bookkeeping).
import { parseEventLogs, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import { useDevnet } from '../support/devnet-fixture';
import { deployAaveV3, type AaveV3Deployment } from '../../devnet/aave-v3/deploy';
import { aaveProtocolDataProviderAbi, aTokenAbi, poolAbi } from '../../devnet/aave-v3/contracts';
import { runAaveV3Scenario, type ScenarioResult } from '../../devnet/scenario/aave-v3';

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
