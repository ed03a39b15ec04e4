/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the gateway's own HTTP server, same port and
 * path: subscriptions (`head`, `alerts`) and queries too. Every operation passes the same limits as
 * over HTTP (the text precheck, the structure rules, the cost limit) and its errors carry the same
 * stable codes. Connections are bounded in number, and per connection in subscriptions; each
 * upgrade takes a token from the HTTP rate limiter.
 */
import type http from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createRequestContext, type GatewayDeps } from './context';
import { clientAddress, type RateLimiter } from './rate-limit';
import { costLimitError, structureRules, type QueryLimits } from './schema/limits';

export interface WsOptions {
  schema: GraphQLSchema;
  deps: GatewayDeps;
  limits: QueryLimits;
  precheck: (query: string) => readonly GraphQLError[];
  maxPayloadBytes: number;
  maxConnections: number;
  maxSubscriptionsPerConnection: number;
  rateLimiter: RateLimiter | null;
  trustedProxies?: number;
  /** The same formatting as HTTP answers (stable codes, redacted messages). */
  formatError: (error: GraphQLError) => GraphQLFormattedError;
}

export const DEFAULT_MAX_WS_CONNECTIONS = 1_000;
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;

const refusal = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

export function serveWebSocket(httpServer: http.Server, options: WsOptions): { close(): Promise<void>; connections(): number } {
  const wss = new WebSocketServer({
    server: httpServer,
    path: '/',
    maxPayload: options.maxPayloadBytes,
    verifyClient: ({ req }, done) => {
      if (wss.clients.size >= options.maxConnections) return done(false, 503, 'too many WebSocket connections');
      const wait = options.rateLimiter?.take(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], options.trustedProxies)) ?? 0;
      if (wait > 0) return done(false, 429, `too many requests from this client; retry in ${wait} s`, { 'retry-after': String(wait) });
      done(true);
    },
  });
  const rules = [...specifiedRules, ...structureRules(options.limits)];
  const disposable = useServer(
    {
      schema: options.schema,
      // Errors leave through formatError; nothing internal goes out in a close reason either.
      isProd: true,
      onSubscribe(ctx, _id, payload) {
        const open = Object.values(ctx.subscriptions).length;
        if (open >= options.maxSubscriptionsPerConnection) return [refusal('TOO_MANY_SUBSCRIPTIONS', `at most ${options.maxSubscriptionsPerConnection} operations at once per connection`)];
        const refused = options.precheck(payload.query);
        if (refused.length) return refused;
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [refusal('GRAPHQL_PARSE_FAILED', (err as Error).message)];
        }
        const errors = validate(options.schema, document, rules);
        if (errors.length) return errors.map((e) => (e.extensions?.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
        const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
        const operation = operations.find((o) => (payload.operationName ? o.name?.value === payload.operationName : true));
        if (!operation || (!payload.operationName && operations.length > 1)) return [refusal('BAD_USER_INPUT', 'name the operation to run (operationName)')];
        if (operation.operation === 'mutation') return [refusal('OPERATION_NOT_SUPPORTED', 'mutations are not served: this gateway answers queries and subscriptions')];
        const tooCostly = costLimitError({ schema: options.schema, document, operation, variables: payload.variables ?? undefined, maxFirst: options.deps.maxFirst }, options.limits);
        if (tooCostly) return [tooCostly];
        return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: createRequestContext(options.deps) };
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map(options.formatError) } as never;
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map(options.formatError);
      },
    },
    wss,
  );
  return {
    connections: () => wss.clients.size,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
