import { parseAbi, type PublicClient } from 'viem';
import { formatUnits } from '../../server/metrics/decimal';
import { changeBetween } from '../../server/metrics/stress';
import { gql, gqlData } from '../support/gateway-client';
import { asCsv, asParquet, download, readCsv, readParquet } from '../support/exports';
import { columnName, selection, TABLES, valueAt } from '../../server/exports/tables';
import { METHODOLOGY_VERSION } from '../../server/methodology';
import { lower } from '../support/chain';
import type { StackState } from '../support/stack-process';
import { familyNamed } from '../../server/families';
import { devnetProtocol } from '../../devnet/protocols';

const ORACLE = parseAbi(['function getAssetPrice(address) view returns (uint256)']);
const POOL = parseAbi(['function getUserAccountData(address) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)']);
const FEED = parseAbi(['function latestAnswer() view returns (int256)']);
const GEARBOX_ORACLE = parseAbi(['function getPrice(address token) view returns (uint256)']);
const ONE = 10n ** 18n;
const BASE_DECIMALS = 8; // AaveOracle BASE_CURRENCY_UNIT 1e8 (USD); Morpho's USD figures use the same

interface Checkpoint {
  name: string;
  block: number | string;
  timestamp?: number;
}
const checkpoint = (cps: Checkpoint[], name: string) => {
  const cp = cps.find((c) => c.name === name);
  if (!cp || cp.timestamp === undefined) throw new Error(`no checkpoint ${name} with a timestamp`);
  return { block: Number(cp.block), timestamp: cp.timestamp };
};
const shockList = (shocks: { asset: string; change: string }[]) => `[${shocks.map((s) => `{ asset: "${s.asset}", change: "${s.change}" }`).join(', ')}]`;

const ACCOUNT = 'address liquidatable insolvent debtUSD collateralUSD badDebtUSD healthFactor';
const FIGURES = 'liquidatableAccounts insolventAccounts liquidatableDebtUSD latentBadDebtUSD';
const STATE = `${FIGURES} totalBorrowedUSD solvencyRatio equityUSD debtToEquity coverageRatio outstandingDeficitUSD`;

interface StressAnswer {
  stress: {
    accruedTo: number;
    newlyLiquidatableAccounts: number;
    after: Record<string, unknown>;
    accounts: { totalCount: number; items: { address: string; liquidatable: boolean; insolvent: boolean }[] };
  };
}
const stressQuery = (protocol: string, shocks: string, block: number, accrueTo?: number) =>
  `{ stress(protocol: "${protocol}", shocks: ${shocks}, block: ${block}${accrueTo === undefined ? '' : `, accrueTo: ${accrueTo}`}) { accruedTo newlyLiquidatableAccounts after { ${FIGURES} } accounts(first: 1000) { totalCount items { ${ACCOUNT} } } } }`;

/**
 * `stress` at `before` with `shocks`, interest accrued to `after`, equals the gateway's own figures at
 * `after` (each family's gateway suite checks those against the protocol's views): the protocol
 * counts and sums, and the accounts liquidatable or insolvent.
 */
async function expectPrediction(gatewayUrl: string, protocol: string, shocks: { asset: string; change: string }[], before: { block: number }, after: { block: number; timestamp: number }): Promise<StressAnswer['stress']> {
  const { stress } = await gqlData<StressAnswer>(gatewayUrl, stressQuery(protocol, shockList(shocks), before.block, after.timestamp));
  type Plain = { address: string; liquidatable: boolean; unliquidatable: boolean; debtUSD: string; badDebtUSD: string };
  const plain = await gqlData<{ protocol: Record<string, unknown>; accounts: { totalCount: number; items: Plain[] } }>(
    gatewayUrl,
    `{ protocol(id: "${protocol}", block: ${after.block}) { ${FIGURES} } accounts(protocol: "${protocol}", block: ${after.block}, first: 1000) { totalCount items { ${ACCOUNT.replace(' insolvent', '')} unliquidatable } } }`,
  );
  // Both lists whole (one page of 1000): a truncated one would compare only its first page.
  expect([plain.accounts.items.length, stress.accounts.items.length]).toEqual([plain.accounts.totalCount, stress.accounts.totalCount]);
  expect(stress.after).toEqual(plain.protocol);
  // The stress lists count "liquidatable" as the protocol totals do: the rule holds and there is collateral to seize.
  const hit = plain.accounts.items
    .map(({ unliquidatable, ...a }) => ({ ...a, liquidatable: a.liquidatable && !unliquidatable, insolvent: a.badDebtUSD !== '0' }))
    .filter((a) => a.debtUSD !== '0' && (a.liquidatable || a.insolvent));
  const byAddress = (a: { address: string }, b: { address: string }) => a.address.localeCompare(b.address);
  expect(hit.length).toBeGreaterThan(0);
  expect([...stress.accounts.items].sort(byAddress)).toEqual(hit.sort(byAddress));
  return stress;
}

