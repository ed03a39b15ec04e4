// The Gearbox scenario's plan: a pure function of the seed (devnet/scenario/rng.ts), so the same seed
// always sends the same transactions. Each credit account gets a role, and its size is derived from the
// outcome the role must have after the crash, with the formulas core-v3 itself applies:
//
//   health after the crash  hf = twv / debt = LT * collateralUSD * crash / debt   (quota not binding)
//   liquidatable            hf < 1                               (CreditFacadeV3._revertIfNotLiquidatable)
//   loss (bad debt)         totalValue * (1 - premium) < debt    (CreditLogic.calcLiquidationPayments),
//                           i.e. hf < LT / (1 - liquidationPremium)
//
// Roles: `healthy` (stays healthy through the crash), `liquidated` (liquidatable, no loss: the liquidator
// profits and the treasury earns the liquidation fee), `partial` (just under hf 1: a partial liquidation
// brings it back above 1), `covered-loss` (a small loss the treasury's pool shares cover) and
// `uncovered-loss` (a large loss beyond the treasury's shares: IncurUncoveredLoss, LPs lose share value).
// Interest accrued before the crash lowers every hf by ~1%; the role bands leave room for that.
import { GearboxDevnetError } from '../gearbox-v3/errors';
import { CM_FEES, COLLATERALS, COLLATERAL_TOKENS, DEBT_LIMITS, PERCENTAGE_FACTOR, UNDERLYING, collateralConfig, tokenConfig } from '../gearbox-v3/market-config';
import { Rng } from './rng';

export type GearboxRole = 'healthy' | 'liquidated' | 'partial' | 'covered-loss' | 'uncovered-loss';

export interface GearboxAccountPlan {
  /** index of the borrower (its key: deriveAccount(`gearbox-v3/${seed}`, index)) */
  index: number;
  role: GearboxRole;
  /** collateral symbol (one quoted collateral per account) */
  collateral: string;
  /** collateral, token units */
  collateralAmount: bigint;
  /** debt opened, underlying units (withdrawn to the owner right away: the account holds only collateral) */
  debt: bigint;
  /** quota bought on the collateral, underlying units (above LT x value, so it does not cap the collateral) */
  quota: bigint;
  /** the post-crash health factor the size was derived from (bps; documentation, not a promise to the unit) */
  targetHealthBps: number;
  /** healthy accounts only: repays this much debt after the first warp (0: none) */
  repay: bigint;
  /** healthy accounts only: closes the account at the end */
  closeAtEnd: boolean;
}

export interface GearboxPlan {
  seed: string;
  /** pool deposits (underlying units) by depositor index; depositor 0 uses depositWithReferral */
  deposits: bigint[];
  /** the treasury's own deposit (its pool shares are the first loss cover) */
  treasuryDeposit: bigint;
  /** depositor that withdraws a tenth of its deposit after the first warp */
  withdrawer: number;
  accounts: GearboxAccountPlan[];
  /** crash factor per collateral symbol (price x factor) */
  crash: Record<string, number>;
  /** days of the two warps before the crash */
  interestDays: [number, number];
  liquidators: number;
}

/** Price multipliers at the crash. */
export const CRASH: Record<string, number> = { WETH: 0.55, WBTC: 0.6, LINK: 0.5 };
/** Target utilization of the pool after the accounts open (below IRM U_2 = 90%, where borrowing stops). */
const TARGET_UTILIZATION = 0.65;

const BPS = Number(PERCENTAGE_FACTOR);
const discount = 1 - CM_FEES.liquidationPremium / BPS;
const usdcUnits = (usd: number) => BigInt(Math.round(usd)) * 10n ** BigInt(UNDERLYING.decimals);

/** Post-crash health band [lo, hi] of a role, for a collateral with liquidation threshold `lt` (fraction). */
export function roleBand(role: GearboxRole, lt: number): [number, number] {
  const lossEdge = lt / discount; // below: bad debt
  switch (role) {
    case 'healthy': return [1.25, 1.8];
    case 'liquidated': return [lossEdge + 0.03, 0.95];
    case 'partial': return [0.965, 0.985];
    case 'covered-loss': return [lossEdge * 0.82, lossEdge * 0.88];
    case 'uncovered-loss': return [lossEdge * 0.7, lossEdge * 0.76];
  }
}

/** Debt band (USD) of a role: the uncovered loss must exceed the treasury's shares, the covered one must not. */
function debtBand(role: GearboxRole): [number, number] {
  switch (role) {
    case 'healthy': return [20_000, 60_000];
    case 'liquidated': return [25_000, 100_000];
    case 'partial': return [60_000, 120_000];
    case 'covered-loss': return [20_000, 30_000];
    case 'uncovered-loss': return [300_000, 450_000];
  }
}

