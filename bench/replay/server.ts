/**
 * The replay server: graph-node's GraphQL endpoint for the queries the gateway makes, answered from
 * a ReplayStore. Any POST path is the subgraph's endpoint; `POST /_replay/head {"block": N}` moves
 * the indexed head (what `_meta` answers and queries without `block:` read), `GET /_replay/stats`
 * counts requests and refusals. A query the replay does not implement is answered HTTP 400 with an
 * error naming the shape, and counted: a benchmark checks the count is 0.
 */
import http from 'node:http';
import { UnsupportedQuery } from './dialect';
import { execute, GraphNodeError } from './execute';
import type { ReplayStore } from './store';

export interface ReplayStats {
  requests: number;
  unsupported: number;
  /** graph-node-style errors (a block not indexed yet, ...). */
  errors: number;
  /** Time spent answering, ms: wall clock, and CPU (what the machine's load does not inflate). */
  busyMs: number;
  cpuMs: number;
  lastUnsupported: string | null;
}

export interface ReplayServer {
  url: string;
  stats: ReplayStats;
  stop(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** One request's answer: [HTTP status, JSON body text]. */
export function answer(store: ReplayStore, stats: ReplayStats, body: string): [number, string] {
  stats.requests++;
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const { query, variables } = JSON.parse(body) as { query?: unknown; variables?: Record<string, unknown> };
    if (typeof query !== 'string') throw new UnsupportedQuery('a request without a query string');
    return [200, `{"data":${execute(store, query, variables ?? undefined)}}`];
  } catch (err) {
    if (err instanceof GraphNodeError) {
      stats.errors++;
      return [200, JSON.stringify({ errors: [{ message: err.message }] })];
    }
    stats.unsupported++;
    const message = err instanceof UnsupportedQuery ? err.message : `replay: ${(err as Error).message}`;
    stats.lastUnsupported = `${message} in ${body.slice(0, 300)}`;
    return [400, JSON.stringify({ errors: [{ message }] })];
  } finally {
    stats.busyMs += performance.now() - started;
    const used = process.cpuUsage(cpu);
    stats.cpuMs += (used.user + used.system) / 1000;
  }
}

export async function startReplayServer(store: ReplayStore, options: { port?: number; host?: string; log?: (line: string) => void } = {}): Promise<ReplayServer> {
  const stats: ReplayStats = { requests: 0, unsupported: 0, errors: 0, busyMs: 0, cpuMs: 0, lastUnsupported: null };
  const host = options.host ?? '127.0.0.1';
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (req.url === '/_replay/stats') return send(res, 200, { ...stats, head: store.head, blocks: store.blocks(), summary: store.summary });
      if (req.url === '/_replay/head') {
        store.setHead((JSON.parse(body) as { block: number }).block);
        return send(res, 200, { head: store.head });
      }
      if (req.method !== 'POST') return send(res, 405, { errors: [{ message: 'POST a GraphQL query' }] });
      const [status, out] = answer(store, stats, body);
      if (status !== 200) options.log?.(stats.lastUnsupported ?? '');
      send(res, status, out);
    } catch (err) {
      send(res, 500, { errors: [{ message: (err as Error).message }] });
    }
  });
  // The gateway keeps connections alive; a stop must not wait for them.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}/subgraphs/name/replay`,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
