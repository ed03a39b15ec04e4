/**
 * Alert rules a bot sets, and their evaluation between two consecutive indexed blocks of one
 * protocol. Pure: no I/O. A rule fires on a transition (its condition holds at this block and did
 * not at the previous block the gateway evaluated), never again while it keeps holding: a bot gets
 * one alert per incident, not one per block. Event rules (realized bad debt, socialized loss) fire
 * once per new event. Every alert carries a stable id derived from what it is about, so a bot that
 * gets one alert twice (two gateways, a webhook retry, a reconnect) can drop the copy.
 */
import { createHash } from 'node:crypto';
import { formatRatio, formatUnits, parseRatio, ratio, RATIO_DECIMALS } from '../metrics/decimal';
import type { BlockRef } from '../sources/blocks';
import type { ProtocolView } from '../views/model';

export type AlertRuleKind =
  | 'LATENT_BAD_DEBT_ABOVE'
  | 'LATENT_BAD_DEBT_SHARE_ABOVE'
  | 'SOLVENCY_RATIO_BELOW'
  | 'COVERAGE_RATIO_BELOW'
  | 'REALIZED_BAD_DEBT'
  | 'SOCIALIZED_LOSS'
  | 'ACCOUNT_LIQUIDATABLE'
  | 'ACCOUNT_INSOLVENT'
  | 'INDEXING_LAG_ABOVE';

/** As a bot writes them (GraphQL input AlertRules, or a webhook config file): decimal strings. */
export interface AlertRulesInput {
  latentBadDebtAboveUSD?: string | null;
  latentBadDebtShareAbove?: string | null;
  solvencyRatioBelow?: string | null;
  coverageRatioBelow?: string | null;
  realizedBadDebt?: boolean | null;
  socializedLoss?: boolean | null;
  accountLiquidatable?: boolean | null;
  accountInsolvent?: boolean | null;
  indexingLagAboveSeconds?: number | null;
}

/** Parsed: amounts in RATIO_DECIMALS fixed point (converted to base units per protocol), ratios in RATIO_DECIMALS. */
export interface AlertRules {
  latentBadDebtAbove: bigint | null;
  latentBadDebtShareAbove: bigint | null;
  solvencyRatioBelow: bigint | null;
  coverageRatioBelow: bigint | null;
  realizedBadDebt: boolean;
  socializedLoss: boolean;
  accountLiquidatable: boolean;
  accountInsolvent: boolean;
  indexingLagAboveSeconds: number | null;
  /** The rules as given, for ids and messages. */
  text: Record<string, string>;
}

export class AlertRuleError extends Error {}

function decimal(value: string | null | undefined, what: string): bigint | null {
  if (value === null || value === undefined) return null;
  try {
    return parseRatio(value);
  } catch {
    throw new AlertRuleError(`${what} must be a non-negative decimal string like "0.05", got "${value}"`);
  }
}

export function parseRules(input: AlertRulesInput): AlertRules {
  const lag = input.indexingLagAboveSeconds;
  if (lag !== null && lag !== undefined && (!Number.isSafeInteger(lag) || lag < 0)) throw new AlertRuleError(`indexingLagAboveSeconds must be a whole number >= 0, got ${lag}`);
  const rules: AlertRules = {
    latentBadDebtAbove: decimal(input.latentBadDebtAboveUSD, 'latentBadDebtAboveUSD'),
    latentBadDebtShareAbove: decimal(input.latentBadDebtShareAbove, 'latentBadDebtShareAbove'),
    solvencyRatioBelow: decimal(input.solvencyRatioBelow, 'solvencyRatioBelow'),
    coverageRatioBelow: decimal(input.coverageRatioBelow, 'coverageRatioBelow'),
    realizedBadDebt: input.realizedBadDebt === true,
    socializedLoss: input.socializedLoss === true,
    accountLiquidatable: input.accountLiquidatable === true,
    accountInsolvent: input.accountInsolvent === true,
    indexingLagAboveSeconds: lag ?? null,
    text: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined && v !== false).map(([k, v]) => [k, String(v)])),
  };
  if (Object.keys(rules.text).length === 0) throw new AlertRuleError('no rule set: give at least one of the AlertRules fields');
  return rules;
}

/** What the rules read of a protocol at one block (kept between blocks: small, unlike the view). */
export interface Snapshot {
  endpoint: string;
  protocolId: string;
  block: BlockRef;
  baseDecimals: number;
  latentBadDebtBase: bigint;
  debtBase: bigint;
  solvencyRatio: bigint | null;
  coverageRatio: bigint | null;
  /** Borrowers that are liquidatable or insolvent, by address. */
  flagged: Map<string, { liquidatable: boolean; insolvent: boolean; badDebtBase: bigint; healthFactor: bigint | null }>;
}