/**
 * The devnet crash predicted from the block before it: every price move between the `before-crash`
 * and `after-crash` checkpoints (read from the oracle at both blocks, not from the scenario) applied
 * as a shock at before-crash, interest accrued to after-crash's timestamp, gives exactly the chain's
 * after-crash liquidatable and insolvent accounts, their debts, collateral, health factors and bad
 * debt (Aave: Pool.getUserAccountData at after-crash; nothing but prices moves in between). Reads
 * pinned checkpoints only, never the head.
 */
export function researchSuite(ctx: () => { state: StackState; chain: PublicClient }) {
  // The upgraded market runs the scenario twice: a crash before the in-place upgrade (v3.0 rules) and one after (v3.6).
  const crashes: [string, string][] = [['aave-v3', ''], ['aave-v3.6', ''], ['aave-v3-upgraded', 'v3.0 '], ['aave-v3-upgraded', 'v3.6 ']];
  for (const [name, prefix] of crashes) {
    it(`${name}${prefix ? ` (${prefix.trim()} run)` : ''}: the crash's price moves applied at before-crash predict the after-crash accounts exactly (getUserAccountData)`, async () => {
      const { state, chain } = ctx();
      const { deployment, scenario } = state.devnet[name];
      const before = checkpoint(scenario.checkpoints, `${prefix}before-crash`);
      const after = checkpoint(scenario.checkpoints, `${prefix}after-crash`);
      const shocks: { asset: string; change: string }[] = [];
      for (const r of deployment.reserves) {
        const [p0, p1] = await Promise.all([before, after].map((c) => chain.readContract({ address: deployment.aaveOracle, abi: ORACLE, functionName: 'getAssetPrice', args: [r.underlying], blockNumber: BigInt(c.block) })));
        if (p0 !== p1) shocks.push({ asset: lower(r.underlying), change: changeBetween(p0, p1) });
      }
      expect(shocks.length).toBeGreaterThan(0);
      const { stress } = await gqlData<StressAnswer>(state.gatewayUrl, stressQuery(name, shockList(shocks), before.block, after.timestamp));
      expect(stress.accruedTo).toBe(after.timestamp);

      const want: ({ address: string } & Record<string, unknown>)[] = [];
      let latent = 0n;
      let liquidatableDebt = 0n;
      for (const address of [...new Set(scenario.accounts.map(lower))]) {
        const [collateral, debt, , , , healthFactor] = await chain.readContract({ address: deployment.pool, abi: POOL, functionName: 'getUserAccountData', args: [address], blockNumber: BigInt(after.block) });
        if (debt === 0n) continue;
        // The gateway's liquidatable: the protocol's rule (HF < 1) with collateral left to seize.
        const liquidatable = healthFactor < ONE && collateral > 0n;
        const bad = debt > collateral ? debt - collateral : 0n;
        latent += bad;
        if (liquidatable) liquidatableDebt += debt;
        if (!liquidatable && bad === 0n) continue;
        want.push({ address, liquidatable, insolvent: bad > 0n, debtUSD: formatUnits(debt, BASE_DECIMALS), collateralUSD: formatUnits(collateral, BASE_DECIMALS), badDebtUSD: formatUnits(bad, BASE_DECIMALS), healthFactor: formatUnits(healthFactor, 18) });
      }
      const byAddress = (a: { address: string }, b: { address: string }) => a.address.localeCompare(b.address);
      expect(want.some((w) => w.liquidatable)).toBe(true);
      expect([...stress.accounts.items].map((i) => ({ ...i, address: lower(i.address) })).sort(byAddress)).toEqual(want.sort(byAddress));
      expect(stress.after).toMatchObject({
        liquidatableAccounts: want.filter((w) => w.liquidatable).length,
        insolventAccounts: want.filter((w) => w.insolvent).length,
        liquidatableDebtUSD: formatUnits(liquidatableDebt, BASE_DECIMALS),
        latentBadDebtUSD: formatUnits(latent, BASE_DECIMALS),
      });
      // The crash made accounts liquidatable that were not before it.
      expect(stress.newlyLiquidatableAccounts).toBeGreaterThan(0);
    }, 60_000);
  }

  it("morpho-blue: the crash's feed moves applied at before-crash predict the after-crash figures (equal to the gateway's own at after-crash, which the Morpho gateway suite checks against Morpho)", async () => {
    const { state, chain } = ctx();
    const { deployment, scenario } = state.devnet['morpho-blue'] as unknown as { deployment: { tokens: { address: string; feed: { proxy: `0x${string}` } }[] }; scenario: { checkpoints: Checkpoint[] } };
    const before = checkpoint(scenario.checkpoints, 'before-crash');
    const after = checkpoint(scenario.checkpoints, 'after-crash');
    const shocks: { asset: string; change: string }[] = [];
    for (const t of deployment.tokens) {
      const [a0, a1] = await Promise.all([before, after].map((c) => chain.readContract({ address: t.feed.proxy, abi: FEED, functionName: 'latestAnswer', blockNumber: BigInt(c.block) })));
      if (a0 !== a1) shocks.push({ asset: lower(t.address), change: changeBetween(a0, a1) });
    }
    expect(shocks.length).toBeGreaterThan(0);
    await expectPrediction(state.gatewayUrl, 'morpho-blue', shocks, before, after);
  }, 60_000);

  it("gearbox-v3: the crash's PriceOracleV3 moves applied at before-crash predict the after-crash figures (equal to the gateway's own at after-crash, which the Gearbox gateway suite checks against calcDebtAndCollateral)", async () => {
    const { state, chain } = ctx();
    const { deployment, scenario } = state.devnet['gearbox-v3'] as unknown as { deployment: { priceOracle: `0x${string}`; tokens: { address: `0x${string}` }[] }; scenario: { checkpoints: Checkpoint[] } };
    const before = checkpoint(scenario.checkpoints, 'before-crash');
    const after = checkpoint(scenario.checkpoints, 'after-crash');
    const shocks: { asset: string; change: string }[] = [];
    for (const t of deployment.tokens) {
      // A token the oracle has no feed for reverts: the pool cannot hold it, nothing to shock.
      const [p0, p1] = await Promise.all([before, after].map((c) => chain.readContract({ address: deployment.priceOracle, abi: GEARBOX_ORACLE, functionName: 'getPrice', args: [t.address], blockNumber: BigInt(c.block) }).catch(() => null)));
      if (p0 !== null && p1 !== null && p0 !== p1) shocks.push({ asset: lower(t.address), change: changeBetween(p0, p1) });
    }
    expect(shocks.length).toBeGreaterThan(0);
    const stress = await expectPrediction(state.gatewayUrl, 'gearbox-v3', shocks, before, after);
    // The crash made credit accounts liquidatable that were not before it.
    expect(stress.newlyLiquidatableAccounts).toBeGreaterThan(0);
  }, 60_000);

  it('a zero shock equals the plain figures at a pinned block (every protocol)', async () => {
    const { state } = ctx();
    for (const name of Object.keys(state.devnet)) {
      const cps = state.devnet[name].scenario.checkpoints;
      const block = checkpoint(cps, cps.some((c) => c.name === 'after-crash') ? 'after-crash' : 'v3.6 after-crash').block;
      if (!familyNamed(devnetProtocol(name)!.family)?.adapter.stressedViews) {
        // Indexed, but its family has no module in the gateway's registry, or one without stress tests: refused by its code, not computed.
        const refused = await gql(state.gatewayUrl, `{ stress(protocol: "${name}", shocks: [], block: ${block}) { newlyLiquidatableAccounts } }`);
        expect(refused.errors?.[0]?.extensions?.code).toBe('PROTOCOL_NOT_SUPPORTED');
        continue;
      }
      const data = await gqlData<{ stress: { after: unknown; before: unknown; newlyLiquidatableAccounts: number }; protocol: unknown }>(
        state.gatewayUrl,
        `{ stress(protocol: "${name}", shocks: [], block: ${block}) { newlyLiquidatableAccounts before { ${FIGURES} } after { ${FIGURES} } } protocol(id: "${name}", block: ${block}) { ${FIGURES} } }`,
      );
      expect({ name, after: data.stress.after, before: data.stress.before }).toEqual({ name, after: data.protocol, before: data.protocol });
      expect(data.stress.newlyLiquidatableAccounts).toBe(0);
    }
  }, 60_000);

  it('aave-v3.6 history: each hourly point is the time-travel view at the last block before its end (chain headers), with the hour\'s flows; a repeat is served from kept points', async () => {
    const { state, chain } = ctx();
    const { scenario } = state.devnet['aave-v3.6'];
    const from = checkpoint(scenario.checkpoints, 'before-crash').timestamp - 3600;
    const last = checkpoint(scenario.checkpoints, 'after-full-coverage');
    const q = `{ history(protocol: "aave-v3.6", fromTimestamp: ${from}, toTimestamp: ${last.timestamp}, interval: HOUR) { computedPoints keptPoints points { intervalStart intervalEnd block { number timestamp } ${STATE} liquidations liquidatedDebtUSD liquidationBonusUSD liquidationProtocolFeeUSD realizedBadDebts realizedBadDebtUSD } } }`;
    type Point = Record<string, unknown> & { intervalStart: number; intervalEnd: number; block: { number: number; timestamp: number } };
    const { history } = await gqlData<{ history: { computedPoints: number; keptPoints: number; points: Point[] } }>(state.gatewayUrl, q);
    expect(history.points.length).toBeGreaterThanOrEqual(2);
    let liquidations = 0;
    let realized = 0;
    for (const p of history.points) {
      const n = p.block.number;
      // The last block before the interval's end (or the range's end), by the chain's own headers.
      const end = Math.min(p.intervalEnd, last.timestamp + 1);
      const [own, next] = await Promise.all([chain.getBlock({ blockNumber: BigInt(n) }), chain.getBlock({ blockNumber: BigInt(n + 1) })]);
      expect(Number(own.timestamp)).toBeLessThan(end);
      expect(Number(next.timestamp)).toBeGreaterThanOrEqual(end);
      const range = `fromTimestamp: ${p.intervalStart}, toTimestamp: ${p.intervalEnd - 1}, toBlock: ${last.block}`;
      const plain = await gqlData<{ protocol: Record<string, unknown>; liquidations: { totalCount: number; stats: Record<string, string> }; realizedBadDebts: { totalCount: number; totalUSD: string } }>(
        state.gatewayUrl,
        `{ protocol(id: "aave-v3.6", block: ${n}) { ${STATE} } liquidations(protocol: "aave-v3.6", ${range}) { totalCount stats { debtRepaidUSD liquidatorProfitUSD protocolFeeUSD } } realizedBadDebts(protocol: "aave-v3.6", ${range}) { totalCount totalUSD } }`,
      );
      expect(p).toMatchObject({
        ...plain.protocol,
        liquidations: plain.liquidations.totalCount,
        liquidatedDebtUSD: plain.liquidations.stats.debtRepaidUSD,
        liquidationBonusUSD: plain.liquidations.stats.liquidatorProfitUSD,
        liquidationProtocolFeeUSD: plain.liquidations.stats.protocolFeeUSD,
        realizedBadDebts: plain.realizedBadDebts.totalCount,
        realizedBadDebtUSD: plain.realizedBadDebts.totalUSD,
      });
      liquidations += p.liquidations as number;
      realized += p.realizedBadDebts as number;
    }
    // The crash hour holds the liquidations and the deficits the scenario made.
    expect(liquidations).toBeGreaterThan(0);
    expect(realized).toBeGreaterThan(0);
    const again = await gqlData<{ history: { computedPoints: number; keptPoints: number } }>(state.gatewayUrl, q);
    expect({ computed: again.history.computedPoints, kept: again.history.keptPoints }).toEqual({ computed: 0, kept: history.points.length });
  }, 60_000);

  it('exports (CSV read by csv-parse, Parquet by hyparquet) hold exactly the API rows of liquidations, realized bad debt, socialized losses, accounts and history at pinned blocks', async () => {
    const { state } = ctx();
    const v36 = state.devnet['aave-v3.6'].scenario.checkpoints;
    const morpho = state.devnet['morpho-blue'].scenario.checkpoints;
    const lastOf = (cps: Checkpoint[]) => Number(cps[cps.length - 1].block);
    const crash = checkpoint(v36, 'after-crash');
    const cases: { table: string; params: Record<string, string | number>; range: string }[] = [
      { table: 'liquidations', params: { protocol: 'aave-v3.6', toBlock: lastOf(v36) }, range: `0-${lastOf(v36)}` },
      { table: 'realized-bad-debts', params: { protocol: 'aave-v3.6', toBlock: lastOf(v36) }, range: `0-${lastOf(v36)}` },
      { table: 'socialized-losses', params: { protocol: 'morpho-blue', toBlock: lastOf(morpho) }, range: `0-${lastOf(morpho)}` },
      { table: 'accounts', params: { protocol: 'morpho-blue', block: checkpoint(morpho, 'after-crash').block }, range: `${checkpoint(morpho, 'after-crash').block}-${checkpoint(morpho, 'after-crash').block}` },
      { table: 'history', params: { protocol: 'aave-v3.6', fromTimestamp: crash.timestamp - 3600, toTimestamp: crash.timestamp, interval: 'HOUR' }, range: '' },
    ];
    for (const c of cases) {
      const t = TABLES[c.table];
      const args = Object.entries(c.params).map(([k, v]) => `${k}: ${typeof v === 'number' || k === 'interval' ? v : `"${v}"`}`).join(', ');
      const data = await gqlData<{ page: { items?: Record<string, unknown>[]; points?: Record<string, unknown>[] } }>(state.gatewayUrl, `{ page: ${t.field}(${args}${t.paged ? ', first: 1000' : ''}) { ${t.paged ? 'items' : 'points'} { ${selection(t.columns.map((col) => col.path))} } } }`);
      const items = (data.page.items ?? data.page.points)!;
      const want = items.map((item) => Object.fromEntries(t.columns.map((col) => [columnName(col), valueAt(item, col.path)])));
      expect({ table: c.table, rows: want.length > 0 }).toEqual({ table: c.table, rows: true });
      const query = new URLSearchParams(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, String(v)])));
      const csv = await download(`${state.gatewayUrl.replace(/\/$/, '')}/export/${c.table}.csv?${query}`);
      expect({ table: c.table, rows: readCsv(csv.body) }).toEqual({ table: c.table, rows: want.map(asCsv) });
      const pq = await download(`${state.gatewayUrl.replace(/\/$/, '')}/export/${c.table}.parquet?${query}`);
      const read = readParquet(pq.body);
      expect({ table: c.table, rows: read.rows }).toEqual({ table: c.table, rows: want.map(asParquet) });
      expect(read.metadata.methodology_version).toBe(METHODOLOGY_VERSION);
      const range = c.range || `${Math.min(...items.map((i) => Number(valueAt(i, 'block.number'))))}-${Math.max(...items.map((i) => Number(valueAt(i, 'block.number'))))}`;
      expect(csv.headers.get('x-block-range')).toBe(range);
      expect(pq.headers.get('content-disposition')).toContain(`_${c.table}_blocks-${range}_methodology-${METHODOLOGY_VERSION}.parquet`);
    }
  }, 60_000);
}
