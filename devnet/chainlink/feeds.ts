// Mainnet-shaped price feeds on the devnet, with viem: a Chainlink EACAggregatorProxy in front of an
// aggregator (what Aave's and Morpho's oracles read on mainnet), and the CAPO pattern (an adapter
// multiplying a base feed by an exchange ratio that moves with no event).
//
// What an indexer sees, as on mainnet: the proxy emits nothing, ever (not even when
// confirmAggregator switches the aggregator behind it); AnswerUpdated comes only from the
// aggregator; the adapter and the ratio provider emit nothing. Price moves therefore go to the
// aggregator *currently* behind a proxy, read live with `aggregator()`.
import { parseAbi, type Address, type PrivateKeyAccount, type PublicClient } from 'viem';
import type { TxSender } from '../chain/txs';
import { compileFeeds, type FeedArtifacts } from './compile';

/** Chainlink USD feeds answer with 8 decimals (and Aave's USD base unit is 1e8). */
export const FEED_DECIMALS = 8;
/** Exchange ratios (like wstETH's stEthPerToken) carry 18 decimals; 1e18 = one to one. */
export const RATIO_DECIMALS = 18;
export const RATIO_ONE = 10n ** 18n;
/** The adapter's cap: 10% a year, the order of the caps CAPO puts on LST ratios. */
export const MAX_YEARLY_GROWTH_BPS = 1_000n;

export type FeedKind = 'chainlink-proxy' | 'capo';

/** Where a price comes from, so tests can read the chain behind an oracle source. */
export type PriceFeed =
  | { kind: 'chainlink-proxy'; proxy: Address; /** the aggregator behind the proxy at deployment */ aggregator: Address }
  | {
      kind: 'capo';
      /** the oracle source: PriceCapAdapterStandIn */
      adapter: Address;
      /** the adapter's base feed (a Chainlink proxy) and its aggregator at deployment */
      proxy: Address;
      aggregator: Address;
      ratioProvider: Address;
    };

// Only the functions and events the devnet calls (sources: @chainlink/contracts src/v0.6 and contracts/).
export const feedProxyAbi = parseAbi([
  'function aggregator() view returns (address)',
  'function latestAnswer() view returns (int256)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function decimals() view returns (uint8)',
  'function owner() view returns (address)',
  'function proposeAggregator(address _aggregator)',
  'function confirmAggregator(address _aggregator)',
]);
export const feedAggregatorAbi = parseAbi([
  'function latestAnswer() view returns (int256)',
  'function latestRound() view returns (uint256)',
  'function transmitAnswer(int256 _answer)',
  'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
  'event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt)',
]);
export const ratioProviderAbi = parseAbi(['function getRatio() view returns (uint256)', 'function setRatio(uint256 newRatio)']);
export const capAdapterAbi = parseAbi([
  'function latestAnswer() view returns (int256)',
  'function cappedRatio() view returns (uint256)',
  'function decimals() view returns (uint8)',
]);

const GAS_CREATE = 3_000_000n;
const GAS_CALL = 200_000n;

/** Deploys through `tx` (addresses are known before mining); `owner` owns proxies and ratio providers. */
export class FeedDeployer {
  private constructor(
    private readonly tx: TxSender,
    private readonly owner: PrivateKeyAccount,
    readonly art: FeedArtifacts,
  ) {}

  static async create(tx: TxSender, owner: PrivateKeyAccount, log?: (m: string) => void): Promise<FeedDeployer> {
    return new FeedDeployer(tx, owner, await compileFeeds(log));
  }

  private deploy(a: { abi: FeedArtifacts['proxy']['abi']; bytecode: `0x${string}` }, args: readonly unknown[], label: string) {
    return this.tx.deploy(this.owner, { abi: a.abi, bytecode: a.bytecode, args, gas: GAS_CREATE }, label);
  }

  /** A new aggregator (8 decimals) answering `answer`. */
  async aggregator(answer: bigint, label: string): Promise<Address> {
    return (await this.deploy(this.art.aggregator, [FEED_DECIMALS, answer], `deploy aggregator ${label}`)).address;
  }

