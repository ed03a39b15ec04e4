import type { SubgraphClient } from '../../server/sources/subgraph-client';

/** What to read of each Aave reserve: fields of the shared Market, its AaveReserve (configuration) and AaveReserveState (accounting). */
export interface AaveMarketFields {
  market?: string;
  reserve?: string;
  state?: string;
}

type Raw = { id: string; aaveReserve?: Record<string, unknown> | null; aaveReserveState?: Record<string, unknown> | null } & Record<string, unknown>;

/**
 * Every market of an Aave subgraph (all pages) with its reserve's configuration and accounting
 * fields flattened into one row, as the tests compare them with Pool.getReserveData.
 */
export async function readAaveMarkets<T extends { id: string }>(subgraph: SubgraphClient, fields: AaveMarketFields, block?: number): Promise<T[]> {
  const parts = [fields.market ?? '', fields.reserve ? `aaveReserve { ${fields.reserve} }` : '', fields.state ? `aaveReserveState { ${fields.state} }` : ''];
  const rows = await subgraph.queryAll<Raw>({ collection: 'markets', fields: parts.join(' '), block });
  return rows.map(({ aaveReserve, aaveReserveState, ...market }) => {
    if ((fields.reserve && !aaveReserve) || (fields.state && !aaveReserveState)) throw new Error(`market ${market.id} has no AaveReserve/AaveReserveState`);
    return { ...market, ...aaveReserve, ...aaveReserveState } as unknown as T;
  });
}
