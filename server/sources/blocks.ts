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
  /** The endpoint's configured name (never its URL). */
  endpoint: string;
  /** The subgraph's latest indexed block. */
  head: BlockRef;
  hasIndexingErrors: boolean;
  /**
   * The head block is no longer the chain's block at its height (a reorg graph-node has not processed
   * yet: it reverts only when a newer block arrives). Set when the head was checked against the RPC.
   */
  orphanedHead?: boolean;
}

/** Answers block headers for historical blocks (graph-node's `_meta` has no timestamp for them). */
export interface BlockHeaderSource {
  /**
   * `head`: the highest block the caller knows of (a subgraph's head): blocks near it may still be reorganised.
   * `signal` stops the read when the request it serves is gone (deadline, caller hung up).
   */
  header(number: number, head?: number, signal?: AbortSignal): Promise<BlockRef | null>;
  /** true when `block` is the canonical block at its height, false when another is, null when unknown. */
  canonical?(block: BlockRef): Promise<boolean | null>;
}

/**
 * Blocks this far below the highest known block are taken as settled and their headers kept: a reorg
 * deeper than Ethereum's finality (two epochs, 64 blocks) does not happen. Headers of newer blocks are
 * read again at each request, so a reorg at those heights is seen at once.
 */
export const SETTLED_DEPTH = 64;

export async function fetchIndexingState(subgraph: SubgraphClient): Promise<IndexingState> {
  const { _meta } = await subgraph.query<{ _meta: { block: { number: number; hash: string | null; timestamp: number | null; parentHash: string | null }; hasIndexingErrors: boolean } }>(
    '{ _meta { block { number hash timestamp parentHash } hasIndexingErrors } }',
  );
  if (_meta.block.timestamp === null) {
    throw gatewayError('SUBGRAPH_QUERY_FAILED', 'the subgraph did not report its head block timestamp', { endpoint: subgraph.name });
  }
  return {
    endpoint: subgraph.name,
    head: { number: _meta.block.number, hash: _meta.block.hash, timestamp: _meta.block.timestamp, parentHash: _meta.block.parentHash },
    hasIndexingErrors: _meta.hasIndexingErrors,
  };
}

/**
 * The indexing state with its head checked against the chain (`orphanedHead`). A subgraph's data is
 * one branch ending at its head: when the head is canonical, so is every block below it, and a read
 * pinned by number reads the canonical chain. One header read per check.
 */
export async function verifiedIndexingState(subgraph: SubgraphClient, headers: BlockHeaderSource | undefined): Promise<IndexingState> {
  const state = await fetchIndexingState(subgraph);
  if (!headers?.canonical || !state.head.hash) return state;
  return (await headers.canonical(state.head)) === false ? { ...state, orphanedHead: true } : state;
}

/**
 * The block a request is computed at: the subgraph's head unless a block number was asked for.
 * Refuses blocks the subgraph has not indexed, subgraphs that report indexing errors (their data
 * stops at the failed block and would be silently stale), and unsettled blocks of a subgraph whose
 * head is orphaned.
 */
export async function pinBlock(state: IndexingState, requested: number | null | undefined, headers: BlockHeaderSource | undefined, signal?: AbortSignal): Promise<BlockRef> {
  if (state.hasIndexingErrors) {
    throw gatewayError('SUBGRAPH_INDEXING_ERROR', `the subgraph ${state.endpoint} reports indexing errors; its figures would be stale`, {
      endpoint: state.endpoint,
      indexedBlock: state.head.number,
    });
  }
  if (state.orphanedHead && (requested === null || requested === undefined || requested > state.head.number - SETTLED_DEPTH)) {
    // Its data near the head is the orphaned branch's; blocks settled below it are the same on both.
    throw gatewayError(
      'SUBGRAPH_REORG_PENDING',
      `the subgraph ${state.endpoint}'s head, block ${state.head.number}, is no longer on the chain (a reorg graph-node has not processed yet); retry in a few seconds, or ask for block ${state.head.number - SETTLED_DEPTH} or older`,
      { endpoint: state.endpoint, indexedBlock: state.head.number },
    );
  }
  if (requested === null || requested === undefined || requested === state.head.number) return state.head;
  if (!Number.isSafeInteger(requested) || requested < 0) throw gatewayError('BAD_USER_INPUT', `block ${requested} is not a block number`);
  if (requested > state.head.number) {
    throw gatewayError('BLOCK_NOT_INDEXED', `block ${requested} is beyond the indexed head ${state.head.number}`, { indexedBlock: state.head.number });
  }
  if (!headers) {
    throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `interest accrues by block timestamp: querying block ${requested} needs an Ethereum RPC (GATEWAY_RPC_URL) to read its header`);
  }
  const header = await headers.header(requested, state.head.number, signal);
  if (!header) throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `the RPC has no header for block ${requested}`);
  return header;
}

export interface RpcHeaderSource extends BlockHeaderSource {
  canonical(block: BlockRef): Promise<boolean | null>;
  /** The chain's own head (not cached): what indexing lag is measured against. */
  latest(): Promise<BlockRef>;
}

/**
 * Block headers over Ethereum JSON-RPC (`eth_getBlockByNumber`); settled blocks' are kept by number
 * (SETTLED_DEPTH), newer ones read again each time. `canonical` always reads past the cache.
 */
export function createRpcHeaderSource(rpcUrl: string, timeoutMs = 10_000, settledDepth = SETTLED_DEPTH): RpcHeaderSource {
  const cache = new Map<number, BlockRef>();
  let highest = 0;
  const fetchHeader = async (number: number | 'latest', signal?: AbortSignal): Promise<BlockRef | null> => {
    let body: { result?: { hash: string; timestamp: string; parentHash: string } | null; error?: { message: string } };
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [number === 'latest' ? number : `0x${number.toString(16)}`, false] }),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
      body = (await res.json()) as typeof body;
    } catch (err) {
      if (signal?.aborted) throw gatewayError('REQUEST_TIMEOUT', 'the request was cancelled before the RPC answered');
      throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `the RPC did not answer for block ${number}: ${(err as Error).message}`);
    }
    if (!body.result) return null;
    const result = body.result as typeof body.result & { number: string };
    const ref = { number: Number(BigInt(result.number)), hash: result.hash, timestamp: Number(BigInt(result.timestamp)), parentHash: result.parentHash };
    highest = Math.max(highest, ref.number);
    if (ref.number <= highest - settledDepth) {
      if (cache.size > 10_000) cache.clear();
      cache.set(ref.number, ref);
    }
    return ref;
  };
  return {
    async header(number, head, signal) {
      highest = Math.max(highest, head ?? 0);
      // Only settled blocks come from the cache (see SETTLED_DEPTH).
      return (number <= highest - settledDepth ? cache.get(number) : undefined) ?? fetchHeader(number, signal);
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
