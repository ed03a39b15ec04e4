/** Liquidation statistics over a range, valued at each liquidation's own block prices. */
import { MetricError } from './errors';

export interface LiquidationFact {
  id: string;
  liquidator: string;
  debtRepaid: bigint;
  collateralSeized: bigint;
  protocolFee: bigint;
  debtPrice: bigint | null;
  collateralPrice: bigint | null;
  debtDecimals: number;
  collateralDecimals: number;
}

export interface LiquidationValue {
  debtRepaidBase: bigint;
  /** Collateral the liquidator received. */
  collateralSeizedBase: bigint;
  protocolFeeBase: bigint;
  /** collateral received - debt repaid */
  liquidatorProfitBase: bigint;
}

export function valueLiquidation(l: LiquidationFact): LiquidationValue {
  if (l.debtPrice === null || l.collateralPrice === null) {
    throw new MetricError('PRICE_UNAVAILABLE', `liquidation ${l.id} has no oracle price recorded`);
  }
  const debtRepaidBase = (l.debtRepaid * l.debtPrice) / 10n ** BigInt(l.debtDecimals);
  const collateralSeizedBase = (l.collateralSeized * l.collateralPrice) / 10n ** BigInt(l.collateralDecimals);
  const protocolFeeBase = (l.protocolFee * l.collateralPrice) / 10n ** BigInt(l.collateralDecimals);
  return { debtRepaidBase, collateralSeizedBase, protocolFeeBase, liquidatorProfitBase: collateralSeizedBase - debtRepaidBase };
}

export interface LiquidatorStats extends LiquidationValue {
  liquidator: string;
  count: number;
}

export interface LiquidationStats extends LiquidationValue {
  count: number;
  /** Liquidators by profit, best first. */
  liquidators: LiquidatorStats[];
}

export function liquidationStats(facts: LiquidationFact[]): LiquidationStats {
  const zero = (): LiquidationValue => ({ debtRepaidBase: 0n, collateralSeizedBase: 0n, protocolFeeBase: 0n, liquidatorProfitBase: 0n });
  const total = { count: 0, ...zero() };
  const byLiquidator = new Map<string, LiquidatorStats>();
  for (const fact of facts) {
    const v = valueLiquidation(fact);
    const who = byLiquidator.get(fact.liquidator) ?? { liquidator: fact.liquidator, count: 0, ...zero() };
    for (const target of [total, who]) {
      target.count++;
      target.debtRepaidBase += v.debtRepaidBase;
      target.collateralSeizedBase += v.collateralSeizedBase;
      target.protocolFeeBase += v.protocolFeeBase;
      target.liquidatorProfitBase += v.liquidatorProfitBase;
    }
    byLiquidator.set(fact.liquidator, who);
  }
  const liquidators = [...byLiquidator.values()].sort((a, b) =>
    a.liquidatorProfitBase === b.liquidatorProfitBase ? a.liquidator.localeCompare(b.liquidator) : a.liquidatorProfitBase > b.liquidatorProfitBase ? -1 : 1,
  );
  return { ...total, liquidators };
}
