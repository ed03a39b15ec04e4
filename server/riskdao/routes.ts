/**
 * The Risk DAO compatible files over HTTP, laid out as their repository is (so a bot only changes its
 * base URL): `GET /bad-debt/latest/` lists the files as GitHub's tree API does (`{tree: [{path}]}`,
 * what their frontend reads), `GET /bad-debt/latest/{chain}_{platform}.json` is the file at the
 * indexed head, and `/bad-debt/{D.M.YYYY}/...` the same at the last block of that UTC day (known once
 * the subgraph has indexed a later block). The block a file is at is in `x-block-number` and
 * `x-block-hash` (the format has no key for it).
 */
import { createRequestContext, type GatewayDeps, type RequestContext } from '../context';
import { errorCode, gatewayError } from '../errors';
import type { BlockHeaderSource } from '../sources/blocks';
import { parseDay, riskDaoFile, riskDaoFileName } from './format';

export interface FileAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

interface Listed {
  name: string;
  endpoint: string;
  protocolId: string;
  family: string;
}

/** The largest block at or below `head` whose timestamp is at most `at`; null when even block 0 is later. */
export async function lastBlockAtOrBefore(headers: BlockHeaderSource, head: number, at: number, signal?: AbortSignal): Promise<number | null> {
  const ts = async (n: number) => {
    const h = await headers.header(n, head, signal);
    if (!h) throw gatewayError('BLOCK_TIMESTAMP_UNAVAILABLE', `no header for block ${n}`);
    return h.timestamp;
  };
  if ((await ts(0)) > at) return null;
  let [lo, hi] = [0, head];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await ts(mid)) <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): FileAnswer => ({ status, body: JSON.stringify(value), headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
const refusal = (status: number, code: string, message: string) => json(status, { errors: [{ message, extensions: { code } }] });

/** Files of every served protocol at `block` per endpoint (null: the head); endpoints that fail or predate the block list nothing. */
async function listAt(ctx: RequestContext, blockOf: (endpoint: string) => Promise<number | null | undefined>): Promise<{ files: Listed[]; warnings: string[] }> {
  const files: Listed[] = [];
  const warnings: string[] = [];
  for (const e of ctx.deps.endpoints) {
    try {
      const block = await blockOf(e.name);
      if (block === undefined) continue;
      const { protocols } = await ctx.protocolsAt(e.name, block);
      const served = protocols.filter((p) => ctx.deps.adapters.some((a) => a.families.includes(p.family)));
      for (const p of served) files.push({ name: riskDaoFileName(p.network, served.length === 1 ? e.name : p.slug), endpoint: e.name, protocolId: p.id, family: p.family });
    } catch (err) {
      if (errorCode(err) !== 'BLOCK_BEFORE_DEPLOYMENT') warnings.push(`endpoint ${e.name}: ${errorCode(err) ?? 'INTERNAL_SERVER_ERROR'}`);
    }
  }
  return { files, warnings };
}

export function riskDaoRoutes(deps: GatewayDeps) {
  return async (pathname: string, signal: AbortSignal): Promise<FileAnswer | null> => {
    const m = /^\/bad-debt\/([^/]+)\/?([^/]*)$/.exec(pathname);
    if (!m) return null;
    const [, folder, file] = m;
    const ctx = createRequestContext(deps, { signal });
    let blockOf: (endpoint: string) => Promise<number | null | undefined>;
    if (folder === 'latest') blockOf = async () => null;
    else {
      const day = parseDay(folder);
      if (!day) return refusal(404, 'NOT_FOUND', `no folder "${folder}": use latest or a day as D.M.YYYY`);
      if (!deps.headers) return refusal(400, 'CHAIN_REQUIRED', 'dated files need block timestamps: configure the gateway with an RPC');
      blockOf = async (endpoint) => {
        const head = (await ctx.pin(endpoint, null)).block;
        // The day's last block is known once a later one is indexed.
        if (head.timestamp <= day[1]) return undefined;
        return (await lastBlockAtOrBefore(deps.headers!, head.number, day[1], signal)) ?? undefined;
      };
    }
    try {
      const blocks = new Map<string, Promise<number | null | undefined>>();
      const cachedBlockOf = (endpoint: string) => blocks.get(endpoint) ?? (blocks.set(endpoint, blockOf(endpoint)), blocks.get(endpoint)!);
      const { files, warnings } = await listAt(ctx, cachedBlockOf);
      const extra: Record<string, string> = warnings.length ? { 'x-warnings': warnings.join('; ') } : {};
      if (!file) return json(200, { tree: files.map((f) => ({ path: f.name, type: 'blob' })) }, { 'cache-control': 'no-store', ...extra });
      const hit = files.find((f) => f.name === file);
      if (!hit) return refusal(404, 'NOT_FOUND', `no file ${file} in ${folder}: list /bad-debt/${folder}/ for the names${warnings.length ? ` (${warnings.join('; ')})` : ''}`);
      const pinned = await ctx.pin(hit.endpoint, await cachedBlockOf(hit.endpoint));
      const view = await ctx.protocolView({ endpoint: hit.endpoint, protocolId: hit.protocolId, family: hit.family }, pinned);
      return json(200, riskDaoFile(view), { 'cache-control': 'no-store', 'x-block-number': String(view.block.number), ...(view.block.hash ? { 'x-block-hash': view.block.hash } : {}) });
    } catch (err) {
      const code = errorCode(err);
      if (!code) throw err;
      return refusal(/UNAVAILABLE|TIMEOUT/.test(code) ? 503 : 400, code, (err as Error).message);
    }
  };
}
