// Starts a real anvil node from node_modules and gives viem clients tuned for a local chain.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  encodePacked,
  http,
  keccak256,
  type Account,
  type Address,
  type Chain,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { assertPortFree } from '../stack/ports';

export { freePort } from '../stack/ports';

/** anvil's default mnemonic: account 0 is the well-known 0xf39F...2266 deployer. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
/** Private key of anvil account 0 for ANVIL_MNEMONIC (printed by anvil at start-up). */
export const ANVIL_DEPLOYER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

export interface StartAnvilOptions {
  port: number;
  blockTime?: number;
  chainId?: number;
  host?: string;
  /** Block gas limit; the default leaves room for a few hundred Aave txs per block. */
  gasLimit?: bigint;
  /** How long to wait for eth_chainId before giving up. */
  timeoutMs?: number;
}

export interface AnvilHandle {
  rpcUrl: string;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function anvilBinary(): string {
  // Start the platform binary itself: killing the @foundry-rs/anvil wrapper does not always kill
  // anvil (FIELD-NOTES, "Local chain").
  const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
  return path.join(path.dirname(pkg), 'bin', 'anvil');
}

async function rpcChainId(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number(body.result) : undefined;
  } catch {
    return undefined;
  }
}

export async function startAnvil(opts: StartAnvilOptions): Promise<AnvilHandle> {
  const { port, blockTime, chainId = 31337, host = '127.0.0.1', timeoutMs = 15_000 } = opts;
  await assertPortFree(port, 'anvil', host);
  const args = [
    '--port', String(port),
    '--host', host,
    '--chain-id', String(chainId),
    '--mnemonic', ANVIL_MNEMONIC,
    '--accounts', '10',
    '--gas-limit', String(opts.gasLimit ?? 100_000_000n),
    // Pool is ~21.6 KB, under the 24 KB limit; no --code-size-limit needed.
    '--silent',
  ];
  if (blockTime !== undefined) args.push('--block-time', String(blockTime));
  const child = spawn(anvilBinary(), args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.on('data', (d: Buffer) => {
    stderr.push(...d.toString().split('\n').filter(Boolean));
    if (stderr.length > 50) stderr.splice(0, stderr.length - 50);
  });
  let exited: number | null | undefined;
  const exitedP = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited !== undefined) return;
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the whole group: anvil was spawned detached
    } catch {
      /* already gone */
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exitedP, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
  };
  const rpcUrl = `http://${host}:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`anvil exited (code ${exited}) before answering on ${rpcUrl}: ${stderr.slice(-5).join(' | ')}`);
    }
    const id = await rpcChainId(rpcUrl);
    if (id !== undefined) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer eth_chainId on ${rpcUrl} within ${timeoutMs} ms; last stderr: ${stderr.slice(-5).join(' | ') || '(none)'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { rpcUrl, chainId, process: child, stop };
}

export function devnetChain(rpcUrl: string, chainId = 31337): Chain {
  return defineChain({
    id: chainId,
    name: 'devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * viem clients for a local chain. pollingInterval 50 ms and cacheTime 0, or receipts stall for
 * seconds (FIELD-NOTES). Batch JSON-RPC lets thousands of concurrent calls travel in few requests.
 */
export function devnetClients(rpcUrl: string, chainId = 31337) {
  const chain = devnetChain(rpcUrl, chainId);
  const transport = http(rpcUrl, { batch: { batchSize: 500, wait: 0 }, retryCount: 0, timeout: 120_000 });
  const common = { chain, transport, pollingInterval: 50, cacheTime: 0 } as const;
  const publicClient = createPublicClient(common);
  const testClient = createTestClient({ ...common, mode: 'anvil' });
  const wallet = (account: Account) => createWalletClient({ ...common, account });
  return { chain, rpcUrl, publicClient, testClient, wallet };
}
export type DevnetClients = ReturnType<typeof devnetClients>;

/** Scenario account i for a seed: private key = keccak256(abi.encodePacked("devnet", seed, i)). */
export function deriveAccount(seed: string | number | bigint, index: number) {
  const key = keccak256(encodePacked(['string', 'string', 'uint256'], ['devnet', String(seed), BigInt(index)]));
  return privateKeyToAccount(key);
}

/** Funds addresses with native ETH through anvil_setBalance, batched over JSON-RPC. */
export async function fundAccounts(clients: DevnetClients, addresses: Address[], wei: bigint): Promise<void> {
  await Promise.all(addresses.map((address) => clients.testClient.setBalance({ address, value: wei })));
}
