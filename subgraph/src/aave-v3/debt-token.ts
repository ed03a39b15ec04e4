// VariableDebtToken template: scaled variable debt per position. Debt tokens cannot be transferred.
import { Burn, Mint, Upgraded } from '../../generated/templates/VariableDebtToken/AaveV3VariableDebtToken'
import { ZERO } from '../common/math'
import { applyScaledDebtDelta } from './positions'
import { saveReserveState } from './reserve'
import { burnDelta, contextState, mintDelta, refreshTokenGeneration } from './tokens'

export function handleDebtMint(event: Mint): void {
  if (event.params.value.equals(event.params.balanceIncrease)) return
  const state = contextState()
  if (state == null) return
  const account = event.params.onBehalfOf
  const delta = mintDelta(state.id, account, event.params.value, event.params.balanceIncrease, event.params.index, true)
  if (delta.equals(ZERO)) return
  applyScaledDebtDelta(state, account, delta, event.block)
  saveReserveState(state)
}

/**
 * Also the v3.3+ bad-debt write-off: when a liquidation takes the last collateral,
 * LiquidationLogic._burnDebtTokens burns the borrower's whole debt (and _burnBadDebt every other
 * debt reserve's) with an ordinary vToken burn, then the Pool emits DeficitCreated for the part the
 * liquidator did not repay; the position goes to 0 here like any burn.
 */
export function handleDebtBurn(event: Burn): void {
  const state = contextState()
  if (state == null) return
  const account = event.params.from
  applyScaledDebtDelta(state, account, burnDelta(state.id, account, event.params.value, event.params.balanceIncrease, event.params.index, true), event.block)
  saveReserveState(state)
}

/** The debt token proxy switched implementation: its Mint/Burn follow the new one's generation from here. */
export function handleDebtTokenUpgraded(event: Upgraded): void {
  refreshTokenGeneration(event.address, true)
}
