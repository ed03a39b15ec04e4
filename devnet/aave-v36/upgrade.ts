// Upgrades the v3.0 devnet market (devnet/aave-v3/deploy.ts) in place to the v3.6 implementations:
// same proxies and addresses, so one market's history holds v3.0 events and then v3.6 events.
//
// Feasible because v3.6 kept every v3.0 storage slot (deprecated fields keep their place), but a
// bare v3.6 PoolInstance reads three of them as something else (found on anvil: garbage `deficit`
// = the old stable rate in ray, virtual balance 0, empty e-mode bitmaps). PoolV30MigrationInstance
// (contracts/) rewrites them in its initialize(), which the addresses provider calls on setPoolImpl.
// Then the v2 rate strategy gets each reserve's rate data (it knows none), and the aToken and
// variable debt token proxies move to the v3.6 implementations. Stable debt tokens stay as orphans.
import { getAddress, zeroAddress, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { libraryDeployOrder, linkBytecode } from '../aave-v3/artifacts';
import type { AaveV3Deployment } from '../aave-v3/deploy';
import { RESERVES } from '../aave-v3/market-config';
import { artifactOf, compileCached, type SolcJob } from '../solc/compile';
import { RATIO_ONE, setRatio, updateAnswer } from '../chainlink/feeds';
import { poolAddressesProviderV36Abi, poolConfiguratorV36Abi } from './abis';
import { V36_JOB } from './compile';
import { defaultUmbrellaAccount, interestRateData, UMBRELLA_ID, type AaveV36Deployment } from './deploy';
import { explainAaveV36Revert } from './errors';

/** The v3.6 build plus the migration pool (a separate cache entry: the plain build stays as is). */
export const V36_UPGRADE_JOB: SolcJob = {
  ...V36_JOB,
  name: 'aave-v36-upgrade',
  entries: [...V36_JOB.entries, 'devnet/aave-v36/contracts/PoolV30MigrationInstance.sol'],
};

export interface UpgradeOptions {
  /** the market's owner and pool admin; defaults to anvil account 0 (as deployAaveV3) */
  deployerKey?: `0x${string}`;
  umbrella?: Address;
  log?: (msg: string) => void;
}

const GAS_CREATE = 12_000_000n;
const GAS_CALL = 5_000_000n;

/** Returns the deployment as a v3.6 one, plus the block of the implementation switch. */
export async function upgradeAaveV3ToV36(
  clients: DevnetClients,
  d: AaveV3Deployment,
  options: UpgradeOptions = {},
): Promise<AaveV36Deployment & { upgradeBlock: number }> {
  if (d.version !== '3.0') throw new Error(`upgradeAaveV3ToV36 expects a v3.0 deployment, got ${d.version}`);
  const log = options.log ?? (() => {});
  const build = await compileCached(V36_UPGRADE_JOB, log);
  const art = (name: string) => artifactOf(build, name);
  const deployer = privateKeyToAccount(options.deployerKey ?? ANVIL_DEPLOYER_KEY);
  const umbrella = getAddress(options.umbrella ?? defaultUmbrellaAccount().address);
  const tx = await TxSender.create(clients);
  tx.explainRevert = explainAaveV36Revert;
  await tx.prime([deployer]);
  const create = (name: string, args: readonly unknown[] = [], libs: Record<string, Address> = {}) =>
    tx.deploy(deployer, { abi: art(name).abi, bytecode: linkBytecode(art(name), libs), args, gas: GAS_CREATE }, `deploy ${name}`);
  const call = (label: string, address: Address, abi: any, functionName: string, args: readonly unknown[]) =>
    tx.write(deployer, { address, abi, functionName, args, gas: GAS_CALL } as never, label);

  // New implementations first, in their own blocks, so the switch below is a short run of blocks.
  const strategy = await create('DefaultReserveInterestRateStrategyV2', [d.addressesProvider]);
  const libs: Record<string, Address> = {};
  for (const lib of libraryDeployOrder(['PoolV30MigrationInstance', 'PoolConfiguratorInstance'], art)) libs[lib] = (await create(lib, [], libs)).address;
  const poolImpl = await create('PoolV30MigrationInstance', [d.addressesProvider, strategy.address], libs);
  const configuratorImpl = await create('PoolConfiguratorInstance', [], libs);
  const aTokenImpl = await create('ATokenInstance', [d.pool, zeroAddress, d.treasury]);
  const variableImpl = await create('VariableDebtTokenInstance', [d.pool, zeroAddress]);
  await tx.settle();

  // The switch: pool (runs the migration), configurator, umbrella, then per reserve the rate data
  // (before any user action needs rates) and the token implementations.
  await call('provider.setPoolImpl', d.addressesProvider, poolAddressesProviderV36Abi, 'setPoolImpl', [poolImpl.address]);
  await call('provider.setPoolConfiguratorImpl', d.addressesProvider, poolAddressesProviderV36Abi, 'setPoolConfiguratorImpl', [configuratorImpl.address]);
  await call('provider.setAddress(UMBRELLA)', d.addressesProvider, poolAddressesProviderV36Abi, 'setAddress', [UMBRELLA_ID, umbrella]);
  const switched = await tx.settle();
  for (const [i, r] of d.reserves.entries()) {
    const cfg = RESERVES.find((x) => x.symbol === r.symbol) ?? RESERVES[i];
    const c = (fn: string, args: readonly unknown[]) => call(`configurator.${fn}(${r.symbol})`, d.poolConfigurator, poolConfiguratorV36Abi, fn, args);
    await c('setReserveInterestRateData', [r.underlying, interestRateData(cfg)]);
    await c('updateAToken', [{ asset: r.underlying, name: `Aave Devnet ${r.symbol}`, symbol: `aDev${r.symbol}`, implementation: aTokenImpl.address, params: '0x' }]);
    await c('updateVariableDebtToken', [{ asset: r.underlying, name: `Aave Devnet Variable Debt ${r.symbol}`, symbol: `variableDebtDev${r.symbol}`, implementation: variableImpl.address, params: '0x' }]);
  }
  await tx.settle();
  log(`upgrade v3.0 -> v3.6: pool ${d.pool} now runs ${poolImpl.address}, ${tx.sent} txs`);
  return {
    ...d,
    version: '3.6',
    poolImpl: getAddress(poolImpl.address),
    umbrella,
    upgradeBlock: Number(switched[0].blockNumber),
    reserves: d.reserves.map((r) => ({ ...r, interestRateStrategy: getAddress(strategy.address) })),
  };
}

/**
 * After a scenario's crash: every feed back to its reserve's initial price, so a second scenario
 * plans its borrows at the prices it assumes. As a feed's operator would: a new round on the
 * aggregator currently behind each proxy (a silent switch may have replaced the one of the
 * deployment), and for a CAPO source the ratio back to 1 with the base feed at the initial price.
 */
export async function resetPrices(clients: DevnetClients, d: AaveV3Deployment): Promise<void> {
  const admin = privateKeyToAccount(ANVIL_DEPLOYER_KEY);
  const tx = await TxSender.create(clients);
  await tx.prime([admin]);
  for (const r of d.reserves) {
    if (r.feed.kind === 'capo') await setRatio(tx, admin, r.feed.ratioProvider, RATIO_ONE, r.symbol);
    await updateAnswer(tx, admin, r.feed.proxy, BigInt(r.initialPrice), r.symbol);
  }
  await tx.settle();
}
