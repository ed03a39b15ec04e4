// Liquidation rounds after the crash. Each round reads every account's health factor, and for each
// one below 1 sends one liquidationCall (largest collateral against largest debt), then mines.
// Rounds repeat until no liquidatable account has collateral left, so deeply underwater accounts
// lose ALL their collateral and keep the rest of their debt: Aave V3.0 leaves it on the books.
import { maxUint256, type Address, type PrivateKeyAccount } from 'viem';
import type { DevnetClients } from '../chain/anvil';
import type { TxSender } from '../chain/txs';
import { aaveOracleAbi, aTokenAbi, poolAbi, variableDebtTokenAbi } from '../aave-v3/contracts';
import type { AaveV3Deployment } from '../aave-v3/deploy';
import { Rng } from './rng';

/** LiquidationLogic.CLOSE_FACTOR_HF_THRESHOLD (Aave V3.0): below it 100% of a debt is liquidatable. */
const CLOSE_FACTOR_HF_THRESHOLD = 950_000_000_000_000_000n;
const HF_ONE = 10n ** 18n;
// Partial-zone e-mode positions spiral (LT x bonus = 0.975 x 1.01 > HF, so each liquidation lowers
// HF further): a handful of rounds is needed before their collateral is gone.
const MAX_ROUNDS = 12;
const GAS_LIQUIDATION = 1_000_000n;

export interface LiquidationInput {
  clients: DevnetClients;
  deployment: AaveV3Deployment;
  tx: TxSender;
  seed: string;
  users: Address[];
  liquidators: PrivateKeyAccount[];
  count: (kind: string) => void;
  log: (msg: string) => void;
}

export async function runLiquidations(input: LiquidationInput): Promise<{ liquidated: Address[]; badDebt: Address[] }> {
  const { clients, deployment: d, tx, users, liquidators, count, log } = input;
  const { publicClient } = clients;
  const rng = new Rng(`${input.seed}/liquidations`);
  const liquidated = new Set<Address>();
  const accountData = (list: Address[]) =>
    Promise.all(list.map((user) => publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getUserAccountData', args: [user] })));
  let sent = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const data = await accountData(users);
    const targets = users.filter((_, i) => data[i][5] < HF_ONE && data[i][0] > 0n && data[i][1] > 0n);
    if (targets.length === 0) break;
    const hfOf = new Map(users.map((u, i) => [u, data[i][5]]));
    const prices = await publicClient.readContract({ address: d.aaveOracle, abi: aaveOracleAbi, functionName: 'getAssetsPrices', args: [d.reserves.map((r) => r.underlying)] });
    const positions = await Promise.all(targets.map((u) => position(u)));
    const started = Date.now();
    await Promise.all(targets.map((user, k) => {
      const { collateral, debt } = positions[k];
      if (collateral < 0 || debt < 0) return Promise.resolve();
      const liquidator = liquidators[(sent + round) % liquidators.length];
      // The first two liquidations pin both receiveAToken variants; the rest are seeded.
      const receiveAToken = sent === 0 ? true : sent === 1 ? false : rng.chance(0.5);
      const hf = hfOf.get(user)!;
      // In the 50% close-factor zone, sometimes cover less than the maximum: a smaller partial liquidation.
      const debtToCover = round === 0 && hf >= CLOSE_FACTOR_HF_THRESHOLD && rng.chance(0.5)
        ? positions[k].debtBalance / BigInt(rng.int(3, 6))
        : maxUint256;
      sent++;
      liquidated.add(user);
      count('liquidation');
      count(receiveAToken ? 'liquidationReceiveAToken' : 'liquidationReceiveUnderlying');
      count(hf >= CLOSE_FACTOR_HF_THRESHOLD ? 'liquidationPartialZone' : 'liquidationFullZone');
      const c = d.reserves[collateral], b = d.reserves[debt];
      return tx.write(liquidator, {
        address: d.pool, abi: poolAbi, functionName: 'liquidationCall',
        args: [c.underlying, b.underlying, user, debtToCover, receiveAToken], gas: GAS_LIQUIDATION,
      }, `liquidationCall(${c.symbol} collateral, ${b.symbol} debt, user ${user}, receiveAToken ${receiveAToken})`);
    }));
    const receipts = await tx.settle();
    log(`liquidations round ${round}: ${receipts.length} txs, ${targets.length} accounts below HF 1, ${Date.now() - started} ms`);

    /** Largest enabled collateral and largest debt by value (reserve indexes into d.reserves). */
    async function position(user: Address) {
      const [config, aBal, dBal] = await Promise.all([
        publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'getUserConfiguration', args: [user] }),
        Promise.all(d.reserves.map((r) => publicClient.readContract({ address: r.aToken, abi: aTokenAbi, functionName: 'balanceOf', args: [user] }))),
        Promise.all(d.reserves.map((r) => publicClient.readContract({ address: r.variableDebtToken, abi: variableDebtTokenAbi, functionName: 'balanceOf', args: [user] }))),
      ]);
      const value = (i: number, amount: bigint) => (amount * prices[i]) / 10n ** BigInt(d.reserves[i].decimals);
      let collateral = -1, debt = -1, best = 0n, worst = 0n;
      for (let i = 0; i < d.reserves.length; i++) {
        // UserConfiguration bitmap: bit 2*id = borrowing, bit 2*id+1 = using as collateral; ids follow listing order.
        const usingAsCollateral = ((config.data >> BigInt(2 * i + 1)) & 1n) === 1n;
        if (usingAsCollateral && aBal[i] > 0n && value(i, aBal[i]) > best) (best = value(i, aBal[i])), (collateral = i);
        if (dBal[i] > 0n && value(i, dBal[i]) > worst) (worst = value(i, dBal[i])), (debt = i);
      }
      return { collateral, debt, debtBalance: debt >= 0 ? dBal[debt] : 0n };
    }
  }
  const end = await accountData(users);
  const badDebt = users.filter((_, i) => end[i][0] === 0n && end[i][1] > 0n);
  return { liquidated: [...liquidated], badDebt };
}