  /** EACAggregatorProxy(aggregator, accessController = address(0): reads are open) over a new aggregator. */
  async chainlink(answer: bigint, label: string): Promise<{ source: Address; feed: PriceFeed & { kind: 'chainlink-proxy' } }> {
    const aggregator = await this.aggregator(answer, label);
    const proxy = (await this.deploy(this.art.proxy, [aggregator, '0x0000000000000000000000000000000000000000'], `deploy EACAggregatorProxy ${label}`)).address;
    return { source: proxy, feed: { kind: 'chainlink-proxy', proxy, aggregator } };
  }

  /** CAPO pattern: adapter over a Chainlink base feed answering `baseAnswer` and a ratio starting at 1e18. */
  async capo(baseAnswer: bigint, label: string): Promise<{ source: Address; feed: PriceFeed & { kind: 'capo' } }> {
    const base = await this.chainlink(baseAnswer, `${label} base`);
    const ratioProvider = (await this.deploy(this.art.ratioProvider, [RATIO_ONE], `deploy RatioProviderStandIn ${label}`)).address;
    // The adapter's constructor snapshots the ratio: sent after the provider, mined after it (same sender, nonce order).
    const adapter = (await this.deploy(this.art.capAdapter, [base.feed.proxy, ratioProvider, RATIO_DECIMALS, MAX_YEARLY_GROWTH_BPS], `deploy PriceCapAdapterStandIn ${label}`)).address;
    return { source: adapter, feed: { kind: 'capo', adapter, proxy: base.feed.proxy, aggregator: base.feed.aggregator, ratioProvider } };
  }

  feed(kind: FeedKind, answer: bigint, label: string) {
    return kind === 'capo' ? this.capo(answer, label) : this.chainlink(answer, label);
  }
}

/** The aggregator behind a proxy now (or at a block). */
export function currentAggregator(client: PublicClient, proxy: Address, blockNumber?: bigint): Promise<Address> {
  return client.readContract({ address: proxy, abi: feedProxyAbi, functionName: 'aggregator', blockNumber });
}

/** A new round on the aggregator currently behind `proxy`: AnswerUpdated from the aggregator, as on mainnet. */
export async function updateAnswer(tx: TxSender, who: PrivateKeyAccount, proxy: Address, answer: bigint, label: string) {
  const aggregator = await currentAggregator(tx.clients.publicClient, proxy);
  return tx.write(who, { address: aggregator, abi: feedAggregatorAbi, functionName: 'transmitAnswer', args: [answer], gas: GAS_CALL }, `transmitAnswer ${label} ${answer}`);
}

/**
 * The silent switch: a new aggregator at `answer`, then proposeAggregator + confirmAggregator by the
 * proxy's owner. The proxy's price changes and nothing is logged but the new aggregator's first round.
 */
export async function switchAggregator(tx: TxSender, owner: PrivateKeyAccount, deployer: FeedDeployer, proxy: Address, answer: bigint, label: string): Promise<Address> {
  const next = await deployer.aggregator(answer, `${label} (switched)`);
  await tx.write(owner, { address: proxy, abi: feedProxyAbi, functionName: 'proposeAggregator', args: [next], gas: GAS_CALL }, `proposeAggregator ${label}`);
  await tx.write(owner, { address: proxy, abi: feedProxyAbi, functionName: 'confirmAggregator', args: [next], gas: GAS_CALL }, `confirmAggregator ${label}`);
  return next;
}

/** Moves an exchange ratio; the ratio provider emits no event (nor does the adapter reading it). */
export function setRatio(tx: TxSender, owner: PrivateKeyAccount, ratioProvider: Address, ratio: bigint, label: string) {
  return tx.write(owner, { address: ratioProvider, abi: ratioProviderAbi, functionName: 'setRatio', args: [ratio], gas: GAS_CALL }, `setRatio ${label} ${ratio}`);
}

export function readRatio(client: PublicClient, ratioProvider: Address, blockNumber?: bigint): Promise<bigint> {
  return client.readContract({ address: ratioProvider, abi: ratioProviderAbi, functionName: 'getRatio', blockNumber });
}

/** Base-feed answer such that base x ratio / 1e18 (what the adapter returns, below its cap) is at least `price`, by less than one unit. */
export function baseForComposite(price: bigint, ratio: bigint): bigint {
  return (price * RATIO_ONE + ratio - 1n) / ratio;
}
