// VariableDebtToken template: scaled variable debt per position. Debt tokens cannot be transferred.
import { Burn, Mint } from '../../generated/templates/VariableDebtToken/AaveV3VariableDebtToken'
import { applyScaledDebtDelta } from '../common/entities'
import { ZERO } from '../common/math'
import { burnScaledDelta, contextMarket, mintScaledDelta } from './tokens'

export function handleDebtMint(event: Mint): void {
  const delta = mintScaledDelta(event.params.value, event.params.balanceIncrease, event.params.index)
  if (delta.equals(ZERO)) return
  const market = contextMarket()
  if (market == null) return
  applyScaledDebtDelta(market, event.params.onBehalfOf, delta, event.block)
}

export function handleDebtBurn(event: Burn): void {
  const market = contextMarket()
  if (market == null) return
  applyScaledDebtDelta(market, event.params.from, burnScaledDelta(event.params.value, event.params.balanceIncrease, event.params.index), event.block)
}
