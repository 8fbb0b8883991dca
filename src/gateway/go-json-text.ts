// A backend's JSON object kept as its text, where the text is already what Go's encoder writes for it:
// decoding it (UseNumber keeps number texts) and writing it back as KrakenD does (go-json.ts) gives the
// same bytes, so an endpoint that only merges and renders can skip both. Anything this check is not
// sure of takes the decoder (the caller's fallback), so it accepts only the plainest form: no
// whitespace, keys strictly increasing with no escapes in them (their order is then Go's UTF-8 byte
// order), and in strings only the escapes JSON.stringify and Go's HTML escaping write.
import { parseJsonKeepingNumbers } from './go-json-decoder.ts'
import { MAX_DEPTH } from './go-json-scanner.ts'

/** A top-level JSON object as text, with where each of its entries starts and ends. */
export class GoFormText {
  /** The object's text: `{...}`, in Go's encoding. */
  readonly text: string
  /** Per entry: its key's start (the opening quote), its key's end, its value's start, its value's end. */
  readonly entries: readonly number[]

  constructor(text: string, entries: readonly number[]) {
    this.text = text
    this.entries = entries
  }

  get size(): number {
    return this.entries.length / 4
  }

  /** The object decoded as the backend decoder would have decoded it. */
  decoded(): Record<string, unknown> {
    return parseJsonKeepingNumbers(this.text) as Record<string, unknown>
  }
}

class NotGoForm extends Error {}
const NOT_GO_FORM = new NotGoForm()

/** The body as a GoFormText when it is one object in Go's encoding (trailing JSON whitespace allowed), else undefined. */
export function goFormText(body: string): GoFormText | undefined {
  if (body.charCodeAt(0) !== 123) return undefined
  const scan = new Scan(body)
  const entries: number[] = []
  try {
    scan.object(entries)
  } catch (error) {
    // a document nested deeper than the stack: the decoder's path (and its depth rule) reads it
    if (error === NOT_GO_FORM || error instanceof RangeError) return undefined
    throw error
  }
  const end = scan.at
  for (let i = end; i < body.length; i += 1) if (!isJsonSpace(body.charCodeAt(i))) return undefined
  return new GoFormText(end === body.length ? body : body.slice(0, end), entries)
}

const isJsonSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9

/**
 * goFormText for one backend's bodies: a backend that does not answer in Go's form (a JavaScript
 * service's key order) is looked at less, so its bodies pay for the check once in 64 after 8 misses
 * in a row. Which bodies are looked at changes only the work done, never the answer.
 */
export class GoFormKeeper {
  #misses = 0

  keep(body: string): GoFormText | undefined {
    const misses = this.#misses
    if (misses >= 8 && misses % 64 !== 0) {
      this.#misses = misses + 1
      return undefined
    }
    const kept = goFormText(body)
    this.#misses = kept ? 0 : misses + 1
    return kept
  }
}

/**
 * lura's merge of answers (in arrival order: on a shared key the later answer wins) written as
 * goJson would write the merged object: the keys of all of them in Go's order.
 */
export function mergedGoFormText(parts: readonly GoFormText[]): GoFormText {
  const next = new Array<number>(parts.length).fill(0)
  const keyOf = (p: number): string | undefined => {
    const part = parts[p] as GoFormText
    const i = next[p] as number
    if (i >= part.entries.length) return undefined
    return part.text.slice((part.entries[i] as number) + 1, (part.entries[i + 1] as number) - 1)
  }
  const keys = parts.map((_, p) => keyOf(p))
  let text = '{'
  const entries: number[] = []
  for (;;) {
    // the smallest key among the answers' next ones; the last answer holding it wins
    let least: string | undefined
    let winner = -1
    for (let p = 0; p < parts.length; p += 1) {
      const key = keys[p]
      if (key === undefined) continue
      if (least === undefined || key < least) {
        least = key
        winner = p
      } else if (key === least) winner = p
    }
    if (least === undefined) break
    const part = parts[winner] as GoFormText
    const i = next[winner] as number
    if (entries.length > 0) text += ','
    const start = text.length
    text += part.text.slice(part.entries[i], part.entries[i + 3])
    const keyLength = (part.entries[i + 1] as number) - (part.entries[i] as number)
    const valueOffset = (part.entries[i + 2] as number) - (part.entries[i] as number)
    entries.push(start, start + keyLength, start + valueOffset, text.length)
    for (let p = 0; p < parts.length; p += 1)
      if (keys[p] === least) {
        next[p] = (next[p] as number) + 4
        keys[p] = keyOf(p)
      }
  }
  return new GoFormText(`${text}}`, entries)
}

