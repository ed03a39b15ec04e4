// PriceOracleV3: the main and reserve price feed of each token, with its staleness period.
import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts'
import { SetPriceFeed, SetReservePriceFeed } from '../../generated/PriceOracleV3/PriceOracleV3'
import { GearboxPriceFeed } from '../../generated/schema'
import { getOrCreateToken } from '../common/token'

function record(event: ethereum.Event, token: Address, feed: Address, staleness: BigInt, skipCheck: boolean, reserve: boolean): void {
  const id = event.address.concat(token).concat(Bytes.fromHexString(reserve ? '0x01' : '0x00'))
  let f = GearboxPriceFeed.load(id)
  if (f == null) {
    getOrCreateToken(token, -1)
    f = new GearboxPriceFeed(id)
    f.oracle = event.address
    f.token = token
    f.reserve = reserve
  }
  f.priceFeed = feed
  f.stalenessPeriod = staleness
  f.skipCheck = skipCheck
  f.updatedAtBlock = event.block.number
  f.save()
}

export function handleSetPriceFeed(event: SetPriceFeed): void {
  const p = event.params
  record(event, p.token, p.priceFeed, p.stalenessPeriod, p.skipCheck, false)
}

export function handleSetReservePriceFeed(event: SetReservePriceFeed): void {
  const p = event.params
  record(event, p.token, p.priceFeed, p.stalenessPeriod, p.skipCheck, true)
}
