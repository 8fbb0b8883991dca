// The lexical half of the `xml` reader (xml-reader.ts builds mxj's map on it): Go's encoding/xml
// decoder with Strict set and no Entity map, over text already decoded (xml-encoding.ts). Only the
// five predefined entities and character references exist (a DOCTYPE is skipped, so a document
// using its own entities fails, as in KrakenD: no entity expansion, no XML bomb); characters
// outside XML's range and invalid UTF-8 fail with Go's "XML syntax error on line N" reasons.

/** Go's xml.SyntaxError text ("XML syntax error on line N: ..."), or another decoder error. */
export class XmlError extends Error {}

/** Stands for a byte that is not valid UTF-8: a lone surrogate never comes out of valid UTF-8. */
export const INVALID_BYTE = '\uDC80'

/** Go's procInst: the quoted value after the first `param=` in a processing instruction. */
export function procInst(param: string, content: string): string {
  const at = content.indexOf(`${param}=`)
  if (at === -1) return ''
  const v = content.slice(at + param.length + 1)
  const quote = v[0]
  if (quote !== "'" && quote !== '"') return ''
  const close = v.indexOf(quote, 1)
  return close === -1 ? '' : v.slice(1, close)
}

export const isNameByte = (c: number) =>
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x5f ||
  c === 0x3a ||
  c === 0x2e ||
  c === 0x2d

// Go checks names against XML 1.0's (4th edition) letter tables; these are Unicode's letters and
// marks, which agree on every name seen in practice.
const NAME_START = /^[\p{L}_:]/u
const NAME_REST = /^[\p{L}\p{M}\p{Nd}\p{Nl}_:.\-\u00B7]*$/u

function isName(name: string): boolean {
  if (name.length === 0) return false
  let ascii = true
  for (let i = 0; i < name.length; i += 1) if (name.charCodeAt(i) >= 0x80) ascii = false
  if (ascii) {
    const c = name.charCodeAt(0)
    return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a
  }
  return NAME_START.test(name) && NAME_REST.test(name.slice((name.codePointAt(0) as number) > 0xffff ? 2 : 1))
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }

/** Go's check after text(): invalid UTF-8 and characters outside XML's Char production fail. */
function checkCharacters(text: string, fail: (msg: string) => never): void {
  for (let j = 0; j < text.length; j += 1) {
    const c = text.charCodeAt(j)
    if (c >= 0x20 && c < 0xd800) continue
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = text.charCodeAt(j + 1)
      if (low >= 0xdc00 && low <= 0xdfff) {
        j += 1
        continue
      }
      fail('invalid UTF-8')
    }
    if (c >= 0xdc00 && c <= 0xdfff) fail('invalid UTF-8')
    if (c >= 0xe000 && c <= 0xfffd) continue
    fail(`illegal character code U+${c.toString(16).toUpperCase().padStart(4, '0')}`)
  }
}

/** Go's decoder state over a document's text: the position `i` in `s` and the line for errors. */
export class XmlScanner {
  protected readonly s: string
  protected i = 0
  private line = 1

  constructor(text: string) {
    this.s = text
  }

  protected fail(msg: string): never {
    throw new XmlError(`xml.Decoder.Token() - XML syntax error on line ${this.line}: ${msg}`)
  }

  /** mustgetc: the next code unit, or "unexpected EOF". */
  protected next(): number {
    if (this.i >= this.s.length) this.fail('unexpected EOF')
    const c = this.s.charCodeAt(this.i)
    this.i += 1
    if (c === 0x0a) this.line += 1
    return c
  }

  protected back(): void {
    this.i -= 1
    if (this.s.charCodeAt(this.i) === 0x0a) this.line -= 1
  }

