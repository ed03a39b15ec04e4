// While the follow loop runs, a query at the head costs no subgraph round trip: the loop has read the
// head and moved the view; the query reads both from memory. Over the replay of a real recording.
import path from 'node:path';
import { createGateway } from '../../server/app';
import { HeadCache } from '../../server/context';
import { freePort } from '../../devnet/stack/ports';
import { loadEntityTypes } from '../../bench/replay/entities';
import { askGateway } from '../../bench/replay/gateway-client';
import { readRecording } from '../../bench/replay/recording';
import { startReplayServer } from '../../bench/replay/server';
import { synthesize } from '../../bench/replay/store';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'replay', 'aave-v3.0-50.json.gz');
const QUERY = '{ protocols { block { number } latentBadDebtUSD insolventAccounts } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('head cache', () => {
  it('keeps a head for its age only', () => {
    let now = 1000;
    const heads = new HeadCache(500, () => now);
    const state = { endpoint: 'e', head: { number: 5, hash: '0x5', timestamp: 1 }, hasIndexingErrors: false };
    expect(heads.fresh('e')).toBeUndefined();
    heads.record('e', state);
    now += 500;
    expect(heads.fresh('e')).toBe(state);
    now += 1;
    expect(heads.fresh('e')).toBeUndefined();
  });

  it('answers head queries from the followed view without a subgraph request, and follows the next block', async () => {
    const recording = readRecording(FIXTURE);
    const store = synthesize(recording, loadEntityTypes());
    store.setHead(recording.base.number);
    const replay = await startReplayServer(store);
    const followIntervalMs = 1000;
    const gateway = await createGateway({ endpoints: [{ name: recording.endpoint, url: replay.url }], followIntervalMs }).listen(await freePort());
    try {
      await sleep(2.5 * followIntervalMs);
      const a = await askGateway(gateway.url, QUERY);
      expect(a.subgraphRequests).toBe(0);
      expect((a.data as any).protocols[0].block.number).toBe(recording.base.number);
      // Without the loop the same query reads the head and the protocol list.
      const plain = await createGateway({ endpoints: [{ name: recording.endpoint, url: replay.url }] }).listen(await freePort());
      try {
        const b = await askGateway(plain.url, QUERY);
        expect(b.data).toEqual(a.data);
        expect(b.subgraphRequests).toBeGreaterThan(0);
      } finally {
        await plain.stop();
      }
      store.setHead(recording.head.number);
      await sleep(2.5 * followIntervalMs);
      const c = await askGateway(gateway.url, QUERY);
      expect((c.data as any).protocols[0].block.number).toBe(recording.head.number);
      expect(c.subgraphRequests).toBe(0);
    } finally {
      await gateway.stop();
      await replay.stop();
    }
  });
});