export function snapshotOf(endpoint: string, view: ProtocolView): Snapshot {
  const flagged: Snapshot['flagged'] = new Map();
  for (const a of view.borrowerTotals) {
    if (a.risk.liquidatable || a.risk.insolvent) flagged.set(a.address, { liquidatable: a.risk.liquidatable, insolvent: a.risk.insolvent, badDebtBase: a.risk.badDebtBase, healthFactor: a.healthFactor });
  }
  return {
    endpoint,
    protocolId: view.protocol.id,
    block: view.block,
    baseDecimals: view.protocol.baseDecimals,
    latentBadDebtBase: view.sheet.latentBadDebtBase,
    debtBase: view.sheet.debtBase,
    solvencyRatio: view.solvency.solvencyRatio,
    coverageRatio: view.solvency.coverageRatio,
    flagged,
  };
}

/** A loss event booked in the block range being evaluated (realized bad debt, socialized loss). */
export interface LossEvent {
  id: string;
  block: number;
  account: string;
  market: string;
  /** Base-currency value at the event's block; null without a price. */
  valueBase: bigint | null;
}

export interface Alert {
  id: string;
  rule: AlertRuleKind;
  endpoint: string;
  protocol: string;
  block: BlockRef;
  /** The figure that fired, formatted as the query API formats it (USD and ratios: exact decimals). */
  value: string | null;
  threshold: string | null;
  /** Account rules: the account; event rules: the borrower. */
  address: string | null;
  eventId: string | null;
  message: string;
}

/** Stable: the same incident gives the same id on every gateway, subscription and webhook delivery. */
export function alertId(parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
}

const usdUnits = (fixed: bigint, decimals: number) => fixed / 10n ** BigInt(RATIO_DECIMALS - decimals);

interface Level {
  rule: AlertRuleKind;
  threshold: bigint;
  key: keyof AlertRules['text'];
  holds: (s: Snapshot) => boolean;
  value: (s: Snapshot) => string | null;
  thresholdText: (s: Snapshot) => string;
  what: string;
}

function levels(rules: AlertRules): Level[] {
  const out: Level[] = [];
  const usd = (s: Snapshot, v: bigint) => formatUnits(v, s.baseDecimals);
  if (rules.latentBadDebtAbove !== null) {
    const t = rules.latentBadDebtAbove;
    out.push({ rule: 'LATENT_BAD_DEBT_ABOVE', threshold: t, key: 'latentBadDebtAboveUSD', holds: (s) => s.latentBadDebtBase > usdUnits(t, s.baseDecimals), value: (s) => usd(s, s.latentBadDebtBase), thresholdText: () => formatRatio(t)!, what: 'latent bad debt (USD)' });
  }
  if (rules.latentBadDebtShareAbove !== null) {
    const t = rules.latentBadDebtShareAbove;
    const share = (s: Snapshot) => ratio(s.latentBadDebtBase, s.debtBase);
    out.push({ rule: 'LATENT_BAD_DEBT_SHARE_ABOVE', threshold: t, key: 'latentBadDebtShareAbove', holds: (s) => (share(s) ?? 0n) > t, value: (s) => formatRatio(share(s)), thresholdText: () => formatRatio(t)!, what: 'latent bad debt / debt' });
  }
  if (rules.solvencyRatioBelow !== null) {
    const t = rules.solvencyRatioBelow;
    out.push({ rule: 'SOLVENCY_RATIO_BELOW', threshold: t, key: 'solvencyRatioBelow', holds: (s) => s.solvencyRatio !== null && s.solvencyRatio < t, value: (s) => formatRatio(s.solvencyRatio), thresholdText: () => formatRatio(t)!, what: 'solvency ratio' });
  }
  if (rules.coverageRatioBelow !== null) {
    const t = rules.coverageRatioBelow;
    out.push({ rule: 'COVERAGE_RATIO_BELOW', threshold: t, key: 'coverageRatioBelow', holds: (s) => s.coverageRatio !== null && s.coverageRatio < t, value: (s) => formatRatio(s.coverageRatio), thresholdText: () => formatRatio(t)!, what: 'coverage ratio' });
  }
  return out;
}

/**
 * The alerts of `cur` given the previous evaluated block `prev` (null: the first block seen, which
 * only sets the baseline) and the loss events booked in (prev.block, cur.block].
 */
