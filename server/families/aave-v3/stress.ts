/**
 * Aave V3 under price shocks: the oracle's prices at the block moved by each scenario's factors,
 * then the very same protocol view (aaveProtocolView: e-mode prices and thresholds, isolation, the
 * generation's rounding) at the accrual timestamp.
 */
import { checkKnown, isLiquidatable, shockPrice, WAD } from '../../metrics/stress';
import { withPrices } from './prices';
import type { MarketTable } from './source';
import type { BlockRef, IndexingState } from '../../sources/blocks';
import { aaveProtocolView, type AaveAccountSet, type PriceLabels } from './view';
import type { StressedViews } from '../../views/adapter';

/** Aave's liquidationBonus is in bps including the principal (10500 = 5% bonus): as a wad factor. */
const BPS_TO_WAD = WAD / 10_000n;

export function aaveStressedViews(
  table: MarketTable,
  labels: PriceLabels,
  accounts: AaveAccountSet,
  at: { block: BlockRef; indexing: IndexingState; timestamp: number },
  scenarios: ReadonlyMap<string, bigint>[],
): StressedViews {
  const assets = new Map(table.markets.map((m) => [m.asset, { symbol: m.symbol, decimals: m.decimals }]));
  for (const s of scenarios) checkKnown(s, new Set(assets.keys()), table.protocol.slug);
  const block = { ...at.block, timestamp: at.timestamp };
  const views = scenarios.map((factors) => {
    // Every asset the account math prices moves, the e-mode categories' price sources included.
    const byAsset = new Map([...table.pricesByAsset].map(([asset, price]) => [asset, shockPrice(price, factors.get(asset))]));
    return aaveProtocolView(withPrices(table, { ...labels, byAsset }), labels, accounts, block, at.indexing);
  });
  return {
    views,
    // GenericLogic values every collateral of the account against every debt: one pool of collateral.
    collateralScope: 'ACCOUNT',
    bonusWad: new Map(table.markets.map((m) => [m.id, m.liquidationBonus * BPS_TO_WAD])),
    assets,
    collateralLiquidatable: (account) => isLiquidatable(account.risk),
  };
}
