// Deploys Gearbox V3.1 (compiled from @gearbox-protocol/core-v3@1.52.1) on the devnet, wired as the
// package's own test suites wire it (contracts/test/suites/GenesisFactory.sol, PoolFactory.sol,
// CreditManagerFactory.sol, test/helpers/IntegrationTestHelper.sol), contract by contract with viem:
//
//   AddressProviderACLStandIn (address provider + ACL + contracts register; contracts/)
//   PriceFeedStoreStandIn (contracts/), PriceOracleV3 on Chainlink EACAggregatorProxy feeds
//   DefaultAccountFactoryV3, BotListV3, GearStakingV3 (the gauge's voter and epoch clock)
//   LinearInterestRateModelV3 -> PoolV3 (USDC) -> PoolQuotaKeeperV3 + GaugeV3 (quoted WETH, WBTC, LINK)
//   AliasedLossPolicyV3 -> CreditManagerV3 -> CreditFacadeV3 -> CreditConfiguratorV3
//
// Quota rates exist only once the gauge has pushed them: PoolQuotaKeeperV3.updateRates is gauge-only and
// GaugeV3 calls it when GearStakingV3's weekly epoch advances. So the deployment mines up to the next epoch
// boundary (FIRST_EPOCH_TIMESTAMP + k * 7 days, Constants.sol), calls GaugeV3.updateEpoch, and only then
// sets the quota limits (setTokenLimit refuses tokens whose rate was never set). On mainnet the first
// epoch simply came before the market. The feeds get a heartbeat round after that jump (they would be stale).
//
// Deterministic: one deployer (anvil account 0 unless told otherwise) sends everything in a fixed order,
// so a fresh anvil always yields the same addresses (CREATE from sender + nonce, known before mining).
import { getAddress, maxUint256, stringToHex, type Address, type Hex, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { loadArtifact } from '../aave-v3/artifacts';
import type { AaveV3Deployment } from '../aave-v3/deploy';
import { ANVIL_DEPLOYER_KEY, deriveAccount, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { FeedDeployer, feedAggregatorAbi, feedProxyAbi } from '../chainlink/feeds';
import {
  addressProviderAbi,
  creditConfiguratorAbi,
  creditFacadeAbi,
  creditManagerAbi,
  gaugeAbi,
  gearStakingAbi,
  poolAbi,
  poolQuotaKeeperAbi,
  priceFeedStoreAbi,
  priceOracleAbi,
} from './abis';
import { compileGearbox } from './compile';
import { GearboxDevnetError, explainGearboxRevert } from './errors';
import {
  CM_FEES,
  COLLATERALS,
  CREDIT_MANAGER_DEBT_LIMIT,
  CREDIT_MANAGER_NAME,
  DEBT_LIMITS,
  IRM,
  MAX_ENABLED_TOKENS,
  POOL_NAME,
  POOL_SYMBOL,
  STALENESS_PERIOD,
  TOKENS,
  UNDERLYING,
} from './market-config';

/** GearStakingV3 epochs (core-v3 libraries/Constants.sol: FIRST_EPOCH_TIMESTAMP, EPOCH_LENGTH). */
export const FIRST_EPOCH_TIMESTAMP = 1_702_900_800;
export const EPOCH_LENGTH = 7 * 86_400;
/** Version the address provider files the 3.1 contracts under (their `version()` is 3_10). */
export const VERSION_3_10 = 310;

export interface GearboxFeed {
  /** the Chainlink EACAggregatorProxy PriceOracleV3 reads (main and reserve feed) */
  proxy: Address;
  /** the aggregator behind the proxy at deployment (AnswerUpdated comes from here) */
  aggregator: Address;
}

export interface GearboxToken {
  symbol: string;
  address: Address;
  decimals: number;
  /** `mint`: MintableERC20 (@aave/core-v3 artifact) `mint(address,uint256)`, on this or another devnet protocol's token */
  fund: 'mint';
  feed: GearboxFeed;
  /** true: a token and feed another devnet protocol deployed (shared, as on mainnet) */
  shared: boolean;
}

export interface GearboxCollateral {
  symbol: string;
  token: Address;
  /** liquidation threshold, bps */
  lt: number;
  /** pool-wide quota limit, underlying units, decimal string */
  quotaLimit: string;
  quotaIncreaseFee: number;
  minRate: number;
  maxRate: number;
}

export interface GearboxDeployment {
  chainId: number;
  /** block of the first deployment tx: where an indexer starts */
  startBlock: number;
  /** the block (at an epoch boundary) where GaugeV3.updateEpoch set the first quota rates */
  quotaRatesBlock: number;
  /** block of the last deployment tx: the market is fully configured from here on */
  readyBlock: number;
  /** deployer: ACL configurator, instance manager (owner of the account factory and bot list), staking owner */
  configurator: Address;
  /** AddressProviderACLStandIn: the address provider, the ACL and the contracts register are this one contract */
  addressProvider: Address;
  acl: Address;
  contractsRegister: Address;
  priceFeedStore: Address;
  priceOracle: Address;
  accountFactory: Address;
  botList: Address;
  gearStaking: Address;
  gearToken: Address;
  /** the pool's treasury (an EOA here): fees are minted to it as pool shares; losses burn its shares first */
  treasury: Address;
  interestRateModel: Address;
  pool: Address;
  poolName: string;
  poolSymbol: string;
  poolQuotaKeeper: Address;
  gauge: Address;
  lossPolicy: Address;
  creditManager: Address;
  creditManagerName: string;
  creditFacade: Address;
  creditConfigurator: Address;
  underlying: Address;
  /** underlying first, then the collaterals */
  tokens: GearboxToken[];
  collaterals: GearboxCollateral[];
  /** underlying units, decimal strings */
  debtLimits: { minDebt: string; maxDebt: string };
  fees: typeof CM_FEES;
  /** PriceOracleV3 staleness period of every feed, seconds */
  stalenessPeriod: number;
  compiler: string;
  buildKey: string;
}

export interface GearboxDeployOptions {
  /** defaults to anvil account 0; becomes the ACL's configurator */
  deployerKey?: Hex;
  /** defaults to deriveAccount('gearbox-treasury', 0) (an EOA whose key the scenario can derive) */
  treasury?: Address;
  /**
   * Tokens another devnet protocol deployed (MintableERC20 with `mint(address,uint256)`), by symbol, with their
   * Chainlink proxy: the market then prices and lends the same assets. Symbols not given get tokens and feeds of their own.
   */
  existingTokens?: { symbol: string; address: Address; decimals: number; feed?: GearboxFeed }[];
  log?: (msg: string) => void;
}

// Fixed gas limits (no eth_estimateGas). CreditFacadeV3's creation (25.6 KB initcode, 23.5 KB runtime) takes ~5.3M.
const GAS_CREATE_BIG = 9_000_000n;
const GAS_CREATE = 5_000_000n;
const GAS_CALL = 600_000n;
const ZERO: Address = '0x0000000000000000000000000000000000000000';

/** The treasury's key when the default is used (the scenario deposits from it). */
export function defaultTreasury(): PrivateKeyAccount {
  return deriveAccount('gearbox-treasury', 0);
}

/**
 * An Aave devnet market's tokens with their Chainlink proxies, for `existingTokens`: Gearbox then lends and
 * prices the same USDC, WETH and WBTC as Aave (LINK keeps a token and feed of its own). Reserves priced
 * through an adapter (CAPO) are left out: PriceOracleV3 reads the proxy only.
 */
export function sharedWithGearbox(aave: AaveV3Deployment): NonNullable<GearboxDeployOptions['existingTokens']> {
  return aave.reserves.flatMap((r) => r.feed.kind === 'chainlink-proxy' && TOKENS.some((t) => t.symbol === r.symbol)
    ? [{ symbol: r.symbol, address: r.underlying, decimals: r.decimals, feed: { proxy: r.feed.proxy, aggregator: r.feed.aggregator } }]
    : []);
}

/** The first timestamp of the epoch after the one `timestamp` is in (GearStakingV3.getCurrentEpoch). */
export function nextEpochStart(timestamp: number): number {
  const epoch = Math.floor((timestamp - FIRST_EPOCH_TIMESTAMP) / EPOCH_LENGTH) + 1;
  return FIRST_EPOCH_TIMESTAMP + epoch * EPOCH_LENGTH;
}

export async function deployGearboxV3(clients: DevnetClients, options: GearboxDeployOptions = {}): Promise<GearboxDeployment> {
  const log = options.log ?? (() => {});
  const t0 = Date.now();
  const art = await compileGearbox(log);
  const deployer = privateKeyToAccount(options.deployerKey ?? ANVIL_DEPLOYER_KEY);
  const treasury = getAddress(options.treasury ?? defaultTreasury().address);
  const mintable = loadArtifact('MintableERC20');
  let tx = await TxSender.create(clients);
  tx.explainRevert = explainGearboxRevert;
  await tx.prime([deployer]);
  const create = (a: { abi: readonly unknown[]; bytecode: Hex }, args: readonly unknown[], label: string, gas = GAS_CREATE) =>
    tx.deploy(deployer, { abi: a.abi as never, bytecode: a.bytecode, args, gas }, `deploy ${label}`);
  const call = (address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[], label = functionName) =>
    tx.write(deployer, { address, abi: abi as never, functionName, args, gas: GAS_CALL } as never, label);

  // --- registry, tokens, feeds ------------------------------------------------------------------
  const first = await create(art.addressProvider, [], 'AddressProviderACLStandIn');
  const ap = first.address;
  const shared = new Map((options.existingTokens ?? []).map((t) => [t.symbol, t]));
  const tokenAddress = new Map<string, Address>();
  for (const t of TOKENS) {
    const s = shared.get(t.symbol);
    if (s) {
      if (s.decimals !== t.decimals) throw new GearboxDevnetError('GEARBOX_BAD_OPTIONS', `token ${t.symbol} has ${s.decimals} decimals, market-config expects ${t.decimals}`);
      tokenAddress.set(t.symbol, getAddress(s.address));
    } else {
      tokenAddress.set(t.symbol, (await create(mintable, [t.name, t.symbol, t.decimals], `MintableERC20 ${t.symbol}`)).address);
    }
  }
  const gearToken = (await create(mintable, ['Gearbox', 'GEAR', 18], 'MintableERC20 GEAR')).address;
  const feeder = await FeedDeployer.create(tx, deployer, log);
  const feeds = new Map<string, GearboxFeed>();
  for (const t of TOKENS) feeds.set(t.symbol, shared.get(t.symbol)?.feed ?? (await feeder.chainlink(t.usd, `${t.symbol} (gearbox)`)).feed);
  // Shared feeds may be stale by now (the protocol that deployed them ran its scenario, warping time):
  // a heartbeat round at their current answers, else PriceOracleV3.setPriceFeed reverts StalePriceException.
  const sharedProxies = TOKENS.flatMap((t) => { const f = shared.get(t.symbol)?.feed; return f ? [f.proxy] : []; });
  if (sharedProxies.length > 0) await heartbeat(tx, deployer, sharedProxies);
  const priceFeedStore = (await create(art.priceFeedStore, [], 'PriceFeedStoreStandIn')).address;
  const apSet = (key: string, ver: number, value: Address) => call(ap, addressProviderAbi, 'setAddress', [stringToHex(key, { size: 32 }), BigInt(ver), value], `setAddress ${key}`);
  // Keys as core-v3 reads them (libraries/Constants.sol, test/interfaces/IAddressProviderV3.sol).
  await apSet('PRICE_FEED_STORE', 0, priceFeedStore);
  await apSet('GLOBAL::GEAR_TOKEN', 0, gearToken);
  await apSet('TREASURY', 0, treasury);
  await apSet('WETH_TOKEN', 0, tokenAddress.get('WETH')!);
  // Owners of the account factory and bot list (INSTANCE_MANAGER_PROXY) and of GearStakingV3 (CROSS_CHAIN_GOVERNANCE_PROXY).
  await apSet('INSTANCE_MANAGER_PROXY', 0, deployer.address);
  await apSet('CROSS_CHAIN_GOVERNANCE_PROXY', 0, deployer.address);
  await apSet('ACL', 0, ap);
  await apSet('CONTRACTS_REGISTER', 0, ap);
  for (const t of TOKENS) await call(priceFeedStore, priceFeedStoreAbi, 'addPriceFeed', [feeds.get(t.symbol)!.proxy, STALENESS_PERIOD], `addPriceFeed ${t.symbol}`);

  // --- core: oracle, factory, bot list, staking ---------------------------------------------------
  const priceOracle = (await create(art.priceOracle, [ap], 'PriceOracleV3')).address;
  for (const t of TOKENS) {
    // Main and reserve feed are the same proxy (the package's test wiring); safe prices = main prices.
    await call(priceOracle, priceOracleAbi, 'setPriceFeed', [tokenAddress.get(t.symbol)!, feeds.get(t.symbol)!.proxy, STALENESS_PERIOD], `setPriceFeed ${t.symbol}`);
    await call(priceOracle, priceOracleAbi, 'setReservePriceFeed', [tokenAddress.get(t.symbol)!, feeds.get(t.symbol)!.proxy, STALENESS_PERIOD], `setReservePriceFeed ${t.symbol}`);
  }
  const accountFactory = (await create(art.accountFactory, [ap], 'DefaultAccountFactoryV3')).address;
  const botList = (await create(art.botList, [ap], 'BotListV3')).address;
  const gearStaking = (await create(art.gearStaking, [ap], 'GearStakingV3')).address;
  await apSet('PRICE_ORACLE', VERSION_3_10, priceOracle);
  await apSet('ACCOUNT_FACTORY', VERSION_3_10, accountFactory);
  await apSet('BOT_LIST', VERSION_3_10, botList);
  await apSet('GEAR_STAKING', VERSION_3_10, gearStaking);

  // --- pool, quota keeper, gauge ------------------------------------------------------------------
  const underlying = tokenAddress.get(UNDERLYING.symbol)!;
  const interestRateModel = (await create(art.irm, [IRM.U_1, IRM.U_2, IRM.R_base, IRM.R_slope1, IRM.R_slope2, IRM.R_slope3, IRM.isBorrowingMoreU2Forbidden], 'LinearInterestRateModelV3')).address;
  const pool = (await create(art.pool, [ap, ap, underlying, treasury, interestRateModel, maxUint256, POOL_NAME, POOL_SYMBOL], 'PoolV3', GAS_CREATE_BIG)).address;
  const poolQuotaKeeper = (await create(art.quotaKeeper, [pool], 'PoolQuotaKeeperV3')).address;
  const gauge = (await create(art.gauge, [pool, gearStaking], 'GaugeV3')).address;
  await call(gauge, gaugeAbi, 'setFrozenEpoch', [false]);
  await call(poolQuotaKeeper, poolQuotaKeeperAbi, 'setGauge', [gauge]);
  await call(pool, poolAbi, 'setPoolQuotaKeeper', [poolQuotaKeeper]);
  for (const c of COLLATERALS) await call(gauge, gaugeAbi, 'addQuotaToken', [tokenAddress.get(c.symbol)!, c.minRate, c.maxRate], `addQuotaToken ${c.symbol}`);
  await call(ap, addressProviderAbi, 'addPool', [pool]);

  // --- credit manager, facade, configurator ---------------------------------------------------------
  const lossPolicy = (await create(art.lossPolicy, [pool, ap], 'AliasedLossPolicyV3')).address;
  const creditManager = (await create(art.creditManager, [
    pool, accountFactory, priceOracle, MAX_ENABLED_TOKENS,
    CM_FEES.feeInterest, CM_FEES.feeLiquidation, CM_FEES.liquidationPremium, CM_FEES.feeLiquidationExpired, CM_FEES.liquidationPremiumExpired,
    CREDIT_MANAGER_NAME,
  ], 'CreditManagerV3', GAS_CREATE_BIG)).address;
  // degenNFT = 0 (open to everyone), expirable = false; WETH is the devnet's WETH token (the facade wraps ETH sent with a call; the scenario sends none).
  const creditFacade = (await create(art.creditFacade, [ap, creditManager, lossPolicy, botList, tokenAddress.get('WETH')!, ZERO, false], 'CreditFacadeV3', GAS_CREATE_BIG)).address;
  // The credit manager's deployer is its first configurator (CreditManagerV3 constructor).
  await call(creditManager, creditManagerAbi, 'setCreditFacade', [creditFacade]);
  const creditConfigurator = (await create(art.creditConfigurator, [creditManager], 'CreditConfiguratorV3', GAS_CREATE_BIG)).address;
  await call(creditManager, creditManagerAbi, 'setCreditConfigurator', [creditConfigurator]);
  await call(creditConfigurator, creditConfiguratorAbi, 'setDebtLimits', [DEBT_LIMITS.minDebt, DEBT_LIMITS.maxDebt]);
  for (const c of COLLATERALS) await call(creditConfigurator, creditConfiguratorAbi, 'addCollateralToken', [tokenAddress.get(c.symbol)!, c.lt], `addCollateralToken ${c.symbol}`);
  await call(ap, addressProviderAbi, 'addCreditManager', [creditManager]);
  await call(accountFactory, art.accountFactory.abi, 'addCreditManager', [creditManager], 'accountFactory.addCreditManager');
  await call(poolQuotaKeeper, poolQuotaKeeperAbi, 'addCreditManager', [creditManager], 'quotaKeeper.addCreditManager');
  await call(pool, poolAbi, 'setCreditManagerDebtLimit', [creditManager, CREDIT_MANAGER_DEBT_LIMIT]);
  const receiptsA = await tx.settle();
  const startBlock = Number(receiptsA.find((r) => r.transactionHash === first.hash)!.blockNumber);

  // --- first epoch: rates, then quota limits ---------------------------------------------------------
  const { publicClient, testClient } = clients;
  const head = await publicClient.getBlock({ blockTag: 'latest' });
  await testClient.setNextBlockTimestamp({ timestamp: BigInt(nextEpochStart(Number(head.timestamp))) });
  await testClient.mine({ blocks: 1 });
  // A fresh sender: its block clock (manual mining) and nonces start at the new head.
  tx = await TxSender.create(clients);
  tx.explainRevert = explainGearboxRevert;
  await tx.prime([deployer]);
  await heartbeat(tx, deployer, [...feeds.values()].map((f) => f.proxy));
  const epochHash = await call(gauge, gaugeAbi, 'updateEpoch', []);
  for (const c of COLLATERALS) {
    await call(poolQuotaKeeper, poolQuotaKeeperAbi, 'setTokenLimit', [tokenAddress.get(c.symbol)!, c.quotaLimit], `setTokenLimit ${c.symbol}`);
    await call(poolQuotaKeeper, poolQuotaKeeperAbi, 'setTokenQuotaIncreaseFee', [tokenAddress.get(c.symbol)!, c.quotaIncreaseFee], `setTokenQuotaIncreaseFee ${c.symbol}`);
  }
  const receiptsB = await tx.settle();
  const quotaRatesBlock = Number(receiptsB.find((r) => r.transactionHash === epochHash)!.blockNumber);
  const readyBlock = Math.max(...receiptsB.map((r) => Number(r.blockNumber)));

  // --- read the wiring back ---------------------------------------------------------------------------
  const read = (address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address, abi: abi as never, functionName, args } as never) as Promise<unknown>;
  const checks: [string, unknown, unknown][] = [
    ['pool.poolQuotaKeeper', await read(pool, poolAbi, 'poolQuotaKeeper'), poolQuotaKeeper],
    ['creditManager.creditFacade', await read(creditManager, creditManagerAbi, 'creditFacade'), creditFacade],
    ['creditManager.creditConfigurator', await read(creditManager, creditManagerAbi, 'creditConfigurator'), creditConfigurator],
    ['creditFacade.lossPolicy', await read(creditFacade, creditFacadeAbi, 'lossPolicy'), lossPolicy],
    ['gearStaking.getCurrentEpoch > 0', ((await read(gearStaking, gearStakingAbi, 'getCurrentEpoch')) as number) > 0, true],
  ];
  for (const [what, got, want] of checks) {
    if (got !== want) throw new GearboxDevnetError('GEARBOX_DEPLOY_FAILED', `${what} is ${String(got)}, expected ${String(want)}`);
  }
  log(`Gearbox V3 at pool ${pool}, credit manager ${creditManager}: ${receiptsA.length + receiptsB.length} txs, ${Date.now() - t0} ms`);

  return {
    chainId: clients.chain.id,
    startBlock,
    quotaRatesBlock,
    readyBlock,
    configurator: deployer.address,
    addressProvider: ap,
    acl: ap,
    contractsRegister: ap,
    priceFeedStore,
    priceOracle,
    accountFactory,
    botList,
    gearStaking,
    gearToken,
    treasury,
    interestRateModel,
    pool,
    poolName: POOL_NAME,
    poolSymbol: POOL_SYMBOL,
    poolQuotaKeeper,
    gauge,
    lossPolicy,
    creditManager,
    creditManagerName: CREDIT_MANAGER_NAME,
    creditFacade,
    creditConfigurator,
    underlying,
    tokens: TOKENS.map((t) => ({ symbol: t.symbol, address: tokenAddress.get(t.symbol)!, decimals: t.decimals, fund: 'mint' as const, feed: feeds.get(t.symbol)!, shared: shared.has(t.symbol) })),
    collaterals: COLLATERALS.map((c) => ({ symbol: c.symbol, token: tokenAddress.get(c.symbol)!, lt: c.lt, quotaLimit: c.quotaLimit.toString(), quotaIncreaseFee: c.quotaIncreaseFee, minRate: c.minRate, maxRate: c.maxRate })),
    debtLimits: { minDebt: DEBT_LIMITS.minDebt.toString(), maxDebt: DEBT_LIMITS.maxDebt.toString() },
    fees: CM_FEES,
    stalenessPeriod: STALENESS_PERIOD,
    compiler: art.compiler,
    buildKey: art.key,
  };
}

/**
 * A heartbeat round on every feed: the aggregator currently behind each proxy reports its current answer
 * again (AnswerUpdated with the same price, a new updatedAt), as Chainlink's nodes do at least once per
 * heartbeat. PriceOracleV3 reverts with StalePriceException on feeds older than the staleness period.
 */
export async function heartbeat(tx: TxSender, who: PrivateKeyAccount, proxies: readonly Address[]): Promise<void> {
  const { publicClient } = tx.clients;
  const seen = new Set<Address>();
  for (const proxy of proxies) {
    if (seen.has(proxy)) continue;
    seen.add(proxy);
    const [aggregator, answer] = await Promise.all([
      publicClient.readContract({ address: proxy, abi: feedProxyAbi, functionName: 'aggregator' }),
      publicClient.readContract({ address: proxy, abi: feedProxyAbi, functionName: 'latestAnswer' }),
    ]);
    await tx.write(who, { address: aggregator, abi: feedAggregatorAbi, functionName: 'transmitAnswer', args: [answer], gas: 200_000n }, `heartbeat ${proxy}`);
  }
}
