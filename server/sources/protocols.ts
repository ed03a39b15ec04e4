/**
 * The protocols a subgraph indexes, whatever their family: the list every query starts from. The
 * subgraph's Protocol entity holds identity and shared counts only; what one family has (Aave's
 * oracle and rounding, Morpho's fee recipient) is in that family's own entity, read by its source.
 */
import { completeList, PAGE_SIZE, type SubgraphClient } from './subgraph-client';

export interface ProtocolInfo {
  id: string;
  name: string;
  slug: string;
  family: string;
  network: string;
}

/** All protocols a subgraph knows at `block` (empty before its deployment). */
export async function loadProtocols(subgraph: SubgraphClient, block: number): Promise<ProtocolInfo[]> {
  const data = await subgraph.query<{ protocols: ProtocolInfo[] }>(
    `{ protocols(first: ${PAGE_SIZE}, orderBy: id, orderDirection: asc, ${subgraph.blockArg(block)}) { ${PROTOCOL_FIELDS} } }`,
  );
  const all = await completeList(subgraph, data.protocols, { collection: 'protocols', fields: PROTOCOL_FIELDS, where: {}, block });
  return all.map(protocolInfo);
}

export const PROTOCOL_FIELDS = 'id name slug family network';

export function protocolInfo(p: ProtocolInfo): ProtocolInfo {
  return { id: p.id, name: p.name, slug: p.slug, family: p.family, network: p.network };
}
