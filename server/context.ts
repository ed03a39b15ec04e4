/**
 * Per-request state: one pinned block per subgraph, dataloaders keyed by (block, id) so a query that
 * asks for the same protocol, market or account twice costs one subgraph round trip, and a small
 * cross-request cache of computed protocol views keyed by block hash (a block's figures never change).
 */
import DataLoader from 'dataloader';
import { gatewayError } from './errors';
import { loadAccounts, loadMarketTable, loadProtocols, type MarketTable, type ProtocolInfo } from './sources/aave-v3';
import { loadRealizedBadDebts, type RealizedRow } from './sources/realized-bad-debt';
import { fetchIndexingState, pinBlock, type BlockHeaderSource, type BlockRef, type IndexingState } from './sources/blocks';
import { createSubgraphClient, type SubgraphClient } from './sources/subgraph-client';
import { aaveAccountView, aaveProtocolView } from './views/aave-v3';
import type { AccountView, ProtocolView } from './views/model';

export interface EndpointConfig {
  name: string;
  url: string;
}

export interface GatewayDeps {
  endpoints: EndpointConfig[];
  headers?: BlockHeaderSource;
  subgraphTimeoutMs: number;
  /** Largest `first` a list accepts. */
  maxFirst: number;
  viewCache: ViewCache;
}

/** A bounded map of computed protocol views (insertion-ordered eviction). */
export class ViewCache {
  private readonly entries = new Map<string, Promise<ProtocolView>>();
  constructor(private readonly capacity: number) {}
  get(key: string, compute: () => Promise<ProtocolView>): Promise<ProtocolView> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const value = compute();
    value.catch(() => this.entries.delete(key));
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

export interface Pinned {
  endpoint: string;
  client: SubgraphClient;
  block: BlockRef;
  indexing: IndexingState;
}

export interface ProtocolHandle {
  endpoint: string;
  protocolId: string;
}

export interface RequestContext {
  deps: GatewayDeps;
  /** Subgraph HTTP requests this request made (reported in the response's extensions). A holder
   * object, because Apollo may copy the context value shallowly. */
  stats: { subgraphRequests: number };
  pin(endpoint: string, block: number | null | undefined): Promise<Pinned>;
  /** Finds a protocol by id or slug among all endpoints (at their heads). */
  findProtocol(idOrSlug: string): Promise<ProtocolHandle>;
  protocolsAt(endpoint: string, block: number | null | undefined): Promise<{ pinned: Pinned; protocols: ProtocolInfo[] }>;
  marketTable(handle: ProtocolHandle, pinned: Pinned): Promise<MarketTable>;
  protocolView(handle: ProtocolHandle, pinned: Pinned): Promise<ProtocolView>;
  accountView(handle: ProtocolHandle, pinned: Pinned, address: string): Promise<AccountView>;
  /** Every realized bad-debt event of the protocol up to the pinned block, newest first. */
  realizedBadDebts(handle: ProtocolHandle, pinned: Pinned): Promise<RealizedRow[]>;
}

export function createRequestContext(deps: GatewayDeps): RequestContext {
  const ctx = { stats: { subgraphRequests: 0 } } as RequestContext;
  const clients = new Map(
    deps.endpoints.map((e) => [e.name, createSubgraphClient({ url: e.url, timeoutMs: deps.subgraphTimeoutMs, onRequest: () => ctx.stats.subgraphRequests++ })]),
  );
  const clientOf = (endpoint: string) => clients.get(endpoint)!;
  const indexing = new DataLoader<string, IndexingState>((names) => Promise.all(names.map((n) => fetchIndexingState(clientOf(n)))));
  const pins = new Map<string, Promise<Pinned>>();
  const pin = (endpoint: string, block: number | null | undefined) => {
    const key = `${endpoint}|${block ?? 'head'}`;
    let pinned = pins.get(key);
    if (!pinned) {
      pinned = (async () => {
        const state = await indexing.load(endpoint);
        return { endpoint, client: clientOf(endpoint), block: await pinBlock(state, block, deps.headers), indexing: state };
      })();
      pins.set(key, pinned);
    }
    return pinned;
  };

  const keyOf = (h: ProtocolHandle, p: Pinned) => `${h.endpoint}|${h.protocolId}|${p.block.number}`;
  const tables = new Map<string, Promise<MarketTable>>();
  const marketTable = (h: ProtocolHandle, p: Pinned) => {
    const key = keyOf(h, p);
    let table = tables.get(key);
    if (!table) {
      table = loadMarketTable(p.client, h.protocolId, p.block.number).then((t) => {
        if (!t) throw gatewayError('BLOCK_BEFORE_DEPLOYMENT', `protocol ${h.protocolId} did not exist yet at block ${p.block.number}`);
        return t;
      });
      tables.set(key, table);
    }
    return table;
  };
  const views = new Map<string, Promise<ProtocolView>>();
  const protocolView = (h: ProtocolHandle, p: Pinned) => {
    const key = keyOf(h, p);
    let view = views.get(key);
    if (!view) {
      const compute = async () => {
        const [table, accounts] = await Promise.all([marketTable(h, p), loadAccounts(p.client, h.protocolId, p.block.number)]);
        return aaveProtocolView(table, accounts, p.block, p.indexing);
      };
      // Only a block known by hash is immutable; a bare number could still be reorganised away.
      view = p.block.hash ? deps.viewCache.get(`${key}|${p.block.hash}`, compute) : compute();
      views.set(key, view);
    }
    return view;
  };
  // Batches every single-account request for one (protocol, block) into one positions query.
  const accountLoaders = new Map<string, DataLoader<string, AccountView>>();
  const accountView = (h: ProtocolHandle, p: Pinned, address: string) => {
    const key = keyOf(h, p);
    let loader = accountLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, AccountView>(async (addresses) => {
        const [table, states] = await Promise.all([marketTable(h, p), loadAccounts(p.client, h.protocolId, p.block.number, [...addresses])]);
        const byAddress = new Map(states.map((s) => [s.address, s]));
        return addresses.map((a) => aaveAccountView(table, byAddress.get(a)!, p.block, p.indexing));
      });
      accountLoaders.set(key, loader);
    }
    return loader.load(address);
  };

