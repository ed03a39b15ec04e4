// Deploys the Aave V3.6 market (compiled from @aave-dao/aave-v3-origin@3.6.0, cached under
// .cache/aave-v36/) on a real anvil, runs a small seeded scenario and checks the chain itself:
// deficits booked by liquidations, their partial and full coverage by the umbrella.
import fs from 'node:fs';
import { useDevnet } from '../support/devnet-fixture';
import { parseEventLogs, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import { poolAbi } from '../../devnet/aave-v3/contracts';
import { poolAddressesProviderV36Abi, poolV36Abi, variableDebtTokenV36Abi } from '../../devnet/aave-v36/abis';
import { compileAaveV36 } from '../../devnet/aave-v36/compile';
import { deployAaveV36, UMBRELLA_ID, type AaveV36Deployment } from '../../devnet/aave-v36/deploy';
import { renderV36Abis, V36_ABIS_FILE } from '../../devnet/aave-v36/gen-abis';
import { runAaveV3Scenario, type ScenarioResult } from '../../devnet/scenario/aave-v3';
import { FLASH_LOAN_PREMIUM } from '../../devnet/aave-v3/market-config';
import { expectRepaidFlashLoans, flashLoanPremiums } from '../support/flash-loans';

// The first run compiles (~10 s); later runs read .cache/aave-v36/.
jest.setTimeout(180_000);

const HF_ONE = 10n ** 18n;

const devnet = useDevnet(async (clients) => {
  const d = await deployAaveV36(clients);
  return { deployment: d, result: await runAaveV3Scenario({ clients, deployment: d, seed: 'jest-v36', accounts: 16 }) };
});
const { block } = devnet;
let clients: DevnetClients;
let d: AaveV36Deployment;
let result: ScenarioResult;
beforeAll(() => ({ clients, deployment: d, result } = devnet.state));

const read = (functionName: 'getReserveDeficit', asset: Address, blockNumber: bigint) =>
  clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName, args: [asset], blockNumber });
const poolEvents = async (from: bigint, to: bigint) =>
  parseEventLogs({ abi: poolV36Abi, logs: await clients.publicClient.getLogs({ address: d.pool, fromBlock: from, toBlock: to }) });

test('devnet/aave-v36/abis.ts matches the compiled build', async () => {
  expect(fs.readFileSync(V36_ABIS_FILE, 'utf8')).toBe(renderV36Abis(await compileAaveV36()));
});

test('the scenario calls keep their v3.0 signatures on v3.6 (it encodes them with one ABI)', () => {
  const sig = (abi: readonly { type: string; name?: string; inputs?: readonly { type: string }[] }[], name: string) =>
    abi.filter((x) => x.type === 'function' && x.name === name).map((x) => `${name}(${x.inputs!.map((i) => i.type).join(',')})`).sort();
  for (const fn of ['supply', 'borrow', 'repay', 'repayWithATokens', 'withdraw', 'setUserUseReserveAsCollateral', 'setUserEMode', 'liquidationCall', 'getUserAccountData', 'getUserConfiguration']) {
    expect(sig(poolV36Abi, fn)).toEqual(sig(poolAbi, fn));
  }
});

test('a v3.6 market: version, umbrella registered as bytes32("UMBRELLA"), no stable debt', async () => {
  expect(d.version).toBe('3.6');
  const umbrella = await clients.publicClient.readContract({ address: d.addressesProvider, abi: poolAddressesProviderV36Abi, functionName: 'getAddress', args: [UMBRELLA_ID] });
  expect(umbrella).toBe(d.umbrella);
  expect(await clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName: 'UMBRELLA' })).toBe(UMBRELLA_ID);
  const list = await clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName: 'getReservesList' });
  expect(list).toEqual(d.reserves.map((r) => r.underlying));
  expect(d.reserves.every((r) => r.stableDebtToken === '0x0000000000000000000000000000000000000000')).toBe(true);
  const bitmap = await clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName: 'getEModeCategoryCollateralBitmap', args: [1] });
  const ids = d.reserves.map((r, i) => (r.eModeCategory === 1 ? i : -1)).filter((i) => i >= 0);
  expect(ids.length).toBeGreaterThanOrEqual(2);
  for (const i of ids) expect((bitmap >> BigInt(i)) & 1n).toBe(1n);
});

test('checkpoints are ordered, with the coverage steps between liquidations and end', () => {
  const names = result.checkpoints.map((c) => c.name);
  expect(names).toEqual(['setup', 'after-interest', 'after-silent-switch', 'before-crash', 'after-crash', 'after-ratio-move', 'after-liquidations', 'after-partial-coverage', 'after-full-coverage', 'end']);
  const blocks = result.checkpoints.map((c) => c.block);
  expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);
});

