// Token metadata. Uses raw ethereum.call (no generated binding) so any manifest can share it;
// the calling data source must list the ABIs named "ERC20" and "ERC20Bytes32".
// Called once per token (at market creation), never per user action.
import { Address, Bytes, ethereum, log } from '@graphprotocol/graph-ts'
import { Token } from '../../generated/schema'

function callString(address: Address, fn: string): string | null {
  const r = ethereum.call(new ethereum.SmartContractCall('ERC20', address, fn, fn + '():(string)', []))
  if (r != null) return r[0].toString()
  // MKR-style tokens return bytes32: keep the printable prefix.
  const r32 = ethereum.call(new ethereum.SmartContractCall('ERC20Bytes32', address, fn, fn + '():(bytes32)', []))
  if (r32 == null) return null
  const raw = r32[0].toBytes()
  let end = 0
  while (end < raw.length && raw[end] != 0) end++
  return Bytes.fromUint8Array(raw.subarray(0, end)).toString()
}

/** Loads or creates a Token. knownDecimals (>= 0) avoids a decimals() call when the event carries it. */
export function getOrCreateToken(address: Address, knownDecimals: i32): Token {
  let token = Token.load(address)
  if (token != null) return token
  token = new Token(address)
  token.name = callString(address, 'name')
  token.symbol = callString(address, 'symbol')
  let decimals = knownDecimals
  if (decimals < 0) {
    const r = ethereum.call(new ethereum.SmartContractCall('ERC20', address, 'decimals', 'decimals():(uint8)', []))
    if (r == null) {
      log.warning('decimals() reverted for token {}; storing 0', [address.toHexString()])
      decimals = 0
    } else {
      decimals = r[0].toI32()
    }
  }
  token.decimals = decimals
  token.save()
  return token
}
