/** Liquidations of a protocol in a block range, as stored by the subgraph, ready for valuation. */
import { valueLiquidation, type LiquidationFact, type LiquidationValue } from '../metrics/liquidations';
import type { SubgraphClient } from './subgraph-client';

export interface RawLiquidation {
  id: string;
  blockNumber: string;
  logIndex: string;
  timestamp: string;
  txHash: string;
  account: { id: string };
  liquidator: string;
  debtRepaid: string;
  collateralSeized: string;
  protocolFee: string;
  receiveAToken: boolean;
  debtPrice: string | null;
  collateralPrice: string | null;
  debtMarket: { id: string; decimals: number; inputToken: { id: string; symbol: string | null; name: string | null } };
  collateralMarket: { id: string; decimals: number; inputToken: { id: string; symbol: string | null; name: string | null } };
}

export interface LiquidationRow {
  fact: LiquidationFact;
  value: LiquidationValue;
  out: {
    id: string;
    block: number;
    timestamp: number;
    txHash: string;
    borrower: string;
    liquidator: string;
    debtMarket: string;
    collateralMarket: string;
    debtAsset: { address: string; symbol: string | null; name: string | null; decimals: number };
    collateralAsset: { address: string; symbol: string | null; name: string | null; decimals: number };
    receiveAToken: boolean;
  };
}

export const LIQUIDATION_FIELDS = `blockNumber logIndex timestamp txHash account { id } liquidator debtRepaid collateralSeized protocolFee receiveAToken
  debtPrice collateralPrice
  debtMarket { id decimals inputToken { id symbol name } } collateralMarket { id decimals inputToken { id symbol name } }`;

/** Newest first (block, then log order). */
export async function loadLiquidations(subgraph: SubgraphClient, protocolId: string, fromBlock: number, toBlock: number): Promise<LiquidationRow[]> {
  const raw = await subgraph.queryAll<RawLiquidation>({
    collection: 'liquidations',
    fields: LIQUIDATION_FIELDS,
    where: { protocol: protocolId, blockNumber_gte: String(fromBlock), blockNumber_lte: String(toBlock) },
    block: toBlock,
  });
  const rows = raw.map(liquidationRow);
  const logIndex = new Map(raw.map((l) => [l.id, Number(l.logIndex)]));
  return rows.sort((a, b) => b.out.block - a.out.block || logIndex.get(b.out.id)! - logIndex.get(a.out.id)!);
}

/** A stored liquidation, valued at its own block's prices. */
export function liquidationRow(l: RawLiquidation): LiquidationRow {
  const fact: LiquidationFact = {
    id: l.id,
    liquidator: l.liquidator.toLowerCase(),
    debtRepaid: BigInt(l.debtRepaid),
    collateralSeized: BigInt(l.collateralSeized),
    protocolFee: BigInt(l.protocolFee),
    debtPrice: l.debtPrice === null ? null : BigInt(l.debtPrice),
    collateralPrice: l.collateralPrice === null ? null : BigInt(l.collateralPrice),
    debtDecimals: l.debtMarket.decimals,
    collateralDecimals: l.collateralMarket.decimals,
  };
  const token = (m: RawLiquidation['debtMarket']) => ({ address: m.inputToken.id, symbol: m.inputToken.symbol, name: m.inputToken.name, decimals: m.decimals });
  return {
    fact,
    value: valueLiquidation(fact),
    out: {
      id: l.id,
      block: Number(l.blockNumber),
      timestamp: Number(l.timestamp),
      txHash: l.txHash,
      borrower: l.account.id,
      liquidator: l.liquidator,
      debtMarket: l.debtMarket.id,
      collateralMarket: l.collateralMarket.id,
      debtAsset: token(l.debtMarket),
      collateralAsset: token(l.collateralMarket),
      receiveAToken: l.receiveAToken,
    },
  };
}
