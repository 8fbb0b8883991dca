// Where an XML document's first root element ends: gofeed (krakend-rss) reads a feed through Go's
// xml.Decoder up to the end tag of its root and never looks at what follows, so bytes after it (a
// second document, stray text, a BOM-broken tail) do not fail the feed.

/** The offset just after the first root element's end (the text's length when it has none). */
export function rootElementEnd(text: string): number {
  const at = { index: 0, depth: 0 }
  return scanToRootEnd(text, at) ? at.index : text.length
}

/**
 * The same end found in a body as it arrives (Go's decoder reads no further, so neither does the
 * client). Bytes are scanned as latin1: every byte that matters is ASCII, and no UTF-8 sequence
 * holds an ASCII byte, so offsets in the text are offsets in the body.
 */
export class RootEndScanner {
  /** The body from the first markup not yet whole on. */
  #pending = ''
  /** The body offset where #pending starts. */
  #offset = 0
  #depth = 0

  /** The body offset just after the root element's end, once it has come; -1 before. */
  feed(chunk: Buffer): number {
    const text = this.#pending + chunk.toString('latin1')
    const at = { index: 0, depth: this.#depth }
    if (scanToRootEnd(text, at)) return this.#offset + at.index
    this.#pending = text.slice(at.index)
    this.#offset += at.index
    this.#depth = at.depth
    return -1
  }
}

/**
 * Scans whole markup from `at.index` on: true with `at.index` just after the root element's end;
 * false with `at.index` at the first markup the text does not hold whole (its length when none).
 */
function scanToRootEnd(text: string, at: { index: number; depth: number }): boolean {
  let { index: i, depth } = at
  const stop = (index: number) => {
    at.index = index
    at.depth = depth
    return false
  }
  while (i < text.length) {
    const lt = text.indexOf('<', i)
    if (lt === -1) return stop(text.length)
    const skip = skipMarkup(text, lt)
    if (skip !== undefined) {
      if (skip < 0) return stop(lt)
      i = skip
      continue
    }
    const end = tagEnd(text, lt + 1)
    if (end < 0) return stop(lt)
    i = end + 1
    if (text.charCodeAt(lt + 1) === 0x2f) {
      depth -= 1
      if (depth <= 0) {
        at.index = i
        return true
      }
    } else if (text.charCodeAt(end - 1) !== 0x2f) depth += 1
    else if (depth === 0) {
      at.index = i
      return true
    }
  }
  return stop(text.length)
}

/** After a comment, CDATA section, processing instruction or DOCTYPE at `lt` (-1: unterminated); undefined for a tag. */
function skipMarkup(text: string, lt: number): number | undefined {
  const after = (close: string, from: number) => {
    const at = text.indexOf(close, from)
    return at < 0 ? -1 : at + close.length
  }
  if (text.startsWith('<!--', lt)) return after('-->', lt + 4)
  if (text.startsWith('<![CDATA[', lt)) return after(']]>', lt + 9)
  if (text.startsWith('<?', lt)) return after('?>', lt + 2)
  if (!text.startsWith('<!', lt)) return undefined
  // <!DOCTYPE ... [ internal subset ] >: brackets and quotes may hold a '>'
  let brackets = 0
  for (let j = lt + 2, quote = 0; j < text.length; j += 1) {
    const c = text.charCodeAt(j)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 0x22 || c === 0x27) quote = c
    else if (c === 0x5b) brackets += 1
    else if (c === 0x5d) brackets -= 1
    else if (c === 0x3e && brackets <= 0) return j + 1
  }
  return -1
}

/** The offset of the `>` ending the tag whose name starts at `from`, outside quoted values (-1: none). */
function tagEnd(text: string, from: number): number {
  for (let j = from, quote = 0; j < text.length; j += 1) {
    const c = text.charCodeAt(j)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 0x22 || c === 0x27) quote = c
    else if (c === 0x3e) return j
  }
  return -1
}
