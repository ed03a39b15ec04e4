/**
 * What the resolvers of a GraphQL type receive as their parent where it is not the SDL's own shape:
 * the view model's objects, and result objects with a figure left to compute (a function graphql-js
 * calls only when the field is asked for) or a fact kept for a field resolver. The codegen config
 * (./codegen.ts) maps each GraphQL type named here onto its type; every other type is returned in
 * the SDL's shape (generated/resolvers-types.ts checks that it is).
 */
import type { LiquidationStats } from '../metrics/liquidations';
import type { RealizedLossFact } from '../metrics/realized';
import type { AlertOut } from '../alerts/subscriptions';
import type { PositionView } from '../views/model';
import type * as G from './generated/resolvers-types';

export type { AccountView, MarketView, ProtocolView } from '../views/model';
export type { AlertOut };

/** A position with its protocol's base-currency decimals (Account.positions adds them). */
export type PositionParent = PositionView & { baseDecimals: number };

/** Statistics over a range, in base-currency units. */
export type LiquidationStatsParent = LiquidationStats & { baseDecimals: number };

/** `totalUSD` is valued only when asked for. */
export type RealizedBadDebtPageParent = Omit<G.RealizedBadDebtPage, 'totalUSD'> & { totalUSD: () => string };

/** Its fact and base decimals are kept for `amountUSD`. */
export type SocializedLossParent = Omit<G.SocializedLoss, 'amountUSD'> & { fact: RealizedLossFact; baseDecimals: number };

export type SocializedLossPageParent = Omit<G.SocializedLossPage, 'totalUSD' | 'items'> & { totalUSD: () => string; items: SocializedLossParent[] };

/** `pushListeners` has its own resolver (alerts/subscriptions.ts). */
export type GatewayStatusParent = Omit<G.GatewayStatus, 'pushListeners'>;

/** `accounts` pages through the accounts the shock hits (graphql-js passes it the field's arguments). */
export type StressResultParent = Omit<G.StressResult, 'accounts'> & {
  accounts: (args: G.RequireFields<G.StressResultAccountsArgs, 'first' | 'skip'>) => G.StressAccountPage;
};
