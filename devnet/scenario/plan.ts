// Pure planning of an Aave V3 scenario: roles, amounts and prices, all from the seeded RNG.
// No chain access here, so the plan is reproducible and cheap to inspect.
//
// Borrow sizes are computed from a *target health factor after the crash*, so a scenario reliably
// yields safe accounts, partial liquidations (0.95 <= HF < 1: close factor 50%), full liquidations
// (HF < 0.95: close factor 100%) and bad debt (HF < LT x bonus: the collateral cannot cover the
// debt plus bonus, so a 100% liquidation takes all of it and leaves debt behind).
import { EMODE_CATEGORIES, RESERVES, type ReserveConfig } from '../aave-v3/market-config';
import { Rng } from './rng';

export type Band = 'safe' | 'partial' | 'full' | 'underwater';
export type RoleKind = 'lender' | 'borrower' | 'isolated' | 'emode' | 'switcher' | 'mixed';

export interface Amount {
  symbol: string;
  /** token units (not human units) */
  amount: bigint;
}

export interface AccountPlan {
  index: number;
  kind: RoleKind;
  band?: Band;
  targetHf?: number;
  /** minted to the account (and approved to the pool) at setup */
  mints: Amount[];
  supplies: Amount[];
  eMode: number;
  borrows: Amount[];
  /** activity phase (after the first time warp) */
  repay?: Amount;
  /** supply this much of the debt asset, then repayWithATokens half of it */
  repayWithATokens?: Amount;
  withdraw?: Amount;
  /** aToken transfer to another account (by index) */
  transfer?: Amount & { to: number };
  toggleCollateral?: string;
  secondBorrow?: Amount;
  /** switch e-mode off and back on */
  eModeSwitch?: boolean;
  /** after the liquidations: repay everything and withdraw everything */
  closeAtEnd?: boolean;
}

export interface ScenarioPlan {
  seed: string;
  accounts: AccountPlan[];
  liquidators: number;
  /** multiplier of the initial price applied at the crash, per symbol */
  crash: Record<string, number>;
  /** a mild move before the crash (multiplier of the initial price) */
  preMove: Record<string, number>;
}

const cfg = (symbol: string): ReserveConfig => {
  const r = RESERVES.find((x) => x.symbol === symbol);
  if (!r) throw new Error(`unknown reserve ${symbol}`);
  return r;
};
const usd = (symbol: string) => Number(cfg(symbol).price) / 1e8;

/** human amount -> token units; 6 significant decimals are plenty for a scenario */
export function units(human: number, decimals: number): bigint {
  return (BigInt(Math.round(human * 1e6)) * 10n ** BigInt(decimals)) / 1_000_000n;
}
const u = (symbol: string, human: number): Amount => ({ symbol, amount: units(human, cfg(symbol).decimals) });

/** The first accounts get fixed roles so that every action type appears even in a 12-account run. */
const FIXED_ROLES: [RoleKind, Band | undefined, string?][] = [
  ['lender', undefined],
  ['lender', undefined],
  ['borrower', 'underwater', 'WETH'],
  ['borrower', 'partial', 'WETH'],
  ['borrower', 'full', 'WBTC'],
  ['borrower', 'safe', 'WETH'],
  ['isolated', 'safe'],
  ['emode', 'partial'],
  ['switcher', undefined],
  ['mixed', undefined],
  ['borrower', 'underwater', 'WBTC'],
  ['isolated', 'underwater'],
];

export interface PlanOptions {
  /**
   * Underwater borrowers owe 80% of their debt in USDC and 20% in DAI. For Aave v3.6 (deficit
   * accounting): every such account ends with a DAI deficit (USDC, the larger debt, is liquidated
   * first), and the deepest ones (collateral x bonus below the USDC debt) lose all collateral in
   * the USDC liquidation, which writes off both debts at once (LiquidationLogic._burnBadDebt).
   * Off for v3.0, whose plan stays as it was.
   */
  splitUnderwaterDebt?: boolean;
}

