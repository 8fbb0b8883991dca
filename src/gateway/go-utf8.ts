/**
 * UTF-8 decoded as Go's utf8.DecodeRune reads it: every byte that does not start a complete, valid
 * sequence becomes `replacement` on its own (WHATWG decoders, Buffer's included, give one U+FFFD
 * for a truncated sequence).
 */
export function goUtf8(
  bytes: Uint8Array,
  replacement: string | ((byte: number) => string) = '\uFFFD',
): string {
  const parts: string[] = []
  const units: number[] = []
  const flush = () => {
    parts.push(String.fromCharCode(...units))
    units.length = 0
  }
  let i = 0
  const n = bytes.length
  while (i < n) {
    const b = bytes[i] as number
    let cp = -1
    let size = 1
    if (b < 0x80) cp = b
    else if (b >= 0xc2 && b <= 0xdf) {
      const c1 = bytes[i + 1] ?? 0
      if ((c1 & 0xc0) === 0x80) {
        cp = ((b & 0x1f) << 6) | (c1 & 0x3f)
        size = 2
      }
    } else if (b >= 0xe0 && b <= 0xef) {
      const c1 = bytes[i + 1] ?? 0
      const c2 = bytes[i + 2] ?? 0
      const lo = b === 0xe0 ? 0xa0 : 0x80
      const hi = b === 0xed ? 0x9f : 0xbf
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80) {
        cp = ((b & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f)
        size = 3
      }
    } else if (b >= 0xf0 && b <= 0xf4) {
      const c1 = bytes[i + 1] ?? 0
      const c2 = bytes[i + 2] ?? 0
      const c3 = bytes[i + 3] ?? 0
      const lo = b === 0xf0 ? 0x90 : 0x80
      const hi = b === 0xf4 ? 0x8f : 0xbf
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80 && (c3 & 0xc0) === 0x80) {
        cp = ((b & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)
        size = 4
      }
    }
    if (cp === -1) {
      flush()
      parts.push(typeof replacement === 'string' ? replacement : replacement(b))
    } else if (cp > 0xffff) {
      const v = cp - 0x10000
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff))
    } else units.push(cp)
    if (units.length > 4096) flush()
    i += size
  }
  flush()
  return parts.join('')
}

/**
 * The text of a request target as undici takes it (one character per byte), as Go's messages
 * print it: its UTF-8 read as Go reads it. Only for messages: off the request path.
 */
export function wireText(target: string): string {
  return /[\x80-\xff]/.test(target) ? goUtf8(Buffer.from(target, 'latin1')) : target
}

/**
 * A backend body as Go's decoders see it: invalid UTF-8 becomes one U+FFFD per bad byte. Buffer's
 * decoder agrees except for truncated sequences, so Go's rule runs only when a U+FFFD shows up.
 */
export function goText(bytes: Buffer): string {
  const text = bytes.toString('utf8')
  return text.includes('\uFFFD') ? goUtf8(bytes) : text
}
