// Building blocks of the Gearbox scenario: multicall encoding and the chain reads it plans from.
//
// CreditFacadeV3 takes its account operations as a multicall: a list of (target = the facade itself,
// callData = one of ICreditFacadeV3Multicall's functions). Those functions are never called directly
// (the facade dispatches on the selector), so they are not in the facade's ABI; their signatures below are
// those of core-v3's contracts/interfaces/ICreditFacadeV3Multicall.sol.
import { encodeFunctionData, parseAbi, type Address, type Hex } from 'viem';
import type { DevnetClients } from '../chain/anvil';
import { creditManagerAbi } from '../gearbox-v3/abis';

export const creditFacadeMulticallAbi = parseAbi([
  'function addCollateral(address token, uint256 amount)',
  'function increaseDebt(uint256 amount)',
  'function decreaseDebt(uint256 amount)',
  'function updateQuota(address token, int96 quotaChange, uint96 minQuota)',
  'function withdrawCollateral(address token, uint256 amount, address to)',
]);

export interface MultiCall {
  target: Address;
  callData: Hex;
}

/** One multicall step on `facade`. */
export function step(facade: Address, call:
  | { fn: 'addCollateral'; token: Address; amount: bigint }
  | { fn: 'increaseDebt' | 'decreaseDebt'; amount: bigint }
  | { fn: 'updateQuota'; token: Address; change: bigint; minQuota: bigint }
  | { fn: 'withdrawCollateral'; token: Address; amount: bigint; to: Address }): MultiCall {
  const callData = (() => {
    switch (call.fn) {
      case 'addCollateral': return encodeFunctionData({ abi: creditFacadeMulticallAbi, functionName: 'addCollateral', args: [call.token, call.amount] });
      case 'increaseDebt': return encodeFunctionData({ abi: creditFacadeMulticallAbi, functionName: 'increaseDebt', args: [call.amount] });
      case 'decreaseDebt': return encodeFunctionData({ abi: creditFacadeMulticallAbi, functionName: 'decreaseDebt', args: [call.amount] });
      case 'updateQuota': return encodeFunctionData({ abi: creditFacadeMulticallAbi, functionName: 'updateQuota', args: [call.token, call.change, call.minQuota] });
      case 'withdrawCollateral': return encodeFunctionData({ abi: creditFacadeMulticallAbi, functionName: 'withdrawCollateral', args: [call.token, call.amount, call.to] });
    }
  })();
  return { target: facade, callData };
}

/** CollateralCalcTask.DEBT_COLLATERAL (ICreditManagerV3.sol): debt, interest, total value and TWV at oracle prices. */
export const DEBT_COLLATERAL = 3;

/** CreditManagerV3.calcDebtAndCollateral(account, DEBT_COLLATERAL) at a block (latest by default). */
export function debtAndCollateral(clients: DevnetClients, creditManager: Address, creditAccount: Address, blockNumber?: bigint) {
  return clients.publicClient.readContract({
    address: creditManager,
    abi: creditManagerAbi,
    functionName: 'calcDebtAndCollateral',
    args: [creditAccount, DEBT_COLLATERAL],
    blockNumber,
  });
}
