/**
 * An Aave V3 reserve's own configuration and treasury figures (GraphQL type AaveV3ReserveDetails,
 * declared in ./schema.graphql): what no other family has, so no other family fills it.
 */
import { formatRatio, formatUnits } from '../../metrics/decimal';
import type { MarketDetails } from '../../views/model';
import type { Resolvers } from '../../schema/generated/resolvers-types';

export interface AaveV3ReserveDetails extends MarketDetails {
  graphqlType: 'AaveV3ReserveDetails';
  decimals: number;
  /** bps (ReserveConfiguration) */
  ltv: bigint;
  liquidationThreshold: bigint;
  liquidationBonus: bigint;
  reserveFactor: bigint;
  liquidationProtocolFee: bigint;
  /** whole tokens, 0 = none */
  supplyCap: bigint;
  borrowCap: bigint;
  /** 2 decimals (ReserveConfiguration.DEBT_CEILING_DECIMALS), 0 = not isolated */
  debtCeiling: bigint;
  isolationModeTotalDebt: bigint;
  eModeCategoryId: number;
  borrowableInIsolation: boolean;
  borrowingEnabled: boolean;
  isActive: boolean;
  isFrozen: boolean;
  isPaused: boolean;
  /** Underlying units: deficits written off since inception, and covered since (Aave v3.3+). */
  totalDeficitCreated: bigint;
  totalDeficitCovered: bigint;
  /** Underlying units: accrued to the treasury, not yet minted; the treasury's own aToken balance. */
  accruedToTreasury: bigint;
  treasuryBalance: bigint;
  /** Fractions x 10^RATIO_DECIMALS; null without a cap or outside isolation mode. */
  supplyCapUtilization: bigint | null;
  borrowCapUtilization: bigint | null;
  debtCeilingUtilization: bigint | null;
}

const bps = (v: bigint) => formatUnits(v, 4);
const units = (d: AaveV3ReserveDetails, v: bigint) => formatUnits(v, d.decimals);
// ReserveConfiguration.DEBT_CEILING_DECIMALS = 2
const DEBT_CEILING_DECIMALS = 2;

export const aaveV3DetailsResolvers = {
  AaveV3ReserveDetails: {
    accruedToTreasury: (d) => units(d, d.accruedToTreasury),
    treasuryBalance: (d) => units(d, d.treasuryBalance),
    supplyCapUtilization: (d) => formatRatio(d.supplyCapUtilization),
    borrowCapUtilization: (d) => formatRatio(d.borrowCapUtilization),
    debtCeilingUtilization: (d) => formatRatio(d.debtCeilingUtilization),
    totalDeficitCreated: (d) => units(d, d.totalDeficitCreated),
    totalDeficitCovered: (d) => units(d, d.totalDeficitCovered),
    ltv: (d) => bps(d.ltv),
    liquidationThreshold: (d) => bps(d.liquidationThreshold),
    liquidationBonus: (d) => bps(d.liquidationBonus),
    reserveFactor: (d) => bps(d.reserveFactor),
    liquidationProtocolFee: (d) => bps(d.liquidationProtocolFee),
    supplyCap: (d) => (d.supplyCap === 0n ? null : String(d.supplyCap)),
    borrowCap: (d) => (d.borrowCap === 0n ? null : String(d.borrowCap)),
    debtCeilingUSD: (d) => (d.debtCeiling === 0n ? null : formatUnits(d.debtCeiling, DEBT_CEILING_DECIMALS)),
    isolationModeTotalDebtUSD: (d) => formatUnits(d.isolationModeTotalDebt, DEBT_CEILING_DECIMALS),
    eModeCategory: (d) => d.eModeCategoryId,
  },
} satisfies Resolvers;
