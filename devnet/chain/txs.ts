// Sends many signed transactions without a round trip per tx, then checks every receipt.
//
// Why: waiting for each receipt serially makes a 1,000-account scenario take far too long. Each
// account signs locally with an explicit nonce and gas limit (no eth_estimateGas, no
// eth_getTransactionCount per tx), so txs of many accounts can travel in one JSON-RPC batch.
// With automine off, `settle()` mines blocks until the pool is empty, so one block holds many txs.
import {
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  keccak256,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type Hex,
  type PrivateKeyAccount,
  type TransactionReceipt,
} from 'viem';
import type { DevnetClients } from './anvil';

/** Generous fee cap: base fee starts at 1 gwei on anvil and falls while blocks are under half full. */
const MAX_FEE_PER_GAS = 100_000_000_000n;
const MAX_PRIORITY_FEE_PER_GAS = 1_000_000_000n;

interface Pending {
  hash: Hash;
  /** The signed tx, to re-broadcast it if the node lost it. */
  raw: Hex;
  label: string;
  from: Address;
  to?: Address;
  data: Hex;
  value: bigint;
}

export class TxSender {
  private readonly nonces = new Map<Address, number>();
  private pending: Pending[] = [];
  private unsent: { raw: Hex; pending: Pending }[] = [];
  /** Highest gas used per label's first word: shows how much room the fixed gas limits leave. */
  readonly maxGasUsed = new Map<string, bigint>();
  /** Number of txs mined successfully so far. */
  sent = 0;
  /**
   * Seconds between blocks this sender mines (manual mode). anvil otherwise stamps blocks mined in
   * the same wall-clock second with the same timestamp, and anvil_setBlockTimestampInterval makes
   * it ignore evm_increaseTime; an explicit clock avoids both.
   */
  blockInterval = 12;
  private clock: bigint | undefined;
  /** Makes protocol revert reasons readable in errors (e.g. Aave's numeric codes). */
  explainRevert: (message: string) => string = (m) => m;

  constructor(
    readonly clients: DevnetClients,
    /** false: the chain automines, so each send is mined before the next one is sent. */
    private readonly manualMining: boolean,
  ) {}

  static async create(clients: DevnetClients): Promise<TxSender> {
    const automine = await clients.testClient.getAutomine();
    return new TxSender(clients, !automine);
  }

  /** Loads the on-chain nonce of accounts not seen yet (one batched request). */
  async prime(accounts: readonly PrivateKeyAccount[]): Promise<void> {
    const fresh = accounts.filter((a) => !this.nonces.has(a.address));
    const counts = await Promise.all(
      fresh.map((a) => this.clients.publicClient.getTransactionCount({ address: a.address, blockTag: 'pending' })),
    );
    fresh.forEach((a, i) => this.nonces.set(a.address, counts[i]));
  }

  nextNonce(account: PrivateKeyAccount): number {
    const n = this.nonces.get(account.address);
    if (n === undefined) throw new Error(`TxSender: nonce of ${account.address} not primed`);
    this.nonces.set(account.address, n + 1);
    return n;
  }

  /** Signs one tx and queues it; returns its hash. settle() sends, mines and checks it. */
  async sendRaw(
    account: PrivateKeyAccount,
    tx: { to?: Address; data: Hex; gas: bigint; value?: bigint },
    label: string,
  ): Promise<Hash> {
    const value = tx.value ?? 0n;
    const raw = await account.signTransaction({
      chainId: this.clients.chain.id,
      type: 'eip1559',
      nonce: this.nextNonce(account),
      gas: tx.gas,
      maxFeePerGas: MAX_FEE_PER_GAS,
      maxPriorityFeePerGas: MAX_PRIORITY_FEE_PER_GAS,
      to: tx.to,
      data: tx.data,
      value,
    });
    // The hash is known locally; the tx goes out with the next flush().
    const hash = keccak256(raw);
    this.unsent.push({ raw, pending: { hash, raw, label, from: account.address, to: tx.to, data: tx.data, value } });
    return hash;
  }

  /**
   * Sends queued txs in waves: wave k holds the k-th queued tx of every sender, and a wave goes out
   * (as JSON-RPC batches) only after the previous one was accepted. anvil dropped some txs when one
   * batch carried several nonces of the same sender (seen with 1,000 accounts).
   */
  async flush(): Promise<void> {
    const queue = this.unsent;
    this.unsent = [];
    const waves: { raw: Hex; pending: Pending }[][] = [];
    const seq = new Map<Address, number>();
    for (const q of queue) {
      const k = seq.get(q.pending.from) ?? 0;
      seq.set(q.pending.from, k + 1);
      (waves[k] ??= []).push(q);
    }
    for (const wave of waves) {
      await Promise.all(
        wave.map(async ({ raw, pending }) => {
          try {
            await this.clients.publicClient.request({ method: 'eth_sendRawTransaction', params: [raw] });
          } catch (err) {
            throw new Error(`${pending.label} from ${pending.from} was rejected: ${(err as Error).message.split('\n')[0]}`);
          }
          this.pending.push(pending);
        }),
      );
    }
  }

