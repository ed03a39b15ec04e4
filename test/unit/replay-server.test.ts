import path from 'node:path';
import { createGateway } from '../../server/app';
import { idRanges } from '../../server/sources/subgraph-client';
import { freePort } from '../../devnet/stack/ports';
import { parseReads } from '../../bench/replay/dialect';
import { loadEntityTypes } from '../../bench/replay/entities';
import { askGateway, STATUS_QUERY } from '../../bench/replay/gateway-client';
import { readRecording, type Phase, type Row } from '../../bench/replay/recording';
import { answer, startReplayServer, type ReplayStats } from '../../bench/replay/server';
import { synthesize, type ReplayStore } from '../../bench/replay/store';

/** Recorded by bench/replay/record.ts from the real devnet stack (Aave V3.0, 50 accounts, a gateway without an RPC). */
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'replay', 'aave-v3.0-50.json.gz');
const recording = readRecording(FIXTURE);
const types = loadEntityTypes();
const blockOf = (phase: Phase) => (phase === 'cold' ? recording.base.number : recording.head.number);
const newStats = (): ReplayStats => ({ requests: 0, unsupported: 0, errors: 0, busyMs: 0, cpuMs: 0, lastUnsupported: null });

function ask(store: ReplayStore, query: string, variables?: Record<string, unknown>, stats = newStats()) {
  const [status, text] = answer(store, stats, JSON.stringify({ query, variables }));
  return { status, body: JSON.parse(text) as { data?: Record<string, any>; errors?: { message: string }[] }, stats };
}

/** Every row of a collection read through the replay, paged by id like the gateway does. */
function readAll(store: ReplayStore, collection: string, where: string, fields: string, block: number, first = 1000): Row[] {
  const out: Row[] = [];
  let last = '';
  for (;;) {
    const filter = [where, last && `id_gt: "${last}"`].filter(Boolean).join(', ');
    const { body } = ask(store, `{ page: ${collection}(first: ${first}, orderBy: id, orderDirection: asc, where: { ${filter} }, block: { number: ${block} }) { id ${fields} } }`);
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    out.push(...body.data.page);
    if (body.data.page.length < first) return out;
    last = out[out.length - 1].id;
  }
}

