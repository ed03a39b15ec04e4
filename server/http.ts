/**
 * The gateway's HTTP front, in front of Apollo's `executeHTTPGraphQLRequest`. It owns everything
 * before GraphQL: the body (size, encoding, JSON), CORS, per-client rate limiting, the request's
 * deadline and cancellation. Every answer it gives is JSON with a stable `extensions.code`; nothing it
 * answers carries a stack trace or a server path (Apollo's standalone server answered malformed
 * bodies with Express's HTML error page, stack trace included, and logged each one).
 */
import http from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { RequestContext } from './context';
import { clientAddress, type RateLimiter } from './rate-limit';
import { parse, type GraphQLError } from 'graphql';
import { exportExecutor } from './exports/execute';
import { isExportPath, serveExport } from './exports/route';
import { dashboardAsset } from './dashboard/assets';
import { landingPage } from './landing';

/** Refusals by the HTTP layer (the GraphQL layer's codes are in errors.ts and schema/limits.ts). */
export type HttpErrorCode =
  | 'BODY_TOO_LARGE' // 413
  | 'EMPTY_BODY' // 400
  | 'INVALID_JSON' // 400: not JSON, or not UTF-8
  | 'BAD_REQUEST' // 400: JSON, but not a GraphQL request (no query string, a batch, ...)
  | 'UNSUPPORTED_MEDIA_TYPE' // 415: not application/json, or a charset other than UTF-8
  | 'UNSUPPORTED_CONTENT_ENCODING' // 415: gzip, deflate, ...
  | 'METHOD_NOT_ALLOWED' // 405
  | 'RATE_LIMITED' // 429, with Retry-After
  | 'HEADERS_TOO_LARGE' // 431: headers or URL over node's limit (16 KB)
  | 'REQUEST_TIMEOUT' // 408 while the body arrives; after that a 200 GraphQL response
  | 'NOT_FOUND' // 404: a /bad-debt/ path that names no file
  | 'INTERNAL_ERROR'; // 500: a bug; the message says nothing more

export interface HttpOptions {
  maxBodyBytes: number;
  /** One deadline per request, from its first byte to its answer (0: none). */
  requestTimeoutMs: number;
  /** Limits checked on the query text before Apollo parses and validates it (schema/limits.ts precheck). */
  precheck: (query: string) => readonly GraphQLError[];
  /** Origins browsers may call from: none (same origin only), a list, or "*". */
  corsOrigins: string[];
  rateLimiter: RateLimiter | null;
  /** Proxies whose X-Forwarded-For entries name the client (see RateLimitOptions.trustedProxies). */
  trustedProxies?: number;
  /** `GET /health/live` and `/health/ready` (load balancers; never rate limited): 200 when ready, else 503. */
  health?: { ready(): Promise<{ ready: boolean }> };
  /** Operator log; called sparingly (see throttle). */
  log?: (line: string) => void;
  /** `GET /metrics` (Prometheus text format; never rate limited) and the request counts it reports. */
  metrics?: { contentType: string; render(): Promise<string>; observeRequest(route: string, status: number, seconds: number): void };
  /** `GET /bad-debt/...` (Risk DAO compatible files): null when the path is not one. */
  files?: (pathname: string, signal: AbortSignal) => Promise<{ status: number; body: string; headers: Record<string, string> } | null>;
  /** Rows per page an export reads (GET /export/...; server/exports/route.ts): the API's largest `first`. */
  exportPageSize?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A refused body is read and discarded up to this size so that the client gets the answer (16 MB). */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode | string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] });
}

/** At most `perMinute` log lines a minute, then one line saying how many were dropped: a flood of bad requests cannot flood the log. */
export function throttle(log: ((line: string) => void) | undefined, perMinute = 10): (line: string) => void {
  let windowStart = 0;
  let count = 0;
  let dropped = 0;
  return (line) => {
    if (!log) return;
    const now = Date.now();
    if (now - windowStart > 60_000) {
      if (dropped) log(`(${dropped} similar log lines dropped in the last minute)`);
      windowStart = now;
      count = 0;
      dropped = 0;
    }
    if (++count <= perMinute) log(line);
    else dropped++;
  };
}

