/**
 * The long-lived view service: owns the latest computed view of each followed protocol and moves it
 * forward as the indexed head moves. From block L to block B it reads only the rows that changed in
 * (L, B] (the family's Follower), the prices at B, and revalues every account at B in memory: a head
 * update costs a few small subgraph reads instead of every open position again.
 *
 * A reorg (L is no longer on the chain, or another block answers at B's height) drops the state and
 * rebuilds it from scratch at B. Memory is bounded by a budget of positions held across protocols; a
 * protocol beyond it is computed from scratch at each block and the status says so.
 * It never names a family and reads no environment: dependencies come in through the options.
 */
import type { BlockRef } from './sources/blocks';
import type { AdapterInput, FollowedState, Follower } from './views/adapter';
import type { ProtocolView } from './views/model';

export interface ViewServiceOptions {
  /**
   * Whether a block (by number and hash) is still on the chain: an uncached header read (RPC). null
   * when it cannot tell; the state is then rebuilt unless the head's parent hash proves continuity.
   */
  canonical?: (block: BlockRef) => Promise<boolean | null>;
  /** Largest number of positions held in memory across all followed protocols. */
  maxPositions?: number;
  /** Load, advance and reorg events, for the operator's log. */
  onEvent?: (event: ViewServiceEvent) => void;
}

/** A followed protocol: the subgraph endpoint it is read from and its id there. */
export interface FollowedKey {
  endpoint: string;
  protocolId: string;
}

export interface ViewServiceEvent {
  /** reorg: the followed block left the chain; unverified: its ancestry could not be checked (no RPC): both rebuild. */
  kind: 'load' | 'advance' | 'reorg' | 'unverified' | 'over-budget' | 'failed';
  key: FollowedKey;
  block: number;
  fromBlock?: number;
  ms: number;
  positions?: number;
  message?: string;
}

export interface FollowedStatus {
  key: FollowedKey;
  block: BlockRef;
  accounts: number;
  positions: number;
  /** Whether the state is kept between blocks (false: over the position budget, recomputed each block). */
  followed: boolean;
  updates: number;
  reorgs: number;
}

export interface ViewService {
  /**
   * The protocol's view at `input.block` moved forward from the followed state, or loaded fresh and
   * then followed. null when the block is before the followed state (a historical query: the caller
   * computes it from scratch) or is not known by hash (could still be reorganised away).
   */
  viewAt(key: FollowedKey, follower: Follower, input: AdapterInput): Promise<ProtocolView | null>;
  status(): FollowedStatus[];
  /** The position budget (positions held never exceed it). */
  readonly maxPositions: number;
}

interface Entry {
  key: FollowedKey;
  block: BlockRef | null;
  state: FollowedState | null;
  view: ProtocolView | null;
  positions: number;
  followed: boolean;
  updates: number;
  reorgs: number;
  /** Moves of one protocol run one after another. */
  queue: Promise<unknown>;
}

export const DEFAULT_MAX_POSITIONS = 2_000_000;

export function createViewService(options: ViewServiceOptions = {}): ViewService {
  const entries = new Map<string, Entry>();
  const maxPositions = options.maxPositions ?? DEFAULT_MAX_POSITIONS;
  const emit = (e: ViewServiceEvent) => options.onEvent?.(e);
  const heldElsewhere = (self: Entry) => [...entries.values()].reduce((n, e) => n + (e !== self && e.state ? e.positions : 0), 0);

  /** Is the followed block L still an ancestor of B? The head's parent hash, else the chain; null: cannot tell. */
  const continues = async (from: BlockRef, to: BlockRef): Promise<boolean | null> => {
    if (to.number === from.number) return false; // another block at the same height
    if (to.number === from.number + 1 && to.parentHash) return to.parentHash === from.hash;
    return (await options.canonical?.(from)) ?? null;
  };

  const keep = (entry: Entry, block: BlockRef, state: FollowedState, view: ProtocolView) => {
    entry.positions = state.size.positions;
    entry.followed = entry.positions + heldElsewhere(entry) <= maxPositions;
    Object.assign(entry, { block, view, state: entry.followed ? state : null });
    entry.updates++;
    return view;
  };
  const drop = (entry: Entry) => Object.assign(entry, { block: null, state: null, view: null });

  async function load(entry: Entry, follower: Follower, input: AdapterInput): Promise<ProtocolView | null> {
    const started = performance.now();
    const state = await follower.load(input);
    if (!state) return null;
    const view = await follower.view(state, input);
    if (!view) return null;
    keep(entry, input.block, state, view);
    emit({ kind: entry.followed ? 'load' : 'over-budget', key: entry.key, block: input.block.number, ms: performance.now() - started, positions: entry.positions });
    return view;
  }

  async function advance(entry: Entry & { state: FollowedState; block: BlockRef }, follower: Follower, input: AdapterInput): Promise<ProtocolView | null> {
    const from = entry.block;
    const started = performance.now();
    try {
      await follower.advance(entry.state, input, from.number);
      const view = await follower.view(entry.state, input);
      if (!view) return null;
      keep(entry, input.block, entry.state, view);
      emit({ kind: 'advance', key: entry.key, block: input.block.number, fromBlock: from.number, ms: performance.now() - started, positions: entry.positions });
      return view;
    } catch (err) {
      // A half-applied change would poison every later block: start over next time.
      drop(entry);
      emit({ kind: 'failed', key: entry.key, block: input.block.number, fromBlock: from.number, ms: performance.now() - started, message: (err as Error).message });
      throw err;
    }
  }

  async function move(entry: Entry, follower: Follower, input: AdapterInput): Promise<ProtocolView | null> {
    const to = input.block;
    const from = entry.block;
    if (from?.hash === to.hash && entry.view) return entry.view;
    if (from && to.number < from.number) return null;
    if (entry.state && from) {
      const same = await continues(from, to);
      if (same) return advance(entry as Entry & { state: FollowedState; block: BlockRef }, follower, input);
      // Not provably the same chain (a reorg, or the head's ancestry cannot be checked): rebuild.
      if (same === false) entry.reorgs++;
      emit({ kind: same === false ? 'reorg' : 'unverified', key: entry.key, block: to.number, fromBlock: from.number, ms: 0 });
      drop(entry);
    }
    return load(entry, follower, input);
  }

  return {
    maxPositions,
    viewAt(key, follower, input) {
      if (!input.block.hash) return Promise.resolve(null);
      const id = `${key.endpoint}|${key.protocolId}`;
      let entry = entries.get(id);
      if (!entry) {
        entry = { key: { endpoint: key.endpoint, protocolId: key.protocolId }, block: null, state: null, view: null, positions: 0, followed: false, updates: 0, reorgs: 0, queue: Promise.resolve() };
        entries.set(id, entry);
      }
      const e = entry;
      const run = e.queue.then(() => move(e, follower, input));
      e.queue = run.catch(() => undefined);
      return run;
    },
    status() {
      return [...entries.values()]
        .filter((e) => e.block)
        .map((e) => ({ key: e.key, block: e.block!, accounts: e.state?.size.accounts ?? 0, positions: e.positions, followed: e.followed, updates: e.updates, reorgs: e.reorgs }));
    },
  };
}
