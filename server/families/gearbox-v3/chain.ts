/**
 * The chain reads Gearbox V3 health needs at the pinned block, in one multicall per step: the pool's
 * interest state, the credit managers' fees, LT ramps and token masks, the quota keeper's token
 * indexes, PriceOracleV3 prices (ORACLE_CALL: mainnet feeds are adapters that emit no events), and
 * each credit account's interest state (CreditManagerV3.creditAccountInfo, PoolQuotaKeeperV3.getQuota):
 * the subgraph indexes principal and balances, not the cumulative indexes interest accrues from.
 * Token balances are not read here: they come from the subgraph (CreditAccountBalance).
 */
import { parseAbi } from 'viem';
import { gatewayError } from '../../errors';
import type { ChainReader, ContractRead, ReadResult } from '../../sources/chain';
import type { AccountQuota, CreditAccountInfo, CreditManagerParams, LtParams, OraclePrice, PoolLiquidityState, QuotaTokenState } from './math';

/** @gearbox-protocol/core-v3@1.52.1 contracts/interfaces (the functions read). */
export const POOL_ABI = parseAbi([
  'function baseInterestIndexLU() view returns (uint256)',
  'function baseInterestRate() view returns (uint256)',
  'function lastBaseInterestUpdate() view returns (uint256)',
  'function expectedLiquidityLU() view returns (uint256)',
  'function totalBorrowed() view returns (uint256)',
  'function poolQuotaKeeper() view returns (address)',
  'function quotaRevenue() view returns (uint256)',
  'function lastQuotaRevenueUpdate() view returns (uint256)',
]);
export const CREDIT_MANAGER_ABI = parseAbi([
  'function fees() view returns (uint16 feeInterest, uint16 feeLiquidation, uint16 liquidationDiscount, uint16 feeLiquidationExpired, uint16 liquidationDiscountExpired)',
  'function collateralTokenByMask(uint256 tokenMask) view returns (address token, uint16 liquidationThreshold)',
  'function getTokenMaskOrRevert(address token) view returns (uint256)',
  'function ltParams(address token) view returns (uint16 ltInitial, uint16 ltFinal, uint40 timestampRampStart, uint24 rampDuration)',
  'function creditAccountInfo(address) view returns (uint256 debt, uint256 cumulativeIndexLastUpdate, uint128 cumulativeQuotaInterest, uint128 quotaFees, uint256 enabledTokensMask, uint16 flags, uint64 lastDebtUpdate, address borrower)',
  'function creditFacade() view returns (address)',
  'function priceOracle() view returns (address)',
]);
export const CREDIT_FACADE_ABI = parseAbi([
  'function expirable() view returns (bool)',
  'function expirationDate() view returns (uint40)',
  'function paused() view returns (bool)',
]);
export const QUOTA_KEEPER_ABI = parseAbi([
  'function getTokenQuotaParams(address token) view returns (uint16 rate, uint192 cumulativeIndexLU, uint16 quotaIncreaseFee, uint96 totalQuoted, uint96 limit, bool isActive)',
  'function lastQuotaRateUpdate() view returns (uint40)',
  'function getQuota(address creditAccount, address token) view returns (uint96 quota, uint192 cumulativeIndexLU)',
]);
export const PRICE_ORACLE_ABI = parseAbi([
  'function getPrice(address token) view returns (uint256)',
  'struct PriceFeedParams { address priceFeed; uint32 stalenessPeriod; bool skipCheck; uint8 tokenDecimals; }',
  'function priceFeedParams(address token) view returns (PriceFeedParams)',
]);
/** Chainlink AggregatorV3Interface, what PriceOracleV3._getValidatedPrice reads. */
export const PRICE_FEED_ABI = parseAbi(['function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)']);

export function requireChain(chain: ChainReader | undefined): ChainReader {
  if (!chain) {
    throw gatewayError(
      'CHAIN_REQUIRED',
      'Gearbox V3 needs an Ethereum RPC (GATEWAY_RPC_URL): the subgraph indexes no PriceOracleV3 prices (its feeds emit no events) and no credit-account interest indexes; both are read at the queried block',
    );
  }
  return chain;
}

