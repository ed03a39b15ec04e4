import http from 'node:http';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { createGateway, typeDefs } from '../../server/app';
import { clientAddress, createRateLimiter } from '../../server/rate-limit';
import { DEFAULT_LIMITS, operationCost } from '../../server/schema/limits';
import { freePort } from '../../devnet/stack/ports';
import { gql } from '../support/gateway-client';

const schema = buildSchema(typeDefs());
const costOf = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return operationCost({ schema, document, operation: getOperationAST(document)!, variables, maxFirst: 1000 }, { ...DEFAULT_LIMITS, maxCost: Number.MAX_SAFE_INTEGER, maxFields: Number.MAX_SAFE_INTEGER });
};

describe('query cost (server/schema/limits.ts)', () => {
  const inline = '{ accounts(protocol: "x", first: 500) { items { address positions { asset { symbol } } } } }';

  it('costs a query written with named or inline fragments exactly as written inline', () => {
    const named = '{ accounts(protocol: "x", first: 500) { ...P } } fragment P on AccountPage { items { ...I } } fragment I on Account { address positions { ...on Position { asset { symbol } } } }';
    const expected = 1 + 500 * (1 + 1 + 1 + 50 * (1 + 1));
    expect(costOf(inline).cost).toBe(expected);
    expect(costOf(named).cost).toBe(expected);
  });

  it('counts first: $n as its value, its default, or the maximum when unknown', () => {
    const q = (decl = '$n: Int') => `query(${decl}) { accounts(protocol: "x", first: $n) { items { address } } }`;
    expect(costOf(q(), { n: 500 }).cost).toBe(costOf(inline.replace(' positions { asset { symbol } }', '')).cost);
    expect(costOf(q(), { n: 7 }).cost).toBe(1 + 7 * 2);
    expect(costOf(q('$n: Int = 3')).cost).toBe(1 + 3 * 2);
    expect(costOf(q()).cost).toBe(1 + 1000 * 2);
    // Beyond the maximum the resolver answers FIRST_TOO_LARGE: the cost counts what could run.
    expect(costOf(q(), { n: 1e12 }).cost).toBe(1 + 1000 * 2);
  });

  it('charges every distinct block pin once, literal or variable, and the head nothing', () => {
    const pin = DEFAULT_LIMITS.blockPinCost;
    expect(costOf('{ a: protocols { id } b: protocols(block: null) { id } }').pins).toBe(0);
    const pins = costOf('query($b: Int, $c: Int) { a: protocols(block: 5) { id } b: protocol(id: "x", block: $b) { id } c: account(protocol: "x", address: "0x", block: $c) { debtUSD } d: protocols(block: 6) { id } }', { b: 5, c: 7 });
    expect(pins.pins).toBe(3);
    // protocols is a list without `first`: 50 items assumed.
    expect(pins.cost).toBe(3 * pin + 2 * (1 + 50) + 2 + 2);
    // The bypass: 588 aliases at distinct blocks cost 1,176 and made 1,763 subgraph requests.
    const many = `{ ${Array.from({ length: 588 }, (_, i) => `a${i}: protocol(id: "aave-v3", block: ${i}) { id }`).join(' ')} }`;
    expect(costOf(many).cost).toBe(588 * pin + 1176);
  });

  it('stops walking an exponential fragment expansion at the limit instead of expanding it', () => {
    const defs = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Protocol { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const document = parse(`{ protocols { ...F0 } } ${defs} fragment F40 on Protocol { id }`);
    const started = performance.now();
    const c = operationCost({ schema, document, operation: getOperationAST(document)!, variables: {}, maxFirst: 1000 }, DEFAULT_LIMITS);
    expect(c.partial).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('gateway HTTP limits and options', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });
  async function listen(server: http.Server) {
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    return `http://127.0.0.1:${port}`;
  }
  async function gateway(options: Omit<Parameters<typeof createGateway>[0], 'endpoints'> & { url?: string }) {
    const { url = 'http://127.0.0.1:1/', ...rest } = options;
    const g = await createGateway({ endpoints: [{ name: 'aave-v3', url }], ...rest }).listen(await freePort());
    stops.push(g.stop);
    return g.url;
  }

  it('refuses many distinct block pins before asking any subgraph, even with a generous alias limit', async () => {
    const url = await gateway({ limits: { maxAliases: 1000, maxTokens: 10_000, maxFields: 10_000 } });
    const body = await gql(url, `{ ${Array.from({ length: 588 }, (_, i) => `a${i}: protocol(id: "aave-v3", block: ${i}) { id }`).join(' ')} }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', blockPins: expect.any(Number) });
    expect(body.extensions?.subgraphRequests).toBe(0);
  });

  it('ends a request at its deadline with REQUEST_TIMEOUT and cancels the subgraph read it was waiting for', async () => {
    let closed = 0;
    let received = 0;
    const hanging = http.createServer((req) => {
      received++;
      req.socket.on('close', () => closed++);
    });
    const subgraph = await listen(hanging);
    const url = await gateway({ url: `${subgraph}/subgraphs/name/x`, requestTimeoutMs: 300, subgraphTimeoutMs: 60_000 });
    const started = Date.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ protocols { id } }' }) });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(body.errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
    expect(received).toBe(1);
    // The gateway hung up on the subgraph instead of waiting its 60 s timeout out.
    for (let i = 0; i < 50 && closed === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(1);
  });

  it('names a failing subgraph by its configured name, never its URL (which may carry an API key)', async () => {
    const failing = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: `bad query at ${req.headers.host}${req.url}` }] }));
    });
    const subgraph = await listen(failing);
    const secretUrl = `${subgraph}/api/SECRET-KEY-123/subgraphs/id/x`;
    const url = await gateway({ url: secretUrl });
    const text = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ protocols { id indexing { endpoint } } }' }) })).text();
    expect(text).not.toContain('SECRET-KEY-123');
    expect(text).not.toContain(subgraph);
    expect(JSON.parse(text).errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_QUERY_FAILED', endpoint: 'aave-v3' });
  });

  it('sends no CORS headers by default, and the configured origins when set', async () => {
    const ask = (url: string, origin: string) => fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const closed = await gateway({});
    expect((await ask(closed, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const open = await gateway({ corsOrigins: ['https://dash.example'] });
    expect((await ask(open, 'https://dash.example')).headers.get('access-control-allow-origin')).toBe('https://dash.example');
    expect((await ask(open, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const any = await gateway({ corsOrigins: ['*'] });
    expect((await ask(any, 'https://x.example')).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rate-limits per client when configured: 429 JSON with Retry-After', async () => {
    const url = await gateway({ rateLimit: { perSecond: 1, burst: 3 } });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      statuses.push(last.status);
      if (i < 4) await last.text();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last!.headers.get('retry-after')).toBe('1');
    expect(((await last!.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('behind trusted proxies, limits by the address the outermost one saw, whatever the client wrote before it', async () => {
    const url = await gateway({ rateLimit: { perSecond: 1, burst: 2, trustedProxies: 1 } });
    const from = async (forwardedFor: string) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ query: '{ __typename }' }) });
      await r.text();
      return r.status;
    };
    // One proxy appended the client's address last; anything before it is the client's own writing.
    expect([await from('203.0.113.7'), await from('203.0.113.7'), await from('203.0.113.7')]).toEqual([200, 200, 429]);
    expect(await from('198.51.100.9')).toBe(200);
    expect(await from('1.2.3.4, 203.0.113.7')).toBe(429);
  });

  it('client addresses: the connection without trusted proxies, else the entry the outermost trusted proxy added', () => {
    expect(clientAddress('10.0.0.1', '1.1.1.1', 0)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', '9.9.9.9, 1.1.1.1', 1)).toBe('1.1.1.1');
    expect(clientAddress('10.0.0.1', '9.9.9.9, 1.1.1.1, 10.0.0.2', 2)).toBe('1.1.1.1');
    expect(clientAddress('10.0.0.1', ['9.9.9.9', '1.1.1.1'], 1)).toBe('1.1.1.1');
    // Fewer entries than proxies: the earliest there is; none: the connection.
    expect(clientAddress('10.0.0.1', '1.1.1.1', 3)).toBe('1.1.1.1');
    expect(clientAddress('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
  });

  it('introspection is off by default and on when asked', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await gql(await gateway({}), query)).errors?.[0]?.extensions?.validationErrorCode).toBe('INTROSPECTION_DISABLED');
    expect((await gql<{ __schema: unknown }>(await gateway({ introspection: true }), query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('token bucket (server/rate-limit.ts)', () => {
  it('refills at the configured rate and forgets idle clients when full', () => {
    const limiter = createRateLimiter({ perSecond: 2, burst: 2, maxClients: 2 })!;
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0, 1]);
    expect(limiter.take('a', 500)).toBe(0);
    expect(limiter.take('b', 500)).toBe(0);
    // A third client while two are tracked: the idle ones that refilled are dropped, not the newcomer refused.
    expect(limiter.take('c', 10_000)).toBe(0);
    expect(createRateLimiter({ perSecond: 0 })).toBeNull();
  });
});
