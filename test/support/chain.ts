import { createPublicClient, http, type Address, type PublicClient } from 'viem';

/** A read-only client for the oracle side of the tests: the chain's own view functions at a block. */
export function chainReader(rpcUrl: string): PublicClient {
  // batch: many balanceOf calls per checkpoint go out as JSON-RPC batches.
  return createPublicClient({ transport: http(rpcUrl, { batch: { batchSize: 200 } }), cacheTime: 0, pollingInterval: 50 });
}

export async function blockTimestamp(client: PublicClient, block: bigint): Promise<bigint> {
  return (await client.getBlock({ blockNumber: block })).timestamp;
}

export const lower = (a: string): Address => a.toLowerCase() as Address;
