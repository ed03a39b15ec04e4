// Deploys Morpho Blue (compiled from @morpho-org/morpho-blue@1.0.0) with mock tokens, one
// Chainlink-feed oracle per market (ChainlinkOracleStandIn, the MorphoChainlinkOracleV2 pattern)
// and IrmMock, enables LLTVs, creates the markets and sets a fee.
//
// Feeds: a token shared with the Aave v3.0 devnet is read through that market's own Chainlink
// proxy (the same feed Aave's oracle reads, as on mainnet); any other token gets a proxy and
// aggregator only Morpho's oracles read (devnet/chainlink/feeds.ts).
//
// Deterministic: one deployer (anvil account 0 unless told otherwise) sends everything in a fixed
// order, so a fresh anvil always yields the same addresses. All txs go out at once (TxSender) and
// are checked in one settle(): every address is known before mining (CREATE from sender + nonce),
// and txs of one sender are mined in nonce order, so later calls see earlier effects.
import { encodeAbiParameters, getAddress, keccak256, type Address, type Hex, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, deriveAccount, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { FeedDeployer } from '../chainlink/feeds';
import { morphoBlueAbi } from './abis';
import { compileMorphoBlue } from './compile';
import { ENABLED_LLTVS, MARKETS, TOKENS, oraclePrice, token, type MarketConfig, type TokenConfig } from './market-config';

export interface MorphoMarketParams {
  loanToken: Address;
  collateralToken: Address;
  oracle: Address;
  irm: Address;
  lltv: bigint;
}

export interface DeployedMorphoMarket {
  /** Morpho's market id: keccak256(abi.encode(marketParams)) (MarketParamsLib.id) */
  id: Hex;
  label: string;
  loanToken: Address;
  collateralToken: Address;
  oracle: Address;
  irm: Address;
  /** WAD fraction as a decimal string (keeps the object JSON-safe) */
  lltv: string;
  /** fee set at deployment, WAD fraction as a decimal string */
  fee: string;
  loanDecimals: number;
  collateralDecimals: number;
  loanSymbol: string;
  collateralSymbol: string;
  /** oracle price at deployment, decimal string (36 + loan - collateral decimals) */
  initialPrice: string;
  /** the oracle's Chainlink feeds (proxies): base = collateral/USD, quote = loan/USD */
  feeds: { base: Address; quote: Address };
  /** ChainlinkOracleStandIn.SCALE_FACTOR: 10^(36 + loan + quoteFeed - collateral - baseFeed decimals), decimal string */
  scaleFactor: string;
}

export interface MorphoToken {
  symbol: string;
  address: Address;
  decimals: number;
  /**
   * `fund`: how the scenario gives accounts a balance: `setBalance` on Morpho's own mock tokens,
   * `mint(address,uint256)` on another protocol's MintableERC20 (tokens shared with Aave, as on mainnet).
   */
  fund: 'setBalance' | 'mint';
  /** the token's USD feed (a Chainlink proxy) and its aggregator at deployment */
  feed: { proxy: Address; aggregator: Address };
  /** true: the feed is the Aave v3.0 market's own (Aave prices this token); false: only Morpho's oracles read it */
  pricedByAave: boolean;
}

export interface MorphoDeployment {
  chainId: number;
  /** block of the Morpho deployment: where an indexer starts */
  startBlock: number;
  morpho: Address;
  irm: Address;
  owner: Address;
  feeRecipient: Address;
  tokens: MorphoToken[];
  enabledLltvs: string[];
  markets: DeployedMorphoMarket[];
}

export interface MorphoDeployOptions {
  /** defaults to anvil account 0; becomes Morpho's owner */
  deployerKey?: Hex;
  /** defaults to a fixed EOA (deriveAccount('morpho-fee-recipient', 0)) */
  feeRecipient?: Address;
  /**
   * Existing tokens to list markets on, by symbol (their decimals must match market-config.ts):
   * the devnet shares Aave's underlyings so both protocols price the same assets, as on mainnet.
   * Symbols not given get Morpho's own mock tokens.
   */
  existingTokens?: { symbol: string; address: Address; decimals: number; /** its USD feed: Chainlink proxy and aggregator (Aave v3.0's) */ feed?: { proxy: Address; aggregator: Address } }[];
  log?: (msg: string) => void;
}

// Fixed gas limits, no eth_estimateGas: Morpho's creation takes ~3.45M gas (15.6 KB of code), createMarket ~120k.
const GAS_CREATE_MORPHO = 6_000_000n;
const GAS_CREATE = 2_000_000n;
const GAS_CALL = 300_000n;

export function marketParamsOf(m: Pick<DeployedMorphoMarket, 'loanToken' | 'collateralToken' | 'oracle' | 'irm' | 'lltv'>): MorphoMarketParams {
  return { loanToken: m.loanToken, collateralToken: m.collateralToken, oracle: m.oracle, irm: m.irm, lltv: BigInt(m.lltv) };
}

/** MarketParamsLib.id: keccak256 over the 5-word memory layout = abi.encode(marketParams). */
export function marketId(p: MorphoMarketParams): Hex {
  return keccak256(encodeAbiParameters(
    [{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'uint256' }],
    [p.loanToken, p.collateralToken, p.oracle, p.irm, p.lltv],
  ));
}

export async function deployMorphoBlue(clients: DevnetClients, options: MorphoDeployOptions = {}): Promise<MorphoDeployment> {
  const log = options.log ?? (() => {});
  const t0 = Date.now();
  const art = await compileMorphoBlue(log);
  const deployer: PrivateKeyAccount = privateKeyToAccount(options.deployerKey ?? ANVIL_DEPLOYER_KEY);
  const feeRecipient = getAddress(options.feeRecipient ?? deriveAccount('morpho-fee-recipient', 0).address);
  const tx = await TxSender.create(clients);
  await tx.prime([deployer]);

  const morpho = await tx.deploy(deployer, { abi: art.morpho.abi, bytecode: art.morpho.bytecode, args: [deployer.address], gas: GAS_CREATE_MORPHO }, 'deploy Morpho');
  const irm = (await tx.deploy(deployer, { abi: art.irmMock.abi, bytecode: art.irmMock.bytecode, gas: GAS_CREATE }, 'deploy IrmMock')).address;
  const tokens = new Map<string, Address>();
  const shared = new Map((options.existingTokens ?? []).map((t) => [t.symbol, t]));
  for (const t of TOKENS) {
    const existing = shared.get(t.symbol);
    if (existing) {
      if (existing.decimals !== t.decimals) throw new Error(`token ${t.symbol} has ${existing.decimals} decimals, market-config expects ${t.decimals}`);
      tokens.set(t.symbol, getAddress(existing.address));
      continue;
    }
    const { address } = await tx.deploy(deployer, { abi: art.token.abi, bytecode: art.token.bytecode, args: [t.name, t.symbol, t.decimals], gas: GAS_CREATE }, `deploy token ${t.symbol}`);
    tokens.set(t.symbol, address);
  }
  // One USD feed per token: the shared market's proxy, else a proxy + aggregator of Morpho's own.
  const feeder = await FeedDeployer.create(tx, deployer, log);
  const feeds = new Map<string, { proxy: Address; aggregator: Address }>();
  for (const t of TOKENS) {
    const existing = shared.get(t.symbol)?.feed;
    feeds.set(t.symbol, existing ?? (await feeder.chainlink(t.usd, t.symbol)).feed);
  }
  const oracles: Address[] = [];
  for (const m of MARKETS) {
    const args = [feeds.get(m.collateral)!.proxy, feeds.get(m.loan)!.proxy, BigInt(token(m.collateral).decimals), BigInt(token(m.loan).decimals)];
    oracles.push((await tx.deploy(deployer, { abi: art.chainlinkOracle.abi, bytecode: art.chainlinkOracle.bytecode, args, gas: GAS_CREATE }, `deploy ChainlinkOracleStandIn ${m.label}`)).address);
  }

  const owner = (functionName: string, args: readonly unknown[], label = functionName) =>
    tx.write(deployer, { address: morpho.address, abi: morphoBlueAbi, functionName, args, gas: GAS_CALL } as never, label);
  await owner('enableIrm', [irm]);
  for (const lltv of ENABLED_LLTVS) await owner('enableLltv', [lltv], `enableLltv ${lltv}`);
  await owner('setFeeRecipient', [feeRecipient]);

  const markets: DeployedMorphoMarket[] = MARKETS.map((m, i) => describe(m, token(m.loan), token(m.collateral), oracles[i]));
  for (const [i, m] of markets.entries()) {
    await owner('createMarket', [marketParamsOf(m)], `createMarket ${m.label}`);
    if (MARKETS[i].fee > 0n) await owner('setFee', [marketParamsOf(m), MARKETS[i].fee], `setFee ${m.label}`);
  }
  const receipts = await tx.settle();
  const startBlock = Number(receipts.find((r) => r.transactionHash === morpho.hash)!.blockNumber);
  log(`Morpho Blue at ${morpho.address}: ${markets.length} markets, ${receipts.length} txs, ${Date.now() - t0} ms`);

  return {
    chainId: clients.chain.id,
    startBlock,
    morpho: morpho.address,
    irm,
    owner: deployer.address,
    feeRecipient,
    tokens: TOKENS.map((t) => ({
      symbol: t.symbol,
      address: tokens.get(t.symbol)!,
      decimals: t.decimals,
      fund: shared.has(t.symbol) ? ('mint' as const) : ('setBalance' as const),
      feed: feeds.get(t.symbol)!,
      pricedByAave: shared.get(t.symbol)?.feed !== undefined,
    })),
    enabledLltvs: ENABLED_LLTVS.map(String),
    markets,
  };

  function describe(m: MarketConfig, loan: TokenConfig, collateral: TokenConfig, oracle: Address): DeployedMorphoMarket {
    const params: MorphoMarketParams = { loanToken: tokens.get(loan.symbol)!, collateralToken: tokens.get(collateral.symbol)!, oracle, irm, lltv: m.lltv };
    return {
      id: marketId(params),
      label: m.label,
      ...params,
      lltv: m.lltv.toString(),
      fee: m.fee.toString(),
      loanDecimals: loan.decimals,
      collateralDecimals: collateral.decimals,
      loanSymbol: loan.symbol,
      collateralSymbol: collateral.symbol,
      initialPrice: oraclePrice(collateral, loan).toString(),
      feeds: { base: feeds.get(collateral.symbol)!.proxy, quote: feeds.get(loan.symbol)!.proxy },
      // both feeds answer with FEED_DECIMALS, which cancel out
      scaleFactor: (10n ** BigInt(36 + loan.decimals - collateral.decimals)).toString(),
    };
  }
}