export function planGearboxScenario(seed: string, accounts = 12): GearboxPlan {
  if (accounts < 6) throw new GearboxDevnetError('GEARBOX_PLAN_INVALID', `the Gearbox scenario needs at least 6 accounts (one per role, two liquidated), got ${accounts}`);
  const rng = new Rng(`gearbox-v3/${seed}`);
  const fixed: GearboxRole[] = ['uncovered-loss', 'covered-loss', 'partial', 'liquidated', 'liquidated'];
  const roles = rng.fork('roles').shuffle([...fixed, ...Array.from({ length: accounts - fixed.length }, () => 'healthy' as const)]);
  // Quota room per collateral: 90% of the pool's limit (the rest stays free for the tests' quota requests).
  const room = new Map(COLLATERALS.map((c) => [c.symbol, (c.quotaLimit * 9n) / 10n]));
  const plans: GearboxAccountPlan[] = roles.map((role, index) => {
    const r = rng.fork(`account ${index}`);
    const hfDraw = r.next();
    const debtDraw = r.next();
    const size = (collateral: string) => {
      const lt = collateralConfig(collateral).lt / BPS;
      const [lo, hi] = roleBand(role, lt);
      const hf = lo + hfDraw * (hi - lo);
      const [dLo, dHi] = debtBand(role);
      const debtUsd = Math.round(dLo + debtDraw * (dHi - dLo));
      const collateralUsd = (debtUsd * (hf / CRASH[collateral])) / lt;
      return { lt, hf, debtUsd, collateralUsd, quota: usdcUnits(Math.ceil(collateralUsd * lt * 1.05)) };
    };
    // Loss accounts hold WETH, the deepest market; the others the first collateral (in a seeded order) with quota room left.
    const order = role === 'covered-loss' || role === 'uncovered-loss' ? ['WETH'] : r.shuffle(COLLATERAL_TOKENS.map((t) => t.symbol));
    const collateral = order.find((sym) => size(sym).quota <= room.get(sym)!);
    if (!collateral) throw new GearboxDevnetError('GEARBOX_PLAN_INVALID', `account ${index} (${role}): no collateral has quota room left; raise the quota limits in gearbox-v3/market-config.ts`);
    const { hf, debtUsd, collateralUsd, quota } = size(collateral);
    room.set(collateral, room.get(collateral)! - quota);
    const t = tokenConfig(collateral);
    // amount = collateralUsd / price; price has 8 decimals. 1e6 precision on the USD amount is plenty.
    const collateralAmount = (BigInt(Math.round(collateralUsd * 1e6)) * 10n ** BigInt(t.decimals) * 10n ** 2n) / t.usd;
    const debt = usdcUnits(debtUsd);
    const isHealthy = role === 'healthy';
    return {
      index,
      role,
      collateral,
      collateralAmount,
      debt,
      quota,
      targetHealthBps: Math.round(hf * BPS),
      // a tenth, if the rest stays above minDebt
      repay: isHealthy && r.chance(0.5) && debt - debt / 10n >= DEBT_LIMITS.minDebt ? debt / 10n : 0n,
      closeAtEnd: false,
    };
  });
  // The first healthy account closes at the end.
  const closer = plans.find((p) => p.role === 'healthy');
  if (closer) closer.closeAtEnd = true;
  for (const p of plans) {
    if (p.debt < DEBT_LIMITS.minDebt || p.debt > DEBT_LIMITS.maxDebt) throw new GearboxDevnetError('GEARBOX_PLAN_INVALID', `account ${p.index} debt ${p.debt} outside the debt limits`);
  }

  const totalDebt = plans.reduce((s, p) => s + p.debt, 0n);
  const treasuryDeposit = usdcUnits(rng.fork('treasury').float(30_000, 40_000));
  const lp = rng.fork('depositors');
  const nDepositors = Math.max(3, Math.ceil(accounts / 3));
  const weights = Array.from({ length: nDepositors }, () => lp.float(1, 4));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const needed = Number(totalDebt) / TARGET_UTILIZATION - Number(treasuryDeposit);
  const deposits = weights.map((w) => BigInt(Math.round((needed * w) / wsum)));
  return {
    seed,
    deposits,
    treasuryDeposit,
    withdrawer: lp.int(0, nDepositors - 1),
    accounts: plans,
    crash: { ...CRASH },
    interestDays: [30, rng.fork('days').int(7, 14)],
    liquidators: 2,
  };
}
