/** Small HTTP helpers for the replay benchmark: ask the gateway, read graph-node's head. */

export const PROTOCOL_WIDE_QUERY = '{ protocols { latentBadDebtUSD solvencyRatio insolventAccounts markets { totalBorrowedUSD } } }';
export const STATUS_QUERY = '{ gatewayStatus { rssBytes heapUsedBytes followedPositions followedViews { protocol block { number } accounts positions updates reorgs } } }';

export interface GatewayAnswer {
  data: unknown;
  subgraphRequests: number;
  warnings: string[];
  ms: number;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(300_000) });
  return { status: res.status, json: await res.json() };
}

/** One gateway query, timed end to end; GraphQL errors throw. */
export async function askGateway(url: string, query: string): Promise<GatewayAnswer> {
  const t = performance.now();
  const { json } = await postJson(url, { query });
  const ms = performance.now() - t;
  if (json.errors) throw new Error(`gateway query failed: ${JSON.stringify(json.errors)}`);
  return { data: json.data, subgraphRequests: json.extensions?.subgraphRequests ?? -1, warnings: json.extensions?.warnings ?? [], ms };
}

/** graph-node's indexed head block number for a subgraph endpoint. */
export async function indexedHead(subgraphUrl: string): Promise<number> {
  const { json } = await postJson(subgraphUrl, { query: '{ _meta { block { number } } }' });
  if (!json.data) throw new Error(`_meta failed on ${subgraphUrl}: ${JSON.stringify(json.errors)}`);
  return json.data._meta.block.number as number;
}

export async function waitIndexed(subgraphUrl: string, block: number, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await indexedHead(subgraphUrl)) < block) {
    if (Date.now() > until) throw new Error(`${subgraphUrl} did not index block ${block} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
