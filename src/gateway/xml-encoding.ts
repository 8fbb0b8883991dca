// The `xml` backend encoding and output encoding as KrakenD CE has them (krakend-xml, which reads
// with clbanning/mxj over Go's encoding/xml): attributes become `-name` keys, text next to
// attributes or children `#text`, every value a string, repeated elements an array, an empty
// element "". Writing reverses that: keys sorted, `-` keys as sorted attributes, a single-key map
// as its own root, else `<doc>`.
//
// The reader is our own, held to Go's strict decoder (Strict, no Entity map) and mxj's
// xmlToMapParser rather than a general XML library: only the five predefined entities and
// character references exist (a DOCTYPE is skipped, so a document using its own entities fails, as
// in KrakenD: no entity expansion, no XML bomb), characters outside XML's range and invalid UTF-8
// fail, duplicate attributes are allowed (the last wins), only the first root element is read
// (anything after it is never looked at), each run of text is trimmed of tab, newline and space
// only, and a CDATA section or comment splits text into runs that replace one another as mxj
// stores them. Iterative: nesting depth is bounded by memory, not the call stack.
import { isUtf8 } from 'node:buffer'
import { TextDecoder } from 'node:util'
import { GoFloat64, goFormatFloat } from './go-float.ts'
import { GoNumber } from './go-json.ts'
import { goUtf8 } from './go-utf8.ts'

export type Data = Record<string, unknown>

/** fast-xml-parser options the `rss` reader uses: every value a trimmed string, no declaration or PIs. */
export const STRING_XML_OPTIONS = {
  ignoreAttributes: false,
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
} as const

/** Go's xml.SyntaxError text ("XML syntax error on line N: ..."), or another decoder error. */
export class XmlError extends Error {}

/** Stands for a byte that is not valid UTF-8: a lone surrogate never comes out of valid UTF-8. */
const INVALID_BYTE = '\uDC80'

/**
 * Parses an XML document into mxj's map, or throws with Go's reason. Give it the backend's bytes:
 * a declared non-UTF-8 encoding is decoded as golang.org/x/net/html/charset does (WHATWG labels)
 * and invalid UTF-8 fails. A string is taken as already decoded.
 */
export function parseXml(input: string | Uint8Array): Data {
  return new XmlReader(typeof input === 'string' ? input : decodeXmlBytes(input)).document()
}

/** The document's text: UTF-8, or the encoding its `<?xml ... encoding="x"?>` declaration names. */
function decodeXmlBytes(bytes: Uint8Array): string {
  const declared = declaredEncoding(bytes)
  if (declared !== undefined) {
    let decoder: TextDecoder
    try {
      decoder = new TextDecoder(declared.label)
    } catch {
      throw new XmlError(`xml: opening charset "${declared.label}": unsupported charset: "${declared.label}"`)
    }
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, declared.end).toString('latin1')
    return head + decoder.decode(bytes.subarray(declared.end))
  }
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  return goUtf8(bytes, INVALID_BYTE)
}

/**
 * A leading `<?xml ...?>` declaration's encoding when it is not UTF-8 (Go switches to the
 * CharsetReader right after it), with the offset where the declaration ends.
 */
function declaredEncoding(bytes: Uint8Array): { label: string; end: number } | undefined {
  let i = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i += 1
  if (
    Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(5, bytes.length - i)).toString('latin1') !==
    '<?xml'
  )
    return undefined
  const next = bytes[i + 5]
  if (next === undefined || isNameByte(next)) return undefined
  let end = i + 5
  while (end + 1 < bytes.length && !(bytes[end] === 0x3f && bytes[end + 1] === 0x3e)) end += 1
  if (end + 1 >= bytes.length) return undefined
  const content = Buffer.from(bytes.buffer, bytes.byteOffset + i + 5, end - i - 5).toString('latin1')
  const label = procInst('encoding', content)
  if (label === '' || label.toLowerCase() === 'utf-8') return undefined
  return { label, end: end + 2 }
}

/** Go's procInst: the quoted value after the first `param=` in a processing instruction. */
function procInst(param: string, content: string): string {
  const at = content.indexOf(`${param}=`)
  if (at === -1) return ''
  const v = content.slice(at + param.length + 1)
  const quote = v[0]
  if (quote !== "'" && quote !== '"') return ''
  const close = v.indexOf(quote, 1)
  return close === -1 ? '' : v.slice(1, close)
}

const isNameByte = (c: number) =>
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
const XML_URL = 'http://www.w3.org/XML/1998/namespace'

/** An open element as mxj's xmlToMapParser holds it: `text` is n[skey], `children` is na. */
interface Frame {
  qname: string
  prefix: string
  key: string
  text: string | undefined
  children: Data
  count: number
  bindings: number
}

const isMapKeyCollision = (key: string) => key === '__proto__'

/** Sets an own key, also `__proto__` (an element may be called that). */
function put(obj: Data, key: string, value: unknown): void {
  if (isMapKeyCollision(key))
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  else obj[key] = value
}

