// The devnet's Gearbox V3 market: one USDC pool with one credit manager over three quoted collaterals.
// Parameters are of the order of Gearbox's mainnet USDC pool and its credit managers; every value here is
// a deployment parameter of core-v3's real contracts (units as the contracts take them).
import { FEED_DECIMALS } from '../chainlink/feeds';

export { FEED_DECIMALS };

/** Gearbox's basis-point unit (Constants.sol PERCENTAGE_FACTOR = 1e4). */
export const PERCENTAGE_FACTOR = 10_000n;
export const WAD = 10n ** 18n;
export const RAY = 10n ** 27n;

export interface GearboxTokenConfig {
  symbol: string;
  name: string;
  decimals: number;
  /** initial USD price, FEED_DECIMALS (8) decimals */
  usd: bigint;
}

export interface CollateralConfig {
  symbol: string;
  /** liquidation threshold, bps (CreditConfiguratorV3.addCollateralToken) */
  lt: number;
  /** pool-wide quota limit, underlying units (PoolQuotaKeeperV3.setTokenLimit) */
  quotaLimit: bigint;
  /** one-off fee on quota increases, bps (setTokenQuotaIncreaseFee) */
  quotaIncreaseFee: number;
  /** annual quota rate bounds, bps (GaugeV3.addQuotaToken); with no GEAR votes the rate is minRate */
  minRate: number;
  maxRate: number;
}

const usd = (x: number) => BigInt(Math.round(x * 100)) * 10n ** BigInt(FEED_DECIMALS - 2);

export const UNDERLYING: GearboxTokenConfig = { symbol: 'USDC', name: 'USD Coin', decimals: 6, usd: usd(1) };
// USDC, WETH and WBTC at the Aave v3.0 devnet's initial prices (devnet/aave-v3/market-config.ts): the market
// can run on that market's tokens and feeds (GearboxDeployOptions.existingTokens), one token, one price.
export const COLLATERAL_TOKENS: GearboxTokenConfig[] = [
  { symbol: 'WETH', name: 'Wrapped Ether', decimals: 18, usd: usd(2000) },
  { symbol: 'WBTC', name: 'Wrapped BTC', decimals: 8, usd: usd(30000) },
  { symbol: 'LINK', name: 'ChainLink Token', decimals: 18, usd: usd(15) },
];
export const TOKENS: GearboxTokenConfig[] = [UNDERLYING, ...COLLATERAL_TOKENS];

const units = (human: number) => BigInt(human) * 10n ** BigInt(UNDERLYING.decimals);

export const COLLATERALS: CollateralConfig[] = [
  { symbol: 'WETH', lt: 85_00, quotaLimit: units(200_000_000), quotaIncreaseFee: 0, minRate: 1_00, maxRate: 5_00 },
  { symbol: 'WBTC', lt: 80_00, quotaLimit: units(100_000_000), quotaIncreaseFee: 1, minRate: 1_50, maxRate: 5_00 },
  // A small limit, so the scenario and the tests can reach it.
  { symbol: 'LINK', lt: 70_00, quotaLimit: units(400_000), quotaIncreaseFee: 5, minRate: 3_00, maxRate: 10_00 },
];

/** LinearInterestRateModelV3 constructor (bps): kinks at 80% and 90% utilization, borrowing above U_2 forbidden. */
export const IRM = { U_1: 80_00, U_2: 90_00, R_base: 0, R_slope1: 2_00, R_slope2: 5_00, R_slope3: 60_00, isBorrowingMoreU2Forbidden: true } as const;

/** CreditManagerV3 constructor fees (bps); the package's test defaults (contracts/test/lib/constants.sol). */
export const CM_FEES = {
  feeInterest: 50_00, // share of base interest that goes to the treasury
  feeLiquidation: 1_50, // share of total value that goes to the treasury on liquidation
  liquidationPremium: 4_00, // liquidator's discount
  feeLiquidationExpired: 1_00,
  liquidationPremiumExpired: 2_00,
} as const;
export const MAX_ENABLED_TOKENS = 4;
export const CREDIT_MANAGER_NAME = 'Devnet USDC Credit Manager';
export const POOL_NAME = 'Diesel USDC v3 (devnet)';
export const POOL_SYMBOL = 'dUSDCV3';

/** CreditConfiguratorV3.setDebtLimits; minDebt * 100 >= maxDebt * maxEnabledTokens (the configurator's sanity check). */
export const DEBT_LIMITS = { minDebt: units(20_000), maxDebt: units(500_000) } as const;
/** PoolV3.setCreditManagerDebtLimit */
export const CREDIT_MANAGER_DEBT_LIMIT = units(500_000_000);

/**
 * PriceOracleV3.setPriceFeed staleness, seconds: Chainlink's 1-day heartbeat plus 15 minutes, the margin
 * Gearbox's mainnet oracles give Chainlink feeds. The scenario sends a heartbeat round on every feed after
 * each time warp, as Chainlink's nodes would.
 */
export const STALENESS_PERIOD = 86_400 + 900;

export function tokenConfig(symbol: string): GearboxTokenConfig {
  const t = TOKENS.find((x) => x.symbol === symbol);
  if (!t) throw new Error(`no Gearbox devnet token ${symbol}`);
  return t;
}

export function collateralConfig(symbol: string): CollateralConfig {
  const c = COLLATERALS.find((x) => x.symbol === symbol);
  if (!c) throw new Error(`no Gearbox devnet collateral ${symbol}`);
  return c;
}