/** What a read must answer; a failed read fails the Gearbox view (health cannot be exact without it). */
function value<T>(r: ReadResult, what: string): T {
  if (!r.ok) throw gatewayError('CHAIN_UNAVAILABLE', `Gearbox V3: ${what} could not be read: ${r.error}`);
  return r.value as T;
}

/** A read that may fail while the market is still being wired (no facade, no quota keeper yet): its default then. */
function orDefault<T>(r: ReadResult | undefined, fallback: T): T {
  return r && r.ok ? (r.value as T) : fallback;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** A token's identity and decimals as the subgraph has them (lowercase address). */
export interface TokenRef {
  address: string;
  decimals: number;
}

export interface ManagerRead {
  params: CreditManagerParams;
  fees: { feeInterest: bigint; feeLiquidation: bigint; liquidationDiscount: bigint; feeLiquidationExpired: bigint; liquidationDiscountExpired: bigint };
  facade: string;
  expirable: boolean;
  expirationDate: bigint;
  paused: boolean;
}

export interface PoolChainState {
  /** PoolV3.poolQuotaKeeper() */
  quotaKeeper: string;
  /** CreditManagerV3.priceOracle() of the pool's first credit manager (V3.1: one oracle per market configurator) */
  priceOracle: string;
  pool: PoolLiquidityState;
  lastQuotaRateUpdate: bigint;
  quotaTokens: Map<string, QuotaTokenState & { quotaIncreaseFee: bigint; totalQuoted: bigint; limit: bigint }>;
  prices: Map<string, OraclePrice>;
  /** Tokens whose getPrice reverted (a stale feed): priced with their main feed's latestRoundData answer instead. */
  staleFeeds: Set<string>;
  managers: Map<string, ManagerRead>;
}

export interface PoolReadSpec {
  pool: string;
  underlying: TokenRef;
  quotaTokens: string[];
  /** every token to price (the underlying and every collateral token) */
  tokens: TokenRef[];
  managers: { address: string; collateralTokens: string[] }[];
}

const lc = (a: unknown) => String(a).toLowerCase();

/** The pool-wide state at `block` (two multicalls: the quota keeper's, oracle's and facades' addresses first). */
export async function readPoolChain(chain: ChainReader, s: PoolReadSpec, block: number): Promise<PoolChainState> {
  const first = await chain.readAll(
    [
      { address: s.pool, abi: POOL_ABI, functionName: 'poolQuotaKeeper' },
      ...s.managers.flatMap((m) => (['priceOracle', 'creditFacade'] as const).map((functionName) => ({ address: m.address, abi: CREDIT_MANAGER_ABI, functionName }))),
    ],
    block,
  );
  const quotaKeeper = lc(value<string>(first[0], 'PoolV3.poolQuotaKeeper()'));
  const oracles = s.managers.map((m, k) => lc(value<string>(first[1 + 2 * k], `CreditManagerV3(${m.address}).priceOracle()`)));
  const facades = s.managers.map((m, k) => lc(value<string>(first[2 + 2 * k], `CreditManagerV3(${m.address}).creditFacade()`)));
  const priceOracle = oracles[0] ?? ZERO_ADDRESS;
  const wired = (a: string) => a !== ZERO_ADDRESS;
  const reads: ContractRead[] = [];
  const at = (r: ContractRead) => reads.push(r) - 1;
  const poolFns = ['baseInterestIndexLU', 'baseInterestRate', 'lastBaseInterestUpdate', 'expectedLiquidityLU', 'totalBorrowed', 'quotaRevenue', 'lastQuotaRevenueUpdate'] as const;
  const poolIdx = poolFns.map((functionName) => at({ address: s.pool, abi: POOL_ABI, functionName }));
  const lqru = !wired(quotaKeeper) ? -1 : at({ address: quotaKeeper, abi: QUOTA_KEEPER_ABI, functionName: 'lastQuotaRateUpdate' });
  const qIdx = s.quotaTokens.map((t) => !wired(quotaKeeper) ? -1 : at({ address: quotaKeeper, abi: QUOTA_KEEPER_ABI, functionName: 'getTokenQuotaParams', args: [t] }));
  const pIdx = s.tokens.map((t) => !wired(priceOracle) ? -1 : at({ address: priceOracle, abi: PRICE_ORACLE_ABI, functionName: 'getPrice', args: [t.address] }));
  const mIdx = s.managers.map((m) => ({
    fees: at({ address: m.address, abi: CREDIT_MANAGER_ABI, functionName: 'fees' }),
    underlying: at({ address: m.address, abi: CREDIT_MANAGER_ABI, functionName: 'collateralTokenByMask', args: [1n] }),
    tokens: m.collateralTokens.map((t) => ({
      token: t,
      mask: at({ address: m.address, abi: CREDIT_MANAGER_ABI, functionName: 'getTokenMaskOrRevert', args: [t] }),
      lt: at({ address: m.address, abi: CREDIT_MANAGER_ABI, functionName: 'ltParams', args: [t] }),
    })),
  }));
  const fReads: ContractRead[] = facades.filter(wired).flatMap((f) => (['expirable', 'expirationDate', 'paused'] as const).map((functionName) => ({ address: f, abi: CREDIT_FACADE_ABI, functionName })));
  const [r, fr] = await Promise.all([chain.readAll(reads, block), chain.readAll(fReads, block)]);
  const big = (i: number, what: string) => BigInt(value<bigint | number>(r[i], what));
  const [baseInterestIndexLU, baseInterestRate, lastBaseInterestUpdate, expectedLiquidityLU, totalBorrowed, quotaRevenue, lastQuotaRevenueUpdate] = poolIdx.map((i, k) => big(i, `PoolV3.${poolFns[k]}()`));
  const quotaTokens: PoolChainState['quotaTokens'] = new Map();
  s.quotaTokens.forEach((t, k) => {
    if (qIdx[k] < 0) return;
    const [rate, cumulativeIndexLU, quotaIncreaseFee, totalQuoted, limit] = value<readonly [number, bigint, number, bigint, bigint, boolean]>(r[qIdx[k]], `PoolQuotaKeeperV3.getTokenQuotaParams(${t})`);
    quotaTokens.set(lc(t), { rate: BigInt(rate), cumulativeIndexLU, quotaIncreaseFee: BigInt(quotaIncreaseFee), totalQuoted, limit });
  });
  const prices = new Map<string, OraclePrice>();
  s.tokens.forEach((t, k) => {
    const p = r[pIdx[k]];
    if (p?.ok) prices.set(t.address, { price: p.value as bigint, scale: 10n ** BigInt(t.decimals) });
  });
  const staleFeeds = wired(priceOracle) ? await readStaleFeeds(chain, priceOracle, s.tokens.filter((t) => !prices.has(t.address)), block, prices) : new Set<string>();

  const managers = new Map<string, ManagerRead>();
  s.managers.forEach((m, k) => {
    const ix = mIdx[k];
    const [feeInterest, feeLiquidation, liquidationDiscount, feeLiquidationExpired, liquidationDiscountExpired] = value<readonly number[]>(r[ix.fees], `CreditManagerV3(${m.address}).fees()`).map(BigInt);
    const [underlying, ltUnderlying] = value<readonly [string, number]>(r[ix.underlying], `CreditManagerV3(${m.address}).collateralTokenByMask(1)`);
    const collateralTokens = ix.tokens
      .filter((t) => lc(t.token) !== lc(underlying))
      .map((t) => {
        const [ltInitial, ltFinal, timestampRampStart, rampDuration] = value<readonly number[]>(r[t.lt], `CreditManagerV3(${m.address}).ltParams(${t.token})`).map(BigInt);
        const lt: LtParams = { ltInitial, ltFinal, timestampRampStart, rampDuration };
        return { token: lc(t.token), mask: BigInt(value<bigint>(r[t.mask], `CreditManagerV3(${m.address}).getTokenMaskOrRevert(${t.token})`)), lt };
      });
    // The facade's reads, in the order of the wired facades (defaults while none is set).
    const f = facades.slice(0, k).filter(wired).length;
    const flag = (j: number, fallback: unknown) => (wired(facades[k]) ? orDefault(fr[f * 3 + j], fallback) : fallback);
    managers.set(lc(m.address), {
      params: { underlying: lc(underlying), ltUnderlying: BigInt(ltUnderlying), feeInterest, collateralTokens },
      fees: { feeInterest, feeLiquidation, liquidationDiscount, feeLiquidationExpired, liquidationDiscountExpired },
      facade: facades[k],
      expirable: flag(0, false) as boolean,
      expirationDate: BigInt(flag(1, 0) as number),
      paused: flag(2, false) as boolean,
    });
  });
  return {
    quotaKeeper,
    priceOracle,
    pool: { baseInterestIndexLU, baseInterestRate, lastBaseInterestUpdate, expectedLiquidityLU, totalBorrowed, quotaRevenue, lastQuotaRevenueUpdate },
    lastQuotaRateUpdate: lqru < 0 ? 0n : big(lqru, 'PoolQuotaKeeperV3.lastQuotaRateUpdate()'),
    quotaTokens,
    prices,
    staleFeeds,
    managers,
  };
}

/**
 * Tokens getPrice could not price: where PriceOracleV3 has a main feed with a positive last answer
 * (getPrice reverts on a stale one), that answer is taken, and the token is named stale; a token
 * without a feed stays unpriced (the views leave what needs it out of USD figures).
 */
async function readStaleFeeds(chain: ChainReader, oracle: string, tokens: TokenRef[], block: number, prices: Map<string, OraclePrice>): Promise<Set<string>> {
  const stale = new Set<string>();
  if (tokens.length === 0) return stale;
  const params = await chain.readAll(tokens.map((t) => ({ address: oracle, abi: PRICE_ORACLE_ABI, functionName: 'priceFeedParams', args: [t.address] })), block);
  const feeds = tokens.map((t, k) => ({ t, feed: lc(orDefault<{ priceFeed: string }>(params[k], { priceFeed: ZERO_ADDRESS }).priceFeed) })).filter((f) => f.feed !== ZERO_ADDRESS);
  const answers = await chain.readAll(feeds.map((f) => ({ address: f.feed, abi: PRICE_FEED_ABI, functionName: 'latestRoundData' })), block);
  feeds.forEach((f, k) => {
    const answer = orDefault<readonly bigint[] | null>(answers[k], null)?.[1] ?? 0n;
    if (answer <= 0n) return;
    prices.set(f.t.address, { price: answer, scale: 10n ** BigInt(f.t.decimals) });
    stale.add(f.t.address);
  });
  return stale;
}

export interface AccountChainState {
  info: CreditAccountInfo & { borrower: string };
  quotas: Map<string, AccountQuota>;
}

/** Each account's CreditManagerV3.creditAccountInfo and PoolQuotaKeeperV3.getQuota for every quoted token of its manager, in one multicall. */
export async function readAccountsChain(
  chain: ChainReader,
  quotaKeeper: string,
  accounts: { address: string; creditManager: string; quotedTokens: string[] }[],
  block: number,
): Promise<Map<string, AccountChainState>> {
  const reads: ContractRead[] = [];
  const idx = accounts.map((a) => ({
    info: reads.push({ address: a.creditManager, abi: CREDIT_MANAGER_ABI, functionName: 'creditAccountInfo', args: [a.address] }) - 1,
    quotas: a.quotedTokens.map((t) => reads.push({ address: quotaKeeper, abi: QUOTA_KEEPER_ABI, functionName: 'getQuota', args: [a.address, t] }) - 1),
  }));
  const r = await chain.readAll(reads, block);
  const out = new Map<string, AccountChainState>();
  accounts.forEach((a, k) => {
    const [debt, cumulativeIndexLastUpdate, cumulativeQuotaInterest, quotaFees, enabledTokensMask, , , borrower] = value<readonly unknown[]>(r[idx[k].info], `CreditManagerV3.creditAccountInfo(${a.address})`);
    const quotas = new Map<string, AccountQuota>();
    a.quotedTokens.forEach((t, j) => {
      const [quota, cumulativeIndexLU] = value<readonly [bigint, bigint]>(r[idx[k].quotas[j]], `PoolQuotaKeeperV3.getQuota(${a.address}, ${t})`);
      quotas.set(lc(t), { quota, cumulativeIndexLU });
    });
    out.set(a.address, {
      info: {
        debt: debt as bigint,
        cumulativeIndexLastUpdate: cumulativeIndexLastUpdate as bigint,
        cumulativeQuotaInterest: cumulativeQuotaInterest as bigint,
        quotaFees: quotaFees as bigint,
        enabledTokensMask: enabledTokensMask as bigint,
        borrower: lc(borrower),
      },
      quotas,
    });
  });
  return out;
}
