// The `xml` reader's tree: mxj's xmlToMapParser over the tokens of Go's strict decoder
// (xml-scanner.ts). Attributes become `-name` keys, duplicate attributes are allowed (the last
// wins), only the first root element is read (anything after it is never looked at), each run of
// text is trimmed of tab, newline and space only, and a CDATA section or comment splits text into
// runs that replace one another as mxj stores them. Iterative: nesting depth is bounded by memory,
// not the call stack.
import { XmlError, XmlScanner } from './xml-scanner.ts'

export type Data = Record<string, unknown>

/** An open element as mxj's xmlToMapParser holds it: `text` is n[skey], `children` is na. */
interface Frame {
  qname: string
  prefix: string
  key: string
  text: string | undefined
  children: Data
  count: number
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

/** Go's nsname: the prefix before the first colon, the local name after it. */
function splitName(qname: string): { prefix: string; key: string } {
  const colon = qname.indexOf(':')
  return colon === -1
    ? { prefix: '', key: qname }
    : { prefix: qname.slice(0, colon), key: qname.slice(colon + 1) }
}

export class XmlReader extends XmlScanner {
  private readonly stack: Frame[] = []

  /** Reads the whole document up to the end of its first root element. */
  document(): Data {
    const s = this.s
    for (;;) {
      if (this.i >= s.length) {
        if (this.stack.length > 0) this.fail('unexpected EOF')
        throw new XmlError('EOF')
      }
      if (s.charCodeAt(this.i) !== 0x3c) {
        this.charData(this.text(-1, false))
        continue
      }
      this.i += 1
      const c = this.next()
      if (c === 0x2f) {
        const done = this.endTag()
        if (done !== undefined) return done
      } else if (c === 0x3f) this.procInst()
      else if (c === 0x21) {
        const cdata = this.bang()
        if (cdata !== undefined) this.charData(cdata)
      } else {
        this.back()
        const done = this.startTag()
        if (done !== undefined) return done
      }
    }
  }

  /** A run of text or CDATA as mxj stores it: trimmed, the last non-empty run is the element's text. */
  private charData(run: string): void {
    const frame = this.stack[this.stack.length - 1]
    if (frame === undefined) return
    const text = trimGo(run)
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
      const { key } = splitName(attr)
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
    // Go compares the prefixes as written (its stack holds names before translation) and prints them
    if (frame.prefix !== prefix)
      this.fail(
        `element <${frame.key}> in space ${frame.prefix} closed by </${key}> in space ${prefix === '' ? '""' : prefix}`,
      )
    return this.close(frame)
  }

  /** Ends the open element: its value goes to its parent, or is the document. */
  private close(frame: Frame): Data | undefined {
    this.stack.pop()
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
}
