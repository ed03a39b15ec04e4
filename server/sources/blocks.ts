import { gatewayError } from '../errors';
import type { SubgraphClient } from './subgraph-client';

export interface BlockRef {
  number: number;
  hash: string | null;
  timestamp: number;
  /** Known for the indexed head (graph-node `_meta`): proves continuity from the block before. */
  parentHash?: string | null;
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
  const { _meta } = await subgraph.query<{ _meta: { block: { number: number; hash: string | null; timestamp: number | null; parentHash: string | null }; hasIndexingErrors: boolean } }>(
    '{ _meta { block { number hash timestamp parentHash } hasIndexingErrors } }',
  );
  if (_meta.block.timestamp === null) {
    throw gatewayError('SUBGRAPH_QUERY_FAILED', 'the subgraph did not report its head block timestamp', { endpoint: subgraph.url });
  }
  return {
    endpoint: subgraph.url,
    head: { number: _meta.block.number, hash: _meta.block.hash, timestamp: _meta.block.timestamp, parentHash: _meta.block.parentHash },
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

export interface RpcHeaderSource extends BlockHeaderSource {
  /** true when `block` is the canonical block at its height, false when another is, null when the RPC does not answer. */
  canonical(block: BlockRef): Promise<boolean | null>;
  /** The chain's own head (not cached): what indexing lag is measured against. */
  latest(): Promise<BlockRef>;
}

/**
 * Block headers over Ethereum JSON-RPC (`eth_getBlockByNumber`), cached by number. `canonical` reads
 * past the cache and replaces an entry a reorg made stale.
 */
export function createRpcHeaderSource(rpcUrl: string, timeoutMs = 10_000): RpcHeaderSource {
  const cache = new Map<number, BlockRef>();
  const fetchHeader = async (number: number | 'latest'): Promise<BlockRef | null> => {
    let body: { result?: { hash: string; timestamp: string; parentHash: string } | null; error?: { message: string } };
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [number === 'latest' ? number : `0x${number.toString(16)}`, false] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `the RPC did not answer for block ${number}: ${(err as Error).message}`);
    }
    if (!body.result) return null;
    const result = body.result as typeof body.result & { number: string };
    const ref = { number: Number(BigInt(result.number)), hash: result.hash, timestamp: Number(BigInt(result.timestamp)), parentHash: result.parentHash };
    if (cache.size > 10_000) cache.clear();
    cache.set(ref.number, ref);
    return ref;
  };
  return {
    async header(number) {
      return cache.get(number) ?? fetchHeader(number);
    },
    async canonical(block) {
      const fresh = await fetchHeader(block.number).catch(() => null);
      return fresh ? fresh.hash === block.hash : null;
    },
    async latest() {
      const head = await fetchHeader('latest');
      if (!head) throw gatewayError('CHAIN_UNAVAILABLE', 'the RPC has no latest block');
      return head;
    },
  };
}
