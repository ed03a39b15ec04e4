// Readiness against real parts where they run here: the replay of a real graph-node recording as the
// subgraph, a real anvil as the chain, a closed port as an endpoint or RPC that is down.
import path from 'node:path';
import { createGateway } from '../../server/app';
import { checkReadiness } from '../../server/health';
import { createRpcHeaderSource } from '../../server/sources/blocks';
import { freePort } from '../../devnet/stack/ports';
import { closedPortUrl } from '../support/processes';
import { startAnvil } from '../../devnet/chain/anvil';
import { loadEntityTypes } from '../../bench/replay/entities';
import { readRecording } from '../../bench/replay/recording';
import { startReplayServer } from '../../bench/replay/server';
import { synthesize } from '../../bench/replay/store';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'replay', 'aave-v3.0-50.json.gz');


describe('readiness', () => {
  const recording = readRecording(FIXTURE);
  const store = synthesize(recording, loadEntityTypes());
  store.setHead(recording.head.number);
  let replay: Awaited<ReturnType<typeof startReplayServer>>;
  let anvil: Awaited<ReturnType<typeof startAnvil>>;
  beforeAll(async () => {
    replay = await startReplayServer(store);
    anvil = await startAnvil({ port: await freePort() });
  });
  afterAll(async () => {
    await replay.stop();
    await anvil.stop();
  });

  // The recorded head block's own timestamp, read back from the replay (graph-node's `_meta`).
  const headTimestamp = async () => {
    const res = await fetch(replay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _meta { block { number timestamp } } }' }) });
    return ((await res.json()) as { data: { _meta: { block: { number: number; timestamp: number } } } }).data._meta.block;
  };

  it('is ready within the lag bound of the wall clock without an RPC, and names the lag otherwise', async () => {
    const head = await headTimestamp();
    const endpoints = [{ name: 'aave-v3', url: replay.url }];
    const at = (seconds: number) => () => (head.timestamp + seconds) * 1000;
    const fresh = await checkReadiness({ endpoints, maxLagSeconds: 60 }, at(30));
    expect(fresh).toEqual({ ready: true, chain: null, endpoints: [{ name: 'aave-v3', ready: true, indexedBlock: head.number, hasIndexingErrors: false, lagBlocks: null, lagSeconds: 30, reason: null }] });
    const stale = await checkReadiness({ endpoints, maxLagSeconds: 60 }, at(61));
    expect(stale.ready).toBe(false);
    expect(stale.endpoints[0]).toMatchObject({ ready: false, lagSeconds: 61, reason: 'INDEXING_LAG' });
  });

  it('serves /health/live and /health/ready (200 when ready, 503 naming what is not)', async () => {
    const endpoints = [{ name: 'aave-v3', url: replay.url }];
    const healthy = await createGateway({ endpoints, readyMaxLagSeconds: Number.MAX_SAFE_INTEGER }).listen(await freePort());
    const down = await createGateway({ endpoints: [...endpoints, { name: 'gone', url: await closedPortUrl('/subgraphs/name/gone') }], readyMaxLagSeconds: Number.MAX_SAFE_INTEGER }).listen(await freePort());
    try {
      const live = await fetch(new URL('/health/live', healthy.url));
      expect({ status: live.status, body: await live.json() }).toEqual({ status: 200, body: { live: true } });
      const ready = await fetch(new URL('/health/ready', healthy.url));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, endpoints: [{ name: 'aave-v3', ready: true }] });
      const notReady = await fetch(new URL('/health/ready', down.url));
      expect(notReady.status).toBe(503);
      const body = await notReady.text();
      expect(JSON.parse(body)).toMatchObject({ ready: false, endpoints: [{ name: 'aave-v3', ready: true }, { name: 'gone', ready: false, reason: 'SUBGRAPH_UNAVAILABLE' }] });
      expect(body).not.toContain('127.0.0.1');
    } finally {
      await healthy.stop();
      await down.stop();
    }
  });

  it('measures lag against the chain head when it has an RPC; an endpoint or RPC that is down makes it unready, by name and code', async () => {
    const chain = createRpcHeaderSource(anvil.rpcUrl);
    const latest = await chain.latest();
    const endpoints = [
      { name: 'aave-v3', url: replay.url },
      { name: 'gone', url: await closedPortUrl('/subgraphs/name/gone') },
    ];
    const r = await checkReadiness({ endpoints, chain, maxLagSeconds: Number.MAX_SAFE_INTEGER });
    expect(r.chain).toEqual({ ready: true, headBlock: latest.number, reason: null });
    const [live, gone] = r.endpoints;
    // The replayed chain is not anvil's: what matters is that lag is taken from the RPC's head.
    expect(live).toMatchObject({ ready: true, lagBlocks: Math.max(0, latest.number - live.indexedBlock!), lagSeconds: Math.max(0, latest.timestamp - (await headTimestamp()).timestamp) });
    expect(gone).toMatchObject({ name: 'gone', ready: false, reason: 'SUBGRAPH_UNAVAILABLE', indexedBlock: null });
    expect(r.ready).toBe(false);
    expect(JSON.stringify(r)).not.toContain('127.0.0.1');

    const noChain = await checkReadiness({ endpoints: endpoints.slice(0, 1), chain: createRpcHeaderSource(await closedPortUrl()), maxLagSeconds: Number.MAX_SAFE_INTEGER });
    expect(noChain.ready).toBe(false);
    expect(noChain.chain).toMatchObject({ ready: false, headBlock: null });
    expect(noChain.chain!.reason).toMatch(/^[A-Z_]+$/);
  });
});