function mediaType(header: string | undefined): { type: string; charset?: string } | null {
  if (!header) return null;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  return { type, charset };
}

/** The body, at most `max` bytes; over that a 413 (the rest is not read). */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        reject(new Refusal(413, 'BODY_TOO_LARGE', `the request body is larger than ${max} bytes`, { maxBytes: max }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !done && ((done = true), resolve(Buffer.concat(chunks))));
    req.on('error', (err) => !done && ((done = true), reject(err)));
  });
}

/** A parsed POST body that is a GraphQL request, or a refusal saying what is wrong with it. */
function graphqlRequestOf(raw: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new Refusal(400, 'INVALID_JSON', 'the request body is not UTF-8 text');
  }
  if (text.trim() === '') throw new Refusal(400, 'EMPTY_BODY', 'the request body is empty; POST {"query": "..."} as JSON');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'INVALID_JSON', 'the request body is not valid JSON; POST {"query": "..."}');
  }
  if (Array.isArray(body)) throw new Refusal(400, 'BAD_REQUEST', 'batched requests are not supported: send one {"query": "..."} per request');
  if (typeof body !== 'object' || body === null) throw new Refusal(400, 'BAD_REQUEST', 'the request body must be a JSON object {"query": "..."}');
  const { query, variables, operationName, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string') throw new Refusal(400, 'BAD_REQUEST', 'the request needs a "query" string (persisted queries are not supported)');
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) throw new Refusal(400, 'BAD_REQUEST', '"variables" must be a JSON object');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') throw new Refusal(400, 'BAD_REQUEST', '"operationName" must be a string');
  if (extensions !== undefined && extensions !== null && (typeof extensions !== 'object' || Array.isArray(extensions))) throw new Refusal(400, 'BAD_REQUEST', '"extensions" must be a JSON object');
  return body as Record<string, unknown>;
}

function healthRoute(url: string | undefined): 'live' | 'ready' | null {
  const path = new URL(url ?? '/', 'http://gateway').pathname;
  return path === '/health/live' ? 'live' : path === '/health/ready' ? 'ready' : null;
}

/** The route a request counts under in the request metrics (a bounded set: never the raw path). */
function routeOf(url: string | undefined): 'health' | 'metrics' | 'files' | 'dashboard' | 'graphql' {
  const path = new URL(url ?? '/', 'http://gateway').pathname;
  return path.startsWith('/health/') ? 'health' : path === '/metrics' ? 'metrics' : path.startsWith('/bad-debt/') ? 'files' : path.startsWith('/dashboard/') ? 'dashboard' : 'graphql';
}

/**
 * Whether the operation to run is a subscription (refused over HTTP before validation: the schema has
 * a Subscription type, so over HTTP it would otherwise validate and stream nothing). The text already
 * passed the token limit, so parsing it once more is cheap; a parse error is left to Apollo to report.
 */
function isSubscription(query: string, body: unknown, url: URL): boolean {
  if (!/\bsubscription\b/.test(query)) return false;
  let document;
  try {
    document = parse(query);
  } catch {
    return false;
  }
  const name = (body as { operationName?: string } | undefined)?.operationName ?? url.searchParams.get('operationName');
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const chosen = name ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
  return chosen?.operation === 'subscription';
}

