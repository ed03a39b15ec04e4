// CreditConfiguratorV3 and CreditManagerV3 configuration: collateral tokens (whose transfers are then
// followed), liquidation thresholds, the facade and configurator in force, borrowing limits.
import { Address, ethereum } from '@graphprotocol/graph-ts'
import {
  AddCollateralToken, AllowToken, CreditConfiguratorV3, ForbidToken, SetBorrowingLimits, SetCreditFacade,
  SetTokenLiquidationThreshold,
} from '../../generated/CreditConfiguratorV3/CreditConfiguratorV3'
import { SetCreditConfigurator } from '../../generated/CreditManagerV3/CreditManagerV3'
import { CollateralToken, CreditManager } from '../../generated/schema'
import { getOrCreateToken } from '../common/token'
import { getOrCreateCreditManager, trackToken } from './state'

function managerOf(configurator: Address, block: ethereum.Block): CreditManager {
  return getOrCreateCreditManager(CreditConfiguratorV3.bind(configurator).creditManager(), block)
}

function getOrCreateCollateral(cm: CreditManager, token: Address): CollateralToken {
  const id = cm.id.concat(token)
  let c = CollateralToken.load(id)
  if (c != null) return c
  getOrCreateToken(token, -1)
  c = new CollateralToken(id)
  c.creditManager = cm.id
  c.token = token
  c.allowed = true
  return c
}

export function handleAddCollateralToken(event: AddCollateralToken): void {
  const cm = managerOf(event.address, event.block)
  getOrCreateCollateral(cm, event.params.token).save()
  trackToken(event.params.token, null)
}

export function handleSetTokenLiquidationThreshold(event: SetTokenLiquidationThreshold): void {
  const cm = managerOf(event.address, event.block)
  const c = getOrCreateCollateral(cm, event.params.token)
  c.liquidationThreshold = event.params.liquidationThreshold
  c.save()
}

export function handleAllowToken(event: AllowToken): void {
  const c = getOrCreateCollateral(managerOf(event.address, event.block), event.params.token)
  c.allowed = true
  c.save()
}

export function handleForbidToken(event: ForbidToken): void {
  const c = getOrCreateCollateral(managerOf(event.address, event.block), event.params.token)
  c.allowed = false
  c.save()
}

export function handleSetCreditFacade(event: SetCreditFacade): void {
  const cm = managerOf(event.address, event.block)
  cm.creditFacade = event.params.creditFacade
  cm.save()
}

export function handleSetBorrowingLimits(event: SetBorrowingLimits): void {
  const cm = managerOf(event.address, event.block)
  cm.minDebt = event.params.minDebt
  cm.maxDebt = event.params.maxDebt
  cm.save()
}

export function handleSetCreditConfigurator(event: SetCreditConfigurator): void {
  const cm = getOrCreateCreditManager(event.address, event.block)
  cm.creditConfigurator = event.params.newConfigurator
  cm.save()
}
