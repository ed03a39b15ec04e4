import http from 'node:http';
import { createGateway } from '../../server/app';
import { pinBlock, type IndexingState } from '../../server/sources/blocks';
import { freePort } from '../../devnet/stack/ports';
import { gql } from '../support/gateway-client';

/** Failure modes of the subgraph side, which the e2e stack cannot show: the endpoint down or hanging. */
describe('gateway when the subgraph misbehaves', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function gatewayFor(url: string, subgraphTimeoutMs = 2000) {
    const gateway = createGateway({ endpoints: [{ name: 'aave-v3', url }], subgraphTimeoutMs });
    const { url: gatewayUrl, stop } = await gateway.listen(await freePort());
    servers.push({ close: () => void stop() });
    return gatewayUrl;
  }

  it('answers SUBGRAPH_UNAVAILABLE when nothing listens at the endpoint', async () => {
    const url = await gatewayFor(`http://127.0.0.1:${await freePort()}/subgraphs/name/x`);
    const body = await gql(url, '{ protocols { id } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect(body.errors?.[0]?.message).toMatch(/unreachable/);
  });

  it('answers SUBGRAPH_TIMEOUT when the endpoint does not answer in time', async () => {
    const hanging = http.createServer(() => undefined); // accepts, never responds
    const port = await freePort();
    await new Promise<void>((r) => hanging.listen(port, '127.0.0.1', () => r()));
    servers.push({ close: () => { hanging.closeAllConnections(); hanging.close(); } });
    const url = await gatewayFor(`http://127.0.0.1:${port}/`, 300);
    const body = await gql(url, '{ protocol(id: "aave-v3") { latentBadDebtUSD } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_TIMEOUT');
    expect(body.errors?.[0]?.message).toMatch(/300 ms/);
  });

  // graph-node's own words when its store is down (seen with Postgres killed on the devnet stack:
  // HTTP 200, this message) or it sheds load: "retry later", never "fix the request".
  it.each([
    ['Store error: database unavailable', 'SUBGRAPH_UNAVAILABLE'],
    ['service is overloaded and can not run the query right now. Please try again in a few minutes', 'SUBGRAPH_UNAVAILABLE'],
    ['the chain was reorganized while executing the query', 'SUBGRAPH_UNAVAILABLE'],
    ['Query timed out', 'SUBGRAPH_TIMEOUT'],
    ['Type `Query` has no field `nope`', 'SUBGRAPH_QUERY_FAILED'],
  ])('answers graph-node\'s "%s" with %s', async (message, code) => {
    const graphNode = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message }] })));
    const port = await freePort();
    await new Promise<void>((r) => graphNode.listen(port, '127.0.0.1', () => r()));
    servers.push({ close: () => graphNode.close() });
    const body = await gql(await gatewayFor(`http://127.0.0.1:${port}/`), '{ protocols { id } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code, endpoint: 'aave-v3' });
    expect(body.errors?.[0]?.message).toContain(message);
  });

  it('refuses queries nested deeper than the limit before asking any subgraph', async () => {
    const gateway = createGateway({ endpoints: [{ name: 'x', url: 'http://127.0.0.1:1/' }], limits: { maxDepth: 3, maxCost: 1_000_000 } });
    const { url, stop } = await gateway.listen(await freePort());
    try {
      const body = await gql(url, '{ accounts(protocol: "aave-v3") { items { positions { asset { symbol } } } } }');
      expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
      expect(body.extensions?.subgraphRequests ?? 0).toBe(0);
    } finally {
      await stop();
    }
  });
});

describe('block pinning', () => {
  const head = { number: 100, hash: '0xabc', timestamp: 1_000 };
  const state = (hasIndexingErrors: boolean): IndexingState => ({ endpoint: 'http://x', head, hasIndexingErrors });
  const headers = { header: async (n: number) => ({ number: n, hash: `0x${n}`, timestamp: 900 + n }) };

  it('refuses a subgraph that reports indexing errors, naming the endpoint', async () => {
    await expect(pinBlock(state(true), undefined, headers)).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_INDEXING_ERROR', endpoint: 'http://x' } });
  });

  it('pins the head by default and a past block through the header source', async () => {
    await expect(pinBlock(state(false), undefined, headers)).resolves.toBe(head);
    await expect(pinBlock(state(false), 50, headers)).resolves.toEqual({ number: 50, hash: '0x50', timestamp: 950 });
  });

  it('names what is wrong with a block argument', async () => {
    await expect(pinBlock(state(false), 101, headers)).rejects.toMatchObject({ extensions: { code: 'BLOCK_NOT_INDEXED', indexedBlock: 100 } });
    await expect(pinBlock(state(false), -1, headers)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(pinBlock(state(false), 50, undefined)).rejects.toMatchObject({ extensions: { code: 'BLOCK_TIMESTAMP_UNAVAILABLE' } });
  });
});
