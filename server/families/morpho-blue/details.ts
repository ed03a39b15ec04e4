/**
 * A Morpho Blue market's own parameters (GraphQL type MorphoBlueMarketDetails, declared in
 * ./schema.graphql): one LLTV instead of Aave's LTV/threshold pair, its own oracle and IRM, and
 * latent bad debt in loan-token units (an isolated market measures it in one token).
 */
import { formatUnits } from '../../metrics/decimal';
import type { MarketDetails } from '../../views/model';
import type { TokenInfo } from './source';

export interface MorphoBlueMarketDetails extends MarketDetails {
  graphqlType: 'MorphoBlueMarketDetails';
  loanDecimals: number;
  /** WAD */
  lltv: bigint;
  /** WAD (MorphoLib liquidationIncentiveFactor: min(1.15, 1 / (1 - 0.3 (1 - LLTV)))) */
  liquidationIncentiveFactor: bigint;
  /** WAD: share of interest minted to Morpho.feeRecipient */
  fee: bigint;
  oracle: string;
  irm: string;
  collateralToken: TokenInfo | null;
  /** IOracle.price() at the block: collateral in loan units x 1e36 (ORACLE_PRICE_SCALE); null when unread. */
  oraclePrice: bigint | null;
  /** IIrm.borrowRateView at the block, WAD per second; null when unread. */
  borrowRate: bigint | null;
  /** Loan units: sum over borrowers of max(0, borrowed - collateral value at the market's oracle); null without an oracle price. */
  latentBadDebt: bigint | null;
  /** Loan units: bad debt the market has written off against its suppliers since inception. */
  totalBadDebtRealized: bigint;
}

const WAD_DECIMALS = 18;
const loan = (d: MorphoBlueMarketDetails, v: bigint | null) => (v === null ? null : formatUnits(v, d.loanDecimals));

export const morphoBlueDetailsResolvers = {
  MorphoBlueMarketDetails: {
    lltv: (d: MorphoBlueMarketDetails) => formatUnits(d.lltv, WAD_DECIMALS),
    liquidationIncentiveFactor: (d: MorphoBlueMarketDetails) => formatUnits(d.liquidationIncentiveFactor, WAD_DECIMALS),
    fee: (d: MorphoBlueMarketDetails) => formatUnits(d.fee, WAD_DECIMALS),
    oraclePrice: (d: MorphoBlueMarketDetails) => (d.oraclePrice === null ? null : String(d.oraclePrice)),
    borrowRatePerSecond: (d: MorphoBlueMarketDetails) => (d.borrowRate === null ? null : formatUnits(d.borrowRate, WAD_DECIMALS)),
    latentBadDebt: (d: MorphoBlueMarketDetails) => loan(d, d.latentBadDebt),
    totalBadDebtRealized: (d: MorphoBlueMarketDetails) => loan(d, d.totalBadDebtRealized),
  },
};
