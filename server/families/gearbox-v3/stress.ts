/**
 * Gearbox V3 under price shocks: every PriceOracleV3 price (USD, 8 decimals) moves by its token's
 * factor, then the very same pool view (gearboxProtocolView: CreditManagerV3.calcDebtAndCollateral
 * per credit account, quota caps and interest, the treasury's shares as the insurance fund) with
 * base and quota interest accrued to the timestamp by Gearbox's own linear index math.
 */
import { checkKnown, shockPrice } from '../../metrics/stress';
import type { StressedViews } from '../../views/adapter';
import { isExpired, PERCENTAGE_FACTOR } from './math';
import { tokensOf } from './source';
import { gearboxProtocolView, type GearboxAccountInput, type GearboxAccountView, type GearboxInputs } from './view';

const WAD = 10n ** 18n;

/**
 * A liquidator repays the account's debt out of its collateral's value x liquidationDiscount
 * (CreditLogic.calcLiquidationPayments: the rest is the liquidator's premium), so collateral C
 * recovers at most C x discount / 1e4 of debt: the bonus factor is 1e4 / discount. With several
 * credit managers on one pool the smallest discount in force (the expired one for an expired facade)
 * is taken: the most debt a liquidator could leave.
 */
function bonusWad(i: GearboxInputs): bigint {
  const now = BigInt(i.block.timestamp);
  let discount: bigint | null = null;
  for (const cm of i.chain.managers.values()) {
    const d = isExpired(cm.expirable, cm.expirationDate, now) ? cm.fees.liquidationDiscountExpired : cm.fees.liquidationDiscount;
    if (d > 0n && (discount === null || d < discount)) discount = d;
  }
  return discount === null ? WAD : (WAD * PERCENTAGE_FACTOR) / discount;
}

export function gearboxStressedViews(inputs: GearboxInputs, accounts: GearboxAccountInput[], scenarios: ReadonlyMap<string, bigint>[], timestamp: number): StressedViews {
  const tokens = tokensOf(inputs.state);
  const assets = new Map(tokens.map((t) => [t.address, { symbol: t.symbol, decimals: t.decimals }]));
  for (const s of scenarios) checkKnown(s, new Set(assets.keys()), inputs.state.protocol.slug);
  const block = { ...inputs.block, timestamp };
  const views = scenarios.map((f) => {
    const prices = new Map([...inputs.chain.prices].map(([token, p]) => [token, { ...p, price: shockPrice(p.price, f.get(token)) }]));
    return gearboxProtocolView({ ...inputs, block, chain: { ...inputs.chain, prices } }, accounts);
  });
  return {
    views,
    // A liquidation takes the whole credit account (every collateral token) against its whole debt.
    collateralScope: 'ACCOUNT',
    bonusWad: new Map([[inputs.state.pool.marketId, bonusWad({ ...inputs, block })]]),
    assets,
    // Any collateral of a liquidatable credit account can be sold by its liquidator.
    collateralLiquidatable: (account) => (account as GearboxAccountView).risk.liquidatable && !account.risk.unliquidatable,
  };
}
