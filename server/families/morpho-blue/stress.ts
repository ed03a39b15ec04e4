/**
 * Morpho Blue under price shocks: each market's oracle price (collateral in loan units) moves by the
 * collateral's factor over the loan token's, each loan token's USD price by its own, then the very
 * same protocol view (morphoProtocolView: Morpho's health rule per market, LLTV, share rounding) with
 * interest accrued to the timestamp (MorphoBalancesLib, with the IRM's rate read at the block).
 */
import { liquidationIncentiveFactor } from './math';
import { checkKnown, shockCrossPrice, shockPrice } from '../../metrics/stress';
import type { MorphoAccountState } from './source';
import type { StressedViews } from '../../views/adapter';
import type { AccountView } from '../../views/model';

/** Morpho's account views carry their per-market figures (morpho-blue.ts). */
type MorphoAccountView = AccountView & { morpho?: { marketId: string; collateral: bigint; figures: { liquidatable: boolean } }[] };
import { morphoProtocolView, type MorphoInputs } from './view';

export function morphoStressedViews(inputs: MorphoInputs, states: MorphoAccountState[], scenarios: ReadonlyMap<string, bigint>[], timestamp: number): StressedViews {
  const assets = new Map<string, { symbol: string | null; decimals: number }>();
  for (const m of inputs.markets) {
    assets.set(m.loan.address, { symbol: m.loan.symbol, decimals: m.loan.decimals });
    if (m.collateral) assets.set(m.collateral.address, { symbol: m.collateral.symbol, decimals: m.collateral.decimals });
  }
  for (const s of scenarios) checkKnown(s, new Set(assets.keys()), inputs.protocol.slug);
  const block = { ...inputs.block, timestamp };
  const views = scenarios.map((f) => {
    const oraclePrices = new Map<string, bigint | null>();
    for (const m of inputs.markets) {
      const p = inputs.oraclePrices.get(m.id) ?? null;
      oraclePrices.set(m.id, p === null ? null : shockCrossPrice(p, m.collateral ? f.get(m.collateral.address) : undefined, f.get(m.loan.address)));
    }
    const usd = new Map([...inputs.usd].map(([token, price]) => [token, shockPrice(price, f.get(token))]));
    return morphoProtocolView({ ...inputs, oraclePrices, usd, block }, states);
  });
  return {
    views,
    // Morpho seizes only the collateral of the market the debt is in.
    collateralScope: 'MARKET',
    bonusWad: new Map(inputs.markets.map((m) => [m.id, liquidationIncentiveFactor(m.lltv)])),
    assets,
    // Isolated markets: only a market whose own position breaks Morpho._isHealthy can be seized from.
    collateralLiquidatable: (account, marketId) => (account as MorphoAccountView).morpho?.some((m) => m.marketId === marketId && m.figures.liquidatable && m.collateral > 0n) ?? false,
  };
}
