// GaugeV3: the rate bounds of each quoted token (the epoch's rates reach the quota keeper as UpdateTokenQuotaRate).
import { Address, ethereum } from '@graphprotocol/graph-ts'
import { AddQuotaToken, GaugeV3, SetQuotaTokenParams } from '../../generated/GaugeV3/GaugeV3'
import { getOrCreatePool } from './state'
import { getOrCreateQuotaToken } from './quotas'

function setBounds(gauge: Address, token: Address, minRate: i32, maxRate: i32, block: ethereum.Block): void {
  const pool = getOrCreatePool(GaugeV3.bind(gauge).pool(), block)
  const q = getOrCreateQuotaToken(pool.id, token)
  q.minRate = minRate
  q.maxRate = maxRate
  q.save()
}

export function handleGaugeAddQuotaToken(event: AddQuotaToken): void {
  setBounds(event.address, event.params.token, event.params.minRate, event.params.maxRate, event.block)
}

export function handleSetQuotaTokenParams(event: SetQuotaTokenParams): void {
  setBounds(event.address, event.params.token, event.params.minRate, event.params.maxRate, event.block)
}
