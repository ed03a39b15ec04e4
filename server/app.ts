/**
 * The gateway as a value: `createGateway(options)` builds the Apollo server with its dependencies
 * passed in, and `listen()` serves it over HTTP. Entry points (server/main.ts, the stack launcher,
 * tests) decide the configuration; nothing here reads the environment.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { buildSchema, GraphQLError, type GraphQLFormattedError } from 'graphql';
import { BoundedCache, BoundedSet, createRequestContext, HeadCache, ViewCache, type EndpointConfig, type GatewayDeps, type RequestContext } from './context';
import { classify } from './errors';
import { createHttpHandler, errorBody, throttle } from './http';
import { checkReadiness } from './health';
import { dashboardPage } from './dashboard/assets';
import { createRateLimiter, type RateLimitOptions } from './rate-limit';
import { costLimitError, DEFAULT_LIMITS, precheck, structureRules, suggestionMask, type QueryLimits } from './schema/limits';
import { resolvers } from './schema/resolvers';
import { withResearch } from './schema/research';
import { createRpcHeaderSource } from './sources/blocks';
import { createRpcChainReader } from './sources/chain';
import type { FamilyModule } from './views/adapter';
import { FAMILIES } from './families';
import { followHeads } from './follow-heads';
import type { MarketDetails } from './views/model';
import { createViewService } from './view-service';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createAlertHub } from './alerts/hub';
import { lossEvents } from './alerts/subscriptions';
import { createGatewayMetrics } from './prometheus';
import { riskDaoRoutes } from './riskdao/routes';
import { startWebhooks, type WebhookRetry, type WebhookTarget } from './alerts/webhooks';
import { DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION, DEFAULT_MAX_WS_CONNECTIONS, serveWebSocket } from './ws';

export interface GatewayOptions {
  endpoints: EndpointConfig[];
  /** Ethereum JSON-RPC for historical block headers (timestamps); without it only the head can be queried. */
  rpcUrl?: string;
  subgraphTimeoutMs?: number;
  maxFirst?: number;
  /** Query size, shape and cost limits (any left out: DEFAULT_LIMITS). */
  limits?: Partial<QueryLimits>;
  /** Largest request body, bytes (default 1,000,000). */
  maxBodyBytes?: number;
  /** One deadline per request, ms (default 30,000): then REQUEST_TIMEOUT, and its subgraph and RPC reads are cancelled. */
  requestTimeoutMs?: number;
  /** Answer introspection queries (default false: the schema is published in the repository, not served). */
  introspection?: boolean;
  /** Origins browsers may call the gateway from (default none: same origin only; ["*"]: any). */
  corsOrigins?: string[];
  /** Per-client (IP address) token bucket (default off). */
  rateLimit?: RateLimitOptions;
  /** `/health/ready` fails when a subgraph is further behind the chain's head than this (seconds of block time; default 300). */
  readyMaxLagSeconds?: number;
  /** Computed protocol views kept across requests (keyed by block hash). */
  viewCacheSize?: number;
  /** Protocol families served (default: every family in the registry, server/families/index.ts). */
  families?: readonly FamilyModule[];
  /** Move every followed protocol's view to the indexed head this often (0 or absent: only when a request asks for the head). */
  followIntervalMs?: number;
  /** Positions the view service holds in memory across protocols (default DEFAULT_MAX_POSITIONS). */
  maxFollowedPositions?: number;
  /** Operator log lines (view loads, reorgs, failures while following). */
  log?: (line: string) => void;
  /** Open WebSocket connections (graphql-ws) at once (default DEFAULT_MAX_WS_CONNECTIONS). */
  maxWsConnections?: number;
  /** Operations open at once on one WebSocket connection (default DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  maxSubscriptionsPerConnection?: number;
  /** Alert webhooks (parseWebhookConfig); they need the follow loop. */
  webhooks?: WebhookTarget[];
  webhookRetry?: Partial<WebhookRetry>;
}

export { DEFAULT_LIMITS };
export const DEFAULT_MAX_FIRST = 1000;
/** About 1 MB: the largest query the token limit admits is ~20 KB; the rest is room for variables. */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** 25 mainnet blocks: a subgraph further behind the chain is not ready to serve head figures. */
export const DEFAULT_READY_MAX_LAG_S = 300;
/** Longest error message returned (the longest the gateway writes itself, listing known protocols, is a few hundred). */
const MAX_MESSAGE_CHARS = 1_000;

/** A URL as a message may quote it: whole, without its scheme, and its path alone (where a key usually sits), longest first. */
function urlForms(url: string): string[] {
  let forms = [url];
  try {
    const u = new URL(url);
    forms = [url, u.href, `${u.host}${u.pathname}${u.search}`, `${u.pathname}${u.search}`, `${u.host}${u.pathname}`];
  } catch {
    // not a URL: only its exact text is known
  }
  return [...new Set(forms)].filter((f) => f.length > 1).sort((a, b) => b.length - a.length);
}

