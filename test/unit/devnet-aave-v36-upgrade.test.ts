// Upgrades a used v3.0 devnet market in place to v3.6 (devnet/aave-v36/upgrade.ts) and runs the
// v3.6 scenario on it: the same proxies then emit v3.0 events before and v3.6 events after.
import { erc20Abi, type Address } from 'viem';
import { devnetClients, freePort, startAnvil, type AnvilHandle, type DevnetClients } from '../../devnet/chain/anvil';
import { deployAaveV3, type AaveV3Deployment } from '../../devnet/aave-v3/deploy';
import { poolV36Abi } from '../../devnet/aave-v36/abis';
import { resetPrices, upgradeAaveV3ToV36 } from '../../devnet/aave-v36/upgrade';
import { runAaveV3Scenario, type ScenarioResult } from '../../devnet/scenario/aave-v3';
import { FLASH_LOAN_PREMIUM } from '../../devnet/aave-v3/market-config';
import { expectRepaidFlashLoans, flashLoanPremiums } from '../support/flash-loans';

jest.setTimeout(240_000);

let anvil: AnvilHandle | undefined;
let clients: DevnetClients;
let v30: AaveV3Deployment;
let before: ScenarioResult;
let after: ScenarioResult;
let upgraded: Awaited<ReturnType<typeof upgradeAaveV3ToV36>>;
let dataBefore: (readonly bigint[])[];
let dataAfterUpgrade: (readonly bigint[])[];

const accountData = (pool: Address, users: Address[], blockNumber?: bigint) =>
  Promise.all(users.map((u) => clients.publicClient.readContract({ address: pool, abi: poolV36Abi, functionName: 'getUserAccountData', args: [u], blockNumber })));

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  clients = devnetClients(anvil.rpcUrl);
  v30 = await deployAaveV3(clients);
  before = await runAaveV3Scenario({ clients, deployment: v30, seed: 'jest-upgrade-30', accounts: 12 });
  dataBefore = await accountData(v30.pool, before.accounts);
  upgraded = await upgradeAaveV3ToV36(clients, v30);
  dataAfterUpgrade = await accountData(v30.pool, before.accounts);
  await resetPrices(clients, upgraded);
  after = await runAaveV3Scenario({ clients, deployment: upgraded, seed: 'jest-upgrade-36', accounts: 12 });
});

afterAll(async () => {
  await anvil?.stop();
});

test('same proxies, v3.6 implementation', async () => {
  expect(upgraded.pool).toBe(v30.pool);
  expect(upgraded.reserves.map((r) => r.aToken)).toEqual(v30.reserves.map((r) => r.aToken));
  expect(await clients.publicClient.readContract({ address: upgraded.pool, abi: poolV36Abi, functionName: 'POOL_REVISION' })).toBe(10n);
});

test('the migration: no phantom deficit, virtual balance = underlying held, e-mode bitmaps rebuilt', async () => {
  const at = BigInt(upgraded.upgradeBlock);
  for (const r of upgraded.reserves) {
    const read = (functionName: 'getReserveDeficit' | 'getVirtualUnderlyingBalance') =>
      clients.publicClient.readContract({ address: upgraded.pool, abi: poolV36Abi, functionName, args: [r.underlying], blockNumber: at });
    expect(await read('getReserveDeficit')).toBe(0n);
    const held = await clients.publicClient.readContract({ address: r.underlying, abi: erc20Abi, functionName: 'balanceOf', args: [r.aToken], blockNumber: at });
    expect(BigInt(await read('getVirtualUnderlyingBalance'))).toBe(held);
  }
  const bitmap = await clients.publicClient.readContract({ address: upgraded.pool, abi: poolV36Abi, functionName: 'getEModeCategoryCollateralBitmap', args: [1], blockNumber: at });
  const expected = upgraded.reserves.reduce((m, r, i) => (r.eModeCategory === 1 ? m | (1n << BigInt(i)) : m), 0n);
  expect(bitmap).toBe(expected);
});

test('positions survive the upgrade (collateral and debt within 1 ppm)', () => {
  // Not exact: the upgrade's blocks let interest accrue, and v3.6 rounds balances down (aTokens)
  // and up (debt) where v3.0 rounded half up.
  const close = (x: bigint, y: bigint) => (x > y ? x - y : y - x) <= x / 1_000_000n + 100n;
  dataBefore.forEach((b, i) => {
    const a = dataAfterUpgrade[i];
    expect([close(b[0], a[0]), close(b[1], a[1])]).toEqual([true, true]);
  });
});

test('v3.0 bad debt stays on the books; the v3.6 run books and covers deficits', async () => {
  expect(before.badDebtAccounts.length).toBeGreaterThan(0);
  const legacy = await accountData(upgraded.pool, before.badDebtAccounts);
  expect(legacy.every((x) => x[0] === 0n && x[1] > 0n)).toBe(true);
  expect(after.deficitAssets.length).toBeGreaterThanOrEqual(2);
  expect(after.coverage.map((c) => c.kind)).toEqual(['partial', 'full']);
  expect(after.coverage[1].deficitAfter).toBe('0');
});

test('flash loans before and after the upgrade; the treasury share turns 100% at the upgrade with no event', async () => {
  await expectRepaidFlashLoans(clients, v30, before);
  await expectRepaidFlashLoans(clients, upgraded, after);
  const at = (b: number) => flashLoanPremiums(clients, upgraded.pool, BigInt(b));
  // The v3.0 run ended with the later share; the v3.6 Pool answers the constant, the total carries over.
  expect(await at(upgraded.upgradeBlock - 1)).toEqual({ total: FLASH_LOAN_PREMIUM.total, toProtocol: FLASH_LOAN_PREMIUM.laterToProtocol });
  expect(await at(upgraded.upgradeBlock)).toEqual({ total: FLASH_LOAN_PREMIUM.total, toProtocol: 10_000n });
});
