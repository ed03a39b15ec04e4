// Parameters of the devnet market. Values are in the units the Aave V3.0 configurator expects:
// LTV / threshold / bonus / reserve factor / protocol fee in basis points (bonus includes the
// 100%: 10500 = 5% bonus), caps in whole tokens, debt ceiling in USD with 2 decimals
// (ReserveConfiguration.DEBT_CEILING_DECIMALS = 2), rates in RAY, prices with 8 decimals (AaveOracle
// base unit 1e8, USD base currency = address(0) as in Aave's USD markets).
import type { FeedKind } from '../chainlink/feeds';

const RAY = 10n ** 27n;
/** percent (may be fractional, e.g. 4.5) as a RAY-scaled rate */
export const pctRay = (pct: number): bigint => (BigInt(Math.round(pct * 100)) * RAY) / 10_000n;

export interface RateConfig {
  optimalUsage: number;
  base: number;
  slope1: number;
  slope2: number;
}

export interface ReserveConfig {
  symbol: string;
  name: string;
  decimals: number;
  /** USD price with 8 decimals */
  price: bigint;
  ltv: number;
  liquidationThreshold: number;
  liquidationBonus: number;
  reserveFactor: number;
  liquidationProtocolFee: number;
  borrowing: boolean;
  rates: RateConfig;
  supplyCap?: number;
  borrowCap?: number;
  /** USD, 2 decimals; makes the asset an isolated collateral */
  debtCeiling?: bigint;
  borrowableInIsolation?: boolean;
  eModeCategory?: number;
  /**
   * The AaveOracle source: a Chainlink EACAggregatorProxy (default, as Aave's mainnet majors) or
   * the CAPO pattern (price-cap adapter over a base feed x an exchange ratio, as Aave's LSTs and
   * yield-bearing stablecoins on mainnet). devnet/chainlink/feeds.ts deploys both.
   */
  priceFeed?: FeedKind;
}

export interface EModeConfig {
  id: number;
  label: string;
  ltv: number;
  liquidationThreshold: number;
  liquidationBonus: number;
}

// Rates chosen high enough that 30 days of warp visibly move the indexes.
export const RESERVES: ReserveConfig[] = [
  {
    symbol: 'WETH', name: 'Wrapped Ether (devnet)', decimals: 18, price: 2_000n * 10n ** 8n,
    ltv: 8000, liquidationThreshold: 8250, liquidationBonus: 10500, reserveFactor: 1500, liquidationProtocolFee: 1000,
    borrowing: true, rates: { optimalUsage: 80, base: 1, slope1: 4, slope2: 80 },
  },
  {
    symbol: 'WBTC', name: 'Wrapped Bitcoin (devnet)', decimals: 8, price: 30_000n * 10n ** 8n,
    ltv: 7000, liquidationThreshold: 7500, liquidationBonus: 10650, reserveFactor: 2000, liquidationProtocolFee: 1000,
    borrowing: true, rates: { optimalUsage: 45, base: 1, slope1: 7, slope2: 300 },
    supplyCap: 50_000, borrowCap: 10_000,
  },
  {
    symbol: 'USDC', name: 'USD Coin (devnet)', decimals: 6, price: 1n * 10n ** 8n,
    ltv: 7700, liquidationThreshold: 8000, liquidationBonus: 10450, reserveFactor: 1000, liquidationProtocolFee: 1000,
    borrowing: true, rates: { optimalUsage: 90, base: 2, slope1: 6, slope2: 60 },
    borrowableInIsolation: true, eModeCategory: 1,
  },
  {
    symbol: 'DAI', name: 'Dai Stablecoin (devnet)', decimals: 18, price: 1n * 10n ** 8n,
    ltv: 7500, liquidationThreshold: 8000, liquidationBonus: 10500, reserveFactor: 1000, liquidationProtocolFee: 1000,
    borrowing: true, rates: { optimalUsage: 80, base: 2, slope1: 5, slope2: 75 },
    eModeCategory: 1,
  },
  {
    symbol: 'ISO', name: 'Isolated Token (devnet)', decimals: 18, price: 5n * 10n ** 8n,
    ltv: 5000, liquidationThreshold: 6500, liquidationBonus: 11000, reserveFactor: 2000, liquidationProtocolFee: 1000,
    borrowing: false, rates: { optimalUsage: 45, base: 0, slope1: 7, slope2: 300 },
    debtCeiling: 10_000_000_00n, // 10M USD
    priceFeed: 'capo',
  },
];

export const EMODE_CATEGORIES: EModeConfig[] = [
  { id: 1, label: 'Stablecoins', ltv: 9700, liquidationThreshold: 9750, liquidationBonus: 10100 },
];

export const MARKET_ID = 'Devnet';

/**
 * Flash-loan premiums, basis points (Pool.FLASHLOAN_PREMIUM_TOTAL / FLASHLOAN_PREMIUM_TO_PROTOCOL;
 * both 0 after Pool.initialize). Total 9 bps as Aave V3 launched with; at deployment the treasury
 * gets 30% of each premium (v3.0: PoolConfigurator.updateFlashloanPremiumToProtocol; v3.6 has no
 * such setter: Pool.FLASHLOAN_PREMIUM_TO_PROTOCOL() is the constant 100_00 from v3.4 on).
 * The scenario changes them once, later (`LATER`): v3.0 the share, v3.6 the total (updateFlashloanPremium).
 */
export const FLASH_LOAN_PREMIUM = {
  total: 9n,
  toProtocol: 3_000n,
  laterToProtocol: 4_500n,
  laterTotal: 5n,
} as const;
/** AaveOracle base currency: address(0) = USD, with 8 decimals. */
export const BASE_CURRENCY_UNIT = 10n ** 8n;