/** The core SDL and each family's fragment (its types implementing core interfaces). */
export function typeDefs(families: readonly FamilyModule[] = FAMILIES): string {
  const core = fs.readFileSync(path.join(__dirname, 'schema', 'schema.graphql'), 'utf8');
  return [core, ...families.map((f) => f.typeDefs)].join('\n');
}

/** The core resolvers, the research queries and each family's types; a family's details resolve to the type it names. */
function resolverMap(families: readonly FamilyModule[]) {
  const own = Object.assign({}, ...families.map((f) => f.resolvers)) as Record<string, Record<string, unknown>>;
  return { ...withResearch(resolvers), ...own, MarketDetails: { __resolveType: (d: MarketDetails) => d.graphqlType } };
}

export function createGateway(options: GatewayOptions) {
  if (options.endpoints.length === 0) throw new Error('the gateway needs at least one subgraph endpoint');
  if (options.webhooks?.length && !options.followIntervalMs) throw new Error('webhooks need the follow loop: set a follow interval above 0');
  const headers = options.rpcUrl ? createRpcHeaderSource(options.rpcUrl) : undefined;
  const families = options.families ?? FAMILIES;
  const log = options.log;
  const deps: GatewayDeps = {
    endpoints: options.endpoints,
    headers,
    subgraphTimeoutMs: options.subgraphTimeoutMs ?? 30_000,
    maxFirst: options.maxFirst ?? DEFAULT_MAX_FIRST,
    viewCache: new ViewCache(options.viewCacheSize ?? 16),
    // Oracle reads of recent blocks (one per protocol and block): small values, a few hundred blocks.
    readCache: new BoundedCache<unknown>(1024),
    unpinnable: new BoundedSet(100_000),
    chain: options.rpcUrl ? createRpcChainReader(options.rpcUrl) : undefined,
    adapters: families.map((f) => f.adapter),
    // While the follow loop reads every head each interval, a request at the head uses its reading
    // (two intervals: a tick may take part of one).
    heads: options.followIntervalMs ? new HeadCache(2 * options.followIntervalMs) : undefined,
    views: createViewService({
      canonical: headers?.canonical,
      maxPositions: options.maxFollowedPositions,
      // Every block's advance would flood the log: only what an operator acts on.
      onEvent: (e) => {
        if (e.kind === 'advance') return;
        log?.(`view ${e.key.endpoint}/${e.key.protocolId}: ${e.kind} at block ${e.block}${e.fromBlock === undefined ? '' : ` (from ${e.fromBlock})`}${e.positions === undefined ? '' : `, ${e.positions} positions`}, ${Math.round(e.ms)} ms${e.message ? `: ${e.message}` : ''}`);
      },
    }),
    // Fed by the follow loop; without it no block is ever pushed (subscriptions are then refused).
    hub: createAlertHub({ chainHead: headers?.latest, live: (options.followIntervalMs ?? 0) > 0 }),
  };

  const landing: ApolloServerPlugin<RequestContext> = {
    async serverWillStart() {
      return { async renderLandingPage() { return { html: dashboardPage() }; } };
    },
  };
  // Configured URLs (an API key may be in them) are replaced by their names in any message that quotes one.
  const secrets = [...options.endpoints.map((e) => [e.url, `<${e.name}>`]), ...(options.rpcUrl ? [[options.rpcUrl, '<rpc>']] : [])].flatMap(([url, name]) => urlForms(url).map((form) => [form, name]));
  // Messages quote the caller's input ("no indexed protocol ..."): a 900 KB id must not come back 900 KB long.
  const redact = (text: string) => {
    const clean = secrets.reduce((t, [url, name]) => t.split(url).join(name), text);
    return clean.length > MAX_MESSAGE_CHARS ? `${clean.slice(0, MAX_MESSAGE_CHARS)}... (${clean.length - MAX_MESSAGE_CHARS} more characters)` : clean;
  };

  const requestCount: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single') {
            const { subgraphRequests, warnings } = contextValue.stats;
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, subgraphRequests, ...(warnings.length ? { warnings: warnings.map(redact) } : {}) };
          }
        },
      };
    },
  };

  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Refuses what HTTP cannot serve and what costs too much, once the operation and its variables are known.
  const guard: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          // Apollo has already refused a document whose operation it cannot pick.
          if (!operation) return;
          if (operation.operation !== 'query') {
            const where = operation.operation === 'subscription' ? 'subscriptions are served over WebSocket (graphql-ws, same URL)' : `${operation.operation}s are not served`;
            throw new GraphQLError(`${where}: this gateway answers queries only over HTTP`, { extensions: { code: 'OPERATION_NOT_SUPPORTED', http: { status: 400 } } });
          }
          const tooCostly = costLimitError({ schema, document, operation, variables: request.variables, maxFirst: deps.maxFirst }, limits);
          if (tooCostly) throw tooCostly;
        },
      };
    },
  };
  const logOnce = throttle(log);
  const sdl = typeDefs(families);
  const schema = buildSchema(sdl);
  const server = new ApolloServer<RequestContext>({
    typeDefs: sdl,
    resolvers: resolverMap(families),
    introspection: options.introspection ?? false,
    // Also checked by the HTTP layer before Apollo sees the query (precheck); here for any other entry (executeOperation).
    validationRules: structureRules(limits),
    plugins: [landing, requestCount, guard, ...suggestionMask()],
    includeStacktraceInErrorResponses: false,
    // Apollo's own logging would print a line per malformed request: the operator log gets a few a minute.
    logger: { debug() {}, info() {}, warn: (m: unknown) => logOnce(`apollo: ${String(m)}`), error: (m: unknown) => logOnce(`apollo: ${String(m)}`) },
    formatError: (formatted, error) => formatError(formatted, error),
  });
  function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const known = classify(unwrapResolverError(error));
      if (known) return { ...formatted, message: redact(formatted.message), extensions: { ...formatted.extensions, ...known.extra, code: known.code } };
      // Apollo re-labels every validation error GRAPHQL_VALIDATION_FAILED; keep the limit rules' own codes.
      const original = (error as { originalError?: { extensions?: Record<string, unknown> } }).originalError?.extensions;
      if (typeof original?.code === 'string' && original.code.startsWith('QUERY_TOO_')) {
        const { http: _status, ...rest } = original;
        return { ...formatted, message: redact(formatted.message), extensions: { ...formatted.extensions, ...rest } };
      }
      // An error nobody classified is a bug: its message may quote internals, so the caller gets none of it.
      if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
        logOnce(`unexpected error: ${redact(String((unwrapResolverError(error) as Error)?.stack ?? error))}`);
        return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
      return { ...formatted, message: redact(formatted.message) };
  }
  const rateLimiter = options.rateLimit ? createRateLimiter(options.rateLimit) : null;
  const metrics = createGatewayMetrics(deps.hub!);
  // The schema graphql-ws executes (Apollo builds its own from the same SDL and resolvers).
  const executable = makeExecutableSchema({ typeDefs: sdl, resolvers: resolverMap(families) });

  return {
    server,
    deps,
    async listen(port: number, host = '127.0.0.1') {
      await server.start();
      const handler = createHttpHandler(server, (signal) => createRequestContext(deps, { signal }), {
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        precheck: precheck(schema, limits),
        corsOrigins: options.corsOrigins ?? [],
        rateLimiter,
        trustedProxies: options.rateLimit?.trustedProxies,
        // Ready: every subgraph answers, has no indexing error and is within the lag bound of the chain's head.
        metrics,
        files: riskDaoRoutes(deps),
        health: { ready: () => checkReadiness({ endpoints: options.endpoints, chain: headers, maxLagSeconds: options.readyMaxLagSeconds ?? DEFAULT_READY_MAX_LAG_S }) },
        log,
        exportPageSize: deps.maxFirst,
      });
      const httpServer = http.createServer(handler);
      // What node refuses before a request exists (oversized headers or URL, broken HTTP) is answered in JSON too.
      httpServer.on('clientError', (err: NodeJS.ErrnoException, socket) => {
        if (!socket.writable) return socket.destroy();
        const [status, code, message] =
          err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'HEADERS_TOO_LARGE', 'the request headers (or URL) are too large: POST the query as JSON'] : [400, 'BAD_REQUEST', 'malformed HTTP request'];
        const body = errorBody(code, message);
        socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      });
      // A client that sends its headers or body slowly is cut off at the request deadline (node's default is 5 minutes).
      httpServer.requestTimeout = (options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) + 5_000;
      httpServer.headersTimeout = Math.min(60_000, httpServer.requestTimeout);
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as { port: number };
      const url = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host}:${address.port}/`;
      const ws = serveWebSocket(httpServer, {
        schema: executable,
        deps,
        limits,
        precheck: precheck(schema, limits),
        maxPayloadBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        maxConnections: options.maxWsConnections ?? DEFAULT_MAX_WS_CONNECTIONS,
        maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
        rateLimiter,
        trustedProxies: options.rateLimit?.trustedProxies,
        formatError: (e) => formatError(e.toJSON(), e),
      });
      metrics.setWebSocketConnections(ws.connections);
      const hub = deps.hub!;
      const following = options.followIntervalMs
        ? followHeads(deps, {
            intervalMs: options.followIntervalMs,
            log,
            onHead: (pinned) => hub.publishHead(pinned.endpoint, pinned.indexing.head),
            onView: (handle, view, ctx, pinned) => hub.publishView(handle, view, () => lossEvents(ctx, handle, pinned)),
          })
        : null;
      const webhooks = options.webhooks?.length ? startWebhooks(hub, deps, options.webhooks, { retry: options.webhookRetry, log, onOutcome: (t, o) => metrics.observeWebhook(t, o) }) : null;
      const stop = async () => {
        await webhooks?.stop();
        await following?.stop();
        await ws.close();
        metrics.stop();
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        // Requests in flight get a moment to finish, then their connections are cut.
        const cut = setTimeout(() => httpServer.closeAllConnections(), 2_000);
        await closed;
        clearTimeout(cut);
        await server.stop();
      };
      return { url, stop };
    },
  };
}
