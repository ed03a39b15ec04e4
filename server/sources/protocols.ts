/**
 * The protocols a subgraph indexes, whatever their family: the list every query starts from. The
 * subgraph's Protocol entity is shared by every family; fields one family fills (Aave's oracle and
 * scaled-balance rounding) are null for the others.
 */
import { completeList, PAGE_SIZE, type SubgraphClient } from './subgraph-client';

export interface ProtocolInfo {
  id: string;
  name: string;
  slug: string;
  family: string;
  network: string;
  /** Raw unit of one base currency (Aave V3: 1e8 USD). */
  baseCurrencyUnit: bigint;
  /** Zero address or null = USD (Aave V3). */
  baseCurrency: string | null;
  /** Aave: scaled-balance rounding generation the subgraph detected (HALF_UP = v3.0-v3.4, FLOOR_CEIL = v3.5+). */
  scaledRounding: string | null;
  /** The price oracle in force at the block (Aave: AaveOracle address); null when not known yet. */
  oracle: string | null;
  /** Implementation revision of the root contract (Aave: Pool.POOL_REVISION()); null when unknown. */
  revision: number | null;
}

/** All protocols a subgraph knows at `block` (empty before its deployment). */
export async function loadProtocols(subgraph: SubgraphClient, block: number): Promise<ProtocolInfo[]> {
  const data = await subgraph.query<{ protocols: RawProtocol[] }>(
    `{ protocols(first: ${PAGE_SIZE}, orderBy: id, orderDirection: asc, ${subgraph.blockArg(block)}) { ${PROTOCOL_FIELDS} } }`,
  );
  const all = await completeList(subgraph, data.protocols, { collection: 'protocols', fields: PROTOCOL_FIELDS, where: {}, block });
  return all.map(protocolInfo);
}

export const PROTOCOL_FIELDS = 'id name slug family network scaledRounding revision oracle { id baseCurrency baseCurrencyUnit }';
export interface RawProtocol {
  id: string;
  name: string;
  slug: string;
  family: string;
  network: string;
  scaledRounding: string | null;
  revision: number | null;
  oracle: { id: string; baseCurrency: string | null; baseCurrencyUnit: string | null } | null;
}

export function protocolInfo(p: RawProtocol): ProtocolInfo {
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    family: p.family,
    network: p.network,
    // Aave V3 oracles quote USD with 8 decimals (AaveOracle BASE_CURRENCY_UNIT) when not stated.
    baseCurrencyUnit: BigInt(p.oracle?.baseCurrencyUnit ?? 100_000_000n),
    baseCurrency: p.oracle?.baseCurrency ?? null,
    scaledRounding: p.scaledRounding,
    oracle: p.oracle?.id.toLowerCase() ?? null,
    revision: p.revision ?? null,
  };
}

