/**
 * Position reads every family shares (the subgraph's Position entity: id = market ++ account, an
 * `open` flag the handlers keep): every open position at a block, read side by side in id ranges;
 * the positions that changed after a block (closed ones included, for the view service); the open
 * positions of some accounts. A family passes its balance fields and how to read them.
 */
import { splitPositionId } from './ids';
import { idRanges, PAGE_SIZE, type SubgraphClient } from './subgraph-client';

export interface RawPosition {
  id: string;
  open: boolean;
  [field: string]: unknown;
}

/** One position row: whose, where, and its balances; `position` is null for a closed one. */
export interface PositionRow<P> {
  address: string;
  marketId: string;
  position: P | null;
}

export interface PositionShape<P> {
  /** The family's balance fields (account and market come from the id). */
  fields: string;
  read(raw: RawPosition, marketId: string): P;
}

function rows<P>(shape: PositionShape<P>, raw: RawPosition[]): PositionRow<P>[] {
  return raw.map((p) => {
    const { marketId, account } = splitPositionId(p.id);
    return { address: account, marketId, position: p.open ? shape.read(p, marketId) : null };
  });
}

/** Every open position at `block`: each market's read side by side in id ranges sized by its position count (about a page each). */
export async function loadOpenPositions<P>(subgraph: SubgraphClient, shape: PositionShape<P>, block: number, markets: { id: string; positionCount: number }[]): Promise<PositionRow<P>[]> {
  const perMarket = await Promise.all(
    markets
      .filter((m) => m.positionCount > 0)
      .map((m) =>
        subgraph.queryAll<RawPosition>({ collection: 'positions', fields: `${shape.fields} open`, where: { market: m.id, open: true }, block, ranges: idRanges(m.id, Math.ceil(m.positionCount / PAGE_SIZE)) }),
      ),
  );
  return rows(shape, perMarket.flat());
}

/** Positions of the protocol (closed ones included) that changed in blocks (since, block]. */
export async function loadPositionChanges<P>(subgraph: SubgraphClient, shape: PositionShape<P>, protocolId: string, since: number, block: number): Promise<PositionRow<P>[]> {
  const raw = await subgraph.queryAll<RawPosition>({ collection: 'positions', fields: `${shape.fields} open`, where: { protocol: protocolId, _change_block: { number_gte: since + 1 } }, block });
  return rows(shape, raw);
}

/** The open positions of some accounts at `block`. */
export async function loadAccountPositions<P>(subgraph: SubgraphClient, shape: PositionShape<P>, protocolId: string, block: number, addresses: string[]): Promise<PositionRow<P>[]> {
  const raw = await subgraph.queryAll<RawPosition>({ collection: 'positions', fields: `${shape.fields} open`, where: { protocol: protocolId, account_in: addresses, open: true }, block });
  return rows(shape, raw);
}
