import { createGateway } from '../../server/app';
import { createRequestContext } from '../../server/context';
import { createSubgraphClient } from '../../server/sources/subgraph-client';
import { fetchIndexingState } from '../../server/sources/blocks';
import { createViewService, type ViewServiceEvent } from '../../server/view-service';
import type { ProtocolView } from '../../server/views/model';

export interface ViewServiceCtx {
  rpcUrl: string;
  subgraphs: Record<string, string>;
}

/** A view with its accounts in address order (a followed book and a fresh read list them in arrival order). */
export function canonicalView(v: ProtocolView) {
  const byAddress = <T extends { address: string }>(list: T[]) => [...list].sort((a, b) => a.address.localeCompare(b.address));
  return { ...v, accounts: byAddress(v.accounts), markets: v.markets.map((m) => ({ ...m, accounts: byAddress(m.accounts) })) };
}

/**
 * Walks every block of a subgraph from its protocol's first block to the head, moving one followed
 * view forward block by block, and compares it with a view computed from scratch at each block.
 * Returns what it saw: blocks compared, mismatching blocks, the service's events, and positions that
 * closed and reopened on the way.
 */
export async function walkEveryBlock(ctx: ViewServiceCtx, name: string, fromBlock: number) {
  const { deps } = createGateway({ endpoints: [{ name, url: ctx.subgraphs[name] }], rpcUrl: ctx.rpcUrl });
  const events: ViewServiceEvent[] = [];
  const service = createViewService({ canonical: (b) => deps.headers!.header(b.number).then((h) => (h ? h.hash === b.hash : null)), onEvent: (e) => events.push(e) });
  const client = createSubgraphClient({ url: ctx.subgraphs[name] });
  const indexing = await fetchIndexingState(client);
  const rc = createRequestContext(deps);
  const { protocols } = await rc.protocolsAt(name, null);
  const mismatches: number[] = [];
  let compared = 0;
  const seen = new Map<string, boolean[]>();
  for (const p of protocols) {
    const adapter = deps.adapters.find((a) => a.families.includes(p.family))!;
    const handle = { endpoint: name, protocolId: p.id, family: p.family };
    for (let b = fromBlock; b <= indexing.head.number; b++) {
      // A fresh request context per block, as requests have: nothing carries over but the service's state.
      const input = createRequestContext(deps).inputAt(handle, client, (await deps.headers!.header(b))!, indexing);
      const [followed, fresh] = [await service.viewAt(handle, adapter.follow!, input), await adapter.protocolView(input)];
      if (!fresh) {
        expect(followed).toBeNull();
        continue;
      }
      compared++;
      if (!followed || !isEqualView(canonicalView(followed), canonicalView(fresh))) mismatches.push(b);
      const open = new Set(fresh.accounts.flatMap((a) => a.positions.map((x) => `${a.address}|${x.marketId}`)));
      for (const k of open) if (!seen.has(k)) seen.set(k, []);
      for (const [k, history] of seen) if (history[history.length - 1] !== open.has(k)) history.push(open.has(k));
    }
  }
  // open -> closed -> open again
  const reopened = [...seen.values()].filter((h) => h.length >= 3).length;
  const closed = [...seen.values()].filter((h) => h.length >= 2).length;
  return { compared, mismatches, events, closed, reopened };
}

function isEqualView(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
