// Morpho Blue liquidation rounds after the crash. Each round reads every borrower's position, the
// markets and the oracle prices, and liquidates each unhealthy position once, then mines:
//  - if seizing ALL collateral repays clearly fewer borrow shares than the borrower has, it does
//    exactly that: the collateral reaches 0 and Morpho realizes the rest as bad debt
//    (Liquidate.badDebtAssets/badDebtShares > 0, totalSupplyAssets drops: suppliers take the loss);
//  - otherwise a partial liquidation (by repaid shares or by seized assets, seeded) in round 0,
//    and a full one (repay every borrow share; collateral is left) in later rounds.
// Decisions use Morpho's exact integer math (../morpho-blue/math.ts) with a margin, so interest
// accrued between the read and the mined tx (one block) cannot make a liquidation revert.
import type { Address, PrivateKeyAccount } from 'viem';
import type { DevnetClients } from '../chain/anvil';
import type { TxSender } from '../chain/txs';
import { morphoBlueAbi, morphoOracleAbi } from '../morpho-blue/abis';
import { marketParamsOf, type MorphoDeployment } from '../morpho-blue/deploy';
import { health, repaidSharesForSeized, seizedForRepaidShares, type MarketState } from '../morpho-blue/math';
import { Rng } from './rng';

const MAX_ROUNDS = 3;
const GAS_LIQUIDATE = 600_000n;

export interface MorphoLiquidationInput {
  clients: DevnetClients;
  deployment: MorphoDeployment;
  tx: TxSender;
  seed: string;
  /** every borrower and the market (index into deployment.markets) it borrows in */
  borrowers: { address: Address; market: number }[];
  liquidators: PrivateKeyAccount[];
  count: (kind: string) => void;
  log: (msg: string) => void;
}

export interface MorphoLiquidationResult {
  liquidated: Address[];
  badDebtLiquidations: number;
}

export async function readMarkets(clients: DevnetClients, d: MorphoDeployment, blockNumber?: bigint): Promise<MarketState[]> {
  return Promise.all(d.markets.map(async (m) => {
    const [totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares] = await clients.publicClient.readContract({
      address: d.morpho, abi: morphoBlueAbi, functionName: 'market', args: [m.id], blockNumber,
    });
    return { totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares };
  }));
}

export function readPrices(clients: DevnetClients, d: MorphoDeployment, blockNumber?: bigint): Promise<bigint[]> {
  return Promise.all(d.markets.map((m) => clients.publicClient.readContract({ address: m.oracle, abi: morphoOracleAbi, functionName: 'price', blockNumber })));
}

export async function runMorphoLiquidations(input: MorphoLiquidationInput): Promise<MorphoLiquidationResult> {
  const { clients, deployment: d, tx, borrowers, liquidators, count, log } = input;
  const rng = new Rng(`morpho-blue/${input.seed}/liquidations`);
  const liquidated = new Set<Address>();
  let sent = 0;
  let badDebtLiquidations = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [markets, prices, positions] = await Promise.all([
      readMarkets(clients, d),
      readPrices(clients, d),
      Promise.all(borrowers.map((b) => clients.publicClient.readContract({
        address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [d.markets[b.market].id, b.address],
      }))),
    ]);
    const started = Date.now();
    let n = 0;
    for (const [k, b] of borrowers.entries()) {
      const [, borrowShares, collateral] = positions[k];
      const mi = b.market;
      const lltv = BigInt(d.markets[mi].lltv);
      if (collateral === 0n || health(markets[mi], borrowShares, collateral, prices[mi], lltv).healthy) continue;
      const seizeAllShares = repaidSharesForSeized(markets[mi], collateral, prices[mi], lltv);
      let seized = 0n, repaidShares = 0n, kind: string;
      if (seizeAllShares * 100n < borrowShares * 99n) {
        (seized = collateral), (kind = 'liquidationBadDebt');
        badDebtLiquidations++;
      } else if (round === 0) {
        // A partial liquidation; both input modes of Morpho.liquidate appear.
        if (rng.chance(0.5)) (repaidShares = borrowShares / 2n), (kind = 'liquidationByShares');
        else (seized = collateral / 3n), (kind = 'liquidationBySeizedAssets');
      } else if (seizedForRepaidShares(markets[mi], borrowShares, prices[mi], lltv) * 1000n < collateral * 995n) {
        (repaidShares = borrowShares), (kind = 'liquidationFullRepay');
      } else continue; // too close to the edge between the two cases to be sure it cannot revert
      const liquidator = liquidators[sent++ % liquidators.length];
      liquidated.add(b.address);
      count('liquidation');
      count(kind);
      n++;
      await tx.write(liquidator, {
        address: d.morpho, abi: morphoBlueAbi, functionName: 'liquidate',
        args: [marketParamsOf(d.markets[mi]), b.address, seized, repaidShares, '0x'], gas: GAS_LIQUIDATE,
      }, `${kind} liquidate(${d.markets[mi].label}, ${b.address}, seized ${seized}, repaidShares ${repaidShares})`);
    }
    if (n === 0) break;
    const receipts = await tx.settle();
    log(`liquidations round ${round}: ${receipts.length} txs, ${Date.now() - started} ms`);
  }
  return { liquidated: [...liquidated], badDebtLiquidations };
}
