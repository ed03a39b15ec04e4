// Deploys an Aave V3.6 market compiled from @aave-dao/aave-v3-origin@3.6.0 (compile.ts), with the
// reserves and risk parameters of the v3.0 devnet (../aave-v3/market-config.ts) where v3.6 allows,
// and returns the same AaveV3Deployment shape (version '3.6') so launcher, scenario and tests treat
// both markets alike.
//
// What v3.6 changes in the deployment (checked against the sources):
// - one interest rate strategy for the whole pool (DefaultReserveInterestRateStrategyV2, a Pool
//   constructor immutable); each reserve's rates travel as `interestRateData` in initReserves;
// - no stable debt token; the aToken implementation takes the treasury as an immutable;
// - e-mode categories carry no price source; assets join them through collateral / borrowable
//   bitmaps (setAssetCollateralInEMode / setAssetBorrowableInEMode) instead of setAssetEModeCategory;
// - an address registered under Pool.UMBRELLA = bytes32("UMBRELLA") (a right-padded string, NOT a
//   keccak256 hash) may burn its aTokens to cover reserve deficits (eliminateReserveDeficit).
//
// Deterministic like the v3.0 deployer: one deployer, fixed order, rounds settled only where a
// later step reads on-chain results.
import { encodeAbiParameters, getAddress, stringToHex, zeroAddress, type Address, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, deriveAccount, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { libraryDeployOrder, linkBytecode } from '../aave-v3/artifacts';
import type { AaveV3Deployment, DeployOptions } from '../aave-v3/deploy';
import { FeedDeployer, type PriceFeed } from '../chainlink/feeds';
import { BASE_CURRENCY_UNIT, EMODE_CATEGORIES, FLASH_LOAN_PREMIUM, MARKET_ID, RESERVES, type ReserveConfig } from '../aave-v3/market-config';
import { aclManagerV36Abi, poolAddressesProviderV36Abi, poolConfiguratorV36Abi, poolV36Abi } from './abis';
import { compileAaveV36, v36Artifact } from './compile';
import { explainAaveV36Revert } from './errors';

export type AaveV36Deployment = AaveV3Deployment & { version: '3.6'; umbrella: Address };

export interface DeployV36Options extends DeployOptions {
  /** EOA registered as UMBRELLA; defaults to deriveAccount('umbrella', 0) (its key is derivable) */
  umbrella?: Address;
}

/** Pool.UMBRELLA: `bytes32 public constant UMBRELLA = 'UMBRELLA';` (Pool.sol), i.e. right-padded ASCII. */
export const UMBRELLA_ID = stringToHex('UMBRELLA', { size: 32 });

/** The umbrella account the devnet uses by default (scenario.ts signs with it). */
export const defaultUmbrellaAccount = () => deriveAccount('umbrella', 0);

// Same budgets as the v3.0 deployer: PoolInstance is 21.9 KB, creation well under 12M gas.
const GAS_CREATE = 12_000_000n;
// Configurator calls cost more than on v3.0 (setDebtCeiling ran out of 1M gas): 3M each.
const GAS_CALL = 3_000_000n;
const GAS_INIT_RESERVES = 25_000_000n;

export async function deployAaveV36(clients: DevnetClients, options: DeployV36Options = {}): Promise<AaveV36Deployment> {
  const log = options.log ?? (() => {});
  const build = await compileAaveV36(log);
  const art = (name: string) => v36Artifact(build, name);
  const deployer: PrivateKeyAccount = privateKeyToAccount(options.deployerKey ?? ANVIL_DEPLOYER_KEY);
  const treasury = getAddress(options.treasury ?? deriveAccount('treasury', 0).address);
  const umbrella = getAddress(options.umbrella ?? defaultUmbrellaAccount().address);
  const { publicClient } = clients;
  const tx = await TxSender.create(clients);
  tx.explainRevert = explainAaveV36Revert;
  await tx.prime([deployer]);
  const create = (name: string, args: readonly unknown[] = [], libraries: Record<string, Address> = {}) => {
    const a = art(name);
    return tx.deploy(deployer, { abi: a.abi, bytecode: linkBytecode(a, libraries), args, gas: GAS_CREATE }, `deploy ${name}`);
  };
  const call = (label: string, address: Address, abi: any, functionName: string, args: readonly unknown[], gas = GAS_CALL) =>
    tx.write(deployer, { address, abi, functionName, args, gas } as never, label);

  // Round 1: addresses provider, ACL, rate strategy, libraries, implementations, tokens, oracles.
  const provider = await create('PoolAddressesProvider', [options.marketId ?? MARKET_ID, deployer.address]);
  // The ACL admin must be set before ACLManager's constructor reads it.
  await call('provider.setACLAdmin', provider.address, poolAddressesProviderV36Abi, 'setACLAdmin', [deployer.address]);
  const acl = await create('ACLManager', [provider.address]);
  await call('provider.setACLManager', provider.address, poolAddressesProviderV36Abi, 'setACLManager', [acl.address]);
  for (const role of ['addPoolAdmin', 'addRiskAdmin', 'addEmergencyAdmin'] as const) {
    await call(`acl.${role}`, acl.address, aclManagerV36Abi, role, [deployer.address]);
  }
  // The strategy is a Pool constructor argument (Pool.RESERVE_INTEREST_RATE_STRATEGY), so it comes first.
  const strategy = await create('DefaultReserveInterestRateStrategyV2', [provider.address]);
  const libraries: Record<string, Address> = {};
  for (const lib of libraryDeployOrder(['PoolInstance', 'PoolConfiguratorInstance'], art)) {
    libraries[lib] = (await create(lib, [], libraries)).address;
  }
  const poolImpl = await create('PoolInstance', [provider.address, strategy.address], libraries);
  // setPoolImpl creates the proxy and calls PoolInstance.initialize(provider).
  await call('provider.setPoolImpl', provider.address, poolAddressesProviderV36Abi, 'setPoolImpl', [poolImpl.address]);
  const configuratorImpl = await create('PoolConfiguratorInstance', [], libraries);
  await call('provider.setPoolConfiguratorImpl', provider.address, poolAddressesProviderV36Abi, 'setPoolConfiguratorImpl', [configuratorImpl.address]);
  const dataProvider = await create('AaveProtocolDataProvider', [provider.address]);
  await call('provider.setPoolDataProvider', provider.address, poolAddressesProviderV36Abi, 'setPoolDataProvider', [dataProvider.address]);
  await call('provider.setAddress(UMBRELLA)', provider.address, poolAddressesProviderV36Abi, 'setAddress', [UMBRELLA_ID, umbrella]);

  const underlyings: Address[] = [];
  const feeds = await FeedDeployer.create(tx, deployer, log);
  const sources: { source: Address; feed: PriceFeed }[] = [];
  for (const r of RESERVES) {
    underlyings.push((await create('MintableERC20', [r.name, r.symbol, r.decimals])).address);
    sources.push(await feeds.feed(r.priceFeed ?? 'chainlink-proxy', r.price, r.symbol));
  }
  const aggregators = sources.map((s) => s.source);
  const oracle = await create('AaveOracle', [provider.address, underlyings, aggregators, zeroAddress, zeroAddress, BASE_CURRENCY_UNIT]);
  await call('provider.setPriceOracle', provider.address, poolAddressesProviderV36Abi, 'setPriceOracle', [oracle.address]);
  const r1 = await tx.settle();
  const startBlock = Number(r1[0].blockNumber);

  const pool = await publicClient.readContract({ address: provider.address, abi: poolAddressesProviderV36Abi, functionName: 'getPool' });
  const configurator = await publicClient.readContract({ address: provider.address, abi: poolAddressesProviderV36Abi, functionName: 'getPoolConfigurator' });
  log(`deploy v3.6: core contracts in place (pool ${pool})`);

  // Round 2: token implementations (bound to the pool proxy) and reserve listing.
  // ATokenInstance(pool, rewardsController, treasury); no incentives controller on the devnet.
  const aTokenImpl = await create('ATokenInstance', [pool, zeroAddress, treasury]);
  const variableImpl = await create('VariableDebtTokenInstance', [pool, zeroAddress]);
  const inputs = RESERVES.map((r, i) => ({
    aTokenImpl: aTokenImpl.address,
    variableDebtTokenImpl: variableImpl.address,
    underlyingAsset: underlyings[i],
    aTokenName: `Aave Devnet ${r.symbol}`,
    aTokenSymbol: `aDev${r.symbol}`,
    variableDebtTokenName: `Aave Devnet Variable Debt ${r.symbol}`,
    variableDebtTokenSymbol: `variableDebtDev${r.symbol}`,
    params: '0x' as const,
    interestRateData: interestRateData(r),
  }));
  await call('configurator.initReserves', configurator, poolConfiguratorV36Abi, 'initReserves', [inputs], GAS_INIT_RESERVES);
  await tx.settle();

  // Round 3: risk parameters. v3.6 has no per-asset e-mode category: a category lists its
  // collateral and borrowable assets in bitmaps, set per asset after the category exists.
  for (const e of EMODE_CATEGORIES) {
    await call(`configurator.setEModeCategory(${e.id})`, configurator, poolConfiguratorV36Abi, 'setEModeCategory', [e.id, e.ltv, e.liquidationThreshold, e.liquidationBonus, e.label]);
  }
  for (const [i, r] of RESERVES.entries()) {
    const asset = underlyings[i];
    const c = (fn: string, args: readonly unknown[]) => call(`configurator.${fn}(${r.symbol})`, configurator, poolConfiguratorV36Abi, fn, [asset, ...args]);
    // Debt ceiling first: on a collateral asset it is only settable while the reserve has no suppliers.
    if (r.debtCeiling !== undefined) await c('setDebtCeiling', [r.debtCeiling]);
    await c('configureReserveAsCollateral', [BigInt(r.ltv), BigInt(r.liquidationThreshold), BigInt(r.liquidationBonus)]);
    if (r.borrowing) await c('setReserveBorrowing', [true]);
    await c('setReserveFactor', [BigInt(r.reserveFactor)]);
    await c('setLiquidationProtocolFee', [BigInt(r.liquidationProtocolFee)]);
    if (r.supplyCap !== undefined) await c('setSupplyCap', [BigInt(r.supplyCap)]);
    if (r.borrowCap !== undefined) await c('setBorrowCap', [BigInt(r.borrowCap)]);
    if (r.borrowableInIsolation) await c('setBorrowableInIsolation', [true]);
    if (r.eModeCategory) {
      // v3.0's category held its assets as collateral and as debt alike; keep that meaning.
      await c('setAssetCollateralInEMode', [r.eModeCategory, true]);
      if (r.borrowing) await c('setAssetBorrowableInEMode', [r.eModeCategory, true]);
    }
    await c('setReserveFlashLoaning', [true]);
  }
  // v3.6 has one flash-loan setting, the total; the treasury gets all of it (FLASHLOAN_PREMIUM_TO_PROTOCOL() = 100_00).
  await call('configurator.updateFlashloanPremium', configurator, poolConfiguratorV36Abi, 'updateFlashloanPremium', [FLASH_LOAN_PREMIUM.total]);
  await tx.settle();

  const reserveData = await Promise.all(
    underlyings.map((asset) => publicClient.readContract({ address: pool, abi: poolV36Abi, functionName: 'getReserveData', args: [asset] })),
  );
  const deployment: AaveV36Deployment = {
    version: '3.6',
    chainId: await publicClient.getChainId(),
    startBlock,
    addressesProvider: getAddress(provider.address),
    pool: getAddress(pool),
    poolImpl: getAddress(poolImpl.address),
    poolConfigurator: getAddress(configurator),
    aaveOracle: getAddress(oracle.address),
    aclManager: getAddress(acl.address),
    dataProvider: getAddress(dataProvider.address),
    treasury,
    deployer: deployer.address,
    umbrella,
    reserves: RESERVES.map((r, i) => ({
      symbol: r.symbol,
      decimals: r.decimals,
      underlying: getAddress(underlyings[i]),
      aToken: getAddress(reserveData[i].aTokenAddress),
      variableDebtToken: getAddress(reserveData[i].variableDebtTokenAddress),
      stableDebtToken: zeroAddress,
      aggregator: getAddress(aggregators[i]),
      feed: sources[i].feed,
      interestRateStrategy: getAddress(strategy.address),
      initialPrice: r.price.toString(),
      isolated: r.debtCeiling !== undefined,
      eModeCategory: r.eModeCategory ?? 0,
    })),
    eModeCategories: EMODE_CATEGORIES.map((e) => ({ ...e })),
  };
  log(`deploy v3.6: ${RESERVES.length} reserves listed, ${tx.sent} txs`);
  return deployment;
}

/**
 * abi.encode(IDefaultInterestRateStrategyV2.InterestRateData): all four values in basis points
 * (the strategy multiplies by 1e23 into rays), e.g. 4.5% -> 450. market-config holds percents.
 */
export function interestRateData(r: ReserveConfig): `0x${string}` {
  const bps = (pct: number) => Math.round(pct * 100);
  const { optimalUsage, base, slope1, slope2 } = r.rates;
  return encodeAbiParameters(
    [{ type: 'tuple', components: [
      { name: 'optimalUsageRatio', type: 'uint16' },
      { name: 'baseVariableBorrowRate', type: 'uint32' },
      { name: 'variableRateSlope1', type: 'uint32' },
      { name: 'variableRateSlope2', type: 'uint32' },
    ] }],
    [{ optimalUsageRatio: bps(optimalUsage), baseVariableBorrowRate: bps(base), variableRateSlope1: bps(slope1), variableRateSlope2: bps(slope2) }],
  );
}
