/**
 * Contract reads at a pinned block over Ethereum JSON-RPC, with viem. Many reads go out as one
 * multicall; it is deployless (Multicall3's bytecode runs inside the eth_call), so it works at any
 * historical block and on chains where Multicall3 was never deployed (a devnet, an early block).
 */
import { createPublicClient, http, type Abi } from 'viem';
import { gatewayError } from '../errors';

export interface ContractRead {
  address: string;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

/** One read's outcome: a revert or an empty (`0x`) answer fails that read alone. */
export type ReadResult = { ok: true; value: unknown } | { ok: false; error: string };

export interface ChainReader {
  /** Every read at `block`, in order; throws CHAIN_UNAVAILABLE only when the RPC itself fails. */
  readAll(reads: readonly ContractRead[], block: number): Promise<ReadResult[]>;
}

export function createRpcChainReader(rpcUrl: string, timeoutMs = 10_000): ChainReader {
  const client = createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 1 }), cacheTime: 0 });
  return {
    async readAll(reads, block) {
      if (reads.length === 0) return [];
      let results: { status: 'success' | 'failure'; result?: unknown; error?: Error }[];
      try {
        results = await client.multicall({
          contracts: reads.map((r) => ({ address: r.address as `0x${string}`, abi: r.abi, functionName: r.functionName, args: r.args ?? [] })),
          blockNumber: BigInt(block),
          allowFailure: true,
          deployless: true,
        });
      } catch (err) {
        throw gatewayError('CHAIN_UNAVAILABLE', `the RPC did not answer ${reads.length} contract read(s) at block ${block}: ${shortMessage(err)}`);
      }
      return results.map((r) => (r.status === 'success' ? { ok: true, value: r.result } : { ok: false, error: shortMessage(r.error) }));
    },
  };
}

function shortMessage(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string } | undefined;
  return (e?.shortMessage ?? e?.message ?? String(err)).split('\n')[0];
}
