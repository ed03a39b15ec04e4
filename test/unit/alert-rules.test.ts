import { alertId, evaluate, evaluateLag, lagSeconds, parseRules, type Snapshot } from '../../server/alerts/rules';
import { createQueue } from '../../server/alerts/queue';

const E18 = 10n ** 18n;
function snap(block: number, over: Partial<Snapshot> = {}): Snapshot {
  return {
    endpoint: 'aave-v3',
    protocolId: '0xpool',
    block: { number: block, hash: `0xh${block}`, timestamp: 1000 + block * 12 },
    baseDecimals: 8,
    latentBadDebtBase: 0n,
    debtBase: 1_000_000n * 10n ** 8n,
    solvencyRatio: (11n * E18) / 10n,
    coverageRatio: null,
    flagged: new Map(),
    ...over,
  };
}
const flag = (insolvent: boolean, liquidatable: boolean, badDebtBase = 0n, healthFactor: bigint | null = E18 / 2n) => ({ insolvent, liquidatable, badDebtBase, healthFactor });

describe('alert rules', () => {
  it('refuses junk and an empty rule set', () => {
    expect(() => parseRules({})).toThrow(/no rule set/);
    expect(() => parseRules({ solvencyRatioBelow: '-1' })).toThrow(/solvencyRatioBelow/);
    expect(() => parseRules({ indexingLagAboveSeconds: 1.5 })).toThrow(/indexingLagAboveSeconds/);
  });

  it('a level rule fires on the block it starts to hold, not while it keeps holding, and not on the first block seen', () => {
    const rules = parseRules({ latentBadDebtAboveUSD: '1000', solvencyRatioBelow: '1' });
    const calm = snap(10);
    // 1,000.00000001 USD (8 decimals) is above 1000; exactly 1000 is not.
    const exactly = snap(11, { latentBadDebtBase: 1000n * 10n ** 8n });
    const above = snap(12, { latentBadDebtBase: 1000n * 10n ** 8n + 1n, solvencyRatio: E18 - 1n });
    expect(evaluate(rules, null, above)).toEqual([]);
    expect(evaluate(rules, calm, exactly)).toEqual([]);
    const fired = evaluate(rules, exactly, above);
    expect(fired.map((a) => [a.rule, a.value, a.threshold])).toEqual([
      ['LATENT_BAD_DEBT_ABOVE', '1000.00000001', '1000'],
      ['SOLVENCY_RATIO_BELOW', '0.999999999999999999', '1'],
    ]);
    expect(fired.every((a) => a.block.hash === '0xh12')).toBe(true);
    expect(evaluate(rules, above, snap(13, { latentBadDebtBase: 5000n * 10n ** 8n, solvencyRatio: E18 / 2n }))).toEqual([]);
  });

  it('share of debt and coverage: undefined ratios never fire', () => {
    const rules = parseRules({ latentBadDebtShareAbove: '0.01', coverageRatioBelow: '0.5' });
    const prev = snap(1);
    const cur = snap(2, { latentBadDebtBase: 10_001n * 10n ** 8n, coverageRatio: E18 / 4n });
    expect(evaluate(rules, prev, cur).map((a) => [a.rule, a.value])).toEqual([
      ['LATENT_BAD_DEBT_SHARE_ABOVE', '0.010001'],
      ['COVERAGE_RATIO_BELOW', '0.25'],
    ]);
    expect(evaluate(rules, prev, snap(2, { debtBase: 0n, latentBadDebtBase: 0n }))).toEqual([]);
  });

  it('accounts fire once when they become liquidatable or insolvent, with their figures, ids stable across evaluations', () => {
    const rules = parseRules({ accountInsolvent: true, accountLiquidatable: true });
    const prev = snap(5, { flagged: new Map([['0xa', flag(false, true)]]) });
    const cur = snap(6, { flagged: new Map([['0xa', flag(true, true, 123_45000000n)], ['0xb', flag(false, true, 0n, 99n * 10n ** 16n)]]) });
    const fired = evaluate(rules, prev, cur);
    expect(fired.map((a) => [a.rule, a.address, a.value])).toEqual([
      ['ACCOUNT_INSOLVENT', '0xa', '123.45'],
      ['ACCOUNT_LIQUIDATABLE', '0xb', '0.99'],
    ]);
    expect(evaluate(rules, prev, cur).map((a) => a.id)).toEqual(fired.map((a) => a.id));
    expect(fired[0].id).toBe(alertId(['aave-v3', '0xpool', 'ACCOUNT_INSOLVENT', '0xa', '0xh6']));
    expect(evaluate(rules, cur, snap(7, { flagged: cur.flagged }))).toEqual([]);
  });

  it('loss events fire once each, in the evaluated range only, with the event id', () => {
    const rules = parseRules({ realizedBadDebt: true });
    const events = { realized: [5, 6, 7].map((b) => ({ id: `ev${b}`, block: b, account: '0xa', market: '0xm', valueBase: 2n * 10n ** 8n })), socialized: [] };
    const fired = evaluate(rules, snap(5), snap(7), events);
    expect(fired.map((a) => [a.eventId, a.value])).toEqual([['ev6', '2'], ['ev7', '2']]);
    // The same event seen from another block pair (another gateway) has the same id.
    expect(evaluate(rules, snap(6), snap(8), events)[0].id).toBe(fired[1].id);
  });

  it('lag is against the chain head, at least the wall-clock time the chain has been ahead, and fires once per incident', () => {
    const indexed = { number: 100, hash: '0x100', timestamp: 5000 };
    expect(lagSeconds(indexed, { number: 100, hash: '0x100', timestamp: 5000 }, null, 0)).toBe(0);
    expect(lagSeconds(indexed, { number: 103, hash: '0x103', timestamp: 5036 }, null, 0)).toBe(36);
    // A devnet's timestamps barely move, but the chain has been ahead for 90 s of wall clock.
    expect(lagSeconds(indexed, { number: 101, hash: '0x101', timestamp: 5001 }, 10_000, 100_000)).toBe(90);
    const rules = parseRules({ indexingLagAboveSeconds: 60 });
    const reading = (lag: number) => ({ endpoint: 'aave-v3', indexed, chainHead: { number: 101, hash: '0x101', timestamp: 5001 }, lagSeconds: lag });
    expect(evaluateLag(rules, '0xpool', reading(10), reading(60))).toEqual([]);
    const fired = evaluateLag(rules, '0xpool', reading(60), reading(61));
    expect(fired.map((a) => [a.rule, a.value, a.block.number])).toEqual([['INDEXING_LAG_ABOVE', '61', 100]]);
    expect(evaluateLag(rules, '0xpool', reading(61), reading(200))).toEqual([]);
  });
});

describe('subscription queue', () => {
  it('hands items in order, ends a waiting reader on return() and runs onClose once', async () => {
    let closed = 0;
    const q = createQueue<number>(10, () => closed++);
    q.push(1);
    expect(await q.next()).toEqual({ value: 1, done: false });
    const waiting = q.next();
    await q.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    q.push(2);
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('cuts off a reader that falls too far behind', async () => {
    let closed = 0;
    const q = createQueue<number>(2, () => closed++);
    for (const i of [1, 2, 3]) q.push(i);
    await expect(q.next()).rejects.toThrow(/fell 2 events behind/);
    expect(closed).toBe(1);
  });
});
