/**
 * Per-request state: one pinned block per subgraph, dataloaders keyed by (block, id) so a query that
 * asks for the same protocol, market or account twice costs one subgraph round trip, and a small
 * cross-request cache of computed protocol views keyed by block hash (a block's figures never change).
 */
import DataLoader from 'dataloader';
import { errorCode, gatewayError } from './errors';
import { loadProtocols, type ProtocolInfo } from './sources/protocols';
import type { LiquidationRow } from './sources/liquidations';
import type { AdapterInput, ChainReader, ProtocolAdapter, SocializedLossRow, UsdPrices } from './views/adapter';
import type { RealizedRow } from './sources/realized-bad-debt';
import { pinBlock, verifiedIndexingState, type BlockHeaderSource, type BlockRef, type IndexingState } from './sources/blocks';
import { createSubgraphClient, SubgraphError, type SubgraphClient } from './sources/subgraph-client';
import type { AccountView, ProtocolRef, ProtocolView } from './views/model';
import type { ViewService } from './view-service';
import type { AlertHub } from './alerts/hub';

export interface EndpointConfig {
  name: string;
  url: string;
}

export interface GatewayDeps {
  endpoints: EndpointConfig[];
  headers?: BlockHeaderSource;
  /** eth_call at a block, when an RPC is configured; `withSignal` gives a reader whose calls a request can cancel. */
  chain?: ChainReader & { withSignal?(signal: AbortSignal): ChainReader };
  /** Protocol families the gateway can compute. */
  adapters: ProtocolAdapter[];
  subgraphTimeoutMs: number;
  /** Largest `first` a list accepts. */
  maxFirst: number;
  viewCache: ViewCache;
  /** Chain reads at blocks known by hash (oracle prices), kept across requests. */
  readCache: BoundedCache<unknown>;
  /** Block hashes graph-node does not know (it stores only blocks it fetched): read by number. */
  unpinnable: BoundedSet;
  /** Follows each protocol's head view from block to block (absent: every view is computed from scratch). */
  views?: ViewService;
  /** The latest indexed head of each endpoint, as the follow loop last read it (absent: every request reads `_meta`). */
  heads?: HeadCache;
  /** Per-block views and lag readings of the follow loop, pushed to subscriptions, webhooks and /metrics. */
  hub?: AlertHub;
}

/**
 * Each endpoint's indexed head as last read, for requests at the head while the follow loop runs: such
 * a request then costs no subgraph round trip at all (its view is already computed). A head older than
 * `maxAgeMs` (two follow intervals, a few seconds) is read again.
 */
export class HeadCache {
  private readonly heads = new Map<string, { state: IndexingState; at: number }>();
  constructor(
    readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}
  record(endpoint: string, state: IndexingState): void {
    this.heads.set(endpoint, { state, at: this.now() });
  }
  fresh(endpoint: string): IndexingState | undefined {
    const entry = this.heads.get(endpoint);
    return entry && this.now() - entry.at <= this.maxAgeMs ? entry.state : undefined;
  }
}

/**
 * A computation started by one request and joined by others runs under the first one's deadline.
 * When that deadline cancels it, a joiner whose own request is still alive starts it again (the
 * failed entry is gone by then) instead of failing with a deadline that was not its own.
 */
function joined<T>(shared: Promise<T>, again: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  return shared.catch((err: unknown) => {
    if (errorCode(err) !== 'REQUEST_TIMEOUT' || signal.aborted) throw err;
    return again();
  });
}

/** A bounded map of computed values (insertion-ordered eviction); a failed computation is not kept. */
export class BoundedCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly capacity: number) {}
  /** `signal`: the caller's own request (see joined). */
  get(key: string, compute: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) return joined(hit, () => this.get(key, compute, signal), signal);
    const value = compute();
    value.catch(() => this.entries.delete(key));
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

