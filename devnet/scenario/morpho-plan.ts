// Pure planning of a Morpho Blue scenario: roles, markets, amounts and price moves, all from the
// seeded RNG. No chain access, so the plan is reproducible and cheap to inspect.
//
// Morpho positions are isolated per market (one collateral, one loan token), so a borrower is
// sized for a target *post-crash LTV* L = debt / collateral value:
//   L <= lltv                      healthy
//   lltv < L < 1/LIF               liquidatable; seizing all collateral would repay more than the
//                                  debt, so liquidations leave collateral and no bad debt
//   L > 1/LIF                      seizing all collateral repays less than the debt: Morpho
//                                  realizes the rest as bad debt (Liquidate.badDebtAssets > 0)
// LIF = min(1.15, 1 / (1 - 0.3 * (1 - lltv))) (Morpho.liquidate).
import { MARKETS, token } from '../morpho-blue/market-config';
import { units } from './plan';
import { Rng } from './rng';

export type MorphoBand = 'safe' | 'liquidatable' | 'underwater';

export interface MarketAmount {
  /** index into MARKETS (and deployment.markets) */
  market: number;
  /** token units */
  assets: bigint;
}

export interface MorphoAccountPlan {
  index: number;
  kind: 'lender' | 'borrower';
  /** token balances set at setup (ERC20Mock.setBalance), symbol -> units */
  balances: Record<string, bigint>;
  /** loan-token supplies (lenders) */
  supplies: MarketAmount[];
  collateral?: MarketAmount;
  borrow?: MarketAmount & { band: MorphoBand; targetLtv: number };
  // --- activity phase (after the first interest accrual) ---
  /** withdraw a tenth of the first supply, by assets or by shares */
  withdraw?: { market: number; by: 'assets' | 'shares' };
  /** supply more by shares (shares worth ~`assets`) */
  supplyByShares?: MarketAmount;
  /** repay a quarter of the debt by assets, or a third of the borrow shares by shares */
  repay?: { by: 'assets' | 'shares' };
  /** withdraw a tenth of the collateral (safe borrowers only) */
  withdrawCollateral?: boolean;
  // --- after the liquidations ---
  /** borrower: repay all borrow shares, then withdraw all collateral */
  closeAtEnd?: boolean;
  /** lender: withdraw all supply shares of this market */
  exitMarket?: number;
}

export interface MorphoScenarioPlan {
  seed: string;
  accounts: MorphoAccountPlan[];
  liquidators: number;
  /** crash: multiplier of each token's initial USD price */
  crash: Record<string, number>;
  /** mild move before the crash */
  preMove: Record<string, number>;
  /** days warped before the after-interest checkpoint, then before the crash */
  interestDays: [number, number];
}

/** Liquidity planned per market: total borrows / total supply. The IrmMock's APR equals utilization. */
const TARGET_UTILIZATION = 0.5;
const INTEREST_DAYS: [number, number] = [20, 10];

/** First accounts get fixed roles so that every action appears even in a 12-account run. */
const FIXED: [MorphoAccountPlan['kind'], number?, MorphoBand?][] = [
  ['lender'],
  ['lender'],
  ['borrower', 0, 'underwater'],
  ['borrower', 0, 'liquidatable'],
  ['borrower', 1, 'underwater'],
  ['borrower', 0, 'safe'],
  ['borrower', 3, 'safe'],
  ['borrower', 2, 'liquidatable'],
  ['borrower', 1, 'liquidatable'],
  ['borrower', 2, 'underwater'],
  ['lender'],
  ['borrower', 4, 'liquidatable'],
  ['borrower', 1, 'safe'],
  ['borrower', 4, 'safe'],
  ['borrower', 4, 'underwater'],
];

/** Collateral amounts (human units) per collateral symbol. */
const COLLATERAL_RANGE: Record<string, [number, number]> = { WETH: [1, 30], WBTC: [0.1, 2], USDC: [5_000, 100_000] };
/** Minimum liquidity per loan symbol (human units), so small runs still have lenders' money. */
const MIN_SUPPLY: Record<string, number> = { USDC: 200_000, DAI: 200_000, WETH: 100, sUSDX: 200_000 };

const WAD = 1e18;
const lltvOf = (m: number) => Number(MARKETS[m].lltv) / WAD;
const lifOf = (m: number) => Math.min(1.15, 1 / (1 - 0.3 * (1 - lltvOf(m))));
const usd = (symbol: string) => Number(token(symbol).usd) / 1e8;

export function planMorphoScenario(seed: string, accounts: number): MorphoScenarioPlan {
  if (accounts < 2) throw new Error('a Morpho scenario needs at least 2 accounts (two lenders)');
  const rng = new Rng(`morpho-blue/${seed}`);
  const prices = rng.fork('prices');
  const crash: Record<string, number> = { WETH: prices.float(0.45, 0.5), WBTC: prices.float(0.5, 0.55), USDC: 1, DAI: 1, sUSDX: 1 };
  const preMove: Record<string, number> = { WETH: 1.03, WBTC: 1.02, USDC: 1, DAI: 1, sUSDX: 1 };
  const growth = 1 + (TARGET_UTILIZATION * (INTEREST_DAYS[0] + INTEREST_DAYS[1])) / 365;

  const plans: MorphoAccountPlan[] = [];
  for (let i = 0; i < accounts; i++) {
    const r = rng.fork(`account-${i}`);
    const [kind, market, band] = FIXED[i] ?? randomRole(r);
    const p: MorphoAccountPlan = { index: i, kind, balances: {}, supplies: [] };
    if (kind === 'borrower') planBorrower(p, market!, band!, r, crash, growth);
    plans.push(p);
  }
  // Fixed choice: the first safe borrower withdraws collateral, so even a 12-account run has one.
  const firstSafe = plans.find((p) => p.borrow?.band === 'safe');
  if (firstSafe) firstSafe.withdrawCollateral = true;
  planLenders(plans, rng.fork('lenders'));
  plans.forEach(planBalances);
  return { seed, accounts: plans, liquidators: Math.min(8, 3 + Math.floor(accounts / 250)), crash, preMove, interestDays: INTEREST_DAYS };
}

