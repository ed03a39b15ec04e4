import type { PublicClient } from 'viem';
import { poolAbi } from '../../devnet/aave-v3/abis';
import { formatUnits } from '../../server/metrics/decimal';
import { lower } from './chain';
import { gqlData } from './gateway-client';
import type { ProtocolUnderTest } from './stack-process';

const MAX_UINT = 2n ** 256n - 1n;
export const BASE_DECIMALS = 8; // AaveOracle BASE_CURRENCY_UNIT 1e8 (USD)

interface GatewayAccount {
  address: string;
  collateralUSD: string;
  debtUSD: string;
  healthFactor: string | null;
  ltv: string;
  liquidationThreshold: string;
  badDebtUSD: string;
  block: { number: number };
}

/**
 * Issue 3's oracle: every scenario account's (and the treasury's) gateway figures at `block` against
 * Pool.getUserAccountData at that block. Returns mismatch descriptions (empty when all equal) and the
 * bad debt and insolvent count the chain's figures give.
 */
export async function compareWithAccountData(
  state: ProtocolUnderTest,
  chain: PublicClient,
  block: number,
): Promise<{ mismatches: string[]; chainBadDebt: bigint; chainInsolvent: number; compared: number }> {
  const accounts = [...new Set([...state.scenario.accounts, state.deployment.treasury].map(lower))];
  const mismatches: string[] = [];
  let chainBadDebt = 0n;
  let chainInsolvent = 0;
  const fields = 'address collateralUSD debtUSD healthFactor ltv liquidationThreshold badDebtUSD block { number }';
  for (let i = 0; i < accounts.length; i += 100) {
    const slice = accounts.slice(i, i + 100);
    const query = `{ ${slice.map((a, j) => `a${j}: account(protocol: "${state.name}", address: "${a}", block: ${block}) { ${fields} }`).join('\n')} }`;
    const [data, onChain] = await Promise.all([
      gqlData<Record<string, GatewayAccount>>(state.gatewayUrl, query),
      Promise.all(slice.map((a) => chain.readContract({ address: state.deployment.pool, abi: poolAbi, functionName: 'getUserAccountData', args: [a], blockNumber: BigInt(block) }))),
    ]);
    slice.forEach((address, j) => {
      const g = data[`a${j}`];
      const [collateral, debt, , liquidationThreshold, ltv, healthFactor] = onChain[j];
      if (debt > collateral) {
        chainBadDebt += debt - collateral;
        chainInsolvent++;
      }
      const expected = {
        block,
        collateralUSD: formatUnits(collateral, BASE_DECIMALS),
        debtUSD: formatUnits(debt, BASE_DECIMALS),
        // the contract reports uint256 max without debt; the gateway reports null
        healthFactor: healthFactor === MAX_UINT ? null : formatUnits(healthFactor, 18),
        ltv: formatUnits(ltv, 4),
        liquidationThreshold: formatUnits(liquidationThreshold, 4),
      };
      const actual = { block: g.block.number, collateralUSD: g.collateralUSD, debtUSD: g.debtUSD, healthFactor: g.healthFactor, ltv: g.ltv, liquidationThreshold: g.liquidationThreshold };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`block ${block} ${address}: gateway ${JSON.stringify(actual)} chain ${JSON.stringify(expected)}`);
    });
  }
  return { mismatches, chainBadDebt, chainInsolvent, compared: accounts.length };
}