/** A bounded set (insertion-ordered eviction). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(item: string): boolean {
    return this.items.has(item);
  }
  add(item: string): void {
    this.items.add(item);
    while (this.items.size > this.capacity) this.items.delete(this.items.values().next().value as string);
  }
}

/**
 * Computed protocol views keyed by block hash, bounded by count and by the accounts they hold: at
 * 10^5 accounts a view is ~90 MB, so 16 of them would hold gigabytes (the followed head view is kept
 * by the view service anyway).
 */
export class ViewCache {
  private readonly entries = new Map<string, { view: Promise<ProtocolView>; accounts: number }>();
  private accounts = 0;
  constructor(
    private readonly capacity: number,
    private readonly maxAccounts = 250_000,
  ) {}
  /** `signal`: the caller's own request (see joined). */
  get(key: string, compute: () => Promise<ProtocolView>, signal?: AbortSignal): Promise<ProtocolView> {
    const hit = this.entries.get(key);
    if (hit) return joined(hit.view, () => this.get(key, compute, signal), signal);
    const entry = { view: compute(), accounts: 0 };
    this.entries.set(key, entry);
    entry.view.then(
      (v) => {
        if (this.entries.get(key) !== entry) return;
        entry.accounts = v.accountCount;
        this.accounts += entry.accounts;
        this.evict(key);
      },
      () => this.remove(key, entry),
    );
    this.evict(key);
    return entry.view;
  }
  private remove(key: string, entry: { accounts: number }) {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.accounts -= entry.accounts;
  }
  /** Oldest first, never the entry just added. */
  private evict(keep: string) {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity && this.accounts <= this.maxAccounts) return;
      if (key !== keep) this.remove(key, entry);
    }
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
  family: string;
}

export interface RequestContext {
  deps: GatewayDeps;
  /** Aborted when the request's deadline passes or its caller hangs up: its subgraph and RPC reads stop. */
  signal?: AbortSignal;
  /** Subgraph HTTP requests this request made (reported in the response's extensions). A holder
   * object, because Apollo may copy the context value shallowly. */
  stats: { subgraphRequests: number; warnings: string[] };
  pin(endpoint: string, block: number | null | undefined): Promise<Pinned>;
  /** Finds a protocol by id or slug among all endpoints (at their heads). */
  findProtocol(idOrSlug: string): Promise<ProtocolHandle>;
  protocolsAt(endpoint: string, block: number | null | undefined): Promise<{ pinned: Pinned; protocols: ProtocolInfo[] }>;
  protocolRef(handle: ProtocolHandle, pinned: Pinned): Promise<ProtocolRef>;
  protocolView(handle: ProtocolHandle, pinned: Pinned): Promise<ProtocolView>;
  accountView(handle: ProtocolHandle, pinned: Pinned, address: string): Promise<AccountView>;
  /** Every realized bad-debt event of the protocol up to the pinned block, newest first. */
  realizedBadDebts(handle: ProtocolHandle, pinned: Pinned): Promise<RealizedRow[]>;
  liquidations(handle: ProtocolHandle, pinned: Pinned, fromBlock: number): Promise<LiquidationRow[]>;
  /** Losses socialized to suppliers up to the pinned block, newest first (none for families that do not socialize). */
  socializedLosses(handle: ProtocolHandle, pinned: Pinned): Promise<SocializedLossRow[]>;
  /** An adapter's input for a protocol at any block (another protocol's prices at an event's block). */
  inputAt(handle: ProtocolHandle, client: SubgraphClient, block: BlockRef, indexing: IndexingState): AdapterInput;
}

/** The adapter computing a family's figures; a family without one is refused, never guessed. */
export function adapterFor(deps: GatewayDeps, family: string): ProtocolAdapter {
  const adapter = deps.adapters.find((a) => a.families.includes(family));
  if (!adapter) throw gatewayError('PROTOCOL_NOT_SUPPORTED', `the gateway computes no metrics for protocol family ${family}`);
  return adapter;
}

/**
 * `readHeads`: read every endpoint's head afresh (the follow loop does), never from deps.heads.
 * `signal`: aborted when the request's deadline passes or its caller hangs up: its subgraph and RPC reads stop.
 */
