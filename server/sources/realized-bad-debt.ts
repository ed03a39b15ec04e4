/** Realized bad-debt events of a protocol up to a block, with the liquidations that caused them. */
import type { LossAbsorption, RealizedLossFact } from '../metrics/realized';
import { LIQUIDATION_FIELDS, liquidationRow, type LiquidationRow, type RawLiquidation } from './liquidations';
import type { SubgraphClient } from './subgraph-client';

export interface RawRealized {
  id: string;
  kind: string;
  blockNumber: string;
  logIndex: string;
  timestamp: string;
  txHash: string;
  account: { id: string };
  amount: string;
  price: string | null;
  market: { id: string; decimals: number; inputToken: { id: string; symbol: string | null; name: string | null } };
  liquidation: RawLiquidation | null;
}

export interface RealizedRow {
  fact: RealizedLossFact;
  kind: string;
  txHash: string;
  account: string;
  asset: { address: string; symbol: string | null; name: string | null; decimals: number };
  liquidation: LiquidationRow | null;
  /** Who absorbed the loss (covered, socialized; the rest is booked as a deficit): each family says, from its own events. */
  absorbed: LossAbsorption;
}

/** A RealizedBadDebt row as the subgraph has it, before its family says who absorbed it. */
export type RealizedEvent = Omit<RealizedRow, 'absorbed'>;

/** Newest first. */
export async function loadRealizedBadDebts(subgraph: SubgraphClient, protocolId: string, toBlock: number): Promise<RealizedEvent[]> {
  const raw = await subgraph.queryAll<RawRealized>({
    collection: 'realizedBadDebts',
    fields: `kind blockNumber logIndex timestamp txHash account { id } amount price
      market { id decimals inputToken { id symbol name } } liquidation { id ${LIQUIDATION_FIELDS} }`,
    where: { protocol: protocolId },
    block: toBlock,
  });
  return raw
    .sort((a, b) => Number(b.blockNumber) - Number(a.blockNumber) || Number(b.logIndex) - Number(a.logIndex))
    .map((r) => ({
      fact: {
        id: r.id,
        marketId: r.market.id,
        block: Number(r.blockNumber),
        timestamp: Number(r.timestamp),
        amount: BigInt(r.amount),
        price: r.price === null ? null : BigInt(r.price),
        decimals: r.market.decimals,
      },
      kind: r.kind,
      txHash: r.txHash,
      account: r.account.id,
      asset: { address: r.market.inputToken.id, symbol: r.market.inputToken.symbol, name: r.market.inputToken.name, decimals: r.market.decimals },
      liquidation: r.liquidation ? liquidationRow(r.liquidation) : null,
    }));
}
