/**
 * A client for a subgraph's GraphQL endpoint in graph-node's dialect. It only speaks HTTP, so the same
 * code reads the local stack, a production graph-node or a hosted subgraph.
 */

export type SubgraphErrorCode =
  | 'SUBGRAPH_UNAVAILABLE' // network error or HTTP 5xx: retry later or check the endpoint
  | 'SUBGRAPH_TIMEOUT' // no answer in time: retry later
  | 'SUBGRAPH_QUERY_FAILED' // graph-node rejected the query (bad field, bad argument): fix the request
  | 'BLOCK_BEFORE_DEPLOYMENT'; // the block is before the subgraph's first indexed block

export class SubgraphError extends Error {
  constructor(
    readonly code: SubgraphErrorCode,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'SubgraphError';
  }
}

export interface SubgraphClientOptions {
  url: string;
  timeoutMs?: number;
  /** Called once per HTTP request (benchmarks count subgraph round trips with it). */
  onRequest?: () => void;
}

export interface SubgraphClient {
  readonly url: string;
  query<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * Every entity of a collection matching `where` at `block`, paged by id (graph-node caps `first` at
   * 1000, and `skip` grows slow on large tables; paging by `id_gt` stays fast).
   */
  queryAll<T extends { id: string }>(args: {
    collection: string;
    fields: string;
    where?: Record<string, unknown>;
    block?: number;
    pageSize?: number;
    after?: string;
  }): Promise<T[]>;
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

export function createSubgraphClient(options: SubgraphClientOptions): SubgraphClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const query = async <T>(text: string, variables?: Record<string, unknown>): Promise<T> => {
    options.onRequest?.();
    let res: Response;
    try {
      res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: text, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new SubgraphError(
        timedOut ? 'SUBGRAPH_TIMEOUT' : 'SUBGRAPH_UNAVAILABLE',
        timedOut ? `subgraph did not answer within ${timeoutMs} ms` : `subgraph unreachable: ${(err as Error).message}`,
        options.url,
      );
    }
    if (res.status >= 500) throw new SubgraphError('SUBGRAPH_UNAVAILABLE', `subgraph answered HTTP ${res.status}`, options.url);
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) {
      const message = body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status} without data`;
      // graph-node: "... only has data starting at block number N and data for block number M is
      // therefore not available" (time travel before the deployment's start block)
      const start = /only has data starting at block number (\d+)/.exec(message);
      if (start) throw new SubgraphError('BLOCK_BEFORE_DEPLOYMENT', `the subgraph has data from block ${start[1]} on`, options.url);
      throw new SubgraphError('SUBGRAPH_QUERY_FAILED', message, options.url);
    }
    return body.data;
  };

  const queryAll = async <T extends { id: string }>(args: {
    collection: string;
    fields: string;
    where?: Record<string, unknown>;
    block?: number;
    pageSize?: number;
    /** Continue after this id (the last one of a page already read, ordered by id). */
    after?: string;
  }): Promise<T[]> => {
    const pageSize = args.pageSize ?? 1000;
    const out: T[] = [];
    let lastId = args.after ?? '';
    for (;;) {
      const where = { ...(args.where ?? {}), ...(lastId ? { id_gt: lastId } : {}) };
      const blockArg = args.block === undefined ? '' : `, block: { number: ${args.block} }`;
      const data = await query<Record<string, T[]>>(
        `{ page: ${args.collection}(first: ${pageSize}, orderBy: id, orderDirection: asc, where: ${graphqlLiteral(where)}${blockArg}) { id ${args.fields} } }`,
      );
      out.push(...data.page);
      if (data.page.length < pageSize) return out;
      lastId = data.page[data.page.length - 1].id;
    }
  };

  return { url: options.url, query, queryAll };
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
