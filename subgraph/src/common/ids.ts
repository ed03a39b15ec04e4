// Id helpers: every id is Bytes (cheaper than String ids in graph-node and concatenation is exact).
import { Address, Bytes, ethereum } from '@graphprotocol/graph-ts'

/** Event id: txHash ++ block-level logIndex (4 bytes, graph-ts concatI32). Unique per log. */
export function eventId(event: ethereum.Event): Bytes {
  return event.transaction.hash.concatI32(event.logIndex.toI32())
}

/** Market id: protocol root contract ++ market key (Aave: underlying asset). */
export function marketId(protocol: Bytes, key: Bytes): Bytes {
  return protocol.concat(key)
}

/** Position id: market ++ account. */
export function positionId(market: Bytes, account: Address): Bytes {
  return market.concat(account)
}

/** ProtocolAccount id: protocol ++ account. */
export function protocolAccountId(protocol: Bytes, account: Address): Bytes {
  return protocol.concat(account)
}

/** eMode category id: protocol ++ one byte category id (Aave uses uint8). */
export function eModeCategoryId(protocol: Bytes, categoryId: i32): Bytes {
  const b = new Bytes(1)
  b[0] = categoryId as u8
  return protocol.concat(b)
}

/** The protocol of a market id (protocol root contract ++ market key): its first 20 bytes. */
export function protocolOfMarket(market: Bytes): Bytes {
  return Bytes.fromUint8Array(market.subarray(0, 20))
}
