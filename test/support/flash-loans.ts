// Chain-side checks of the scenario's flash loans (devnet/scenario/flash-loans.ts), shared by the
// devnet unit tests of the three Aave markets: they happened, were repaid with a premium (mode 0),
// and moved Pool.getReserveData(asset).accruedToTreasury in their block.
import { parseEventLogs, type Abi, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import type { AaveV3Deployment } from '../../devnet/aave-v3/deploy';
import type { ScenarioResult } from '../../devnet/scenario/aave-v3';

export async function expectRepaidFlashLoans(clients: DevnetClients, d: AaveV3Deployment, result: ScenarioResult, poolAbi: Abi): Promise<void> {
  const { publicClient } = clients;
  const multi = result.flashLoans.filter((f) => f.method === 'flashLoan');
  const simple = result.flashLoans.filter((f) => f.method === 'flashLoanSimple');
  // Two phases (after the first warp, after the premium change), one of each kind per phase.
  expect(multi.length).toBeGreaterThanOrEqual(2);
  expect(simple.length).toBeGreaterThanOrEqual(2);
  expect(multi.some((f) => f.assets.length >= 2)).toBe(true);
  const accrued = async (asset: Address, blockNumber: bigint) =>
    ((await publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getReserveData', args: [asset], blockNumber } as never)) as { accruedToTreasury: bigint }).accruedToTreasury;
  for (const f of result.flashLoans) {
    const receipt = await publicClient.getTransactionReceipt({ hash: f.txHash });
    expect(receipt.status).toBe('success');
    const logs = parseEventLogs({ abi: poolAbi, logs: receipt.logs.filter((l) => l.address.toLowerCase() === d.pool.toLowerCase()) }) as unknown as { eventName: string; args: Record<string, unknown> }[];
    const loans = logs.filter((l) => l.eventName === 'FlashLoan');
    expect(loans.map((l) => [String(l.args.asset).toLowerCase(), l.args.amount, Number(l.args.interestRateMode)])).toEqual(
      f.assets.map((a, i) => [a.toLowerCase(), f.amounts[i], 0]),
    );
    for (const l of loans) expect(l.args.premium as bigint).toBeGreaterThan(0n);
    // Every leg logs ReserveDataUpdated (updateInterestRates) before its FlashLoan.
    const firstRdu = logs.findIndex((l) => l.eventName === 'ReserveDataUpdated');
    expect(firstRdu).toBeGreaterThanOrEqual(0);
    expect(firstRdu).toBeLessThan(logs.findIndex((l) => l.eventName === 'FlashLoan'));
    for (const asset of f.assets) {
      expect(await accrued(asset, receipt.blockNumber)).toBeGreaterThan(await accrued(asset, receipt.blockNumber - 1n));
    }
  }
}

/** Pool.FLASHLOAN_PREMIUM_TOTAL() and FLASHLOAN_PREMIUM_TO_PROTOCOL() at a block. */
export async function flashLoanPremiums(clients: DevnetClients, pool: Address, poolAbi: Abi, blockNumber: bigint): Promise<{ total: bigint; toProtocol: bigint }> {
  const read = (functionName: string) => clients.publicClient.readContract({ address: pool, abi: poolAbi, functionName, blockNumber } as never) as Promise<bigint>;
  return { total: BigInt(await read('FLASHLOAN_PREMIUM_TOTAL')), toProtocol: BigInt(await read('FLASHLOAN_PREMIUM_TO_PROTOCOL')) };
}