  const realized = new Map<string, Promise<RealizedRow[]>>();
  const realizedBadDebts = (h: ProtocolHandle, p: Pinned) => {
    const key = keyOf(h, p);
    let rows = realized.get(key);
    if (!rows) {
      rows = loadRealizedBadDebts(p.client, h.protocolId, p.block.number);
      realized.set(key, rows);
    }
    return rows;
  };

  const protocolLists = new Map<string, Promise<ProtocolInfo[]>>();
  const protocolsAt = async (endpoint: string, block: number | null | undefined) => {
    const pinned = await pin(endpoint, block);
    const key = `${endpoint}|${pinned.block.number}`;
    let list = protocolLists.get(key);
    if (!list) {
      list = loadProtocols(pinned.client, pinned.block.number);
      protocolLists.set(key, list);
    }
    return { pinned, protocols: await list };
  };
  const findProtocol = async (idOrSlug: string): Promise<ProtocolHandle> => {
    const wanted = idOrSlug.toLowerCase();
    const all = await Promise.all(deps.endpoints.map(async (e) => ({ endpoint: e.name, ...(await protocolsAt(e.name, null)) })));
    const candidates = all.flatMap(({ endpoint, protocols }) => protocols.map((p) => ({ endpoint, p, single: protocols.length === 1 })));
    // An id is exact; then an endpoint's configured name (when it serves one protocol); then the slug.
    const matches =
      [candidates.filter((c) => c.p.id.toLowerCase() === wanted), candidates.filter((c) => c.single && c.endpoint.toLowerCase() === wanted), candidates.filter((c) => c.p.slug.toLowerCase() === wanted)].find(
        (m) => m.length > 0,
      ) ?? [];
    if (matches.length === 1) return { endpoint: matches[0].endpoint, protocolId: matches[0].p.id };
    const known = candidates.map((c) => `${c.endpoint}: ${c.p.slug} (${c.p.id})`).join(', ') || 'none';
    if (matches.length > 1) throw gatewayError('BAD_USER_INPUT', `"${idOrSlug}" names several protocols; use an id or endpoint name: ${known}`);
    throw gatewayError('PROTOCOL_NOT_FOUND', `no indexed protocol "${idOrSlug}"; known: ${known}`);
  };

  return Object.assign(ctx, { deps, pin, findProtocol, protocolsAt, marketTable, protocolView, accountView, realizedBadDebts });
}
