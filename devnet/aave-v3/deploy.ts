// Deploys a minimal but complete Aave V3.0 market from the real @aave/core-v3@1.19.3 bytecode.
//
// Deterministic: one deployer (anvil account 0) sends everything in a fixed order, so a fresh anvil
// always yields the same addresses. Txs are sent in rounds without waiting for each receipt; a
// round is settled (all receipts checked) only where a later step needs on-chain results (the
// proxies the addresses provider and the configurator create).
import { getAddress, type Address, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, deriveAccount, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { libraryDeployOrder, linkBytecode, loadArtifact } from './artifacts';
import {
  aclManagerAbi,
  poolAbi,
  poolAddressesProviderAbi,
  poolConfiguratorAbi,
} from './contracts';
import { FeedDeployer, type PriceFeed } from '../chainlink/feeds';
import { BASE_CURRENCY_UNIT, EMODE_CATEGORIES, FLASH_LOAN_PREMIUM, MARKET_ID, RESERVES, pctRay, type ReserveConfig } from './market-config';

export interface DeployedReserve {
  symbol: string;
  decimals: number;
  underlying: Address;
  aToken: Address;
  variableDebtToken: Address;
  /** zeroAddress on a fresh v3.6 market (stable debt was removed in v3.2); an upgraded v3.0 market keeps the orphan */
  stableDebtToken: Address;
  /** the AaveOracle source at deployment: the Chainlink proxy, or the CAPO adapter (feed.kind 'capo') */
  aggregator: Address;
  /** what stands behind the source (proxy, aggregator, ratio provider), so tests can read the chain */
  feed: PriceFeed;
  interestRateStrategy: Address;
  /** initial oracle price, USD with 8 decimals, as a decimal string (keeps the object JSON-safe) */
  initialPrice: string;
  isolated: boolean;
  eModeCategory: number;
}

export interface AaveV3Deployment {
  /** '3.0': @aave/core-v3 bytecode (this file); '3.6': compiled from source (devnet/aave-v36/deploy.ts) */
  version: '3.0' | '3.6';
  chainId: number;
  startBlock: number;
  addressesProvider: Address;
  pool: Address;
  poolImpl: Address;
  poolConfigurator: Address;
  aaveOracle: Address;
  aclManager: Address;
  dataProvider: Address;
  treasury: Address;
  deployer: Address;
  /** v3.6: the EOA registered as "UMBRELLA" in the addresses provider (may call eliminateReserveDeficit) */
  umbrella?: Address;
  reserves: DeployedReserve[];
  eModeCategories: { id: number; label: string; ltv: number; liquidationThreshold: number; liquidationBonus: number }[];
}

export interface DeployOptions {
  /** defaults to anvil account 0 */
  deployerKey?: `0x${string}`;
  /** defaults to a fixed EOA (deriveAccount('treasury', 0)); liquidation fees and reserve factor accrue to it */
  treasury?: Address;
  /** PoolAddressesProvider market id (the subgraph names the protocol after it); defaults to MARKET_ID */
  marketId?: string;
  log?: (msg: string) => void;
}

// Fixed gas limits: no eth_estimateGas round trips. Pool creation uses ~4.6M; 12M leaves room and
// still fits anvil's default 30M block.
const GAS_CREATE = 12_000_000n;
const GAS_CALL = 1_000_000n;
const GAS_INIT_RESERVES = 25_000_000n;

export async function deployAaveV3(clients: DevnetClients, options: DeployOptions = {}): Promise<AaveV3Deployment> {
  const log = options.log ?? (() => {});
  const deployer: PrivateKeyAccount = privateKeyToAccount(options.deployerKey ?? ANVIL_DEPLOYER_KEY);
  const treasury = getAddress(options.treasury ?? deriveAccount('treasury', 0).address);
  const { publicClient } = clients;
  const tx = await TxSender.create(clients);
  await tx.prime([deployer]);
  const create = (name: string, args: readonly unknown[] = [], libraries: Record<string, Address> = {}) => {
    const art = loadArtifact(name);
    return tx.deploy(deployer, { abi: art.abi, bytecode: linkBytecode(art, libraries), args, gas: GAS_CREATE }, `deploy ${name}`);
  };

  // Round 1: addresses provider, ACL, libraries, implementations, tokens, oracles.
  const provider = await create('PoolAddressesProvider', [options.marketId ?? MARKET_ID, deployer.address]);
  const call = (label: string, address: Address, abi: any, functionName: string, args: readonly unknown[], gas = GAS_CALL) =>
    tx.write(deployer, { address, abi, functionName, args, gas } as never, label);
  // The ACL admin must be set before ACLManager's constructor reads it.
  await call('provider.setACLAdmin', provider.address, poolAddressesProviderAbi, 'setACLAdmin', [deployer.address]);
  const acl = await create('ACLManager', [provider.address]);
  await call('provider.setACLManager', provider.address, poolAddressesProviderAbi, 'setACLManager', [acl.address]);
  for (const role of ['addPoolAdmin', 'addRiskAdmin', 'addEmergencyAdmin'] as const) {
    await call(`acl.${role}`, acl.address, aclManagerAbi, role, [deployer.address]);
  }
  const libraries: Record<string, Address> = {};
  for (const lib of libraryDeployOrder(['Pool', 'PoolConfigurator'])) {
    libraries[lib] = (await create(lib, [], libraries)).address;
  }
  const poolImpl = await create('Pool', [provider.address], libraries);
  await call('provider.setPoolImpl', provider.address, poolAddressesProviderAbi, 'setPoolImpl', [poolImpl.address]);
  const configuratorImpl = await create('PoolConfigurator', [], libraries);
  await call('provider.setPoolConfiguratorImpl', provider.address, poolAddressesProviderAbi, 'setPoolConfiguratorImpl', [configuratorImpl.address]);
  const dataProvider = await create('AaveProtocolDataProvider', [provider.address]);
  await call('provider.setPoolDataProvider', provider.address, poolAddressesProviderAbi, 'setPoolDataProvider', [dataProvider.address]);

  const underlyings: Address[] = [];
  const feeds = await FeedDeployer.create(tx, deployer, log);
  const sources: { source: Address; feed: PriceFeed }[] = [];
  const strategies: Address[] = [];
  for (const r of RESERVES) {
    underlyings.push((await create('MintableERC20', [r.name, r.symbol, r.decimals])).address);
    sources.push(await feeds.feed(r.priceFeed ?? 'chainlink-proxy', r.price, r.symbol));
    strategies.push((await create('DefaultReserveInterestRateStrategy', strategyArgs(provider.address, r))).address);
  }
  const aggregators = sources.map((s) => s.source);
  const oracle = await create('AaveOracle', [provider.address, underlyings, aggregators, '0x0000000000000000000000000000000000000000', '0x0000000000000000000000000000000000000000', BASE_CURRENCY_UNIT]);
  await call('provider.setPriceOracle', provider.address, poolAddressesProviderAbi, 'setPriceOracle', [oracle.address]);
  const r1 = await tx.settle();
  const startBlock = Number(r1[0].blockNumber);

  const pool = await publicClient.readContract({ address: provider.address, abi: poolAddressesProviderAbi, functionName: 'getPool' });
  const configurator = await publicClient.readContract({ address: provider.address, abi: poolAddressesProviderAbi, functionName: 'getPoolConfigurator' });
  log(`deploy: core contracts in place (pool ${pool})`);

  // Round 2: token implementations (bound to the pool proxy) and reserve listing.
  const aTokenImpl = await create('AToken', [pool]);
  const stableImpl = await create('StableDebtToken', [pool]);
  const variableImpl = await create('VariableDebtToken', [pool]);
  const inputs = RESERVES.map((r, i) => ({
    aTokenImpl: aTokenImpl.address,
    stableDebtTokenImpl: stableImpl.address,
    variableDebtTokenImpl: variableImpl.address,
    underlyingAssetDecimals: r.decimals,
    interestRateStrategyAddress: strategies[i],
    underlyingAsset: underlyings[i],
    treasury,
    incentivesController: '0x0000000000000000000000000000000000000000' as Address,
    aTokenName: `Aave Devnet ${r.symbol}`,
    aTokenSymbol: `aDev${r.symbol}`,
    variableDebtTokenName: `Aave Devnet Variable Debt ${r.symbol}`,
    variableDebtTokenSymbol: `variableDebtDev${r.symbol}`,
    stableDebtTokenName: `Aave Devnet Stable Debt ${r.symbol}`,
    stableDebtTokenSymbol: `stableDebtDev${r.symbol}`,
    params: '0x' as const,
  }));
  await call('configurator.initReserves', configurator, poolConfiguratorAbi, 'initReserves', [inputs], GAS_INIT_RESERVES);
  await tx.settle();

  // Round 3: risk parameters. E-mode categories must exist before assets join them, and an asset's
  // own threshold must stay below its category's (PoolConfigurator.setAssetEModeCategory).
  for (const e of EMODE_CATEGORIES) {
    await call(`configurator.setEModeCategory(${e.id})`, configurator, poolConfiguratorAbi, 'setEModeCategory', [e.id, e.ltv, e.liquidationThreshold, e.liquidationBonus, '0x0000000000000000000000000000000000000000', e.label]);
  }
  for (const [i, r] of RESERVES.entries()) {
    const asset = underlyings[i];
    const c = (fn: string, args: readonly unknown[]) => call(`configurator.${fn}(${r.symbol})`, configurator, poolConfiguratorAbi, fn, [asset, ...args]);
    // Debt ceiling first: it is only settable while the reserve has no suppliers.
    if (r.debtCeiling !== undefined) await c('setDebtCeiling', [r.debtCeiling]);
    await c('configureReserveAsCollateral', [BigInt(r.ltv), BigInt(r.liquidationThreshold), BigInt(r.liquidationBonus)]);
    if (r.borrowing) await c('setReserveBorrowing', [true]); // variable only: stable-rate borrowing stays off
    await c('setReserveFactor', [BigInt(r.reserveFactor)]);
    await c('setLiquidationProtocolFee', [BigInt(r.liquidationProtocolFee)]);
    if (r.supplyCap !== undefined) await c('setSupplyCap', [BigInt(r.supplyCap)]);
    if (r.borrowCap !== undefined) await c('setBorrowCap', [BigInt(r.borrowCap)]);
    if (r.borrowableInIsolation) await c('setBorrowableInIsolation', [true]);
    if (r.eModeCategory) await c('setAssetEModeCategory', [r.eModeCategory]);
    // Off after initReserves in v3.0 (ValidationLogic.validateFlashloan requires it); mainnet enables it.
    await c('setReserveFlashLoaning', [true]);
  }
  await call('configurator.updateFlashloanPremiumTotal', configurator, poolConfiguratorAbi, 'updateFlashloanPremiumTotal', [FLASH_LOAN_PREMIUM.total]);
  await call('configurator.updateFlashloanPremiumToProtocol', configurator, poolConfiguratorAbi, 'updateFlashloanPremiumToProtocol', [FLASH_LOAN_PREMIUM.toProtocol]);
  await tx.settle();

  const reserveData = await Promise.all(
    underlyings.map((asset) => publicClient.readContract({ address: pool, abi: poolAbi, functionName: 'getReserveData', args: [asset] })),
  );
  const chainId = await publicClient.getChainId();
  const deployment: AaveV3Deployment = {
    version: '3.0',
    chainId,
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
    reserves: RESERVES.map((r, i) => ({
      symbol: r.symbol,
      decimals: r.decimals,
      underlying: getAddress(underlyings[i]),
      aToken: getAddress(reserveData[i].aTokenAddress),
      variableDebtToken: getAddress(reserveData[i].variableDebtTokenAddress),
      stableDebtToken: getAddress(reserveData[i].stableDebtTokenAddress),
      aggregator: getAddress(aggregators[i]),
      feed: sources[i].feed,
      interestRateStrategy: getAddress(strategies[i]),
      initialPrice: r.price.toString(),
      isolated: r.debtCeiling !== undefined,
      eModeCategory: r.eModeCategory ?? 0,
    })),
    eModeCategories: EMODE_CATEGORIES.map((e) => ({ ...e })),
  };
  log(`deploy: ${RESERVES.length} reserves listed, ${tx.sent} txs`);
  return deployment;
}

function strategyArgs(provider: Address, r: ReserveConfig): readonly unknown[] {
  // DefaultReserveInterestRateStrategy(provider, optimalUsageRatio, baseVariableBorrowRate,
  //   variableRateSlope1, variableRateSlope2, stableRateSlope1, stableRateSlope2,
  //   baseStableRateOffset, stableRateExcessOffset, optimalStableToTotalDebtRatio)
  // Stable parameters are inert (stable borrowing is disabled) but must be valid.
  const { optimalUsage, base, slope1, slope2 } = r.rates;
  return [provider, pctRay(optimalUsage), pctRay(base), pctRay(slope1), pctRay(slope2), pctRay(slope1), pctRay(slope2), pctRay(1), pctRay(0), pctRay(20)];
}
