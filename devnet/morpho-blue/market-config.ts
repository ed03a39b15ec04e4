// The devnet's Morpho Blue markets: tokens, oracle prices, LLTVs, fees. Pure data + price math.
// LLTVs and fees are WAD fractions (1e18 = 100%), as Morpho stores them.
import { ORACLE_PRICE_SCALE } from './math';

export interface TokenConfig {
  symbol: string;
  name: string;
  decimals: number;
  /** initial USD price with 8 decimals (only to derive oracle prices) */
  usd: bigint;
}

export interface MarketConfig {
  /** "collateral/loan", Morpho's usual naming */
  label: string;
  loan: string;
  collateral: string;
  lltv: bigint;
  /** fee set at deployment (0 = none); Morpho caps it at ConstantsLib.MAX_FEE = 25% */
  fee: bigint;
}

const pct = (x: number) => BigInt(Math.round(x * 1e4)) * 10n ** 14n;

export const TOKENS: TokenConfig[] = [
  { symbol: 'USDC', name: 'USD Coin (devnet)', decimals: 6, usd: 1_0000_0000n },
  { symbol: 'WETH', name: 'Wrapped Ether (devnet)', decimals: 18, usd: 3_000_0000_0000n },
  { symbol: 'WBTC', name: 'Wrapped BTC (devnet)', decimals: 8, usd: 60_000_0000_0000n },
  { symbol: 'DAI', name: 'Dai Stablecoin (devnet)', decimals: 18, usd: 1_0000_0000n },
];

/** LLTVs the owner enables: Morpho governance's usual set (the markets use 77, 86 and 91.5%). */
export const ENABLED_LLTVS: bigint[] = [pct(0.625), pct(0.77), pct(0.86), pct(0.915), pct(0.945)];

export const MARKETS: MarketConfig[] = [
  { label: 'WETH/USDC', collateral: 'WETH', loan: 'USDC', lltv: pct(0.86), fee: pct(0.1) },
  { label: 'WBTC/USDC', collateral: 'WBTC', loan: 'USDC', lltv: pct(0.86), fee: 0n },
  { label: 'WETH/DAI', collateral: 'WETH', loan: 'DAI', lltv: pct(0.915), fee: 0n },
  { label: 'USDC/WETH', collateral: 'USDC', loan: 'WETH', lltv: pct(0.77), fee: 0n },
];

export function token(symbol: string): TokenConfig {
  const t = TOKENS.find((x) => x.symbol === symbol);
  if (!t) throw new Error(`unknown token ${symbol}`);
  return t;
}

/**
 * IOracle.price(): the price of 1 collateral *unit* in loan units, scaled by ORACLE_PRICE_SCALE,
 * i.e. with 36 + loanDecimals - collateralDecimals decimals (Morpho IOracle.sol). `usd` gives each
 * token's USD price (8 decimals); the default is the initial price.
 */
export function oraclePrice(collateral: TokenConfig, loan: TokenConfig, usd: (t: TokenConfig) => bigint = (t) => t.usd): bigint {
  return (usd(collateral) * ORACLE_PRICE_SCALE * 10n ** BigInt(loan.decimals)) / (usd(loan) * 10n ** BigInt(collateral.decimals));
}