function randomRole(r: Rng): [MorphoAccountPlan['kind'], number?, MorphoBand?] {
  if (r.chance(0.25)) return ['lender'];
  const market = r.pick([0, 0, 0, 1, 1, 2, 2, 3, 4]);
  if (market === 3) return ['borrower', 3, 'safe']; // a WETH crash only makes USDC collateral worth more
  const y = r.next();
  return ['borrower', market, y < 0.45 ? 'safe' : y < 0.75 ? 'liquidatable' : 'underwater'];
}

function planBorrower(p: MorphoAccountPlan, market: number, band: MorphoBand, r: Rng, crash: Record<string, number>, growth: number) {
  const m = MARKETS[market];
  const lltv = lltvOf(market);
  const badDebtLtv = 1 / lifOf(market);
  const collHuman = r.float(...COLLATERAL_RANGE[m.collateral]);
  // collateral value in loan-token human units, now and after the crash
  const value0 = (collHuman * usd(m.collateral)) / usd(m.loan);
  const crashFactor = crash[m.collateral] / crash[m.loan];
  let target: number;
  if (band === 'safe') target = r.float(0.3, market === 3 ? 0.65 : 0.8) * lltv;
  else if (band === 'liquidatable') target = r.float(lltv * 1.02, badDebtLtv * 0.975);
  else target = r.float(badDebtLtv * 1.08, 1.35);
  // debt(crash) = debt0 * growth = target * value0 * crashFactor; keep the borrow-time LTV under
  // 88% of LLTV so interest and the pre-crash move cannot make it liquidatable early.
  const ltv0 = Math.min((target * crashFactor) / growth, 0.88 * lltv);
  if (band === 'safe') p.closeAtEnd = r.chance(0.3);
  p.collateral = { market, assets: units(collHuman, token(m.collateral).decimals) };
  p.borrow = { market, assets: units(value0 * ltv0, token(m.loan).decimals), band, targetLtv: (ltv0 * growth) / crashFactor };
  if (band === 'safe') {
    p.repay = { by: r.chance(0.5) ? 'assets' : 'shares' };
    p.withdrawCollateral = r.chance(0.4);
  }
}

/**
 * Lenders split each market's liquidity (total borrows / TARGET_UTILIZATION) by random weights.
 * The first two lend in every market; later lenders in 1-3 random markets. Fixed choices make the
 * first lenders exercise every supply-side action.
 */
function planLenders(plans: MorphoAccountPlan[], rng: Rng) {
  const lenders = plans.filter((p) => p.kind === 'lender');
  const borrowed = MARKETS.map((_, m) => plans.reduce((s, p) => s + (p.borrow?.market === m ? Number(p.borrow.assets) : 0), 0));
  const weights = lenders.map((p) => {
    const r = rng.fork(`lender-${p.index}`);
    const markets = p.index < 2 ? MARKETS.map((_, m) => m) : r.shuffle(MARKETS.map((_, m) => m)).slice(0, r.int(1, 3));
    return new Map(markets.map((m) => [m, r.float(0.5, 2)]));
  });
  MARKETS.forEach((m, mi) => {
    const dec = token(m.loan).decimals;
    const total = Math.max(borrowed[mi] / TARGET_UTILIZATION, MIN_SUPPLY[m.loan] * 10 ** dec);
    const sum = weights.reduce((s, w) => s + (w.get(mi) ?? 0), 0);
    lenders.forEach((p, k) => {
      const w = weights[k].get(mi);
      if (w) p.supplies.push({ market: mi, assets: BigInt(Math.round((total * w) / sum)) });
    });
  });
  lenders.forEach((p) => {
    const r = rng.fork(`lender-activity-${p.index}`);
    const first = p.supplies[0].market;
    if (p.index === 0) p.withdraw = { market: first, by: 'assets' };
    else if (p.index === 1) p.withdraw = { market: first, by: 'shares' };
    else if (r.chance(0.4)) p.withdraw = { market: first, by: r.chance(0.5) ? 'assets' : 'shares' };
    if (p.index === 1 || r.chance(0.2)) p.supplyByShares = { market: first, assets: p.supplies[0].assets / 10n };
    // Lender 0 leaves the USDC/WETH market (no crash risk there, so liquidity stays) at the end.
    if (p.index === 0) p.exitMarket = MARKETS.findIndex((m) => m.loan === 'WETH');
  });
}

/** Balances: what is supplied, plus a fifth of the debt to pay interest when repaying in full. */
function planBalances(p: MorphoAccountPlan) {
  const add = (symbol: string, x: bigint) => (p.balances[symbol] = (p.balances[symbol] ?? 0n) + x);
  for (const s of p.supplies) add(MARKETS[s.market].loan, s.assets);
  if (p.supplyByShares) add(MARKETS[p.supplyByShares.market].loan, (p.supplyByShares.assets * 11n) / 10n);
  if (p.collateral) add(MARKETS[p.collateral.market].collateral, p.collateral.assets);
  if (p.borrow) add(MARKETS[p.borrow.market].loan, p.borrow.assets / 5n + 1n);
}
