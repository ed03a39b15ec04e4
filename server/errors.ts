import { GraphQLError } from 'graphql';
import { MetricError } from './metrics/errors';
import { ShockError } from './metrics/stress';
import { SubgraphError } from './sources/subgraph-client';

/**
 * Every error the gateway returns carries a stable `extensions.code`, grouped by what the caller
 * should do next: fix the request (BAD_USER_INPUT and the NOT_FOUND / BLOCK_* codes), retry later
 * (SUBGRAPH_UNAVAILABLE, SUBGRAPH_REORG_PENDING, SUBGRAPH_TIMEOUT), or distrust the data (SUBGRAPH_INDEXING_ERROR,
 * PRICE_UNAVAILABLE, INCONSISTENT_DATA).
 */
export type GatewayErrorCode =
  | 'BAD_USER_INPUT'
  | 'PROTOCOL_NOT_FOUND'
  | 'PROTOCOL_NOT_SUPPORTED'
  | 'MARKET_NOT_FOUND'
  | 'BLOCK_NOT_INDEXED'
  | 'BLOCK_BEFORE_DEPLOYMENT'
  | 'BLOCK_TIMESTAMP_UNAVAILABLE'
  | 'FIRST_TOO_LARGE'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COSTLY'
  | 'REQUEST_TIMEOUT'
  | 'SUBGRAPH_UNAVAILABLE'
  | 'SUBGRAPH_REORG_PENDING'
  | 'CHAIN_UNAVAILABLE'
  | 'CHAIN_REQUIRED'
  | 'SUBGRAPH_TIMEOUT'
  | 'SUBGRAPH_QUERY_FAILED'
  | 'SUBGRAPH_INDEXING_ERROR'
  | 'PRICE_UNAVAILABLE'
  | 'INCONSISTENT_DATA'
  | 'SUBSCRIPTIONS_UNAVAILABLE'
  // research (stress, liquidationCurve, history)
  | 'INVALID_SHOCK'
  | 'UNKNOWN_ASSET'
  | 'TOO_MANY_POINTS';

export function gatewayError(code: GatewayErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** The code and extra extensions for errors raised below the GraphQL layer; null for unexpected ones. */
export function classify(err: unknown): { code: GatewayErrorCode; extra: Record<string, unknown> } | null {
  if (err instanceof SubgraphError) return { code: err.code, extra: { endpoint: err.endpoint } };
  if (err instanceof MetricError) return { code: err.code, extra: {} };
  if (err instanceof ShockError) return { code: err.code, extra: {} };
  return null;
}

/** The stable code of any error: a gateway error's own, or one classified from below the GraphQL layer; null for unexpected ones. */
export function errorCode(err: unknown): string | null {
  const code = (err as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' ? code : (classify(err)?.code ?? null);
}
