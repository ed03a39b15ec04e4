// Flash loans repaid in the same transaction (interest rate mode 0), through the protocol's own
// mock receivers: @aave/core-v3's MockFlashLoanReceiver / MockFlashLoanSimpleReceiver artifacts on
// v3.0, the same mocks compiled from @aave-dao/aave-v3-origin on v3.6 (devnet/aave-v36/compile.ts).
// Each receiver mints the premium with the devnet's MintableERC20 and approves amount + premium, so
// the Pool pulls it back and FlashLoanLogic._handleFlashLoanRepayment books the premium: v3.0 its
// FLASHLOAN_PREMIUM_TO_PROTOCOL share into reserve.accruedToTreasury and the rest into the liquidity
// index, v3.4+ all of it into accruedToTreasury. Nothing else in a log says so: the indexer must
// replay it (subgraph/src/aave-v3/flash-loan.ts).
import { type Address, type Hash, type PrivateKeyAccount, type PublicClient } from 'viem';
import { loadArtifact, mintableErc20Abi } from '../aave-v3/contracts';
import type { AaveV3Deployment } from '../aave-v3/deploy';
import { compileAaveV36, v36Artifact } from '../aave-v36/compile';
import type { TxSender } from '../chain/txs';

/** One flash-loan transaction of the scenario. */
export interface FlashLoanRecord {
  method: 'flashLoan' | 'flashLoanSimple';
  txHash: Hash;
  assets: Address[];
  amounts: bigint[];
}

export interface FlashLoanReceivers {
  multi: Address;
  simple: Address;
}

const GAS_DEPLOY = 3_000_000n;
/** Gas for one flashLoan over up to 3 assets, flashLoanSimple: ~2x what they use on these markets. */
export const GAS_FLASH_LOAN = 1_500_000n;
export const GAS_FLASH_LOAN_SIMPLE = 700_000n;

/** Deploys both receivers (constructor: the addresses provider); addresses are known before mining. */
export async function deployFlashLoanReceivers(tx: TxSender, admin: PrivateKeyAccount, d: AaveV3Deployment): Promise<FlashLoanReceivers> {
  const build = d.version === '3.6' ? await compileAaveV36() : undefined;
  const art = (name: string) => (build ? v36Artifact(build, name) : loadArtifact(name));
  const deploy = async (name: string) => {
    const a = art(name);
    return (await tx.deploy(admin, { abi: a.abi, bytecode: a.bytecode, args: [d.addressesProvider], gas: GAS_DEPLOY }, `deploy ${name}`)).address;
  };
  return { multi: await deploy('MockFlashLoanReceiver'), simple: await deploy('MockFlashLoanSimpleReceiver') };
}

/**
 * A third of the reserve's cash (the underlying its aToken holds; v3.6's virtual balance equals it
 * on the devnet), plus a few units so amounts and premiums are not round: always available to borrow.
 */
export async function flashLoanAmount(publicClient: PublicClient, underlying: Address, aToken: Address): Promise<bigint> {
  const cash = await publicClient.readContract({ address: underlying, abi: mintableErc20Abi, functionName: 'balanceOf', args: [aToken] });
  return cash > 1_000n ? cash / 3n + 7n : 0n;
}
