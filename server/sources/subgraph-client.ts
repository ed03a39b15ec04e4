/**
 * A client for a subgraph's GraphQL endpoint in graph-node's dialect. It only speaks HTTP, so the same
 * code reads the local stack, a production graph-node or a hosted subgraph.
 */

export type SubgraphErrorCode =
  | 'SUBGRAPH_UNAVAILABLE' // network error, HTTP 5xx, or graph-node's store down or overloaded: retry later
  | 'SUBGRAPH_TIMEOUT' // no answer in time, or graph-node's own query timeout: retry later
  | 'SUBGRAPH_QUERY_FAILED' // graph-node rejected the query (bad field, bad argument): fix the request
  | 'BLOCK_BEFORE_DEPLOYMENT' // the block is before the subgraph's first indexed block
  | 'REQUEST_TIMEOUT'; // the gateway request this read serves passed its deadline (or its caller left)

/**
 * graph-node's errors that say "try again", not "fix the query", by their Display text
 * (graph-node graph/src/data/query/error.rs, QueryExecutionError and StoreError): its database is
 * down or its pool exhausted, it sheds load, it timed out, or a reorg reverted the deployment while
 * the query ran. Seen on the devnet stack: kill -9 of Postgres gives HTTP 200 with
 * `Store error: database unavailable` until Postgres is back.
 */
const RETRYABLE: { pattern: RegExp; code: SubgraphErrorCode; says: string }[] = [
  { pattern: /database unavailable|timed out waiting for (a )?connection|connection (pool|refused)/i, code: 'SUBGRAPH_UNAVAILABLE', says: 'its database is unavailable' },
  { pattern: /service is overloaded/i, code: 'SUBGRAPH_UNAVAILABLE', says: 'it is overloaded' },
  { pattern: /the chain was reorganized while executing the query/i, code: 'SUBGRAPH_UNAVAILABLE', says: 'a reorg reverted it while the query ran' },
  { pattern: /^Query timed out$|statement timeout/i, code: 'SUBGRAPH_TIMEOUT', says: 'its query timed out' },
];

/** A retryable code for a graph-node error message, or null when the message means the query itself is wrong. */
export function retryableCode(message: string): { code: SubgraphErrorCode; says: string } | null {
  return RETRYABLE.find((r) => r.pattern.test(message)) ?? null;
}

export class SubgraphError extends Error {
  constructor(
    readonly code: SubgraphErrorCode,
    message: string,
    /** The endpoint's configured name: never its URL, which on The Graph's network carries an API key. */
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'SubgraphError';
  }
}

export interface SubgraphClientOptions {
  url: string;
  /** The name errors and results show for this endpoint (default "subgraph"); the URL is never shown. */
  name?: string;
  timeoutMs?: number;
  /** Aborts every read of this client (the request's deadline, or its caller hung up). */
  signal?: AbortSignal;
  /** Called once per HTTP request (benchmarks count subgraph round trips with it). */
  onRequest?: () => void;
  /** Requests in flight at once (parallel page reads); graph-node queues the rest anyway. */
  maxConcurrent?: number;
  /**
   * The hash of a block number, where known: reads at that block are then pinned by hash. graph-node
   * resolves `block: { number }` through its query cache, which after a reorg can answer the orphaned
   * block's result (seen on gnd 0.45: a position closed on the abandoned branch read as closed);
   * `block: { hash }` names exactly one block.
   */
  hashOf?: (block: number) => string | null | undefined;
  /**
   * graph-node knows a block by hash only if it stored it (blocks it fetched for triggers, recent
   * heads): for another block the read is repeated by number, and the hash reported here so later
   * reads skip the attempt.
   */
  onUnknownHash?: (hash: string) => void;
}

/** A slice of a collection's id space: `gte <= id < lt` (hex Bytes ids compare bytewise). */
export interface IdRange {
  gte?: string;
  lt?: string;
}

