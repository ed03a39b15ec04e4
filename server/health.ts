/**
 * Health for load balancers and orchestrators. Live: the process serves requests. Ready: every
 * subgraph answers, has no indexing error, and is within a lag bound of the chain's own head (the
 * RPC's latest block when the gateway has an RPC: an indexer that stopped while the chain moves is
 * not ready even if its last block looks recent; without an RPC, against the wall clock).
 */
import { verifiedIndexingState, type RpcHeaderSource } from './sources/blocks';
import { createSubgraphClient } from './sources/subgraph-client';
import { errorCode } from './errors';
import type { EndpointConfig } from './context';

export interface ReadinessOptions {
  endpoints: EndpointConfig[];
  /** The chain's RPC (absent: lag is measured against the wall clock). */
  chain?: Pick<RpcHeaderSource, 'latest' | 'canonical' | 'header'>;
  /** Ready only while every subgraph is at most this far behind (seconds of block time). */
  maxLagSeconds: number;
  timeoutMs?: number;
}

export interface EndpointReadiness {
  /** The endpoint's configured name (never its URL: on The Graph's network it carries an API key). */
  name: string;
  ready: boolean;
  indexedBlock: number | null;
  hasIndexingErrors: boolean | null;
  lagBlocks: number | null;
  lagSeconds: number | null;
  /** Why it is not ready: a stable code (SUBGRAPH_UNAVAILABLE, SUBGRAPH_INDEXING_ERROR, INDEXING_LAG, ...). */
  reason: string | null;
}

export interface Readiness {
  ready: boolean;
  chain: { ready: boolean; headBlock: number | null; reason: string | null } | null;
  endpoints: EndpointReadiness[];
}

const codeOf = (err: unknown) => errorCode(err) ?? 'INTERNAL_SERVER_ERROR';

export async function checkReadiness(options: ReadinessOptions, now = () => Date.now()): Promise<Readiness> {
  const chainHead = options.chain ? await options.chain.latest().then((h) => ({ head: h, reason: null }), (err: unknown) => ({ head: null, reason: codeOf(err) === 'INTERNAL_SERVER_ERROR' ? 'CHAIN_UNAVAILABLE' : codeOf(err) })) : null;
  const endpoints = await Promise.all(
    options.endpoints.map(async (e): Promise<EndpointReadiness> => {
      const client = createSubgraphClient({ url: e.url, timeoutMs: options.timeoutMs ?? 5_000 });
      try {
        const state = await verifiedIndexingState(client, options.chain);
        const head = state.head;
        const reference = chainHead?.head ?? null;
        const lagSeconds = Math.max(0, (reference ? reference.timestamp : Math.floor(now() / 1000)) - head.timestamp);
        const lagBlocks = reference ? Math.max(0, reference.number - head.number) : null;
        const reason = state.hasIndexingErrors ? 'SUBGRAPH_INDEXING_ERROR' : state.orphanedHead ? 'SUBGRAPH_REORG_PENDING' : lagSeconds > options.maxLagSeconds ? 'INDEXING_LAG' : null;
        return { name: e.name, ready: reason === null, indexedBlock: head.number, hasIndexingErrors: state.hasIndexingErrors, lagBlocks, lagSeconds, reason };
      } catch (err) {
        return { name: e.name, ready: false, indexedBlock: null, hasIndexingErrors: null, lagBlocks: null, lagSeconds: null, reason: codeOf(err) };
      }
    }),
  );
  const chain = chainHead && { ready: chainHead.head !== null, headBlock: chainHead.head?.number ?? null, reason: chainHead.reason };
  return { ready: endpoints.every((e) => e.ready) && (chain?.ready ?? true), chain, endpoints };
}
