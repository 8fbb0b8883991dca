/**
 * Strings compare byte by byte, as gopher-lua's strCmp (and C Lua's strcmp) compare them. fengari
 * orders strings by their hash ("|" and each byte in hex, a byte below 16 as one digit), so
 * "a" < "\t" held there ("|61" < "|9") where KrakenD says false: any comparison (or table.sort)
 * of strings with a control character could flip. The hash here gives every byte two digits: still
 * one text per string (tables key strings by it), now in byte order.
 */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

export function byteOrderHash(bytes: Uint8Array): string {
  let text = '|'
  for (let i = 0; i < bytes.length; i++) text += HEX[bytes[i] as number]
  return text
}

interface FengariString {
  hash: string | null
  getstr(): Uint8Array
}
export interface FengariStrings {
  luaS_hash: (bytes: Uint8Array) => string
  luaS_hashlongstr: (ts: FengariString) => string
}

/** Replaces lstring's hash before the modules that take it (lvm, ltable, llex, ...) are loaded. */
export function byteOrderStrings(lstring: FengariStrings): void {
  lstring.luaS_hash = byteOrderHash
  lstring.luaS_hashlongstr = (ts) => {
    if (ts.hash === null) ts.hash = byteOrderHash(ts.getstr())
    return ts.hash
  }
}
