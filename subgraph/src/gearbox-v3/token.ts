// Transfer of a followed token (template GearboxToken: each collateral token and each pool's
// underlying): credit accounts' balances (= token.balanceOf(ca)) and the pool's available liquidity
// (= underlying.balanceOf(pool)). Accounts that are not known credit accounts are skipped.
import { Address, BigInt, ethereum } from '@graphprotocol/graph-ts'
import { Transfer } from '../../generated/templates/GearboxToken/ERC20'
import { CreditAccount, CreditAccountBalance, GearboxPool, GearboxTrackedToken } from '../../generated/schema'
import { ZERO } from '../common/math'

function moveBalance(ca: Address, token: Address, delta: BigInt, block: ethereum.Block): void {
  if (CreditAccount.load(ca) == null) return
  const id = ca.concat(token)
  let b = CreditAccountBalance.load(id)
  if (b == null) {
    b = new CreditAccountBalance(id)
    b.creditAccount = ca
    b.token = token
    b.balance = ZERO
  }
  b.balance = b.balance.plus(delta)
  b.updatedAtBlock = block.number
  b.save()
}

export function handleTokenTransfer(event: Transfer): void {
  const token = event.address
  const from = event.params.from
  const to = event.params.to
  const v = event.params.value
  if (from.equals(to)) return
  moveBalance(from, token, v.neg(), event.block)
  moveBalance(to, token, v, event.block)
  const tracked = GearboxTrackedToken.load(token)
  if (tracked == null || tracked.pool === null) return
  const poolAddress = tracked.pool!
  if (!from.equals(poolAddress) && !to.equals(poolAddress)) return
  const pool = GearboxPool.load(poolAddress)
  if (pool == null) return
  if (from.equals(poolAddress)) pool.availableLiquidity = pool.availableLiquidity.minus(v)
  if (to.equals(poolAddress)) pool.availableLiquidity = pool.availableLiquidity.plus(v)
  pool.save()
}