export function createRequestContext(deps: GatewayDeps, options: { readHeads?: boolean; signal?: AbortSignal } = {}): RequestContext {
  const signal = options.signal;
  const ctx = { stats: { subgraphRequests: 0, warnings: [] }, signal } as unknown as RequestContext;
  const chain = signal && deps.chain?.withSignal ? deps.chain.withSignal(signal) : deps.chain;
  // Blocks this request pinned, by number, per endpoint: its reads name them by hash (see hashOf).
  const hashes = new Map(deps.endpoints.map((e) => [e.name, new Map<number, string>()]));
  const known = (endpoint: string, block: BlockRef) => {
    if (block.hash) hashes.get(endpoint)?.set(block.number, block.hash);
    return block;
  };
  const clients = new Map(
    deps.endpoints.map((e) => [
      e.name,
      createSubgraphClient({
        url: e.url,
        name: e.name,
        signal,
        timeoutMs: deps.subgraphTimeoutMs,
        onRequest: () => ctx.stats.subgraphRequests++,
        hashOf: (n) => {
          const hash = hashes.get(e.name)!.get(n);
          return hash && !deps.unpinnable.has(hash) ? hash : undefined;
        },
        onUnknownHash: (hash) => deps.unpinnable.add(hash),
      }),
    ]),
  );
  const clientOf = (endpoint: string) => clients.get(endpoint)!;
  // Each endpoint's failure is its own (DataLoader rejects only the keys whose entry is an Error):
  // one endpoint down must not fail the others' protocols.
  const readHead = async (n: string) => {
    const known = options.readHeads ? undefined : deps.heads?.fresh(n);
    if (known) return known;
    const state = await verifiedIndexingState(clientOf(n), deps.headers);
    deps.heads?.record(n, state);
    return state;
  };
  const indexing = new DataLoader<string, IndexingState>((names) => Promise.all(names.map((n) => readHead(n).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))));
  const pins = new Map<string, Promise<Pinned>>();
  const pin = (endpoint: string, block: number | null | undefined) => {
    const key = `${endpoint}|${block ?? 'head'}`;
    let pinned = pins.get(key);
    if (!pinned) {
      pinned = (async () => {
        const state = await indexing.load(endpoint);
        return { endpoint, client: clientOf(endpoint), block: known(endpoint, await pinBlock(state, block, deps.headers, signal)), indexing: state };
      })();
      pins.set(key, pinned);
    }
    return pinned;
  };

  const usdPrices = new Map<string, Promise<UsdPrices>>();
  const reads = new Map<string, Promise<unknown>>();
  const keyOf = (h: ProtocolHandle, p: Pinned) => `${h.endpoint}|${h.protocolId}|${p.block.number}`;
  const inputAt = (h: ProtocolHandle, client: SubgraphClient, block: BlockRef, indexing: IndexingState): AdapterInput => ({
    client,
    protocolId: h.protocolId,
    block: known(h.endpoint, block),
    indexing,
    chain,
    usdPrices: (tokens, at) => memo(usdPrices, `${h.protocolId}|${at}|${[...tokens].sort().join(',')}`, () => usdPricesFromOtherProtocols(ctx, h, tokens, at)),
    cached: <T>(key: string, compute: () => Promise<T>) => {
      const full = `${h.endpoint}|${key}|${block.number}|${block.hash ?? ''}`;
      // Only a block known by hash is immutable; a bare number could still be reorganised away.
      return memo(reads, full, () => (block.hash ? deps.readCache.get(full, compute, signal) : compute())) as Promise<T>;
    },
  });
  const input = (h: ProtocolHandle, p: Pinned): AdapterInput => inputAt(h, p.client, p.block, p.indexing);
  /** A view's caveats reach the response's extensions.warnings once each. */
  const noteWarnings = <V extends { warnings: string[] }>(v: V): V => {
    for (const w of v.warnings) if (!ctx.stats.warnings.includes(w)) ctx.stats.warnings.push(w);
    return v;
  };
  const beforeDeployment = (h: ProtocolHandle, p: Pinned) =>
    gatewayError('BLOCK_BEFORE_DEPLOYMENT', `protocol ${h.protocolId} did not exist yet at block ${p.block.number}`);
  /** One promise per key and request: a field asked twice costs one computation. */
  const memo = <T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>) => {
    let value = map.get(key);
    if (!value) {
      value = make();
      map.set(key, value);
    }
    return value;
  };

  const refs = new Map<string, Promise<ProtocolRef>>();
  const protocolRef = (h: ProtocolHandle, p: Pinned) =>
    memo(refs, keyOf(h, p), async () => (await adapterFor(deps, h.family).protocolRef(input(h, p))) ?? Promise.reject(beforeDeployment(h, p)));
  const views = new Map<string, Promise<ProtocolView>>();
  const protocolView = (h: ProtocolHandle, p: Pinned) =>
    memo(views, keyOf(h, p), () => {
      const compute = async () => {
        const adapter = adapterFor(deps, h.family);
        // A block at or after the followed one is moved forward from it; an older one is computed from scratch.
        const followed = adapter.follow && deps.views ? await deps.views.viewAt(h, adapter.follow, input(h, p)) : null;
        return followed ?? (await adapter.protocolView(input(h, p))) ?? Promise.reject(beforeDeployment(h, p));
      };
      // Only a block known by hash is immutable; a bare number could still be reorganised away.
      return p.block.hash ? deps.viewCache.get(`${keyOf(h, p)}|${p.block.hash}`, compute, signal) : compute();
    }).then(noteWarnings);
  // Batches every single-account request for one (protocol, block) into one positions query.
  const accountLoaders = new Map<string, DataLoader<string, AccountView>>();
  const accountView = (h: ProtocolHandle, p: Pinned, address: string) => {
    const key = keyOf(h, p);
    let loader = accountLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, AccountView>(async (addresses) => (await adapterFor(deps, h.family).accountViews(input(h, p), [...addresses])) ?? Promise.reject(beforeDeployment(h, p)));
      accountLoaders.set(key, loader);
    }
    return loader.load(address).then(noteWarnings);
  };
  const realized = new Map<string, Promise<RealizedRow[]>>();
  const realizedBadDebts = (h: ProtocolHandle, p: Pinned) => memo(realized, keyOf(h, p), () => adapterFor(deps, h.family).realizedBadDebts(input(h, p)));
  const liquidationRows = new Map<string, Promise<LiquidationRow[]>>();
  const liquidations = (h: ProtocolHandle, p: Pinned, fromBlock: number) =>
    memo(liquidationRows, `${keyOf(h, p)}|${fromBlock}`, () => adapterFor(deps, h.family).liquidations(input(h, p), fromBlock));

  const socialized = new Map<string, Promise<SocializedLossRow[]>>();
  const socializedLosses = (h: ProtocolHandle, p: Pinned) =>
    memo(socialized, keyOf(h, p), async () => (await adapterFor(deps, h.family).socializedLosses?.(input(h, p))) ?? []);

  const protocolLists = new Map<string, Promise<ProtocolInfo[]>>();
  const protocolsAt = async (endpoint: string, block: number | null | undefined) => {
    const pinned = await pin(endpoint, block);
    const key = `${endpoint}|${pinned.block.number}`;
    let list = protocolLists.get(key);
    if (!list) {
      const { hash } = pinned.block;
      const load = () => loadProtocols(pinned.client, pinned.block.number);
      // A block known by hash never changes: its protocol list is kept across requests (at the head,
      // a query then costs only the `_meta` read beyond what the view service holds).
      list = hash ? (deps.readCache.get(`protocols|${endpoint}|${hash}`, load, signal) as Promise<ProtocolInfo[]>) : load();
      protocolLists.set(key, list);
    }
    return { pinned, protocols: await list };
  };
  const findProtocol = async (idOrSlug: string): Promise<ProtocolHandle> => {
    const wanted = idOrSlug.toLowerCase();
    const settled = await Promise.allSettled(deps.endpoints.map(async (e) => ({ endpoint: e.name, ...(await protocolsAt(e.name, null)) })));
    const all = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const down = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const candidates = all.flatMap(({ endpoint, protocols }) => protocols.map((p) => ({ endpoint, p, single: protocols.length === 1 })));
    // An id is exact; then an endpoint's configured name (when it serves one protocol); then the slug.
    const matches =
      [candidates.filter((c) => c.p.id.toLowerCase() === wanted), candidates.filter((c) => c.single && c.endpoint.toLowerCase() === wanted), candidates.filter((c) => c.p.slug.toLowerCase() === wanted)].find(
        (m) => m.length > 0,
      ) ?? [];
    if (matches.length === 1) return { endpoint: matches[0].endpoint, protocolId: matches[0].p.id, family: matches[0].p.family };
    const known = candidates.map((c) => `${c.endpoint}: ${c.p.slug} (${c.p.id})`).join(', ') || 'none';
    if (matches.length > 1) throw gatewayError('BAD_USER_INPUT', `"${idOrSlug}" names several protocols; use an id or endpoint name: ${known}`);
    // Not among the endpoints that answered: it may be on one that did not, so say why, not "not found".
    if (down.length > 0) throw down[0];
    throw gatewayError('PROTOCOL_NOT_FOUND', `no indexed protocol "${idOrSlug}"; known: ${known}`);
  };

  return Object.assign(ctx, { deps, pin, findProtocol, protocolsAt, protocolRef, protocolView, accountView, realizedBadDebts, liquidations, socializedLosses, inputAt });
}

