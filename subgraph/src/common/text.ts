// Text helpers shared by protocol families.

/**
 * A lowercase-hyphen slug: ASCII letters and digits kept (lowercased), every other run of
 * characters becomes one '-', none at either end ("Aave Ethereum Market" -> "aave-ethereum-market",
 * "Aave Devnet v3.6 Market" -> "aave-devnet-v3-6-market"). Returns `fallback` when nothing is left.
 */
export function slugify(text: string, fallback: string): string {
  let out = ''
  let pendingDash = false
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c >= 65 && c <= 90) c += 32 // A-Z -> a-z
    const keep = (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
    if (!keep) {
      pendingDash = out.length > 0
      continue
    }
    if (pendingDash) out += '-'
    pendingDash = false
    out += String.fromCharCode(c)
  }
  return out.length > 0 ? out : fallback
}
