// A Go string may hold bytes that are not UTF-8 (lura's string decoder keeps a backend body as it
// came). Here such a byte is the lone surrogate U+DC00 + byte: goJson writes it as Go's encoder
// writes an invalid byte (\ufffd), and goStringBytes gives the byte back (lura's string render).

/** The stand-in for a byte that is not part of valid UTF-8 (see goUtf8's replacement). */
export const invalidByteMark = (byte: number): string => String.fromCharCode(0xdc00 + byte)

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The bytes of a Go string: UTF-8, with each marked invalid byte as it was. */
export function goStringBytes(text: string): Buffer {
  if (!LONE_SURROGATE.test(text)) return Buffer.from(text, 'utf8')
  const parts: Buffer[] = []
  let from = 0
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i += 1
      continue
    }
    if (unit < 0xdc80 || unit > 0xdcff) continue
    parts.push(Buffer.from(text.slice(from, i), 'utf8'), Buffer.from([unit - 0xdc00]))
    from = i + 1
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'))
  return Buffer.concat(parts)
}
