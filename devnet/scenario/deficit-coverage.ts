// Aave V3.6 only: the umbrella covers the deficits the liquidations booked.
//
// Pool.eliminateReserveDeficit(asset, amount) may only be called by the address registered as
// "UMBRELLA" in the addresses provider; it burns that many of the caller's aTokens (capped at the
// reserve's deficit) and emits DeficitCovered(reserve, caller, amountCovered). The caller must hold
// the aTokens and have no debt (LiquidationLogic.executeEliminateDeficit). So the umbrella first
// supplies each deficit asset, then covers one deficit partly and one in full (amount >= deficit),
// with a checkpoint after each, giving the indexer a partial and a full coverage to reconcile.
import { decodeEventLog, maxUint256, type Address, type PrivateKeyAccount, type TransactionReceipt } from 'viem';
import { fundAccounts, type DevnetClients } from '../chain/anvil';
import type { TxSender } from '../chain/txs';
import type { AaveV3Deployment } from '../aave-v3/deploy';
import { mintableErc20Abi } from '../aave-v3/contracts';
import { poolV36Abi } from '../aave-v36/abis';

export interface Coverage {
  kind: 'partial' | 'full';
  asset: Address;
  /** what was asked for: a third of the deficit (partial) or maxUint256 (full), decimal string */
  requested: string;
  /** DeficitCovered.amountCovered */
  covered: string;
  deficitBefore: string;
  deficitAfter: string;
  block: number;
}

export interface CoverageInput {
  clients: DevnetClients;
  deployment: AaveV3Deployment;
  tx: TxSender;
  umbrella: PrivateKeyAccount;
  count: (kind: string) => void;
  log: (msg: string) => void;
  /** records a scenario checkpoint at the current head */
  checkpoint: (name: 'after-partial-coverage' | 'after-full-coverage') => Promise<void>;
}

const GAS = { mint: 120_000n, approve: 80_000n, supply: 400_000n, eliminate: 600_000n } as const;

/** Current deficit of every reserve (underlying -> amount), via Pool.getReserveDeficit. */
export async function reserveDeficits(clients: DevnetClients, d: AaveV3Deployment): Promise<Map<Address, bigint>> {
  const values = await Promise.all(
    d.reserves.map((r) => clients.publicClient.readContract({ address: d.pool, abi: poolV36Abi, functionName: 'getReserveDeficit', args: [r.underlying] })),
  );
  return new Map(d.reserves.map((r, i) => [r.underlying, values[i]]));
}

export async function coverDeficits(input: CoverageInput): Promise<Coverage[]> {
  const { clients, deployment: d, tx, umbrella, count, log } = input;
  if (d.umbrella?.toLowerCase() !== umbrella.address.toLowerCase()) {
    throw new Error(`the umbrella key signs for ${umbrella.address}, but the market's UMBRELLA is ${d.umbrella}`);
  }
  const before = await reserveDeficits(clients, d);
  // Largest deficit first: it gets the partial coverage, so a remainder stays visible.
  const assets = [...before].filter(([, v]) => v > 0n).sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0)).map(([a]) => a);
  if (assets.length === 0) {
    log('deficit coverage: no reserve in deficit');
    return [];
  }
  await fundAccounts(clients, [umbrella.address], 10n ** 21n);
  await tx.prime([umbrella]);
  const write = (address: Address, abi: any, functionName: string, args: readonly unknown[], gas: bigint, label: string) => {
    count(label);
    return tx.write(umbrella, { address, abi, functionName, args, gas } as never, `umbrella ${label} ${functionName}`);
  };

  // The umbrella's stake: aTokens of every deficit asset, 1% above the deficit (interest on the
  // deficit does not accrue, but the umbrella's aTokens must cover it in the scaled rounding too).
  for (const asset of assets) {
    const amount = before.get(asset)! + before.get(asset)! / 100n + 1n;
    await write(asset, mintableErc20Abi, 'mint', [amount], GAS.mint, 'mint');
    await write(asset, mintableErc20Abi, 'approve', [d.pool, maxUint256], GAS.approve, 'approve');
    await write(d.pool, poolV36Abi, 'supply', [asset, amount, umbrella.address, 0], GAS.supply, 'supply');
  }
  await tx.settle();

  const out: Coverage[] = [];
  const cover = async (kind: Coverage['kind'], asset: Address) => {
    const deficitBefore = (await reserveDeficits(clients, d)).get(asset)!;
    const requested = kind === 'partial' ? deficitBefore / 3n : maxUint256;
    await write(d.pool, poolV36Abi, 'eliminateReserveDeficit', [asset, requested], GAS.eliminate, `eliminateDeficit-${kind}`);
    const receipts = await tx.settle();
    const deficitAfter = (await reserveDeficits(clients, d)).get(asset)!;
    const covered = coveredIn(receipts, d.pool);
    out.push({ kind, asset, requested: requested.toString(), covered: covered.toString(), deficitBefore: deficitBefore.toString(), deficitAfter: deficitAfter.toString(), block: Number(receipts[0].blockNumber) });
    log(`deficit coverage (${kind}): ${asset} ${deficitBefore} -> ${deficitAfter} (covered ${covered})`);
    await input.checkpoint(kind === 'partial' ? 'after-partial-coverage' : 'after-full-coverage');
  };
  await cover('partial', assets[0]);
  // A second asset gets the full coverage when there is one; otherwise the partly covered one is finished.
  await cover('full', assets[1] ?? assets[0]);
  return out;
}

/** Sum of DeficitCovered.amountCovered of the pool in these receipts. */
function coveredIn(receipts: TransactionReceipt[], pool: Address): bigint {
  let sum = 0n;
  for (const r of receipts) {
    for (const l of r.logs) {
      if (l.address.toLowerCase() !== pool.toLowerCase()) continue;
      try {
        sum += decodeEventLog({ abi: poolV36Abi, eventName: 'DeficitCovered', data: l.data, topics: l.topics }).args.amountCovered;
      } catch {
        /* another event */
      }
    }
  }
  return sum;
}