export function evaluate(rules: AlertRules, prev: Snapshot | null, cur: Snapshot, events: { realized: LossEvent[]; socialized: LossEvent[] } = { realized: [], socialized: [] }): Alert[] {
  if (!prev) return [];
  const alerts: Alert[] = [];
  const base = { endpoint: cur.endpoint, protocol: cur.protocolId, block: cur.block };
  const id = (rule: AlertRuleKind, ...parts: (string | number)[]) => alertId([cur.endpoint, cur.protocolId, rule, ...parts, cur.block.hash ?? cur.block.number]);
  for (const l of levels(rules)) {
    if (!l.holds(cur) || l.holds(prev)) continue;
    const value = l.value(cur);
    const threshold = l.thresholdText(cur);
    alerts.push({ ...base, id: id(l.rule, threshold), rule: l.rule, value, threshold, address: null, eventId: null, message: `${l.what} ${value} crossed ${threshold} at block ${cur.block.number}` });
  }
  for (const [address, f] of cur.flagged) {
    const before = prev.flagged.get(address);
    if (rules.accountLiquidatable && f.liquidatable && !before?.liquidatable) {
      const value = f.healthFactor === null ? null : formatUnits(f.healthFactor, 18);
      alerts.push({ ...base, id: id('ACCOUNT_LIQUIDATABLE', address), rule: 'ACCOUNT_LIQUIDATABLE', value, threshold: '1', address, eventId: null, message: `account ${address} became liquidatable (health factor ${value}) at block ${cur.block.number}` });
    }
    if (rules.accountInsolvent && f.insolvent && !before?.insolvent) {
      const value = formatUnits(f.badDebtBase, cur.baseDecimals);
      alerts.push({ ...base, id: id('ACCOUNT_INSOLVENT', address), rule: 'ACCOUNT_INSOLVENT', value, threshold: '0', address, eventId: null, message: `account ${address} became insolvent (bad debt ${value} USD) at block ${cur.block.number}` });
    }
  }
  const lossAlerts = (rule: 'REALIZED_BAD_DEBT' | 'SOCIALIZED_LOSS', list: LossEvent[], what: string) => {
    for (const e of list) {
      if (e.block <= prev.block.number || e.block > cur.block.number) continue;
      const value = e.valueBase === null ? null : formatUnits(e.valueBase, cur.baseDecimals);
      // The event's own id: the same loss is one alert whichever block it is first seen at.
      alerts.push({ ...base, id: alertId([cur.endpoint, cur.protocolId, rule, e.id]), rule, value, threshold: null, address: e.account, eventId: e.id, message: `${what} ${e.id} of ${e.account} in market ${e.market} (${value ?? 'unpriced'} USD) at block ${e.block}` });
    }
  };
  if (rules.realizedBadDebt) lossAlerts('REALIZED_BAD_DEBT', events.realized, 'realized bad debt');
  if (rules.socializedLoss) lossAlerts('SOCIALIZED_LOSS', events.socialized, 'socialized loss');
  return alerts;
}

/** An endpoint's lag behind the chain at one follow tick. */
export interface LagReading {
  endpoint: string;
  indexed: BlockRef;
  /** The chain's head (RPC); null when it could not be read. */
  chainHead: BlockRef | null;
  lagSeconds: number;
}

/**
 * Lag against the chain's head: the head's timestamp minus the indexed block's, and at least the
 * wall-clock time since the gateway first saw the chain ahead of this same indexed block (a devnet's
 * or a quiet chain's timestamps move slowly; a stalled indexer keeps its block while the chain moves,
 * and its own `_meta` keeps reporting itself as up to date).
 */
export function lagSeconds(indexed: BlockRef, chainHead: BlockRef | null, behindSinceMs: number | null, nowMs: number): number {
  if (!chainHead || chainHead.number <= indexed.number) return 0;
  const byTimestamps = Math.max(0, chainHead.timestamp - indexed.timestamp);
  const byWallClock = behindSinceMs === null ? 0 : Math.floor((nowMs - behindSinceMs) / 1000);
  return Math.max(byTimestamps, byWallClock);
}

export function evaluateLag(rules: AlertRules, protocolId: string, prev: LagReading | null, cur: LagReading): Alert[] {
  const n = rules.indexingLagAboveSeconds;
  // Once per incident: when the lag crosses the bound (or is over it at the first reading).
  if (n === null || cur.lagSeconds <= n || (prev !== null && prev.lagSeconds > n)) return [];
  return [
    {
      id: alertId([cur.endpoint, protocolId, 'INDEXING_LAG_ABOVE', n, cur.indexed.hash ?? cur.indexed.number]),
      rule: 'INDEXING_LAG_ABOVE',
      endpoint: cur.endpoint,
      protocol: protocolId,
      block: cur.indexed,
      value: String(cur.lagSeconds),
      threshold: String(n),
      address: null,
      eventId: null,
      message: `subgraph ${cur.endpoint} is ${cur.lagSeconds} s behind the chain (indexed block ${cur.indexed.number}, chain head ${cur.chainHead?.number ?? 'unknown'})`,
    },
  ];
}