/** The escapes both Go's encoder and goJson write (after the backslash). */
const SHORT_ESCAPES = new Set([34, 92, 110, 114, 116, 98, 102]) // " \ n r t b f
const UNICODE_ESCAPES = ['003c', '003e', '0026', '2028', '2029']

class Scan {
  at = 0
  /** Arrays and objects open around `at`: Go's decoder refuses more than MAX_DEPTH. */
  private depth = 0
  private readonly text: string

  constructor(text: string) {
    this.text = text
  }

  private fail(): never {
    throw NOT_GO_FORM
  }

  /** A string (or, with `key`, a key: no escapes) at `at`, which is its opening quote. */
  private string(key: boolean): void {
    const t = this.text
    let i = this.at + 1
    for (;;) {
      const c = t.charCodeAt(i)
      if (c === 34) break
      if (c === 92) {
        if (key) this.fail()
        const e = t.charCodeAt(i + 1)
        if (SHORT_ESCAPES.has(e)) i += 2
        else if (e === 117 && UNICODE_ESCAPES.includes(t.slice(i + 2, i + 6))) i += 6
        else this.fail()
        continue
      }
      // what Go (or goJson) would escape, surrogates (decoded from UTF-8, they only mark bad bytes), the end
      if (
        !(c >= 0x20) ||
        c === 60 ||
        c === 62 ||
        c === 38 ||
        c === 0x2028 ||
        c === 0x2029 ||
        (c >= 0xd800 && c <= 0xdfff)
      )
        this.fail()
      i += 1
    }
    this.at = i + 1
  }

  private digits(): void {
    const t = this.text
    const start = this.at
    let c = t.charCodeAt(this.at)
    while (c >= 48 && c <= 57) c = t.charCodeAt(++this.at)
    if (this.at === start) this.fail()
  }

  private number(): void {
    const t = this.text
    if (t.charCodeAt(this.at) === 45) this.at += 1
    if (t.charCodeAt(this.at) === 48) this.at += 1
    else this.digits()
    if (t.charCodeAt(this.at) === 46) {
      this.at += 1
      this.digits()
    }
    const e = t.charCodeAt(this.at)
    if (e === 101 || e === 69) {
      this.at += 1
      const sign = t.charCodeAt(this.at)
      if (sign === 43 || sign === 45) this.at += 1
      this.digits()
    }
  }

  private literal(word: string): void {
    if (!this.text.startsWith(word, this.at)) this.fail()
    this.at += word.length
  }

  private value(): void {
    const c = this.text.charCodeAt(this.at)
    if (c === 123) this.object(undefined)
    else if (c === 91) this.array()
    else if (c === 34) this.string(false)
    else if (c === 116) this.literal('true')
    else if (c === 102) this.literal('false')
    else if (c === 110) this.literal('null')
    else if (c === 45 || (c >= 48 && c <= 57)) this.number()
    else this.fail()
  }

  private array(): void {
    const t = this.text
    this.at += 1
    if (++this.depth > MAX_DEPTH) this.fail()
    if (t.charCodeAt(this.at) === 93) {
      this.at += 1
      this.depth -= 1
      return
    }
    for (;;) {
      this.value()
      const c = t.charCodeAt(this.at++)
      if (c === 93) break
      if (c !== 44) this.fail()
    }
    this.depth -= 1
  }

  /** An object at `at`; `entries` collects its entries' offsets (the top level's). */
  object(entries: number[] | undefined): void {
    const t = this.text
    this.at += 1
    if (++this.depth > MAX_DEPTH) this.fail()
    if (t.charCodeAt(this.at) === 125) {
      this.at += 1
      this.depth -= 1
      return
    }
    let previous: string | undefined
    for (;;) {
      if (t.charCodeAt(this.at) !== 34) this.fail()
      const keyStart = this.at
      this.string(true)
      const keyEnd = this.at
      const key = t.slice(keyStart + 1, keyEnd - 1)
      // strictly increasing: Go's order (UTF-16 order is UTF-8's without surrogates), no duplicate;
      // `__proto__` is left to the decoder's path, which gives it its own handling
      if ((previous !== undefined && !(previous < key)) || key === '__proto__') this.fail()
      previous = key
      if (t.charCodeAt(this.at) !== 58) this.fail()
      this.at += 1
      const valueStart = this.at
      this.value()
      entries?.push(keyStart, keyEnd, valueStart, this.at)
      const c = t.charCodeAt(this.at++)
      if (c === 125) break
      if (c !== 44) this.fail()
    }
    this.depth -= 1
  }
}