/**
 * USD prices of tokens at a block from the other protocols the gateway serves whose family offers
 * them (ProtocolAdapter.usdPrices: Aave V3's oracle at that block): the same token address on the
 * same chain has one market price. Tokens none of them prices are absent from the result (the caller
 * leaves them out of USD figures and says so).
 */
async function usdPricesFromOtherProtocols(ctx: RequestContext, self: ProtocolHandle, tokens: string[], block: number): Promise<UsdPrices> {
  const wanted = new Set(tokens.map((t) => t.toLowerCase()));
  const out: UsdPrices = new Map();
  for (const endpoint of ctx.deps.endpoints) {
    // An endpoint that does not answer prices nothing: its tokens stay unpriced (and are reported so).
    const listed = await ctx.protocolsAt(endpoint.name, null).catch((err: unknown) => {
      ctx.stats.warnings.push(`endpoint ${endpoint.name} gave no USD prices: ${errorCode(err) ?? 'INTERNAL_SERVER_ERROR'}`);
      return null;
    });
    if (!listed) continue;
    const { pinned, protocols } = listed;
    // The block by hash where a header source knows it, so its reads are kept across requests.
    const header = block === pinned.block.number ? pinned.block : ((await ctx.deps.headers?.header(block, pinned.block.number, ctx.signal)) ?? { number: block, hash: null, timestamp: 0 });
    for (const p of protocols) {
      if (out.size === wanted.size) return out;
      const adapter = ctx.deps.adapters.find((a) => a.families.includes(p.family));
      if (p.id === self.protocolId || !adapter?.usdPrices) continue;
      const handle = { endpoint: endpoint.name, protocolId: p.id, family: p.family };
      // A protocol deployed after `block` has no prices then: skip it. Any other failure (a subgraph
      // down) propagates: a missing price must not hide its cause.
      const prices = await adapter.usdPrices(ctx.inputAt(handle, pinned.client, header, pinned.indexing)).catch((err: unknown) => {
        if (err instanceof SubgraphError && err.code === 'BLOCK_BEFORE_DEPLOYMENT') return null;
        throw err;
      });
      for (const [token, price] of prices ?? []) if (wanted.has(token) && !out.has(token)) out.set(token, price);
    }
  }
  return out;
}