export interface QueryAllArgs {
  collection: string;
  fields: string;
  where?: Record<string, unknown>;
  block?: number;
  pageSize?: number;
  /** Continue after this id (the last one of a page already read, ordered by id). */
  after?: string;
  /** Read these id ranges side by side, each paged to its end (ordered, disjoint: the result stays ordered by id). */
  ranges?: IdRange[];
}

export interface SubgraphClient {
  readonly url: string;
  /** The configured endpoint name, what callers are shown. */
  readonly name: string;
  query<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The `block:` argument that pins a read at `block` (by hash where known, see SubgraphClientOptions.hashOf). */
  blockArg(block: number): string;
  /**
   * Every entity of a collection matching `where` at `block`, paged by id (graph-node caps `first` at
   * 1000, and `skip` grows slow on large tables; paging by `id_gt` stays fast).
   */
  queryAll<T extends { id: string }>(args: QueryAllArgs): Promise<T[]>;
}

/**
 * `parts` disjoint ranges covering every id that starts with `prefix` (hex, 0x...), split on the next
 * byte. Ids that continue with a hash or an address (Position = market ++ account) spread evenly over
 * them, so each range holds about 1/parts of the rows. `parts` is rounded to a power of two <= 256.
 */
export function idRanges(prefix: string, parts: number): IdRange[] {
  const n = 2 ** Math.min(8, Math.max(0, Math.ceil(Math.log2(Math.max(1, parts)))));
  const step = 256 / n;
  const at = (byte: number) => `${prefix}${byte.toString(16).padStart(2, '0')}`;
  return Array.from({ length: n }, (_, k) => ({ ...(k > 0 ? { gte: at(k * step) } : {}), ...(k < n - 1 ? { lt: at((k + 1) * step) } : {}) }));
}

/** graph-node's largest `first`. */
export const PAGE_SIZE = 1000;

/**
 * A list read inside a larger query (`first: 1000, orderBy: id`), completed to its end: a full page
 * means there may be more, which are read after its last id. Never truncates silently.
 */
export async function completeList<T extends { id: string }>(
  client: SubgraphClient,
  firstPage: T[],
  rest: { collection: string; fields: string; where: Record<string, unknown>; block: number },
): Promise<T[]> {
  if (firstPage.length < PAGE_SIZE) return firstPage;
  return [...firstPage, ...(await client.queryAll<T>({ ...rest, after: firstPage[firstPage.length - 1].id }))];
}

