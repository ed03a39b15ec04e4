/**
 * Market- and protocol-level solvency from market totals and account risks, all in one base currency.
 * Protocol-independent: any protocol that provides these inputs gets the same methodology.
 */
import type { AccountRisk } from './account-risk';
import { ratio } from './decimal';

export interface BalanceSheet {
  availableLiquidityBase: bigint;
  /** Outstanding debt, interest accrued. */
  debtBase: bigint;
  /** What suppliers (not the protocol itself) can withdraw. */
  supplierClaimsBase: bigint;
  /** The protocol's own cushion (Aave: accruedToTreasury + treasury aTokens). */
  reservesBase: bigint;
  /** Sum of account bad debt allocated here. */
  latentBadDebtBase: bigint;
  /** Realized bad debt booked and not yet covered (Aave reserve deficit); a loss already taken. */
  outstandingDeficitBase: bigint;
}

export interface Solvency {
  /**
   * (available liquidity + debt - latent bad debt) / supplier claims; null without claims. An
   * outstanding deficit is a loss already in these terms: its debt was written off (no longer in
   * `debt`) while the cash never came back (not in `available liquidity`).
   */
  solvencyRatio: bigint | null;
  /** available liquidity + debt - latent bad debt - supplier claims (= reserves - deficit - latent bad debt on Aave) */
  equityBase: bigint;
  /** reserves / latent bad debt; null when there is no bad debt. */
  coverageRatio: bigint | null;
  /** reserves / outstanding deficit; null when there is none. */
  deficitCoverageRatio: bigint | null;
}

export function solvency(b: BalanceSheet): Solvency {
  const assets = b.availableLiquidityBase + b.debtBase - b.latentBadDebtBase;
  return {
    solvencyRatio: ratio(assets, b.supplierClaimsBase),
    equityBase: assets - b.supplierClaimsBase,
    coverageRatio: b.latentBadDebtBase === 0n ? null : ratio(b.reservesBase, b.latentBadDebtBase),
    deficitCoverageRatio: b.outstandingDeficitBase === 0n ? null : ratio(b.reservesBase, b.outstandingDeficitBase),
  };
}

export function sumSheets(sheets: BalanceSheet[]): BalanceSheet {
  const total: BalanceSheet = { availableLiquidityBase: 0n, debtBase: 0n, supplierClaimsBase: 0n, reservesBase: 0n, latentBadDebtBase: 0n, outstandingDeficitBase: 0n };
  for (const s of sheets) {
    total.availableLiquidityBase += s.availableLiquidityBase;
    total.debtBase += s.debtBase;
    total.supplierClaimsBase += s.supplierClaimsBase;
    total.reservesBase += s.reservesBase;
    total.latentBadDebtBase += s.latentBadDebtBase;
    total.outstandingDeficitBase += s.outstandingDeficitBase;
  }
  return total;
}

export interface AccountTally {
  accounts: number;
  borrowers: number;
  insolventAccounts: number;
  /** Liquidatable by the protocol's rule and with collateral a liquidator can seize. */
  liquidatableAccounts: number;
  latentBadDebtBase: bigint;
  liquidatableDebtBase: bigint;
  /** Owing debt with no collateral left: no liquidation can touch it (dead debt). */
  unliquidatableAccounts: number;
  unliquidatableDebtBase: bigint;
  /** Debt of borrowers with health factor below the threshold asked for. */
  atRiskDebtBase: bigint;
  /** sum(debt) / sum(collateral - debt) over borrowers; null when that equity is <= 0. */
  debtToEquity: bigint | null;
}

export interface TalliedAccount {
  risk: AccountRisk;
  debtBase: bigint;
  collateralBase: bigint;
  healthFactor: bigint | null;
}

/** Counts and sums over accounts; `atRiskBelow` is a wad health-factor threshold. */
export function tallyAccounts(accounts: TalliedAccount[], atRiskBelow: bigint): AccountTally {
  const t: AccountTally = {
    accounts: accounts.length, borrowers: 0, insolventAccounts: 0, liquidatableAccounts: 0, latentBadDebtBase: 0n, liquidatableDebtBase: 0n,
    unliquidatableAccounts: 0, unliquidatableDebtBase: 0n, atRiskDebtBase: 0n, debtToEquity: null,
  };
  let debt = 0n;
  let equity = 0n;
  for (const a of accounts) {
    if (a.debtBase === 0n) continue;
    t.borrowers++;
    debt += a.debtBase;
    equity += a.collateralBase - a.debtBase;
    if (a.risk.insolvent) t.insolventAccounts++;
    t.latentBadDebtBase += a.risk.badDebtBase;
    if (a.risk.unliquidatable) {
      t.unliquidatableAccounts++;
      t.unliquidatableDebtBase += a.debtBase;
    } else if (a.risk.liquidatable) {
      t.liquidatableAccounts++;
      t.liquidatableDebtBase += a.debtBase;
    }
    if (a.healthFactor !== null && a.healthFactor < atRiskBelow) t.atRiskDebtBase += a.debtBase;
  }
  t.debtToEquity = equity > 0n ? ratio(debt, equity) : null;
  return t;
}
