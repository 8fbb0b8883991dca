/** Go's strconv.Quote (%q), for error texts KrakenD's components write. */
/** A string quoted as strconv.Quote quotes it (`ascii`: as QuoteToASCII, Go's %+q). */
export function goQuote(text: string, ascii = false): string {
  const named: Record<string, string> = {
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '"': '\\"',
    '\\': '\\\\',
  }
  let out = '"'
  for (const c of text) {
    const code = c.codePointAt(0) as number
    if (named[c]) out += named[c]
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    // a byte that is not UTF-8 (go-bytes-string.ts's mark): strconv.Quote writes it as \xNN
    else if (code >= 0xdc80 && code <= 0xdcff) out += `\\x${(code - 0xdc00).toString(16)}`
    else if ((ascii && code >= 0x80) || (c !== ' ' && /[\p{C}\p{Z}]/u.test(c)))
      out +=
        code > 0xffff
          ? `\\U${code.toString(16).padStart(8, '0')}`
          : `\\u${code.toString(16).padStart(4, '0')}`
    else out += c
  }
  return `${out}"`
}

/**
 * Single-quoted as strconv.QuoteRune quotes a rune (%q of a rune), `'` escaped and `"` not; for a
 * longer text, santhosh-tekuri/jsonschema's quote() of a string, which quotes the same way.
 */
export function goSingleQuote(text: string): string {
  return `'${goQuote(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** strconv.Quote over bytes (one character per byte): UTF-8 sequences as text, other bytes as `\xnn`. */
export function goQuoteBytes(bytes: string): string {
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes.charCodeAt(i)
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0
    let rune: string | undefined
    try {
      if (length > 0) rune = utf8.decode(Buffer.from(bytes.slice(i, i + length), 'latin1'))
    } catch {}
    if (rune === undefined || rune.length === 0) {
      out += `\\x${lead.toString(16).padStart(2, '0')}`
      i += 1
    } else {
      out += goQuote(rune).slice(1, -1)
      i += length
    }
  }
  return `"${out}"`
}