/** mxj: an element name met again turns the value into a list. */
function addChild(frame: Frame, key: string, value: unknown): void {
  const children = frame.children
  if (Object.hasOwn(children, key)) {
    const before = children[key]
    if (Array.isArray(before)) before.push(value)
    else put(children, key, [before, value])
  } else {
    put(children, key, value)
    frame.count += 1
  }
}

/** The value mxj stores for an element at its end tag. */
function frameValue(frame: Frame): unknown {
  if (frame.text === undefined) return frame.count > 0 ? frame.children : ''
  if (frame.count === 0) return frame.text
  put(frame.children, '#text', frame.text)
  return frame.children
}

/** mxj's trim set: tab, CR, backspace, LF and space (not every Unicode space). */
function trimGo(text: string): string {
  let start = 0
  let end = text.length
  const trims = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x08
  while (start < end && trims(text.charCodeAt(start))) start += 1
  while (end > start && trims(text.charCodeAt(end - 1))) end -= 1
  return start === 0 && end === text.length ? text : text.slice(start, end)
}

class XmlReader {
  private readonly s: string
  private i = 0
  private line = 1
  private readonly stack: Frame[] = []
  private readonly ns: Array<{ prefix: string; uri: string }> = []

  constructor(text: string) {
    this.s = text
  }

  private fail(msg: string): never {
    throw new XmlError(`xml.Decoder.Token() - XML syntax error on line ${this.line}: ${msg}`)
  }

  /** mustgetc: the next code unit, or "unexpected EOF". */
  private next(): number {
    if (this.i >= this.s.length) this.fail('unexpected EOF')
    const c = this.s.charCodeAt(this.i)
    this.i += 1
    if (c === 0x0a) this.line += 1
    return c
  }

  private back(): void {
    this.i -= 1
    if (this.s.charCodeAt(this.i) === 0x0a) this.line -= 1
  }