export function createHttpHandler(apollo: ApolloServer<RequestContext>, context: (signal: AbortSignal) => RequestContext, options: HttpOptions) {
  const log = throttle(options.log);
  const anyOrigin = options.corsOrigins.includes('*');
  const allowedOrigin = (origin: string | undefined) => (origin && (anyOrigin || options.corsOrigins.includes(origin)) ? (anyOrigin ? '*' : origin) : null);

  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const controller = new AbortController();
    const startedAt = performance.now();
    if (options.metrics) {
      const route = routeOf(req.url);
      res.on('finish', () => options.metrics!.observeRequest(route, res.statusCode, (performance.now() - startedAt) / 1000));
    }
    let phase: 'body' | 'graphql' = 'body';
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.headersSent || res.writableEnded) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body);
    };
    const refuse = (r: Refusal, headers: Record<string, string> = {}) => send(r.status, errorBody(r.code, r.message, r.extra), headers);
    const deadline = options.requestTimeoutMs > 0 && setTimeout(() => {
      controller.abort();
      const message = `the request did not complete within ${options.requestTimeoutMs} ms; retry later or ask for less`;
      if (phase === 'body') refuse(new Refusal(408, 'REQUEST_TIMEOUT', message, { timeoutMs: options.requestTimeoutMs }), { connection: 'close' });
      else send(200, JSON.stringify({ data: null, errors: [{ message, extensions: { code: 'REQUEST_TIMEOUT', timeoutMs: options.requestTimeoutMs } }] }));
    }, options.requestTimeoutMs);
    // Once answered (or the caller hung up) nothing more of this request's reads is needed: cancel them.
    res.on('close', () => {
      if (deadline) clearTimeout(deadline);
      controller.abort();
    });

    const origin = allowedOrigin(req.headers.origin);
    if (origin) res.setHeader('access-control-allow-origin', origin);
    if (options.corsOrigins.length && !anyOrigin) res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') {
      if (origin) {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader('access-control-allow-headers', 'content-type, apollo-require-preflight, x-apollo-operation-name');
        res.setHeader('access-control-max-age', '600');
      }
      res.writeHead(204).end();
      return;
    }

    const handle = async () => {
      const health = options.health && req.method === 'GET' ? healthRoute(req.url) : null;
      if (health === 'live') return send(200, JSON.stringify({ live: true }), { 'cache-control': 'no-store' });
      if (health === 'ready') {
        const state = await options.health!.ready();
        return send(state.ready ? 200 : 503, JSON.stringify(state), { 'cache-control': 'no-store' });
      }
      if (options.metrics && req.method === 'GET' && routeOf(req.url) === 'metrics') {
        const text = await options.metrics.render();
        return send(200, text, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
      }
      const wait = options.rateLimiter?.take(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], options.trustedProxies)) ?? 0;
      if (wait > 0) throw new Refusal(429, 'RATE_LIMITED', `too many requests from this client; retry in ${wait} s`, { retryAfterSeconds: wait });
      if (options.files && req.method === 'GET' && routeOf(req.url) === 'files') {
        const answer = await options.files(new URL(req.url ?? '/', 'http://gateway').pathname, controller.signal);
        if (answer) return send(answer.status, answer.body, answer.headers);
        throw new Refusal(404, 'NOT_FOUND', 'no such file: list /bad-debt/latest/');
      }
      // The dashboard's script, style and chart library (the page itself is Apollo's landing page at /),
      // and the former landing page's query form.
      if (req.method === 'GET' && routeOf(req.url) === 'dashboard') {
        const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
        if (pathname === '/dashboard/query') return send(200, landingPage(), { 'content-type': 'text/html; charset=utf-8' });
        const asset = dashboardAsset(pathname);
        if (!asset) throw new Refusal(404, 'NOT_FOUND', 'no such dashboard file: open / in a browser');
        if (res.headersSent || res.writableEnded) return;
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
        res.end(asset.body);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'POST') throw new Refusal(405, 'METHOD_NOT_ALLOWED', `method ${req.method} is not supported: POST a JSON GraphQL request (or GET with ?query=)`);
      const url = new URL(req.url ?? '/', 'http://gateway');
      // Research exports: CSV/Parquet downloads paged through this same GraphQL execution.
      if (req.method === 'GET' && isExportPath(url.pathname)) return serveExport(url, res, exportExecutor(apollo, () => context(controller.signal)), options.exportPageSize ?? 1000);
      let body: unknown;
      let query: string | null;
      if (req.method === 'POST') {
        const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
        if (encoding !== 'identity') throw new Refusal(415, 'UNSUPPORTED_CONTENT_ENCODING', `content-encoding ${encoding} is not supported: send the body uncompressed`);
        const type = mediaType(req.headers['content-type']);
        if (type?.type !== 'application/json') throw new Refusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
        if (type.charset && type.charset !== 'utf-8' && type.charset !== 'utf8') throw new Refusal(415, 'UNSUPPORTED_MEDIA_TYPE', `charset ${type.charset} is not supported: send UTF-8`);
        const declared = Number(req.headers['content-length']);
        if (declared > options.maxBodyBytes) throw new Refusal(413, 'BODY_TOO_LARGE', `the request body is larger than ${options.maxBodyBytes} bytes`, { maxBytes: options.maxBodyBytes });
        const raw = await readBody(req, options.maxBodyBytes);
        // Bodies that arrived together would otherwise be parsed, checked and validated in one turn of
        // the event loop, back to back: yield between requests so none waits for the others' CPU work.
        await yieldToLoop();
        body = graphqlRequestOf(raw);
        query = (body as { query: string }).query;
      } else {
        query = url.searchParams.get('query');
      }
      phase = 'graphql';
      const refused = query === null ? [] : options.precheck(query);
      if (refused.length) {
        const errors = refused.map((e) => {
          const { http: _status, ...extensions } = e.extensions as Record<string, unknown>;
          return { message: e.message, ...(e.locations ? { locations: e.locations } : {}), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...extensions } };
        });
        return send(400, JSON.stringify({ errors }));
      }
      if (query !== null && isSubscription(query, body, url)) {
        throw new Refusal(400, 'OPERATION_NOT_SUPPORTED', 'subscriptions are served over WebSocket (graphql-ws, same URL): this gateway answers queries only over HTTP');
      }
      await yieldToLoop();
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
        context: async () => context(controller.signal),
      });
      if (controller.signal.aborted) return;
      const status = response.status ?? 200;
      const type = response.headers.get('content-type') ?? '';
      let text = '';
      if (response.body.kind === 'complete') text = response.body.string;
      else for await (const chunk of response.body.asyncIterator) text += chunk;
      // Apollo answers a few refusals (CSRF, a GET without a query) in plain text: make them JSON like every other.
      if (!/json/.test(type) && !(status === 200 && /html/.test(type))) {
        throw new Refusal(status >= 400 && status < 500 ? status : 400, 'BAD_REQUEST', text.trim().split('\n')[0].slice(0, 300) || 'not a GraphQL request');
      }
      for (const [name, value] of response.headers) if (name !== 'content-length') res.setHeader(name, value);
      send(status, text, { 'content-type': type });
    };

    handle().catch((err: unknown) => {
      if (err instanceof Refusal) {
        const headers = { ...(err.code === 'RATE_LIMITED' ? { 'retry-after': String(err.extra.retryAfterSeconds) } : {}) };
        if (req.readableEnded) return refuse(err, headers);
        // A client still sending its body would see a broken pipe, not the answer: read the rest and
        // discard it, up to DRAIN_MAX_BYTES; beyond that, answer at once and cut the connection.
        const close = { ...headers, connection: 'close' };
        if (Number(req.headers['content-length']) > DRAIN_MAX_BYTES) {
          refuse(err, close);
          req.destroy();
          return;
        }
        let drained = 0;
        req.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > DRAIN_MAX_BYTES) {
            refuse(err, close);
            req.destroy();
          }
        });
        req.on('end', () => refuse(err, close));
        req.resume();
        return;
      }
      if (controller.signal.aborted) return;
      log(`request failed: ${(err as Error)?.message ?? String(err)}`);
      send(500, errorBody('INTERNAL_ERROR', 'the gateway failed to answer this request'));
    });
  };
}
