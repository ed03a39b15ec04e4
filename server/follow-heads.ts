/**
 * Keeps every followed protocol's view at its subgraph's indexed head, so a dashboard or bot asking
 * for the head gets an answer already computed: each tick pins every endpoint's head and asks for
 * each followable protocol's view through an ordinary request context (the view service then moves
 * its state forward by the rows that changed). One endpoint failing does not stop the others.
 */
import { createRequestContext, type GatewayDeps, type Pinned, type ProtocolHandle, type RequestContext } from './context';
import type { ProtocolView } from './views/model';

export interface FollowHeadsOptions {
  intervalMs: number;
  /** One line per failure (repeated failures of one endpoint are logged once until it recovers). */
  log?: (line: string) => void;
  /** Each endpoint's pinned head at every tick (lag is judged at every tick: a stalled subgraph moves no view). */
  onHead?: (pinned: Pinned) => void | Promise<void>;
  /** Each protocol's view at the head, every tick (the listener skips blocks it has seen). */
  onView?: (handle: ProtocolHandle, view: ProtocolView, ctx: RequestContext, pinned: Pinned) => void;
}

export function followHeads(deps: GatewayDeps, options: FollowHeadsOptions): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const lastError = new Map<string, string>();

  const tickEndpoint = async (endpoint: string, ctx: ReturnType<typeof createRequestContext>) => {
    try {
      const { pinned, protocols } = await ctx.protocolsAt(endpoint, null);
      await options.onHead?.(pinned);
      for (const p of protocols) {
        if (stopped) return;
        if (!deps.adapters.some((a) => a.families.includes(p.family) && a.follow)) continue;
        const handle = { endpoint, protocolId: p.id, family: p.family };
        const view = await ctx.protocolView(handle, pinned);
        options.onView?.(handle, view, ctx, pinned);
      }
      if (lastError.delete(endpoint)) options.log?.(`following ${endpoint}: recovered`);
    } catch (err) {
      const message = (err as Error).message;
      if (lastError.get(endpoint) !== message) options.log?.(`following ${endpoint}: ${message}`);
      lastError.set(endpoint, message);
    }
  };
  const tick = async () => {
    const ctx = createRequestContext(deps, { readHeads: true });
    await Promise.all(deps.endpoints.map((e) => tickEndpoint(e.name, ctx)));
  };
  // Start to start: heads are read every interval (unless a tick takes longer), which is what bounds
  // the age of the heads requests take from deps.heads.
  let started = Date.now();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      started = Date.now();
      running = tick().finally(schedule);
    }, Math.max(0, options.intervalMs - (Date.now() - started)));
  };
  running = tick().finally(schedule);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
