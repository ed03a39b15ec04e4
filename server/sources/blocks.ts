import { gatewayError } from '../errors';
import type { SubgraphClient } from './subgraph-client';

export interface BlockRef {
  number: number;
  hash: string | null;
  timestamp: number;
}

export interface IndexingState {
  endpoint: string;
  /** The subgraph's latest indexed block. */
  head: BlockRef;
  hasIndexingErrors: boolean;
}

/** Answers block headers for historical blocks (graph-node's `_meta` has no timestamp for them). */
export interface BlockHeaderSource {
  header(number: number): Promise<BlockRef | null>;
}

export async function fetchIndexingState(subgraph: SubgraphClient): Promise<IndexingState> {
  const { _meta } = await subgraph.query<{ _meta: { block: { number: number; hash: string | null; timestamp: number | null }; hasIndexingErrors: boolean } }>(
    '{ _meta { block { number hash timestamp } hasIndexingErrors } }',
  );
  if (_meta.block.timestamp === null) {
    throw gatewayError('SUBGRAPH_QUERY_FAILED', 'the subgraph did not report its head block timestamp', { endpoint: subgraph.url });
  }
  return {
    endpoint: subgraph.url,
    head: { number: _meta.block.number, hash: _meta.block.hash, timestamp: _meta.block.timestamp },
    hasIndexingErrors: _meta.hasIndexingErrors,
  };
}

/**
 * The block a request is computed at: the subgraph's head unless a block number was asked for.
 * Refuses blocks the subgraph has not indexed and subgraphs that report indexing errors (their data
 * stops at the failed block and would be silently stale).
 */
export async function pinBlock(state: IndexingState, requested: number | null | undefined, headers: BlockHeaderSource | undefined): Promise<BlockRef> {
  if (state.hasIndexingErrors) {
    throw gatewayError('SUBGRAPH_INDEXING_ERROR', `the subgraph at ${state.endpoint} reports indexing errors; its figures would be stale`, {
      endpoint: state.endpoint,
      indexedBlock: state.head.number,
    });
  }
  if (requested === null || requested === undefined || requested === state.head.number) return state.head;
  if (!Number.isSafeInteger(requested) || requested < 0) throw gatewayError('BAD_USER_INPUT', `block ${requested} is not a block number`);
  if (requested > state.head.number) {
    throw gatewayError('BLOCK_NOT_INDEXED', `block ${requested} is beyond the indexed head ${state.head.number}`, { indexedBlock: state.head.number });
  }
  if (!headers) {
    throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `interest accrues by block timestamp: querying block ${requested} needs an Ethereum RPC (GATEWAY_RPC_URL) to read its header`);
  }
  const header = await headers.header(requested);
  if (!header) throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `the RPC has no header for block ${requested}`);
  return header;
}

/** Block headers over Ethereum JSON-RPC (`eth_getBlockByNumber`), cached: a block's header never changes once final. */
export function createRpcHeaderSource(rpcUrl: string, timeoutMs = 10_000): BlockHeaderSource {
  const cache = new Map<number, BlockRef>();
  return {
    async header(number) {
      const cached = cache.get(number);
      if (cached) return cached;
      let body: { result?: { hash: string; timestamp: string } | null; error?: { message: string } };
      try {
        const res = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [`0x${number.toString(16)}`, false] }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        body = (await res.json()) as typeof body;
      } catch (err) {
        throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `the RPC did not answer for block ${number}: ${(err as Error).message}`);
      }
      if (!body.result) return null;
      const ref = { number, hash: body.result.hash, timestamp: Number(BigInt(body.result.timestamp)) };
      if (cache.size > 10_000) cache.clear();
      cache.set(number, ref);
      return ref;
    },
  };
}
