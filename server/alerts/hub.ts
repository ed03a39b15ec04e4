/**
 * Where the follow loop's per-block results go out to everything that pushes them (subscriptions,
 * webhooks, Prometheus gauges): a protocol's view each time its indexed head moves to a new block,
 * and each endpoint's lag behind the chain at every tick (a stalled subgraph produces no new block,
 * so lag must be looked at on every tick, not only on new blocks). It keeps the last snapshot of each
 * protocol so that transitions are judged between consecutive evaluated blocks, the same for every
 * listener: every subscriber and webhook with the same rule sees the same alert, with the same id.
 */
import type { BlockRef } from '../sources/blocks';
import type { ProtocolHandle } from '../context';
import type { ProtocolView } from '../views/model';
import { lagSeconds, snapshotOf, type LagReading, type LossEvent, type Snapshot } from './rules';

export interface HeadEvent {
  kind: 'head';
  handle: ProtocolHandle;
  view: ProtocolView;
  snapshot: Snapshot;
  /** The previous block evaluated for this protocol (null: the first since the gateway started). */
  prev: Snapshot | null;
  /** Loss events booked up to this block (read once, when a listener asks). */
  losses(): Promise<{ realized: LossEvent[]; socialized: LossEvent[] }>;
}

export interface LagEvent {
  kind: 'lag';
  prev: LagReading | null;
  cur: LagReading;
}

export type HubEvent = HeadEvent | LagEvent;

export interface AlertHub {
  publishView(handle: ProtocolHandle, view: ProtocolView, losses: () => Promise<{ realized: LossEvent[]; socialized: LossEvent[] }>): void;
  /** At each follow tick, per endpoint: its indexed head; the hub reads the chain's head itself. */
  publishHead(endpoint: string, indexed: BlockRef): Promise<void>;
  latest(handle: { endpoint: string; protocolId: string }): ProtocolView | undefined;
  lag(endpoint: string): LagReading | undefined;
  /** Every protocol's last view (for /metrics and the Risk DAO files). */
  views(): { handle: ProtocolHandle; view: ProtocolView }[];
  listen(fn: (e: HubEvent) => void): () => void;
  /** Listeners now (open subscriptions, webhook targets, the metrics registry). */
  listeners(): number;
  /** Whether something (the follow loop) publishes: without it subscriptions would never hear of a block. */
  readonly live: boolean;
}

export interface AlertHubOptions {
  /** The chain's head by RPC (absent: lag is 0 unless measured otherwise: no chain to compare with). */
  chainHead?: () => Promise<BlockRef>;
  live: boolean;
  now?: () => number;
}

const keyOf = (h: { endpoint: string; protocolId: string }) => `${h.endpoint}|${h.protocolId}`;

export function createAlertHub(options: AlertHubOptions): AlertHub {
  const now = options.now ?? Date.now;
  const last = new Map<string, { handle: ProtocolHandle; view: ProtocolView; snapshot: Snapshot }>();
  const lags = new Map<string, { reading: LagReading; behindSince: number | null }>();
  const listeners = new Set<(e: HubEvent) => void>();
  const emit = (e: HubEvent) => {
    for (const fn of listeners) {
      try {
        fn(e);
      } catch {
        // one listener's failure is its own
      }
    }
  };
  return {
    live: options.live,
    publishView(handle, view, losses) {
      const key = keyOf(handle);
      const before = last.get(key);
      if (before && before.view.block.hash === view.block.hash && before.view.block.number === view.block.number) return;
      const snapshot = snapshotOf(handle.endpoint, view);
      last.set(key, { handle, view, snapshot });
      let read: ReturnType<typeof losses> | null = null;
      emit({ kind: 'head', handle, view, snapshot, prev: before?.snapshot ?? null, losses: () => (read ??= losses()) });
    },
    async publishHead(endpoint, indexed) {
      const chainHead = options.chainHead ? await options.chainHead().catch(() => null) : null;
      const before = lags.get(endpoint);
      const t = now();
      const behind = chainHead !== null && chainHead.number > indexed.number;
      // Since when the chain has been ahead of this very indexed block.
      const behindSince = !behind ? null : before && before.reading.indexed.hash === indexed.hash && before.behindSince !== null ? before.behindSince : t;
      const reading: LagReading = { endpoint, indexed, chainHead, lagSeconds: lagSeconds(indexed, chainHead, behindSince, t) };
      lags.set(endpoint, { reading, behindSince });
      emit({ kind: 'lag', prev: before?.reading ?? null, cur: reading });
    },
    latest: (h) => last.get(keyOf(h))?.view,
    lag: (endpoint) => lags.get(endpoint)?.reading,
    views: () => [...last.values()].map(({ handle, view }) => ({ handle, view })),
    listeners: () => listeners.size,
    listen(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