test('liquidations create deficits (DeficitCreated) in at least two reserves', async () => {
  const created = (await poolEvents(block('after-crash'), block('after-liquidations'))).filter((e) => e.eventName === 'DeficitCreated');
  expect(created.length).toBeGreaterThanOrEqual(2);
  expect(created.length).toBe(result.deficits.length);
  const assets = [...new Set(created.map((e) => e.args.debtAsset))];
  expect(assets.length).toBeGreaterThanOrEqual(2);
  expect(assets.sort()).toEqual([...result.deficitAssets].sort());
  const deficits = await Promise.all(assets.map((a) => read('getReserveDeficit', a, block('after-liquidations'))));
  expect(deficits.every((x) => x > 0n)).toBe(true);
  // The booked deficit is exactly the sum of what the liquidations wrote off.
  for (const [i, a] of assets.entries()) {
    expect(deficits[i]).toBe(created.filter((e) => e.args.debtAsset === a).reduce((s, e) => s + e.args.amountCreated, 0n));
  }
});

test('borrowers with a deficit have no debt and no collateral left', async () => {
  expect(result.deficitAccounts.length).toBeGreaterThan(0);
  expect(result.badDebtAccounts).toEqual([]); // v3.6 leaves no uncollateralised debt on the books
  for (const u of result.deficitAccounts) {
    const x = await clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName: 'getUserAccountData', args: [u], blockNumber: block('after-liquidations') });
    expect(x[0]).toBe(0n); // totalCollateralBase
    expect(x[1]).toBe(0n); // totalDebtBase
    for (const r of d.reserves) {
      const debt = await clients.publicClient.readContract({ address: r.variableDebtToken, abi: variableDebtTokenV36Abi, functionName: 'balanceOf', args: [u], blockNumber: block('after-liquidations') });
      expect(debt).toBe(0n);
    }
  }
});

test('the umbrella covers one deficit partly and one in full (DeficitCovered)', async () => {
  const [partial, full] = result.coverage;
  expect(partial.kind).toBe('partial');
  expect(full.kind).toBe('full');
  const covered = (await poolEvents(block('after-liquidations') + 1n, block('after-full-coverage'))).filter((e) => e.eventName === 'DeficitCovered');
  expect(covered.map((e) => [e.args.reserve, e.args.caller, e.args.amountCovered])).toEqual([
    [partial.asset, d.umbrella, BigInt(partial.covered)],
    [full.asset, d.umbrella, BigInt(full.covered)],
  ]);
  const p0 = await read('getReserveDeficit', partial.asset, block('after-liquidations'));
  const p1 = await read('getReserveDeficit', partial.asset, block('after-partial-coverage'));
  expect(p1).toBeGreaterThan(0n);
  expect(p1).toBeLessThan(p0);
  expect(p0 - p1).toBe(BigInt(partial.covered));
  const f0 = await read('getReserveDeficit', full.asset, block('after-partial-coverage'));
  const f1 = await read('getReserveDeficit', full.asset, block('after-full-coverage'));
  expect(f0).toBeGreaterThan(0n);
  expect(BigInt(full.covered)).toBe(f0);
  expect(f1).toBe(0n);
});

test('getUserAccountData answers for every account at every checkpoint; nobody below HF 1 before the crash', async () => {
  for (const c of result.checkpoints) {
    const data = await Promise.all(result.accounts.map((u) =>
      clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName: 'getUserAccountData', args: [u], blockNumber: BigInt(c.block) })));
    expect(data).toHaveLength(result.accounts.length);
    if (c.name === 'before-crash') expect(data.every((x) => x[5] >= HF_ONE)).toBe(true);
  }
});

test('flash loans were repaid and moved accruedToTreasury; v3.6 gives the treasury the whole premium', async () => {
  await expectRepaidFlashLoans(clients, d, result);
  expect(await flashLoanPremiums(clients, d.pool, block('after-interest'))).toEqual({ total: FLASH_LOAN_PREMIUM.total, toProtocol: 10_000n });
  expect(await flashLoanPremiums(clients, d.pool, block('end'))).toEqual({ total: FLASH_LOAN_PREMIUM.laterTotal, toProtocol: 10_000n });
});

test('liquidations and everyday actions happened', () => {
  for (const k of ['supply', 'borrow', 'repay', 'repayWithATokens', 'withdraw', 'transfer', 'setCollateral', 'setUserEMode', 'liquidation', 'priceUpdate']) {
    expect(result.counts[k] ?? 0).toBeGreaterThan(0);
  }
});
