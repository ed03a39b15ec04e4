// The devnet's Morpho Blue markets: tokens, oracle prices, LLTVs, fees. Pure data + price math.
// LLTVs and fees are WAD fractions (1e18 = 100%), as Morpho stores them.
import { RESERVES } from '../aave-v3/market-config';
import { ORACLE_PRICE_SCALE } from './math';

export interface TokenConfig {
  symbol: string;
  name: string;
  decimals: number;
  /** initial USD price with 8 decimals: the initial answer of the token's Chainlink feed */
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

/** Aave v3.0 devnet's initial price of a symbol: Morpho shares those tokens and their feeds, so one token has one USD price. */
const aavePrice = (symbol: string): bigint => {
  const r = RESERVES.find((x) => x.symbol === symbol);
  if (!r) throw new Error(`no Aave reserve ${symbol}`);
  return r.price;
};

export const TOKENS: TokenConfig[] = [
  { symbol: 'USDC', name: 'USD Coin (devnet)', decimals: 6, usd: aavePrice('USDC') },
  { symbol: 'WETH', name: 'Wrapped Ether (devnet)', decimals: 18, usd: aavePrice('WETH') },
  { symbol: 'WBTC', name: 'Wrapped BTC (devnet)', decimals: 8, usd: aavePrice('WBTC') },
  { symbol: 'DAI', name: 'Dai Stablecoin (devnet)', decimals: 18, usd: aavePrice('DAI') },
  // A yield-bearing stablecoin no Aave reserve prices (mainnet Morpho lends many: sUSDS, syrupUSDC,
  // PTs...): only Morpho's own feed knows its price, so a USD valuation from Aave's oracle has none.
  { symbol: 'sUSDX', name: 'Savings USDX (devnet)', decimals: 18, usd: 1_0500_0000n },
];

/** LLTVs the owner enables: Morpho governance's usual set (the markets use 77, 86 and 91.5%). */
export const ENABLED_LLTVS: bigint[] = [pct(0.625), pct(0.77), pct(0.86), pct(0.915), pct(0.945)];

export const MARKETS: MarketConfig[] = [
  { label: 'WETH/USDC', collateral: 'WETH', loan: 'USDC', lltv: pct(0.86), fee: pct(0.1) },
  { label: 'WBTC/USDC', collateral: 'WBTC', loan: 'USDC', lltv: pct(0.86), fee: 0n },
  { label: 'WETH/DAI', collateral: 'WETH', loan: 'DAI', lltv: pct(0.915), fee: 0n },
  { label: 'USDC/WETH', collateral: 'USDC', loan: 'WETH', lltv: pct(0.77), fee: 0n },
  { label: 'WETH/sUSDX', collateral: 'WETH', loan: 'sUSDX', lltv: pct(0.86), fee: 0n },
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
