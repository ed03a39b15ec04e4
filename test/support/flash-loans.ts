// Chain-side checks of the scenario's flash loans (devnet/scenario/flash-loans.ts), shared by the
// devnet unit tests of the three Aave markets: they happened, were repaid with a premium (mode 0),
// and moved Pool.getReserveData(asset).accruedToTreasury in their block.
import { parseAbi, parseEventLogs, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import type { AaveV3Deployment } from '../../devnet/aave-v3/deploy';
import type { ScenarioResult } from '../../devnet/scenario/aave-v3';

/**
 * The Pool functions and events these checks read, identical in v3.0 (@aave/core-v3) and v3.6
 * (aave-v3-origin: getReserveData returns DataTypes.ReserveDataLegacy, the v3.0 layout).
 */
const POOL_ABI = parseAbi([
  'struct ReserveConfigurationMap { uint256 data; }',
  'struct ReserveData { ReserveConfigurationMap configuration; uint128 liquidityIndex; uint128 currentLiquidityRate; uint128 variableBorrowIndex; uint128 currentVariableBorrowRate; uint128 currentStableBorrowRate; uint40 lastUpdateTimestamp; uint16 id; address aTokenAddress; address stableDebtTokenAddress; address variableDebtTokenAddress; address interestRateStrategyAddress; uint128 accruedToTreasury; uint128 unbacked; uint128 isolationModeTotalDebt; }',
  'function getReserveData(address asset) view returns (ReserveData)',
  'function FLASHLOAN_PREMIUM_TOTAL() view returns (uint128)',
  'function FLASHLOAN_PREMIUM_TO_PROTOCOL() view returns (uint128)',
  'event FlashLoan(address indexed target, address initiator, address indexed asset, uint256 amount, uint8 interestRateMode, uint256 premium, uint16 indexed referralCode)',
  'event ReserveDataUpdated(address indexed reserve, uint256 liquidityRate, uint256 stableBorrowRate, uint256 variableBorrowRate, uint256 liquidityIndex, uint256 variableBorrowIndex)',
]);

export async function expectRepaidFlashLoans(clients: DevnetClients, d: AaveV3Deployment, result: ScenarioResult): Promise<void> {
  const { publicClient } = clients;
  const multi = result.flashLoans.filter((f) => f.method === 'flashLoan');
  const simple = result.flashLoans.filter((f) => f.method === 'flashLoanSimple');
  // Two phases (after the first warp, after the premium change), one of each kind per phase.
  expect(multi.length).toBeGreaterThanOrEqual(2);
  expect(simple.length).toBeGreaterThanOrEqual(2);
  expect(multi.some((f) => f.assets.length >= 2)).toBe(true);
  const accrued = async (asset: Address, blockNumber: bigint) =>
    (await publicClient.readContract({ address: d.pool, abi: POOL_ABI, functionName: 'getReserveData', args: [asset], blockNumber })).accruedToTreasury;
  for (const f of result.flashLoans) {
    const receipt = await publicClient.getTransactionReceipt({ hash: f.txHash });
    expect(receipt.status).toBe('success');
    const logs = parseEventLogs({ abi: POOL_ABI, logs: receipt.logs.filter((l) => l.address.toLowerCase() === d.pool.toLowerCase()) });
    const loans = logs.flatMap((l) => (l.eventName === 'FlashLoan' ? [l.args] : []));
    expect(loans.map((l) => [l.asset.toLowerCase(), l.amount, l.interestRateMode])).toEqual(f.assets.map((a, i) => [a.toLowerCase(), f.amounts[i], 0]));
    for (const l of loans) expect(l.premium).toBeGreaterThan(0n);
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
export async function flashLoanPremiums(clients: DevnetClients, pool: Address, blockNumber: bigint): Promise<{ total: bigint; toProtocol: bigint }> {
  const read = (functionName: 'FLASHLOAN_PREMIUM_TOTAL' | 'FLASHLOAN_PREMIUM_TO_PROTOCOL') => clients.publicClient.readContract({ address: pool, abi: POOL_ABI, functionName, blockNumber });
  return { total: await read('FLASHLOAN_PREMIUM_TOTAL'), toProtocol: await read('FLASHLOAN_PREMIUM_TO_PROTOCOL') };
}
