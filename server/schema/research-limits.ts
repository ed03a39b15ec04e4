/**
 * What the research queries cost beyond their block pin (limits.ts charges each distinct pin one
 * protocol-wide view, blockPinCost). stress and liquidationCurve read the block's state once and
 * recompute the view in memory per scenario: a recomputation has none of a view's subgraph round
 * trips (most of blockPinCost, per limits.ts's sizing), so each is charged RECOMPUTE_SHARE of a pin.
 * history builds one full view per interval: each point is charged a whole pin.
 */
import { INTERVAL_SECONDS, intervalCount, MAX_HISTORY_POINTS } from './research-history';
import { MAX_CURVE_STEPS } from './research-stress';

/** A recomputation's share of a view's cost: 1/10, an assumption (the replay bench times a view's reads and its math separately). */
export const RECOMPUTE_SHARE = 10;

/** Cost of a root field beyond the pin its `block` argument already paid; 0 for other fields. */
export function researchCost(field: string, arg: (name: string) => unknown, blockPinCost: number): number {
  const recompute = Math.ceil(blockPinCost / RECOMPUTE_SHARE);
  const count = (name: string, fallback: number, max: number) => {
    const v = arg(name);
    // Refused above the maximum (TOO_MANY_POINTS): count the maximum so that code shows, not a cost error.
    return typeof v === 'number' && Number.isFinite(v) ? Math.max(1, Math.min(v, max)) : fallback;
  };
  if (field === 'stress') return 2 * recompute; // the shocked view and the zero-shock baseline
  if (field === 'liquidationCurve') return (count('steps', 18, MAX_CURVE_STEPS) + 1) * recompute;
  if (field === 'history') {
    const from = arg('fromTimestamp');
    const to = arg('toTimestamp');
    const seconds = INTERVAL_SECONDS[arg('interval') as keyof typeof INTERVAL_SECONDS] ?? INTERVAL_SECONDS.HOUR;
    // Without an end the head ends it, which is no later than now: an upper bound. Junk: the most a query may have.
    const end = typeof to === 'number' ? to : Math.floor(Date.now() / 1000);
    const points = typeof from === 'number' && Number.isFinite(from) && Number.isFinite(end) ? Math.max(1, Math.min(intervalCount(from, end, seconds), MAX_HISTORY_POINTS)) : MAX_HISTORY_POINTS;
    return points * blockPinCost;
  }
  return 0;
}
