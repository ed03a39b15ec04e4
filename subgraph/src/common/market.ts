// A new Market: its identity and the totals every family fills (schema.graphql, type Market). The
// caller links its family's own entities and saves.
import { ethereum, Bytes } from '@graphprotocol/graph-ts'
import { Market, Token } from '../../generated/schema'
import { rememberMarket } from './changes'
import { ZERO } from './math'

export function newMarket(id: Bytes, protocol: Bytes, inputToken: Token, block: ethereum.Block): Market {
  const m = new Market(id)
  m.protocol = protocol
  m.inputToken = inputToken.id
  m.decimals = inputToken.decimals
  m.createdAtBlock = block.number
  m.createdAtTimestamp = block.timestamp
  m.supplierCount = 0
  m.borrowerCount = 0
  m.positionCount = 0
  m.liquidationCount = 0
  m.realizedBadDebtCount = 0
  m.totalRealizedBadDebt = ZERO
  rememberMarket(m)
  return m
}
