/**
 * The gateway as a value: `createGateway(options)` builds the Apollo server with its dependencies
 * passed in, and `listen()` serves it over HTTP. Entry points (server/main.ts, the stack launcher,
 * tests) decide the configuration; nothing here reads the environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { startStandaloneServer } from '@apollo/server/standalone';
import { BoundedCache, BoundedSet, createRequestContext, ViewCache, type EndpointConfig, type GatewayDeps, type RequestContext } from './context';
import { classify } from './errors';
import { landingPage } from './landing';
import { limitRules, type QueryLimits } from './schema/limits';
import { resolvers } from './schema/resolvers';
import { createRpcHeaderSource } from './sources/blocks';
import { createRpcChainReader } from './sources/chain';
import type { ProtocolAdapter } from './views/adapter';
import { aaveV3Adapter } from './views/aave-v3-adapter';
import { morphoBlueAdapter } from './views/morpho-blue-adapter';
import { followHeads } from './follow-heads';
import { createViewService } from './view-service';

export interface GatewayOptions {
  endpoints: EndpointConfig[];
  /** Ethereum JSON-RPC for historical block headers (timestamps); without it only the head can be queried. */
  rpcUrl?: string;
  subgraphTimeoutMs?: number;
  maxFirst?: number;
  limits?: QueryLimits;
  /** Computed protocol views kept across requests (keyed by block hash). */
  viewCacheSize?: number;
  /** Protocol families served (default: every family this gateway implements). */
  adapters?: ProtocolAdapter[];
  /** Move every followed protocol's view to the indexed head this often (0 or absent: only when a request asks for the head). */
  followIntervalMs?: number;
  /** Positions the view service holds in memory across protocols (default DEFAULT_MAX_POSITIONS). */
  maxFollowedPositions?: number;
  /** Operator log lines (view loads, reorgs, failures while following). */
  log?: (line: string) => void;
}

export const DEFAULT_ADAPTERS: ProtocolAdapter[] = [aaveV3Adapter, morphoBlueAdapter];

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 200_000 };
export const DEFAULT_MAX_FIRST = 1000;

export function typeDefs(): string {
  return fs.readFileSync(path.join(__dirname, 'schema', 'schema.graphql'), 'utf8');
}

export function createGateway(options: GatewayOptions) {
  if (options.endpoints.length === 0) throw new Error('the gateway needs at least one subgraph endpoint');
  const headers = options.rpcUrl ? createRpcHeaderSource(options.rpcUrl) : undefined;
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
    adapters: options.adapters ?? DEFAULT_ADAPTERS,
    views: createViewService({
      canonical: headers?.canonical,
      maxPositions: options.maxFollowedPositions,
      // Every block's advance would flood the log: only what an operator acts on.
      onEvent: (e) => {
        if (e.kind === 'advance') return;
        log?.(`view ${e.key.endpoint}/${e.key.protocolId}: ${e.kind} at block ${e.block}${e.fromBlock === undefined ? '' : ` (from ${e.fromBlock})`}${e.positions === undefined ? '' : `, ${e.positions} positions`}, ${Math.round(e.ms)} ms${e.message ? `: ${e.message}` : ''}`);
      },
    }),
  };

  const landing: ApolloServerPlugin<RequestContext> = {
    async serverWillStart() {
      return { async renderLandingPage() { return { html: landingPage() }; } };
    },
  };
  const requestCount: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === 'single') {
            const { subgraphRequests, warnings } = contextValue.stats;
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, subgraphRequests, ...(warnings.length ? { warnings } : {}) };
          }
        },
      };
    },
  };

  const server = new ApolloServer<RequestContext>({
    typeDefs: typeDefs(),
    resolvers,
    validationRules: limitRules(options.limits ?? DEFAULT_LIMITS),
    plugins: [landing, requestCount],
    includeStacktraceInErrorResponses: false,
    formatError(formatted, error) {
      const known = classify(unwrapResolverError(error));
      if (known) return { ...formatted, extensions: { ...formatted.extensions, ...known.extra, code: known.code } };
      // Apollo re-labels every validation error GRAPHQL_VALIDATION_FAILED; keep the limit rules' own codes.
      const original = (error as { originalError?: { extensions?: Record<string, unknown> } }).originalError?.extensions;
      if (typeof original?.code === 'string' && original.code.startsWith('QUERY_TOO_')) return { ...formatted, extensions: { ...formatted.extensions, ...original } };
      return formatted;
    },
  });

  return {
    server,
    deps,
    async listen(port: number, host = '127.0.0.1') {
      const { url } = await startStandaloneServer(server, { listen: { port, host }, context: async () => createRequestContext(deps) });
      const following = options.followIntervalMs ? followHeads(deps, { intervalMs: options.followIntervalMs, log }) : null;
      return { url, stop: async () => (await following?.stop(), await server.stop()) };
    },
  };
}