export function planScenario(seed: string, accounts: number, options: PlanOptions = {}): ScenarioPlan {
  const rng = new Rng(seed);
  const prices = rng.fork('prices');
  const crash: Record<string, number> = {
    WETH: prices.float(0.42, 0.5),
    WBTC: prices.float(0.45, 0.55),
    USDC: 1,
    DAI: 0.95, // a small depeg makes e-mode (97% LTV) positions liquidatable
    ISO: prices.float(0.38, 0.42),
  };
  const preMove: Record<string, number> = { WETH: 1.04, WBTC: 1.02 };
  const plans: AccountPlan[] = [];
  for (let i = 0; i < accounts; i++) {
    const r = rng.fork(`account-${i}`);
    const [kind, band, collateral] = FIXED_ROLES[i] ?? randomRole(r);
    plans.push(planAccount(i, kind, band, collateral, r, crash, options));
  }
  // Fixed roles force the first occurrence of the optional actions.
  const firstSafe = plans.find((p) => p.kind === 'borrower' && p.band === 'safe');
  if (firstSafe) {
    firstSafe.closeAtEnd = true;
    const debt = firstSafe.borrows[0];
    firstSafe.repayWithATokens ??= { symbol: debt.symbol, amount: debt.amount / 5n };
  }
  const lenders = plans.filter((p) => p.kind === 'lender');
  lenders.forEach((p, k) => {
    if (lenders.length < 2) return;
    if (k === 0 || rng.fork(`transfer-${k}`).chance(0.5)) {
      const asset = p.supplies[0];
      p.transfer = { symbol: asset.symbol, amount: asset.amount / 10n, to: lenders[(k + 1) % lenders.length].index };
    }
  });
  capIsolatedDebt(plans);
  plans.forEach(planMints);
  const liquidators = Math.min(8, 3 + Math.floor(accounts / 250));
  return { seed, accounts: plans, liquidators, crash, preMove };
}

/**
 * Isolated borrowers share the ISO debt ceiling (Pool reverts with DEBT_CEILING_EXCEEDED): past
 * 90% of it, later isolated accounts only supply. Matters from several thousand accounts on.
 */
function capIsolatedDebt(plans: AccountPlan[]): void {
  const iso = RESERVES.find((r) => r.debtCeiling !== undefined);
  if (!iso) return;
  // The ceiling counts debt in USD with 2 decimals, USD-pegged borrowable assets at face value.
  let room = (Number(iso.debtCeiling) / 100) * 0.9;
  for (const p of plans) {
    if (p.kind !== 'isolated') continue;
    const debt = p.borrows.reduce((sum, b) => sum + Number(b.amount) / 10 ** cfg(b.symbol).decimals, 0);
    if (debt <= room) room -= debt;
    else (p.borrows = []), (p.band = undefined), (p.targetHf = undefined);
  }
}

/** Mint what is supplied, plus a buffer of each debt asset to pay interest when repaying in full. */
function planMints(p: AccountPlan): void {
  const mint = new Map<string, bigint>();
  const add = (a: Amount) => mint.set(a.symbol, (mint.get(a.symbol) ?? 0n) + a.amount);
  p.supplies.forEach(add);
  if (p.repayWithATokens) add(p.repayWithATokens);
  for (const b of [...p.borrows, ...(p.secondBorrow ? [p.secondBorrow] : [])]) add({ symbol: b.symbol, amount: b.amount / 10n + 1n });
  p.mints = [...mint].map(([symbol, amount]) => ({ symbol, amount }));
}

function randomRole(r: Rng): [RoleKind, Band | undefined, string?] {
  const x = r.next();
  const band = (): Band => {
    const y = r.next();
    return y < 0.45 ? 'safe' : y < 0.65 ? 'partial' : y < 0.8 ? 'full' : 'underwater';
  };
  if (x < 0.2) return ['lender', undefined];
  if (x < 0.6) return ['borrower', band(), r.chance(0.6) ? 'WETH' : 'WBTC'];
  if (x < 0.7) return ['isolated', r.pick(['safe', 'safe', 'partial', 'underwater'] as Band[])];
  if (x < 0.8) return ['emode', r.chance(0.5) ? 'safe' : 'partial'];
  if (x < 0.87) return ['switcher', undefined];
  return ['mixed', undefined];
}

/**
 * Target HF band after the crash for a position with one collateral and one debt asset.
 * hfMin: the lowest post-crash HF reachable when borrowing at (almost) the full LTV.
 * badDebtHf: below it the collateral cannot pay debt x bonus.
 */
function targetHf(r: Rng, band: Band, hfMin: number, badDebtHf: number): number {
  const lo = (x: number) => Math.max(x, hfMin * 1.02);
  switch (band) {
    case 'safe':
      return r.float(lo(1.15), lo(1.15) + 1.2);
    case 'partial':
      return r.float(lo(0.962), Math.max(lo(0.962), 0.988));
    case 'full': {
      const a = lo(Math.max(badDebtHf * 1.02, 0.8));
      return a < 0.935 ? r.float(a, 0.935) : r.float(lo(0.5), lo(0.5) * 1.05);
    }
    case 'underwater':
      return r.float(lo(0.5), Math.max(lo(0.5) * 1.01, badDebtHf * 0.92));
  }
}