  async write<const abi extends Abi, fn extends ContractFunctionName<abi, 'nonpayable' | 'payable'>>(
    account: PrivateKeyAccount,
    call: {
      address: Address;
      abi: abi;
      functionName: fn;
      args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', fn>;
      gas: bigint;
      value?: bigint;
    },
    label: string,
  ): Promise<Hash> {
    const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never);
    return this.sendRaw(account, { to: call.address, data, gas: call.gas, value: call.value }, label);
  }

  /** Sends a CREATE tx; the address follows from sender and nonce, so it is known before mining. */
  async deploy(
    account: PrivateKeyAccount,
    call: { abi: Abi; bytecode: Hex; args?: readonly unknown[]; gas: bigint },
    label: string,
  ): Promise<{ hash: Hash; address: Address }> {
    const nonce = this.nonces.get(account.address);
    if (nonce === undefined) throw new Error(`TxSender: nonce of ${account.address} not primed`);
    const address = getContractAddress({ from: account.address, nonce: BigInt(nonce) });
    const data = encodeDeployData({ abi: call.abi, bytecode: call.bytecode, args: call.args ?? [] } as never);
    const hash = await this.sendRaw(account, { data, gas: call.gas }, label);
    return { hash, address };
  }

  /**
   * Mines (manual mode) until every pending tx is included, fetches all receipts and throws on
   * the first reverted one, naming its label and sender.
   */
  async settle(): Promise<TransactionReceipt[]> {
    await this.flush();
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return [];
    const receipts = await this.receipts(batch.map((p) => p.hash), batch);
    for (let i = 0; i < batch.length; i++) {
      if (receipts[i].status !== 'success') throw await this.revertError(batch[i], receipts[i]);
      const key = batch[i].label.split(' ')[0];
      if (receipts[i].gasUsed > (this.maxGasUsed.get(key) ?? 0n)) this.maxGasUsed.set(key, receipts[i].gasUsed);
    }
    this.sent += batch.length;
    return receipts;
  }

  /** Mines one block `blockInterval` seconds (plus `extraSeconds`) after the previous one. */
  async mine(extraSeconds = 0): Promise<void> {
    const { publicClient, testClient } = this.clients;
    if (this.clock === undefined) this.clock = (await publicClient.getBlock({ blockTag: 'latest' })).timestamp;
    this.clock += BigInt(this.blockInterval + extraSeconds);
    await testClient.setNextBlockTimestamp({ timestamp: this.clock });
    await testClient.mine({ blocks: 1 });
  }

  /** Lets time pass (interest accrues) by mining one block `seconds` later. */
  warp(seconds: number): Promise<void> {
    return this.mine(seconds - this.blockInterval);
  }

  /**
   * All receipts, fetched in batches. Manual mode mines a block whenever some are still missing
   * (a block holds as many txs as its gas limit allows); polling txpool_status instead lagged and
   * mined empty blocks. Automine mode only waits briefly.
   */
  private async receipts(hashes: Hash[], batch: Pending[]): Promise<TransactionReceipt[]> {
    const out = new Array<TransactionReceipt | undefined>(hashes.length);
    let idle = 0;
    for (let round = 0; ; round++) {
      const missing = hashes.map((_, i) => i).filter((i) => !out[i]);
      if (missing.length === 0) return out as TransactionReceipt[];
      if (idle > 100) {
        const ex = batch[missing[0]];
        const known = await this.clients.publicClient.getTransaction({ hash: ex.hash }).then(() => 'known to the node', () => 'unknown to the node');
        throw new Error(`TxSender: ${missing.length} receipts missing, e.g. ${ex.label} from ${ex.from} (tx ${ex.hash}, ${known})`);
      }
      // anvil's pool has been seen losing a few txs of a large wave (a later nonce of a sender whose
      // earlier tx was mined meanwhile): after a few rounds without progress, send those again.
      if (idle > 0 && idle % 5 === 0) await this.rebroadcast(missing.map((i) => batch[i]));
      if (this.manualMining && (round === 0 || idle > 0)) await this.mine();
      else if (round > 0) await new Promise((r) => setTimeout(r, 20));
      const got = await Promise.all(
        missing.map((i) => this.clients.publicClient.getTransactionReceipt({ hash: hashes[i] }).catch(() => undefined)),
      );
      missing.forEach((i, k) => (out[i] = got[k]));
      idle = got.some(Boolean) ? 0 : idle + 1;
    }
  }

  /** Re-sends the txs the node no longer knows; the same signed bytes, so nothing can run twice. */
  private async rebroadcast(missing: Pending[]): Promise<void> {
    await Promise.all(
      missing.map(async (p) => {
        const known = await this.clients.publicClient.getTransaction({ hash: p.hash }).then(() => true, () => false);
        if (known) return;
        await this.clients.publicClient.request({ method: 'eth_sendRawTransaction', params: [p.raw] }).catch(() => undefined);
      }),
    );
  }

  /** Best-effort reason: replay the call on the parent block's state. */
  private async revertError(p: Pending, r: TransactionReceipt): Promise<Error> {
    let reason = `gas used ${r.gasUsed}`;
    try {
      await this.clients.publicClient.call({ account: p.from, to: p.to, data: p.data, value: p.value, blockNumber: r.blockNumber - 1n });
      reason += ', replay on the parent block succeeds (depends on an earlier tx in the same block, or out of gas)';
    } catch (err) {
      reason += `, replay: ${this.explainRevert((err as Error).message.split('\n')[0])}`;
    }
    return new Error(`${p.label} by ${p.from} reverted in block ${r.blockNumber} (tx ${p.hash}): ${reason}`);
  }
}
