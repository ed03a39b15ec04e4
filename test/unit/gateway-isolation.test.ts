// One endpoint down fails only its own protocols: the others are served, the failure is named in
// extensions.warnings; only when nothing can be served does `protocols` fail. The working endpoint is
// the replay of a real graph-node recording (bench/replay), the dead one a port nobody listens on.
import path from 'node:path';
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { closedPortUrl } from '../support/processes';
import { loadEntityTypes } from '../../bench/replay/entities';
import { readRecording } from '../../bench/replay/recording';
import { startReplayServer } from '../../bench/replay/server';
import { synthesize } from '../../bench/replay/store';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'replay', 'aave-v3.0-50.json.gz');
const QUERY = '{ protocols { id latentBadDebtUSD insolventAccounts markets { id totalBorrowedUSD } } }';

async function ask(url: string, query: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: { warnings?: string[] } } };
}


describe('endpoint isolation', () => {
  const recording = readRecording(FIXTURE);
  const store = synthesize(recording, loadEntityTypes());
  store.setHead(recording.base.number);
  let replay: Awaited<ReturnType<typeof startReplayServer>>;
  beforeAll(async () => {
    replay = await startReplayServer(store);
  });
  afterAll(() => replay.stop());

  async function withGateway<T>(endpoints: { name: string; url: string }[], run: (url: string) => Promise<T>): Promise<T> {
    const gateway = await createGateway({ endpoints }).listen(await freePort());
    try {
      return await run(gateway.url);
    } finally {
      await gateway.stop();
    }
  }

  it('serves the protocols of the endpoints that answer, as a gateway without the dead one does, and names the dead one', async () => {
    const alone = await withGateway([{ name: recording.endpoint, url: replay.url }], (url) => ask(url, QUERY));
    expect(alone.body.errors).toBeUndefined();
    expect(alone.body.data.protocols).toHaveLength(1);
    const dead = await closedPortUrl('/subgraphs/name/gone');
    const both = await withGateway(
      [
        { name: 'gone', url: dead },
        { name: recording.endpoint, url: replay.url },
      ],
      (url) => ask(url, QUERY),
    );
    expect(both.status).toBe(200);
    expect(both.body.errors).toBeUndefined();
    expect(both.body.data).toEqual(alone.body.data);
    expect(both.body.extensions?.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^endpoint gone left out: SUBGRAPH_UNAVAILABLE/)]));
  });

  it('finds a protocol by id or endpoint name while another endpoint is down; a protocol it cannot find is refused with the outage, not as unknown', async () => {
    const dead = await closedPortUrl('/subgraphs/name/gone');
    const endpoints = [
      { name: 'gone', url: dead },
      { name: recording.endpoint, url: replay.url },
    ];
    await withGateway(endpoints, async (url) => {
      const byName = await ask(url, `{ protocol(id: "${recording.endpoint}") { id insolventAccounts } }`);
      expect(byName.body.errors).toBeUndefined();
      const byId = await ask(url, `{ protocol(id: "${byName.body.data.protocol.id}") { id insolventAccounts } }`);
      expect(byId.body.data).toEqual(byName.body.data);
      const missing = await ask(url, '{ protocol(id: "no-such-protocol") { id } }');
      expect(missing.body.errors?.[0].extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    });
  });

  it('fails with the cause when no endpoint can be served', async () => {
    const dead = await closedPortUrl('/subgraphs/name/gone');
    const only = await withGateway([{ name: 'gone', url: dead }], (url) => ask(url, QUERY));
    expect(only.body.data ?? null).toBeNull();
    expect(only.body.errors?.[0].extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
  });
});