describe('replay server (bench/replay): graph-node answered from memory', () => {
  it('answers every request the gateway made exactly as graph-node did, at the recorded size', () => {
    const store = synthesize(recording, types);
    const shapes = new Set<string>();
    for (const e of recording.exchanges) {
      store.setHead(blockOf(e.phase));
      const { status, body } = ask(store, e.request.query, e.request.variables);
      expect({ status, body }).toEqual({ status: e.status, body: e.response });
      for (const r of parseReads(e.request.query, e.request.variables)) {
        const where = Object.keys((r.args.where as object | undefined) ?? {}).sort().join(',');
        shapes.add(`${e.phase}:${r.field}(${where})`);
      }
    }
    // The cold read, the head update's delta reads and the warm repeat are all among them.
    expect([...shapes]).toEqual(
      expect.arrayContaining([
        'cold:_meta()',
        'cold:protocols()',
        'cold:protocol()',
        'cold:markets(protocol)',
        'cold:emodeMemberships(protocol)',
        'cold:positions(market,open)',
        'cold:protocolAccounts(eModeCategoryId_gt,openPositionCount_gt,protocol)',
        'head:positions(_change_block,protocol)',
        'head:protocolAccounts(_change_block,protocol)',
        'head:markets(protocol)',
        'warm:_meta()',
      ]),
    );
    expect(recording.headUpdate.positionsChanged).toBeGreaterThanOrEqual(24);
  });

  it('pages by id_gt and splits id ranges into the rows graph-node returned in one page', () => {
    const store = synthesize(recording, types);
    const read = recording.exchanges.find((e) => e.phase === 'cold' && /positions\(.*open: true/.test(e.request.query) && ((e.response.data!.page as Row[]).length ?? 0) > 20)!;
    const recorded = read.response.data!.page as Row[];
    const market = /market: "(0x[0-9a-f]+)"/.exec(read.request.query)![1];
    const fields = 'scaledSupplyBalance scaledVariableDebt collateralEnabled open';
    expect(readAll(store, 'positions', `market: "${market}", open: true`, fields, recording.base.number, 7)).toEqual(recorded);
    const ranges = idRanges(market, 4).flatMap((r) => {
      const bounds = [r.gte && `id_gte: "${r.gte}"`, r.lt && `id_lt: "${r.lt}"`].filter(Boolean).join(', ');
      return readAll(store, 'positions', `market: "${market}", open: true${bounds ? `, ${bounds}` : ''}`, fields, recording.base.number);
    });
    expect(ranges).toEqual(recorded);
    // Time travel: the base block still sees the positions as they were before the head update.
    const changed = (recording.head.rows.Position ?? []).map((p) => p.id);
    store.setHead(recording.head.number);
    const atBase = readAll(store, 'positions', `market: "${market}", open: true`, fields, recording.base.number);
    expect(atBase).toEqual(recorded);
    const atHead = readAll(store, 'positions', `market: "${market}", open: true`, fields, recording.head.number);
    const moved = atHead.filter((p) => changed.includes(p.id));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((p) => !isDeepEqual(p, recorded.find((q) => q.id === p.id)))).toBe(true);
  });

  it('refuses every query shape it does not implement, and answers graph-node-style errors', () => {
    const store = synthesize(recording, types);
    const refused = [
      '{ positions(orderBy: scaledVariableDebt) { id } }',
      '{ positions(first: 10, orderBy: id, orderDirection: desc) { id } }',
      '{ positions(skip: 5) { id } }',
      '{ positions(where: { market_: { isActive: true } }) { id } }',
      '{ positions(where: { or: [{ open: true }, { open: false }] }) { id } }',
      '{ positions(first: 5) { id createdAtBlock } }',
      '{ positions(block: { hash: "0x00", number: 1 }) { id } }',
      `{ positions(where: { _change_block: { number_gte: ${recording.base.number} } }) { id } }`,
      `{ positions(block: { number: ${recording.base.number - 1} }) { id } }`,
      '{ liquidations { id } }',
      '{ notAnEntity { id } }',
      '{ ... on Query { _meta { block { number } } } }',
      'fragment F on Position { id } query { positions { ...F } }',
      'mutation { positions { id } }',
      '{ _meta(block: { number: 1 }) { block { number } } }',
      '{ _meta { deployment } }',
      '{ protocols { markets { id } } }',
      'not graphql',
    ];
    const stats = newStats();
    for (const q of refused) {
      const { status, body } = ask(store, q, undefined, stats);
      expect({ q, status, message: body.errors?.[0]?.message }).toEqual({ q, status: 400, message: expect.stringMatching(/^replay: unsupported query shape: /) });
      expect(body.data).toBeUndefined();
    }
    expect(stats.unsupported).toBe(refused.length);

    // A hash the replay has no header for gets graph-node's own answer (the gateway then reads by number).
    const unknownHash = ask(store, '{ positions(block: { hash: "0x00" }) { id } }');
    expect(unknownHash.body.errors?.[0]?.message).toBe('Failed to decode `block.hash` value: `no block with that hash found`');

    const ahead = ask(store, `{ positions(block: { number: ${recording.head.number} }) { id } }`);
    expect(ahead.status).toBe(200);
    expect(ahead.body.errors?.[0]?.message).toMatch(`has only indexed up to block number ${recording.base.number}`);
    expect(ask(store, '{ positions(first: 1001) { id } }').body.errors?.[0]?.message).toMatch(/`first` argument must be between 0 and 1000/);
  });

  it('grows to N accounts: clones spread over the id space, market totals stay the sums of their positions, the head block changes only the recorded rows', () => {
    const exact = synthesize(recording, types);
    const grown = synthesize(recording, types, { accounts: 1000, headBlocks: 3 });
    expect(grown.summary.recordedAccounts).toBe(exact.summary.accounts);
    const { base, head } = recording;
    expect(grown.blocks()).toEqual([base.number, head.number, head.number + 1, head.number + 2]);
    const cases = [[exact, base.number], [exact, head.number], ...grown.blocks().map((b) => [grown, b])] as [ReplayStore, number][];
    for (const [store, block] of cases) {
      store.setHead(store.blocks().at(-1)!);
      const positions = readAll(store, 'positions', '', 'open scaledSupplyBalance scaledVariableDebt market { id } account { id }', block);
      const markets = readAll(store, 'markets', '', 'positionCount aaveReserveState { scaledTotalSupply scaledTotalVariableDebt }', block);
      for (const m of markets) {
        const mine = positions.filter((p) => (p.market as { id: string }).id === m.id);
        const totals = m.aaveReserveState as { scaledTotalSupply: string; scaledTotalVariableDebt: string };
        expect({ id: m.id, supply: totals.scaledTotalSupply, debt: totals.scaledTotalVariableDebt, count: m.positionCount }).toEqual({
          id: m.id,
          supply: String(mine.reduce((s, p) => s + BigInt(p.scaledSupplyBalance as string), 0n)),
          debt: String(mine.reduce((s, p) => s + BigInt(p.scaledVariableDebt as string), 0n)),
          count: mine.length,
        });
      }
      if (store === grown && block === recording.base.number) {
        const open = new Set(positions.filter((p) => p.open).map((p) => (p.account as { id: string }).id));
        expect(open.size).toBe(1000);
        // Clones' addresses are spread: every quarter of the id space of a large market holds some.
        const market = markets.reduce((a, b) => ((a.positionCount as number) > (b.positionCount as number) ? a : b)).id;
        for (const r of idRanges(market, 4)) {
          expect(positions.some((p) => p.id.startsWith(market) && (!r.gte || p.id >= r.gte) && (!r.lt || p.id < r.lt))).toBe(true);
        }
      }
    }
    const changedIn = (block: number) =>
      readAll(grown, 'positions', `protocol: "${base.rows.Protocol[0].id}", _change_block: { number_gte: ${block} }`, 'open', block).map((p) => p.id);
    const recorded = (head.rows.Position ?? []).map((p) => p.id).sort();
    expect(changedIn(head.number)).toEqual(recorded);
    // Later blocks repeat the recorded change on other clones: same markets, other accounts.
    const again = changedIn(head.number + 1);
    expect(again).toHaveLength(recorded.length);
    expect(again.filter((id) => recorded.includes(id))).toEqual([]);
    expect(new Set(again.map((id) => id.slice(0, -40)))).toEqual(new Set(recorded.map((id) => id.slice(0, -40))));
    // The synthetic headers chain: each block's parent is the one before (the gateway checks it to move its view forward).
    const metas = grown.blocks().map((b) => {
      grown.setHead(b);
      return ask(grown, '{ _meta { block { number hash timestamp parentHash } } }').body.data!._meta.block;
    });
    for (let i = 1; i < metas.length; i++) {
      expect(metas[i]).toMatchObject({ number: metas[i - 1].number + 1, parentHash: metas[i - 1].hash, timestamp: metas[i - 1].timestamp + 12 });
    }
  });

  it('the real gateway over the replay answers as it did over graph-node: cold, head update, warm; and follows a synthetic next block', async () => {
    const store = synthesize(recording, types, { headBlocks: 2 });
    const replay = await startReplayServer(store);
    const gateway = await createGateway({ endpoints: [{ name: recording.endpoint, url: replay.url }] }).listen(await freePort());
    try {
      for (const phase of ['cold', 'head', 'warm'] as Phase[]) {
        store.setHead(blockOf(phase));
        const a = await askGateway(gateway.url, recording.gatewayQuery);
        // A warm repeat reads only `_meta`.
        const recorded = recording.gatewayAnswers[phase];
        expect({ phase, data: a.data, subgraphRequests: a.subgraphRequests }).toEqual({ phase, ...recorded, subgraphRequests: phase === 'warm' ? 1 : recorded.subgraphRequests });
      }
      expect(replay.stats).toMatchObject({ unsupported: 0, errors: 0, requests: recording.exchanges.length });
      store.setHead(recording.head.number + 1);
      const next = await askGateway(gateway.url, recording.gatewayQuery);
      expect(next.subgraphRequests).toBe(recording.gatewayAnswers.head.subgraphRequests);
      const status = await askGateway(gateway.url, STATUS_QUERY);
      // Moved forward from the previous block (parent hash matches), not rebuilt: one load, two advances.
      expect((status.data as any).gatewayStatus.followedViews).toEqual([expect.objectContaining({ block: { number: recording.head.number + 1 }, updates: 3, reorgs: 0 })]);
    } finally {
      await gateway.stop();
      await replay.stop();
    }
  });
});

function isDeepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
