/**
 * The subgraph's id conventions every family shares (subgraph/src/common/ids.ts): a Position id is
 * its market's id followed by the account's 20-byte address.
 */
export function splitPositionId(id: string): { marketId: string; account: string } {
  const hex = id.toLowerCase();
  return { marketId: hex.slice(0, -40), account: `0x${hex.slice(-40)}` };
}
