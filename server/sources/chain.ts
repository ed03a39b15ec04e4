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

/** A chain reader whose reads stop when `signal` aborts (the request they serve is gone). */
export interface CancellableChainReader extends ChainReader {
  withSignal(signal: AbortSignal): ChainReader;
}

export function createRpcChainReader(rpcUrl: string, timeoutMs = 10_000): CancellableChainReader {
  const clientFor = (signal?: AbortSignal) =>
    // viem combines fetchOptions.signal with its own timeout signal; a viem client is a few objects, no connection.
    createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 1, ...(signal ? { fetchOptions: { signal } } : {}) }), cacheTime: 0 });
  const shared = clientFor();
  const readerOf = (client: ReturnType<typeof clientFor>, signal?: AbortSignal): ChainReader => ({
    async readAll(reads, block) {
      if (reads.length === 0) return [];
      if (signal?.aborted) throw gatewayError('REQUEST_TIMEOUT', 'the request was cancelled before the RPC was asked');
      let results: { status: 'success' | 'failure'; result?: unknown; error?: Error }[];
      try {
        results = await client.multicall({
          contracts: reads.map((r) => ({ address: r.address as `0x${string}`, abi: r.abi, functionName: r.functionName, args: r.args ?? [] })),
          blockNumber: BigInt(block),
          allowFailure: true,
          deployless: true,
        });
      } catch (err) {
        if (signal?.aborted) throw gatewayError('REQUEST_TIMEOUT', 'the request was cancelled before the RPC answered');
        throw gatewayError('CHAIN_UNAVAILABLE', `the RPC did not answer ${reads.length} contract read(s) at block ${block}: ${shortMessage(err)}`);
      }
      return results.map((r) => (r.status === 'success' ? { ok: true, value: r.result } : { ok: false, error: shortMessage(r.error) }));
    },
  });
  return { ...readerOf(shared), withSignal: (signal) => readerOf(clientFor(signal), signal) };
}

function shortMessage(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string } | undefined;
  return (e?.shortMessage ?? e?.message ?? String(err)).split('\n')[0];
}