function planAccount(
  index: number, kind: RoleKind, band: Band | undefined, collateral: string | undefined,
  r: Rng, crash: Record<string, number>, options: PlanOptions,
): AccountPlan {
  const p: AccountPlan = { index, kind, band, mints: [], supplies: [], eMode: 0, borrows: [] };
  const supply = (a: Amount) => p.supplies.push(a);
  // Position with one collateral and one debt asset sized for a post-crash HF target.
  const position = (coll: Amount, debtSym: string, ltv: number, lt: number, bonus: number, b: Band) => {
    const c = cfg(coll.symbol);
    const collUsd = (Number(coll.amount) / 10 ** c.decimals) * usd(coll.symbol);
    const fx = crash[coll.symbol], fd = crash[debtSym];
    const hfMin = (fx * lt) / (fd * ltv * 0.985);
    const hf = targetHf(r, b, hfMin, lt * bonus);
    // HF_post = collUsd*fx*lt / (debtUsd*fd)  =>  debtUsd = collUsd*fx*lt / (hf*fd), within 98.5% of LTV
    const debtUsd = Math.min((collUsd * fx * lt) / (hf * fd), collUsd * ltv * 0.985);
    p.targetHf = (collUsd * fx * lt) / (debtUsd * fd);
    p.borrows.push(u(debtSym, debtUsd / usd(debtSym)));
  };
  const bp = (x: number) => x / 10_000;
  switch (kind) {
    case 'lender': {
      const assets = index < 2 ? ['USDC', 'DAI', 'WETH', 'WBTC'] : r.shuffle(['USDC', 'DAI', 'WETH', 'WBTC']).slice(0, r.int(2, 4));
      const human: Record<string, [number, number]> = { USDC: [200_000, 1_000_000], DAI: [200_000, 1_000_000], WETH: [50, 300], WBTC: [1, 10] };
      for (const s of assets) supply(u(s, r.float(...human[s])));
      if (index < 2 || r.chance(0.4)) p.withdraw = { symbol: p.supplies[0].symbol, amount: p.supplies[0].amount / 10n };
      if (index === 0 || r.chance(0.3)) p.toggleCollateral = p.supplies[p.supplies.length - 1].symbol;
      break;
    }
    case 'borrower': {
      const cs = collateral ?? 'WETH';
      const c = cfg(cs);
      supply(cs === 'WETH' ? u('WETH', r.float(1, 30)) : u('WBTC', r.float(0.1, 2)));
      const debt = band === 'safe' || band === 'partial' ? r.pick(['USDC', 'USDC', 'DAI']) : 'USDC';
      position(p.supplies[0], debt, bp(c.ltv), bp(c.liquidationThreshold), bp(c.liquidationBonus), band!);
      if (band === 'underwater' && options.splitUnderwaterDebt) {
        // No RNG draw here, so every other choice of the seed stays the same. The DAI depeg (0.95)
        // lowers this debt's value a little; underwater targets sit far below the bad-debt HF.
        const usdc = p.borrows[0].amount;
        const dai = usdc / 5n;
        p.borrows = [{ symbol: 'USDC', amount: usdc - dai }, u('DAI', ((Number(dai) / 1e6) * usd('USDC')) / usd('DAI'))];
      }
      if (band === 'safe') {
        p.repay = { symbol: debt, amount: p.borrows[0].amount / 4n };
        if (r.chance(0.4)) p.repayWithATokens = { symbol: debt, amount: p.borrows[0].amount / 5n };
        p.closeAtEnd = r.chance(0.3);
      }
      break;
    }
    case 'isolated': {
      const c = cfg('ISO');
      supply(u('ISO', r.float(200, 5_000)));
      // Per-account cap keeps the sum far below the 10M USD debt ceiling even at 10,000 accounts.
      position(p.supplies[0], 'USDC', bp(c.ltv), bp(c.liquidationThreshold), bp(c.liquidationBonus), band!);
      break;
    }
    case 'emode': {
      const e = EMODE_CATEGORIES[0];
      p.eMode = e.id;
      supply(u('DAI', r.float(1_000, 50_000)));
      position(p.supplies[0], 'USDC', bp(e.ltv), bp(e.liquidationThreshold), bp(e.liquidationBonus), band!);
      break;
    }
    case 'switcher': {
      // Borrows within the non-e-mode LTV, so leaving e-mode keeps HF >= 1.
      p.eMode = EMODE_CATEGORIES[0].id;
      supply(u('DAI', r.float(1_000, 20_000)));
      const dai = Number(p.supplies[0].amount) / 1e18;
      p.borrows.push(u('USDC', dai * r.float(0.3, 0.55)));
      p.eModeSwitch = true;
      break;
    }
    case 'mixed': {
      supply(u('USDC', r.float(5_000, 100_000)));
      const c = Number(p.supplies[0].amount) / 1e6;
      p.borrows.push(u('WETH', Math.min(5, (c * r.float(0.2, 0.4)) / usd('WETH'))));
      p.secondBorrow = u('WBTC', Math.min(0.2, (c * 0.1) / usd('WBTC')));
      p.repay = { symbol: 'WETH', amount: p.borrows[0].amount / 3n };
      break;
    }
  }
  return p;
}
