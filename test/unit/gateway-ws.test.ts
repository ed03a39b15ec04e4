import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { closedPortUrl } from '../support/processes';
import { scrape } from '../support/prometheus';

/** Everything over graphql-ws and the new HTTP routes that needs no subgraph: refusals and their codes. */
describe('gateway over WebSocket, /metrics and /bad-debt without a subgraph', () => {
  let listening: { url: string; stop(): Promise<void> };
  let client: Client;
  beforeAll(async () => {
    const gateway = createGateway({ endpoints: [{ name: 'down', url: await closedPortUrl('/subgraphs/name/x') }], followIntervalMs: 0 });
    listening = await gateway.listen(await freePort());
    client = createClient({ url: listening.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  });
  afterAll(async () => {
    await client.dispose();
    await listening.stop();
  });

  /** The first result or error of one operation, as a bot's client sees it. */
  const first = (query: string) =>
    new Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>((resolve) => {
      const stop = client.subscribe({ query }, {
        next: (r) => (stop(), resolve(r as never)),
        error: (e) => resolve({ errors: Array.isArray(e) ? e : [{ extensions: { code: String((e as Error).message ?? e) } }] }),
        complete: () => undefined,
      });
    });
  const codes = (r: { errors?: { extensions?: { code?: string } }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

  it('queries work over the socket; subscriptions without the follow loop are refused with a code', async () => {
    expect(await first('{ gatewayStatus { pushListeners maxFollowedPositions } }')).toEqual({ data: { gatewayStatus: { pushListeners: 1, maxFollowedPositions: 2_000_000 } } });
    expect(codes(await first('subscription { head(protocol: "x") { id } }'))).toEqual(['SUBSCRIPTIONS_UNAVAILABLE']);
  });

  it('the query limits hold over the socket too', async () => {
    // Errors from below keep their stable codes (the subgraph is a closed port).
    expect(codes(await first('{ protocols { id } }'))).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(codes(await first(`{ ${'gatewayStatus { rssBytes } '.repeat(3000)}}`))).toEqual(['QUERY_TOO_LARGE']);
    const nested = `{ ${Array.from({ length: 150 }, (_, i) => `a${i}: gatewayStatus { rssBytes }`).join(' ')} }`;
    expect(codes(await first(nested))).toEqual(['QUERY_TOO_MANY_ALIASES']);
    expect(codes(await first('subscription { alerts(protocol: "x", rules: {}) { id } }'))).toEqual(['SUBSCRIPTIONS_UNAVAILABLE']);
    expect(codes(await first('mutation { x }'))).toEqual(['OPERATION_NOT_SUPPORTED']);
  });

  it('over HTTP a subscription is refused; /metrics is Prometheus text; /bad-debt refuses what names no file', async () => {
    const res = await fetch(listening.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'subscription { head(protocol: "x") { id } }' }) });
    expect([res.status, ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code]).toEqual([400, 'OPERATION_NOT_SUPPORTED']);
    const m = await scrape(listening.url);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m.value('baddebt_gateway_http_requests_total', { route: 'graphql', status: '400' })).toBeGreaterThanOrEqual(1);
    expect(m.value('baddebt_gateway_websocket_connections')).toBe(1);
    const junk = await fetch(new URL('/bad-debt/31.2.2027/', listening.url));
    expect([junk.status, ((await junk.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
    const dated = await fetch(new URL('/bad-debt/1.1.2027/', listening.url));
    expect([dated.status, ((await dated.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code]).toEqual([400, 'CHAIN_REQUIRED']);
  });
});
