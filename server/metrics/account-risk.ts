/**
 * Protocol-independent risk figures of one account, from its collateral, supply and debt valued in
 * one base currency. Every protocol adapter produces the inputs; these formulas are the methodology
 * (README, "Metrics").
 */
import { max, ratio } from './decimal';

export interface AccountValuation {
  /** Value the protocol may seize: supplied assets enabled as collateral (Aave: liquidation threshold > 0). */
  collateralBase: bigint;
  /** All supplied assets, collateral or not. */
  suppliedBase: bigint;
  /** All debt, interest accrued to the block. */
  debtBase: bigint;
  /** wad (1e18 = 1.0); null when there is no debt. */
  healthFactor: bigint | null;
}

export interface AccountRisk {
  /** max(0, debt - collateral): debt no liquidation can recover. */
  badDebtBase: bigint;
  /** supplied - debt */
  netValueBase: bigint;
  /** collateral - debt */
  equityBase: bigint;
  /** debt / (collateral - debt), 18-decimal fixed point; null when equity <= 0. */
  debtToEquity: bigint | null;
  /** Debt is not covered by collateral (equity <= 0 while owing something). */
  negativeEquity: boolean;
  /** The protocol's own liquidation rule holds (Aave: health factor < 1). */
  liquidatable: boolean;
  /**
   * Debt with nothing left to seize (no collateral value at all): no liquidation can repay any of
   * it, so it is not "liquidatable debt" whatever the health factor says (Aave reports 0 for it).
   */
  unliquidatable: boolean;
  insolvent: boolean;
}

/** 1.0 in wad: Aave's HEALTH_FACTOR_LIQUIDATION_THRESHOLD and the neutral point of every health rule. */
export const ONE_WAD = 10n ** 18n;

export function accountRisk(v: AccountValuation): AccountRisk {
  const equityBase = v.collateralBase - v.debtBase;
  const badDebtBase = max(0n, v.debtBase - v.collateralBase);
  return {
    badDebtBase,
    netValueBase: v.suppliedBase - v.debtBase,
    equityBase,
    debtToEquity: equityBase > 0n ? ratio(v.debtBase, equityBase) : null,
    negativeEquity: v.debtBase > 0n && equityBase <= 0n,
    liquidatable: v.healthFactor !== null && v.healthFactor < ONE_WAD,
    unliquidatable: v.debtBase > 0n && v.collateralBase === 0n,
    insolvent: badDebtBase > 0n,
  };
}

/**
 * Splits an account's bad debt over the markets it owes, pro rata of each debt's value. Integer
 * shares are truncated and the last market takes the remainder, so the parts always sum to the whole.
 */
export function allocateBadDebt(badDebt: bigint, debts: { marketId: string; debtBase: bigint }[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const owed = debts.filter((d) => d.debtBase > 0n);
  const total = owed.reduce((s, d) => s + d.debtBase, 0n);
  if (badDebt === 0n || total === 0n) return out;
  let given = 0n;
  owed.forEach((d, i) => {
    const share = i === owed.length - 1 ? badDebt - given : (badDebt * d.debtBase) / total;
    given += share;
    out.set(d.marketId, (out.get(d.marketId) ?? 0n) + share);
  });
  return out;
}
