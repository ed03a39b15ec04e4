/**
 * Risk DAO's bad-debt file (`bad-debt/latest/{chain}_{platform}.json`, as their leaderboard writes it
 * and the bots that alert on it read it: spalen0/bad-debt-alert does `int(data['total']) * -1` for
 * the bad debt and divides by `int(data['tvl'])`; Risk DAO's frontend reads `decimals` through
 * web3-utils' unit names, so it must be one of them: 18). Exactly their keys, integer strings only,
 * in base currency scaled to 18 decimals. Pure: no I/O.
 *
 * Their parsers value each account as collateral minus debt (Aave V3: getUserAccountData's
 * totalCollateralBase - totalDebtBase); so do we, with our collateral (supplied assets the protocol
 * may seize, at the protocol's own oracle at the block) and debt:
 * - `users`: every account whose net value is negative, `badDebt` = that (negative) net value;
 * - `total`: their sum (negative) = -latentBadDebtUSD;
 * - `deposits` / `borrows`: sums of collateral and debt over all accounts; `tvl` = deposits - borrows;
 * - `calculatedBorrows`: the protocol's own total debt (the reserves' totals), which their parsers
 *   fill from the protocol when they can and which equals `borrows` when every debtor is known.
 */
import type { ProtocolView } from '../views/model';

export interface RiskDaoFile {
  total: string;
  updated: string;
  decimals: string;
  users: { user: string; badDebt: string }[];
  tvl: string;
  deposits: string;
  borrows: string;
  calculatedBorrows: string;
}

/** web3-utils' "ether": the only decimals every Risk DAO reader handles. */
export const RISK_DAO_DECIMALS = 18;

export function riskDaoFile(view: ProtocolView): RiskDaoFile {
  const shift = RISK_DAO_DECIMALS - view.protocol.baseDecimals;
  // Base currencies with more than 18 decimals would lose digits: none of the families has one.
  if (shift < 0) throw new RangeError(`base currency with ${view.protocol.baseDecimals} decimals cannot be written with ${RISK_DAO_DECIMALS}`);
  const scale = 10n ** BigInt(shift);
  let total = 0n;
  let deposits = 0n;
  let borrows = 0n;
  const users: { user: string; net: bigint }[] = [];
  for (const a of view.accounts) {
    const net = a.collateralBase - a.debtBase;
    deposits += a.collateralBase;
    borrows += a.debtBase;
    if (net < 0n) {
      total += net;
      users.push({ user: a.address, net });
    }
  }
  // Largest bad debt first (what a bot lists first); ties by address, so the file is deterministic.
  users.sort((x, y) => (x.net === y.net ? x.user.localeCompare(y.user) : x.net < y.net ? -1 : 1));
  return {
    total: String(total * scale),
    updated: String(view.block.timestamp),
    decimals: String(RISK_DAO_DECIMALS),
    users: users.map((u) => ({ user: u.user, badDebt: String(u.net * scale) })),
    tvl: String((deposits - borrows) * scale),
    deposits: String(deposits * scale),
    borrows: String(borrows * scale),
    calculatedBorrows: String(view.sheet.debtBase * scale),
  };
}

/** `{chain}_{platform}.json`: their readers split the name on "_", so neither part may hold one. */
export function riskDaoFileName(network: string, platform: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  return `${clean(network)}_${clean(platform)}.json`;
}

/** Their dated folders: D.M.YYYY (no zero padding), the UTC day. */
export function dayName(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getUTCDate()}.${d.getUTCMonth() + 1}.${d.getUTCFullYear()}`;
}

/** The UTC day a D.M.YYYY name denotes, as [first second, last second]; null when it is not a date. */
export function parseDay(name: string): [number, number] | null {
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(name);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = Date.UTC(year, month - 1, day) / 1000;
  if (dayName(start) !== `${day}.${month}.${year}`) return null; // 31.2.2027 and the like
  return [start, start + 86_399];
}
