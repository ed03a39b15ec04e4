// Liquidation rounds after the crash. Each round reads every account's health factor, and for each
// one below 1 sends one liquidationCall (largest collateral against largest debt), then mines.
// Rounds repeat until no liquidatable account has collateral left, so deeply underwater accounts
// lose ALL their collateral and keep the rest of their debt: Aave V3.0 leaves it on the books.
// Aave V3.6 instead burns that debt in the same liquidation and books it as the reserve's deficit
// (`DeficitCreated`, collected here from the receipts).
import { decodeEventLog, maxUint256, type Address, type PrivateKeyAccount, type TransactionReceipt } from 'viem';
import type { DevnetClients } from '../chain/anvil';
import type { TxSender } from '../chain/txs';
import { aaveOracleAbi, aTokenAbi, poolAbi, variableDebtTokenAbi } from '../aave-v3/contracts';
import type { AaveV3Deployment } from '../aave-v3/deploy';
import { poolV36Abi } from '../aave-v36/abis';
import { Rng } from './rng';

/** LiquidationLogic.CLOSE_FACTOR_HF_THRESHOLD (Aave V3.0): below it 100% of a debt is liquidatable. */
const CLOSE_FACTOR_HF_THRESHOLD = 950_000_000_000_000_000n;
const HF_ONE = 10n ** 18n;
// Partial-zone e-mode positions spiral (LT x bonus = 0.975 x 1.01 > HF, so each liquidation lowers
// HF further): a handful of rounds is needed before their collateral is gone.
const MAX_ROUNDS = 12;
const GAS_LIQUIDATION = 1_000_000n;
/**
 * LiquidationLogic.MIN_LEFTOVER_BASE (v3.3+, 1000 USD in 8-decimal base units): a liquidation that
 * clears neither the debt nor the collateral must leave at least this much of both, else it reverts
 * with MustNotLeaveDust. A cover of <= 1/3 of the debt leaves >= 2/3 of it and, at HF ~0.97 with a
 * bonus <= 10%, over 1/2 of the collateral: positions of >= 4x this value are safe to cut partially.
 */
const V36_MIN_LEFTOVER_BASE = 1_000n * 10n ** 8n;

export interface Deficit {
  user: Address;
  /** underlying of the debt reserve */
  debtAsset: Address;
  /** DeficitCreated.amountCreated, decimal string (JSON-safe) */
  amount: string;
  block: number;
}

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

export interface LiquidationOutcome {
  liquidated: Address[];
  /** v3.0: accounts left with debt and no collateral (v3.6 writes that debt off: see deficits) */
  badDebt: Address[];
  /** v3.6: every DeficitCreated of the liquidations, in order */
  deficits: Deficit[];
}

export async function runLiquidations(input: LiquidationInput): Promise<LiquidationOutcome> {
  const { clients, deployment: d, tx, users, liquidators, count, log } = input;
  const { publicClient } = clients;
  const rng = new Rng(`${input.seed}/liquidations`);
  const liquidated = new Set<Address>();
  const deficits: Deficit[] = [];
  const v36 = d.version === '3.6';
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
      const partialAllowed = !v36 || (positions[k].collateralValue >= 4n * V36_MIN_LEFTOVER_BASE && positions[k].debtValue >= 4n * V36_MIN_LEFTOVER_BASE);
      const debtToCover = round === 0 && hf >= CLOSE_FACTOR_HF_THRESHOLD && partialAllowed && rng.chance(0.5)
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
    if (v36) deficits.push(...deficitsIn(receipts, d.pool));
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
      return { collateral, debt, debtBalance: debt >= 0 ? dBal[debt] : 0n, collateralValue: best, debtValue: worst };
    }
  }
  const end = await accountData(users);
  const badDebt = users.filter((_, i) => end[i][0] === 0n && end[i][1] > 0n);
  return { liquidated: [...liquidated], badDebt, deficits };
}

/** DeficitCreated(user, debtAsset, amountCreated) logs of the pool in these receipts. */
export function deficitsIn(receipts: TransactionReceipt[], pool: Address): Deficit[] {
  const out: Deficit[] = [];
  for (const r of receipts) {
    for (const l of r.logs) {
      if (l.address.toLowerCase() !== pool.toLowerCase()) continue;
      try {
        const ev = decodeEventLog({ abi: poolV36Abi, eventName: 'DeficitCreated', data: l.data, topics: l.topics });
        out.push({ user: ev.args.user, debtAsset: ev.args.debtAsset, amount: ev.args.amountCreated.toString(), block: Number(r.blockNumber) });
      } catch {
        /* another event */
      }
    }
  }
  return out;
}
