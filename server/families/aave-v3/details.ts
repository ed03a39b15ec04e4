/**
 * An Aave V3 reserve's own configuration and treasury figures (GraphQL type AaveV3ReserveDetails,
 * declared in ./schema.graphql): what no other family has, so no other family fills it.
 */
import { formatRatio, formatUnits } from '../../metrics/decimal';
import type { MarketDetails } from '../../views/model';

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
    accruedToTreasury: (d: AaveV3ReserveDetails) => units(d, d.accruedToTreasury),
    treasuryBalance: (d: AaveV3ReserveDetails) => units(d, d.treasuryBalance),
    supplyCapUtilization: (d: AaveV3ReserveDetails) => formatRatio(d.supplyCapUtilization),
    borrowCapUtilization: (d: AaveV3ReserveDetails) => formatRatio(d.borrowCapUtilization),
    debtCeilingUtilization: (d: AaveV3ReserveDetails) => formatRatio(d.debtCeilingUtilization),
    totalDeficitCreated: (d: AaveV3ReserveDetails) => units(d, d.totalDeficitCreated),
    totalDeficitCovered: (d: AaveV3ReserveDetails) => units(d, d.totalDeficitCovered),
    ltv: (d: AaveV3ReserveDetails) => bps(d.ltv),
    liquidationThreshold: (d: AaveV3ReserveDetails) => bps(d.liquidationThreshold),
    liquidationBonus: (d: AaveV3ReserveDetails) => bps(d.liquidationBonus),
    reserveFactor: (d: AaveV3ReserveDetails) => bps(d.reserveFactor),
    liquidationProtocolFee: (d: AaveV3ReserveDetails) => bps(d.liquidationProtocolFee),
    supplyCap: (d: AaveV3ReserveDetails) => (d.supplyCap === 0n ? null : String(d.supplyCap)),
    borrowCap: (d: AaveV3ReserveDetails) => (d.borrowCap === 0n ? null : String(d.borrowCap)),
    debtCeilingUSD: (d: AaveV3ReserveDetails) => (d.debtCeiling === 0n ? null : formatUnits(d.debtCeiling, DEBT_CEILING_DECIMALS)),
    isolationModeTotalDebtUSD: (d: AaveV3ReserveDetails) => formatUnits(d.isolationModeTotalDebt, DEBT_CEILING_DECIMALS),
    eModeCategory: (d: AaveV3ReserveDetails) => d.eModeCategoryId,
  },
};