  private space(): void {
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
  private name(): string | undefined {
    const name = this.readName()
    if (name === '') return undefined
    if (name.includes(INVALID_BYTE) || !isName(name)) this.fail(`invalid XML name: ${name}`)
    return name
  }

  /** Reads the whole document up to the end of its first root element. */
  document(): Data {
    const s = this.s
    for (;;) {
      if (this.i >= s.length) {
        if (this.stack.length > 0) this.fail('unexpected EOF')
        throw new XmlError('EOF')
      }
      if (s.charCodeAt(this.i) !== 0x3c) {
        const text = this.text(-1, false)
        const top = this.stack[this.stack.length - 1]
        if (top !== undefined) this.charData(top, trimGo(text))
        continue
      }
      this.i += 1
      const c = this.next()
      if (c === 0x2f) {
        const done = this.endTag()
        if (done !== undefined) return done
      } else if (c === 0x3f) this.procInst()
      else if (c === 0x21) this.bang()
      else {
        this.back()
        const done = this.startTag()
        if (done !== undefined) return done
      }
    }
  }

  private charData(frame: Frame, text: string): void {
    if (text.length === 0) return
    if (frame.count > 0) put(frame.children, '#text', text)
    else frame.text = text
  }

  private startTag(): Data | undefined {
    const qname = this.name()
    if (qname === undefined) this.fail('expected element name after <')
    const frame: Frame = {
      qname,
      ...splitName(qname),
      text: undefined,
      children: {},
      count: 0,
      bindings: this.ns.length,
    }
    let empty = false
    for (;;) {
      this.space()
      const c = this.next()
      if (c === 0x2f) {
        if (this.next() !== 0x3e) this.fail('expected /> in element')
        empty = true
        break
      }
      if (c === 0x3e) break
      this.back()
      const attr = this.name()
      if (attr === undefined) this.fail('expected attribute name in element')
      this.space()
      if (this.next() !== 0x3d) this.fail('attribute name without = in element')
      this.space()
      const quote = this.next()
      if (quote !== 0x22 && quote !== 0x27) this.fail('unquoted or missing attribute value in element')
      const value = this.text(quote, false)
      const { prefix, key } = splitName(attr)
      if (prefix === 'xmlns') this.ns.push({ prefix: key, uri: value })
      else if (prefix === '' && key === 'xmlns') this.ns.push({ prefix: '', uri: value })
      // mxj: `-` + the local name; a later attribute of the same local name wins.
      const name = `-${key}`
      if (!Object.hasOwn(frame.children, name)) frame.count += 1
      put(frame.children, name, value)
    }
    this.stack.push(frame)
    return empty ? this.close(frame) : undefined
  }

  private endTag(): Data | undefined {
    const qname = this.name()
    if (qname === undefined) this.fail('expected element name after </')
    this.space()
    if (this.next() !== 0x3e) this.fail(`invalid characters between </${splitName(qname).key} and >`)
    const frame = this.stack[this.stack.length - 1]
    const { prefix, key } = splitName(qname)
    if (frame === undefined) this.fail(`unexpected end element </${key}>`)
    if (frame.key !== key) this.fail(`element <${frame.key}> closed by </${key}>`)
    if (frame.prefix !== prefix) {
      const open = this.resolve(frame.prefix)
      const closing = this.resolve(prefix)
      if (open !== closing)
        this.fail(`element <${frame.key}> in space ${open}closed by </${key}> in space ${closing}`)
    }
    return this.close(frame)
  }

  /** The name space a prefix stands for where the reader is (Go's translate for element names). */
  private resolve(prefix: string): string {
    if (prefix === 'xmlns') return prefix
    if (prefix === 'xml') return XML_URL
    for (let j = this.ns.length - 1; j >= 0; j -= 1) {
      const binding = this.ns[j] as { prefix: string; uri: string }
      if (binding.prefix === prefix) return binding.uri
    }
    return prefix
  }

  /** Ends the open element: its value goes to its parent, or is the document. */
  private close(frame: Frame): Data | undefined {
    this.stack.pop()
    this.ns.length = frame.bindings
    const value = frameValue(frame)
    const parent = this.stack[this.stack.length - 1]
    if (parent === undefined) {
      const doc: Data = {}
      put(doc, frame.key, value)
      return doc
    }
    addChild(parent, frame.key, value)
    return undefined
  }

  /** `<?target ...?>`; `<?xml` checks the version as Go does (the encoding was handled on the bytes). */
  private procInst(): void {
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

  /** `<!--`, `<![CDATA[` or a directive such as `<!DOCTYPE ...>` (skipped, its entities unused). */
  private bang(): void {
    const c = this.next()
    if (c === 0x2d) {
      if (this.next() !== 0x2d) this.fail('invalid sequence <!- not part of <!--')
      let b0 = 0
      let b1 = 0
      for (;;) {
        const b = this.next()
        if (b0 === 0x2d && b1 === 0x2d) {
          if (b !== 0x3e) this.fail('invalid sequence "--" not allowed in comments')
          return
        }
        b0 = b1
        b1 = b
      }
    }
    if (c === 0x5b) {
      for (const expected of 'CDATA[')
        if (this.next() !== expected.charCodeAt(0)) this.fail('invalid <![ sequence')
      const text = this.text(-1, true)
      const top = this.stack[this.stack.length - 1]
      if (top !== undefined) this.charData(top, trimGo(text))
      return
    }
    this.directive()
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
  private text(quote: number, cdata: boolean): string {
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

/** Go's nsname: the prefix before the first colon, the local name after it. */
function splitName(qname: string): { prefix: string; key: string } {
  const colon = qname.indexOf(':')
  return colon === -1
    ? { prefix: '', key: qname }
    : { prefix: qname.slice(0, colon), key: qname.slice(colon + 1) }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}
const escapeXml = (text: string) =>
  /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text

const isMap = (value: unknown): value is Data =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof GoNumber) &&
  !(value instanceof GoFloat64)

/** A scalar as Go's fmt %v prints it, or undefined for maps and arrays. */
function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return escapeXml(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof GoNumber)
    return String(value)
  if (value instanceof GoFloat64) return goFormatFloat(value.value)
  return undefined
}

class InvalidAttribute extends Error {}

function writeElement(out: string[], key: string, value: unknown): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`<${key}/>`)
    else for (const item of value) writeElement(out, key, item)
    return
  }
  if (!isMap(value)) {
    const text = scalarText(value) ?? ''
    out.push(text.length > 0 ? `<${key}>${text}</${key}>` : `<${key}/>`)
    return
  }
  const keys = Object.keys(value).sort()
  out.push(`<${key}`)
  let children = 0
  for (const k of keys) {
    if (k.length > 1 && k[0] === '-') {
      const text = scalarText(value[k])
      if (text === undefined || value[k] === null) throw new InvalidAttribute(k)
      out.push(` ${k.slice(1)}="${text}"`)
    } else children += 1
  }
  if (children === 0) {
    out.push('/>')
    return
  }
  const hasText = '#text' in value
  out.push('>')
  if (hasText) out.push(scalarText(value['#text']) ?? String(value['#text']))
  for (const k of keys) if (k !== '#text' && !(k.length > 1 && k[0] === '-')) writeElement(out, k, value[k])
  out.push(`</${key}>`)
}

/** mxj's Map.Xml() without a root tag; undefined when mxj fails (an attribute holding a map or list). */
export function writeXml(data: Data): string | undefined {
  const out: string[] = []
  try {
    const keys = Object.keys(data)
    const only = keys.length === 1 ? (keys[0] as string) : undefined
    const value = only === undefined ? undefined : data[only]
    const listOfMaps = !Array.isArray(value) || value.every(isMap)
    if (only !== undefined && listOfMaps) writeElement(out, only, value)
    else writeElement(out, 'doc', data)
  } catch (error) {
    if (error instanceof InvalidAttribute) return undefined
    throw error
  }
  return out.join('')
}
