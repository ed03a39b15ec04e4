// VariableDebtToken template: scaled variable debt per position. Debt tokens cannot be transferred.
import { Burn, Mint, Upgraded } from '../../generated/templates/VariableDebtToken/AaveV3VariableDebtToken'
import { applyScaledDebtDelta } from '../common/entities'
import { ZERO } from '../common/math'
import { burnDelta, contextMarket, mintDelta, refreshTokenGeneration } from './tokens'
import { saveMarket } from '../common/changes'

export function handleDebtMint(event: Mint): void {
  if (event.params.value.equals(event.params.balanceIncrease)) return
  const market = contextMarket()
  if (market == null) return
  const account = event.params.onBehalfOf
  const delta = mintDelta(market, account, event.params.value, event.params.balanceIncrease, event.params.index, true)
  if (delta.equals(ZERO)) return
  applyScaledDebtDelta(market, account, delta, event.block)
  saveMarket(market)
}

/**
 * Also the v3.3+ bad-debt write-off: when a liquidation takes the last collateral,
 * LiquidationLogic._burnDebtTokens burns the borrower's whole debt (and _burnBadDebt every other
 * debt reserve's) with an ordinary vToken burn, then the Pool emits DeficitCreated for the part the
 * liquidator did not repay; the position goes to 0 here like any burn.
 */
export function handleDebtBurn(event: Burn): void {
  const market = contextMarket()
  if (market == null) return
  const account = event.params.from
  applyScaledDebtDelta(market, account, burnDelta(market, account, event.params.value, event.params.balanceIncrease, event.params.index, true), event.block)
  saveMarket(market)
}

/** The debt token proxy switched implementation: its Mint/Burn follow the new one's generation from here. */
export function handleDebtTokenUpgraded(event: Upgraded): void {
  refreshTokenGeneration(event.address, true)
}
