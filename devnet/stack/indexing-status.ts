import { StackError } from './errors';

export interface IndexingStatus {
  subgraph: string;
  synced: boolean;
  health: 'healthy' | 'unhealthy' | 'failed';
  fatalError: string | null;
  latestBlock: number | null;
  chainHeadBlock: number | null;
  entityCount: bigint;
}

const FIELDS = `subgraph synced health entityCount fatalError { message } chains { chainHeadBlock { number } latestBlock { number } }`;
// graph-node panics on `indexingStatuses(subgraphs: null)`: the argument is left out for all.
const ALL = `{ indexingStatuses { ${FIELDS} } }`;
const SOME = `query ($subgraphs: [String!]!) { indexingStatuses(subgraphs: $subgraphs) { ${FIELDS} } }`;

/**
 * Reads graph-node's index-node status API (the `:8030/graphql` endpoint): every deployment, or only
 * the given deployment hashes.
 */
export async function fetchIndexingStatuses(statusUrl: string, timeoutMs = 5000, deployments?: string[]): Promise<IndexingStatus[]> {
  const res = await fetch(statusUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(deployments ? { query: SOME, variables: { subgraphs: deployments } } : { query: ALL }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`index-node status answered HTTP ${res.status}`);
  const body = (await res.json()) as { data?: { indexingStatuses: RawStatus[] }; errors?: { message: string }[] };
  if (!body.data) throw new Error(`index-node status error: ${body.errors?.map((e) => e.message).join('; ')}`);
  return body.data.indexingStatuses.map((s) => ({
    subgraph: s.subgraph,
    synced: s.synced,
    health: s.health,
    fatalError: s.fatalError?.message ?? null,
    latestBlock: s.chains[0]?.latestBlock ? Number(s.chains[0].latestBlock.number) : null,
    chainHeadBlock: s.chains[0]?.chainHeadBlock ? Number(s.chains[0].chainHeadBlock.number) : null,
    entityCount: BigInt(s.entityCount),
  }));
}

interface RawStatus {
  subgraph: string;
  synced: boolean;
  health: 'healthy' | 'unhealthy' | 'failed';
  entityCount: string;
  fatalError: { message: string } | null;
  chains: { chainHeadBlock: { number: string } | null; latestBlock: { number: string } | null }[];
}

export interface SyncProgress {
  /** The block every deployment has indexed (the slowest one's). */
  latestBlock: number;
  targetBlock: number;
  /** How many deployments graph-node reports, and how many of them have reached `targetBlock`. */
  deployments: number;
  atTarget: number;
  blocksPerSecond: number;
  /** Handler calls per second from graph-node's own metrics, when it exposes them. */
  eventsPerSecond: number | null;
}

export interface WaitForSyncOptions {
  statusUrl: string;
  metricsUrl?: string;
  /** How many deployments must be reported before waiting can succeed. */
  expectedDeployments: number;
  /** Only these deployment hashes (default: every deployment graph-node runs). */
  deployments?: string[];
  /** Block every deployment must reach (e.g. the chain head when the scenario ended). */
  targetBlock: number;
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (p: SyncProgress) => void;
  /** Rejects when graph-node dies while we wait. */
  abort?: Promise<never>;
}

/**
 * Waits until every deployment has indexed `targetBlock`, reporting progress. A failed deployment
 * rejects at once with INDEXING_FAILED and graph-node's own error message.
 */
export async function waitForSync(options: WaitForSyncOptions): Promise<IndexingStatus[]> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 500;
  let last: { at: number; block: number; handled: number | null } | undefined;
  const loop = async (): Promise<IndexingStatus[]> => {
    for (;;) {
      let statuses: IndexingStatus[] = [];
      try {
        statuses = await fetchIndexingStatuses(options.statusUrl, 5000, options.deployments);
      } catch {
        // graph-node not answering yet: keep polling until the deadline.
      }
      const failed = statuses.find((s) => s.health === 'failed' || s.fatalError);
      if (failed) {
        throw new StackError('INDEXING_FAILED', `subgraph ${failed.subgraph} failed: ${failed.fatalError ?? failed.health}`);
      }
      if (statuses.length >= options.expectedDeployments) {
        // A deployment that has not processed its first block yet reports no latest block: count it as
        // one block before its start.
        const minBlock = Math.max(0, Math.min(...statuses.map((s) => s.latestBlock ?? 0)));
        const handled = options.metricsUrl ? await handlerCount(options.metricsUrl) : null;
        const now = Date.now();
        const seconds = last ? Math.max(1e-3, (now - last.at) / 1000) : 0;
        options.onProgress?.({
          latestBlock: minBlock,
          targetBlock: options.targetBlock,
          deployments: statuses.length,
          atTarget: statuses.filter((s) => (s.latestBlock ?? -1) >= options.targetBlock).length,
          blocksPerSecond: last ? Math.max(0, minBlock - last.block) / seconds : 0,
          eventsPerSecond: last && handled !== null && last.handled !== null ? Math.max(0, handled - last.handled) / seconds : null,
        });
        last = { at: now, block: minBlock, handled };
        if (minBlock >= options.targetBlock) return statuses;
      }
      if (Date.now() - started > options.timeoutMs) {
        throw new StackError('TIMEOUT', `subgraphs did not reach block ${options.targetBlock} within ${options.timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  return options.abort ? Promise.race([loop(), options.abort]) : loop();
}

/**
 * Total number of handler executions so far, from graph-node's Prometheus metrics (the
 * `deployment_handler_execution_time` histogram counts one sample per handler call).
 */
export async function handlerCount(metricsUrl: string): Promise<number | null> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    let total = 0;
    let seen = false;
    for (const line of text.split('\n')) {
      if (line.startsWith('deployment_handler_execution_time_count')) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
        seen = true;
      }
    }
    return seen ? total : null;
  } catch {
    return null;
  }
}
