// PoolQuotaKeeperV3: per-account quotas, and per-token limits (debt ceilings), rates and fees.
// A quota change moves the pool's quota revenue: the pool's interest state is read again.
import { Address, Bytes, ethereum } from '@graphprotocol/graph-ts'
import {
  AddQuotaToken, PoolQuotaKeeperV3, SetQuotaIncreaseFee, SetTokenLimit, UpdateQuota, UpdateTokenQuotaRate,
} from '../../generated/PoolQuotaKeeperV3/PoolQuotaKeeperV3'
import { CreditAccount, CreditAccountQuota, CreditManager, GearboxPool, QuotaToken } from '../../generated/schema'
import { ZERO } from '../common/math'
import { getOrCreateToken } from '../common/token'
import { getOrCreatePool, readPoolState } from './state'

export function getOrCreateQuotaToken(pool: Bytes, token: Address): QuotaToken {
  const id = pool.concat(token)
  let q = QuotaToken.load(id)
  if (q != null) return q
  getOrCreateToken(token, -1)
  q = new QuotaToken(id)
  q.pool = pool
  q.token = token
  q.limit = ZERO
  q.totalQuoted = ZERO
  q.rate = 0
  q.quotaIncreaseFee = 0
  return q
}

function poolOf(keeper: Address, block: ethereum.Block): GearboxPool {
  return getOrCreatePool(PoolQuotaKeeperV3.bind(keeper).pool(), block)
}

export function handleAddQuotaToken(event: AddQuotaToken): void {
  const pool = poolOf(event.address, event.block)
  getOrCreateQuotaToken(pool.id, event.params.token).save()
}

export function handleSetTokenLimit(event: SetTokenLimit): void {
  const pool = poolOf(event.address, event.block)
  const q = getOrCreateQuotaToken(pool.id, event.params.token)
  q.limit = event.params.limit
  q.save()
}

export function handleSetQuotaIncreaseFee(event: SetQuotaIncreaseFee): void {
  const pool = poolOf(event.address, event.block)
  const q = getOrCreateQuotaToken(pool.id, event.params.token)
  q.quotaIncreaseFee = event.params.fee
  q.save()
}

export function handleUpdateTokenQuotaRate(event: UpdateTokenQuotaRate): void {
  const pool = poolOf(event.address, event.block)
  const q = getOrCreateQuotaToken(pool.id, event.params.token)
  q.rate = event.params.rate
  q.save()
  readPoolState(pool!, event.block)
  pool!.save()
}

export function handleUpdateQuota(event: UpdateQuota): void {
  const caAddress = event.params.creditAccount
  const token = event.params.token
  const change = event.params.quotaChange
  const ca = CreditAccount.load(caAddress)
  let pool: GearboxPool | null = null
  if (ca != null) {
    const cm = CreditManager.load(ca.creditManager)
    if (cm != null) pool = GearboxPool.load(cm.pool)
  }
  if (pool == null) pool = poolOf(event.address, event.block)
  const poolId = pool!.id
  const id = caAddress.concat(token)
  let quota = CreditAccountQuota.load(id)
  if (quota == null) {
    getOrCreateToken(token, -1)
    quota = new CreditAccountQuota(id)
    quota.creditAccount = caAddress
    quota.token = token
    quota.quota = ZERO
  }
  quota.quota = quota.quota.plus(change)
  quota.updatedAtBlock = event.block.number
  quota.save()
  const q = getOrCreateQuotaToken(poolId, token)
  q.totalQuoted = q.totalQuoted.plus(change)
  q.save()
  readPoolState(pool!, event.block)
  pool!.save()
}
