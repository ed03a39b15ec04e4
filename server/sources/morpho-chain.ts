/**
 * The chain reads Morpho Blue needs at the pinned block: oracles emit no events, so IOracle.price()
 * is read live; IIrm.borrowRateView gives the rate interest accrues at since the last accrual.
 */
import { gatewayError } from '../errors';
import type { MorphoMarketState } from '../metrics/morpho-blue-math';
import type { ChainReader } from '../views/adapter';

/** keccak256("price()")[0:4] (Morpho IOracle.price) */
const PRICE_SELECTOR = '0xa035b1fe';
/** keccak256("borrowRateView((address,address,address,address,uint256),(uint128,uint128,uint128,uint128,uint128,uint128))")[0:4] (Morpho IIrm) */
const BORROW_RATE_VIEW_SELECTOR = '0x8c00bf6b';

const word = (v: bigint | string) => (typeof v === 'string' ? v.toLowerCase().replace(/^0x/, '') : v.toString(16)).padStart(64, '0');

export function requireChain(chain: ChainReader | undefined, what: string): ChainReader {
  if (!chain) throw gatewayError('CHAIN_REQUIRED', `${what} needs an Ethereum RPC (GATEWAY_RPC_URL): Morpho Blue oracles and IRMs are read at the queried block`);
  return chain;
}

export async function readOraclePrice(chain: ChainReader, oracle: string, block: number): Promise<bigint> {
  return BigInt(await chain.call(oracle, PRICE_SELECTOR, block));
}

export interface MarketParams {
  loanToken: string;
  collateralToken: string;
  oracle: string;
  irm: string;
  lltv: bigint;
}

/** IIrm.borrowRateView(marketParams, market) at `block`: both tuples are static, so ABI-encoded inline. */
export async function readBorrowRateView(chain: ChainReader, params: MarketParams, m: MorphoMarketState, block: number): Promise<bigint> {
  const data =
    BORROW_RATE_VIEW_SELECTOR +
    [params.loanToken, params.collateralToken, params.oracle, params.irm, params.lltv, m.totalSupplyAssets, m.totalSupplyShares, m.totalBorrowAssets, m.totalBorrowShares, m.lastUpdate, m.fee]
      .map(word)
      .join('');
  return BigInt(await chain.call(params.irm, data, block));
}