/** Runs at most `max` tasks at once, in arrival order. */
function limiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export function createSubgraphClient(options: SubgraphClientOptions): SubgraphClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const name = options.name ?? 'subgraph';
  const cancelled = () => new SubgraphError('REQUEST_TIMEOUT', 'the request was cancelled before the subgraph answered', name);
  const limit = limiter(options.maxConcurrent ?? 6);
  // Pinned hashes this client wrote into queries, to repeat a read by number (see onUnknownHash).
  const pinnedNumbers = new Map<string, number>();
  const query = async <T>(text: string, variables?: Record<string, unknown>): Promise<T> => {
    try {
      return await limit(() => send<T>(text, variables));
    } catch (err) {
      const pinned = [...pinnedNumbers].filter(([hash]) => text.includes(hash));
      if (!(err instanceof SubgraphError) || !/no block with that hash found/.test(err.message) || pinned.length === 0) throw err;
      let byNumber = text;
      for (const [hash, number] of pinned) {
        byNumber = byNumber.split(`block: { hash: ${JSON.stringify(hash)} }`).join(`block: { number: ${number} }`);
        options.onUnknownHash?.(hash);
      }
      return query<T>(byNumber, variables);
    }
  };
  const send = async <T>(text: string, variables?: Record<string, unknown>): Promise<T> => {
    // A read queued behind the concurrency limit is not sent once its request is gone.
    if (options.signal?.aborted) throw cancelled();
    options.onRequest?.();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    let body: { data?: T; errors?: { message: string }[] };
    try {
      res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: text, variables }),
        signal,
      });
      if (res.status >= 500) throw new SubgraphError('SUBGRAPH_UNAVAILABLE', `subgraph ${name} answered HTTP ${res.status}`, name);
      body = (await res.json().catch((err: unknown) => {
        if (signal.aborted) throw err;
        return {};
      })) as typeof body;
    } catch (err) {
      if (err instanceof SubgraphError) throw err;
      if (options.signal?.aborted) throw cancelled();
      const timedOut = timeout.aborted;
      // undici's message names the cause ("fetch failed"); its `cause` may carry the address, which is not shown.
      throw new SubgraphError(
        timedOut ? 'SUBGRAPH_TIMEOUT' : 'SUBGRAPH_UNAVAILABLE',
        timedOut ? `subgraph ${name} did not answer within ${timeoutMs} ms` : `subgraph ${name} unreachable: ${(err as Error).message}`,
        name,
      );
    }
    if (body.errors?.length || !body.data) {
      const message = body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status} without data`;
      // graph-node: "... only has data starting at block number N and data for block number M is
      // therefore not available" (time travel before the deployment's start block)
      const start = /only has data starting at block number (\d+)/.exec(message);
      if (start) throw new SubgraphError('BLOCK_BEFORE_DEPLOYMENT', `the subgraph has data from block ${start[1]} on`, name);
      const retry = retryableCode(message);
      if (retry) throw new SubgraphError(retry.code, `subgraph ${name} cannot answer now (${retry.says}; retry later): ${message}`, name);
      throw new SubgraphError('SUBGRAPH_QUERY_FAILED', message, name);
    }
    return body.data;
  };

  const blockArg = (block: number) => {
    const hash = options.hashOf?.(block);
    if (!hash) return `block: { number: ${block} }`;
    pinnedNumbers.set(hash, block);
    return `block: { hash: ${JSON.stringify(hash)} }`;
  };
  const queryAll = async <T extends { id: string }>(args: QueryAllArgs): Promise<T[]> => {
    if (args.ranges) {
      const { ranges, ...rest } = args;
      const slices = await Promise.all(
        ranges.map((r) => queryAll<T>({ ...rest, where: { ...(rest.where ?? {}), ...(r.gte ? { id_gte: r.gte } : {}), ...(r.lt ? { id_lt: r.lt } : {}) } })),
      );
      return slices.flat();
    }
    const pageSize = args.pageSize ?? PAGE_SIZE;
    const out: T[] = [];
    let lastId = args.after ?? '';
    for (;;) {
      const where = { ...(args.where ?? {}), ...(lastId ? { id_gt: lastId } : {}) };
      const at = args.block === undefined ? '' : `, ${blockArg(args.block)}`;
      const data = await query<Record<string, T[]>>(
        `{ page: ${args.collection}(first: ${pageSize}, orderBy: id, orderDirection: asc, where: ${graphqlLiteral(where)}${at}) { id ${args.fields} } }`,
      );
      out.push(...data.page);
      if (data.page.length < pageSize) return out;
      lastId = data.page[data.page.length - 1].id;
    }
  };

  return { url: options.url, name, query, queryAll, blockArg };
}

/**
 * A filter object as a GraphQL input literal. Inlined rather than passed as a variable, because a
 * variable needs the filter's type name, which graph-node derives irregularly from the entity name
 * (EModeCategory -> emodeCategories / EModeCategory_filter).
 */
export function graphqlLiteral(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(graphqlLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => {
        if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(k)) throw new TypeError(`"${k}" is not a GraphQL field name`);
        return `${k}: ${graphqlLiteral(v)}`;
      })
      .join(', ')} }`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  throw new TypeError(`cannot write ${typeof value} as a GraphQL literal`);
}

/**
 * A family entity a subgraph row links (Market.aaveReserve, Market.morphoState, ...). Its subgraph
 * writes the link with the row, so a missing one means the endpoint serves another schema: a
 * query-level error, not zeros.
 */
export function linked<T>(value: T | null | undefined, what: string, endpoint: string): T {
  if (value === null || value === undefined) throw new SubgraphError('SUBGRAPH_QUERY_FAILED', `${what} is missing: the subgraph does not follow this gateway's schema`, endpoint);
  return value;
}