  protected space(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i)
      if (c !== 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09) return
      this.i += 1
      if (c === 0x0a) this.line += 1
    }
  }

  /** readName: ASCII name bytes and any non-ASCII character; "" when none. */
  private readName(): string {
    const start = this.i
    for (;;) {
      if (this.i >= this.s.length) this.fail('unexpected EOF')
      const c = this.s.charCodeAt(this.i)
      if (c < 0x80 && !isNameByte(c)) break
      this.i += 1
    }
    return this.s.slice(start, this.i)
  }

  /** Go's name(): a checked name, or undefined (with no error) when none starts here. */
  protected name(): string | undefined {
    const name = this.readName()
    if (name === '') return undefined
    if (name.includes(INVALID_BYTE) || !isName(name)) this.fail(`invalid XML name: ${name}`)
    return name
  }

  /** `<?target ...?>`; `<?xml` checks the version as Go does (the encoding was handled on the bytes). */
  protected procInst(): void {
    const target = this.name()
    if (target === undefined) this.fail('expected target name after <?')
    this.space()
    const end = this.s.indexOf('?>', this.i)
    if (end === -1) {
      this.countLines(this.s.length)
      this.fail('unexpected EOF')
    }
    const content = this.s.slice(this.i, end)
    this.countLines(end + 2)
    if (target === 'xml') {
      const version = procInst('version', content)
      if (version !== '' && version !== '1.0')
        throw new XmlError(`xml: unsupported version "${version}"; only version 1.0 is supported`)
    }
  }

  /**
   * `<!--`, `<![CDATA[` or a directive such as `<!DOCTYPE ...>` (skipped, its entities unused):
   * a CDATA section's text, undefined for the others.
   */
  protected bang(): string | undefined {
    const c = this.next()
    if (c === 0x2d) {
      if (this.next() !== 0x2d) this.fail('invalid sequence <!- not part of <!--')
      let b0 = 0
      let b1 = 0
      for (;;) {
        const b = this.next()
        if (b0 === 0x2d && b1 === 0x2d) {
          if (b !== 0x3e) this.fail('invalid sequence "--" not allowed in comments')
          return undefined
        }
        b0 = b1
        b1 = b
      }
    }
    if (c === 0x5b) {
      for (const expected of 'CDATA[')
        if (this.next() !== expected.charCodeAt(0)) this.fail('invalid <![ sequence')
      return this.text(-1, true)
    }
    this.directive()
    return undefined
  }

  /** Go's directive scan: quotes and nested `<...>` counted, `<!-- -->` skipped (the first
   * character after `<!` is only kept, not looked at). */
  private directive(): void {
    let inquote = 0
    let depth = 0
    let b = 0
    let pending = false
    for (;;) {
      if (!pending) {
        b = this.next()
        if (inquote === 0 && b === 0x3e && depth === 0) return
      }
      pending = false
      if (b === inquote) inquote = 0
      else if (inquote !== 0) {
        // inside quotes
      } else if (b === 0x27 || b === 0x22) inquote = b
      else if (b === 0x3e) depth -= 1
      else if (b === 0x3c) {
        let matched = 0
        for (const want of '!--') {
          b = this.next()
          if (b !== want.charCodeAt(0)) break
          matched += 1
        }
        if (matched < 3) {
          depth += 1
          pending = true
          continue
        }
        let c0 = 0
        let c1 = 0
        for (;;) {
          const c = this.next()
          if (c0 === 0x2d && c1 === 0x2d && c === 0x3e) break
          c0 = c1
          c1 = c
        }
      }
    }
  }

  private countLines(to: number): void {
    for (let j = this.i; j < to; j += 1) if (this.s.charCodeAt(j) === 0x0a) this.line += 1
    this.i = to
  }

  /**
   * Go's text(): character data up to `<` (quote < 0), an attribute value up to its quote, or a
   * CDATA section up to `]]>`; references replaced, CR and CRLF made LF, every character checked.
   */
  protected text(quote: number, cdata: boolean): string {
    const s = this.s
    let out = ''
    let from = this.i
    let b0 = 0
    let b1 = 0
    for (;;) {
      if (this.i >= s.length) {
        if (cdata) this.fail('unexpected EOF in CDATA section')
        out += s.slice(from, this.i)
        break
      }
      const b = s.charCodeAt(this.i)
      if (b0 === 0x5d && b1 === 0x5d && b === 0x3e) {
        if (cdata) {
          out += s.slice(from, this.i - 2)
          this.i += 1
          break
        }
        this.fail('unescaped ]]> not in CDATA section')
      }
      if (b === 0x3c && !cdata) {
        if (quote >= 0) this.fail('unescaped < inside quoted string')
        out += s.slice(from, this.i)
        break
      }
      if (quote >= 0 && b === quote) {
        out += s.slice(from, this.i)
        this.i += 1
        break
      }
      if (b === 0x26 && !cdata) {
        out += s.slice(from, this.i)
        this.i += 1
        out += this.reference()
        from = this.i
        b0 = 0
        b1 = 0
        continue
      }
      this.i += 1
      if (b === 0x0a) this.line += 1
      if (b === 0x0d) {
        out += `${s.slice(from, this.i - 1)}\n`
        if (s.charCodeAt(this.i) === 0x0a) {
          this.i += 1
          this.line += 1
        }
        from = this.i
        b0 = 0
        b1 = 0x0a
        continue
      }
      b0 = b1
      b1 = b
    }
    checkCharacters(out, (msg) => this.fail(msg))
    return out
  }

  /** After `&`: a predefined entity or a character reference; anything else fails (Strict). */
  private reference(): string {
    const start = this.i
    let b = this.next()
    if (b === 0x23) {
      b = this.next()
      let hex = false
      if (b === 0x78) {
        hex = true
        b = this.next()
      }
      const digits = this.i - 1
      while ((b >= 0x30 && b <= 0x39) || (hex && ((b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46))))
        b = this.next()
      if (b === 0x3b) {
        const n =
          this.i - 1 > digits ? Number.parseInt(this.s.slice(digits, this.i - 1), hex ? 16 : 10) : Number.NaN
        if (n <= 0x10ffff) return n >= 0xd800 && n <= 0xdfff ? '\uFFFD' : String.fromCodePoint(n)
      } else this.back()
    } else {
      this.back()
      const name = this.readName()
      b = this.next()
      if (b === 0x3b) {
        const text = isName(name) ? PREDEFINED[name] : undefined
        if (text !== undefined && Object.hasOwn(PREDEFINED, name)) return text
      } else this.back()
    }
    const ent = `&${this.s.slice(start, this.i)}`
    this.fail(`invalid character entity ${ent.endsWith(';') ? ent : `${ent} (no semicolon)`}`)
  }
}
