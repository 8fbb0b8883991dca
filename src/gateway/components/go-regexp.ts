/**
 * Go's regexp package (RE2 syntax; `regexp.Compile`, then `MatchString`), as KrakenD compiles
 * bot-detector `patterns`, regex `allowed_hosts`, JSON-schema patterns and CEL's `matches`, on
 * re2js: the JavaScript port of RE2/J, so the same syntax, the same matches and linear-time
 * matching (no pattern can stall the event loop).
 *
 * re2js 2.10.0 was compared with Go 1.25.12 (the toolchain of KrakenD CE 2.13.8) on syntax and on
 * matches, including invalid UTF-8 input: they agree except on Unicode data. Go 1.25 carries
 * Unicode 15.0 tables, re2js 17.0, and they name classes differently. So each `\p`/`\P` class is
 * read as Go reads it (case-insensitive names without spaces, hyphens or underscores, aliases such
 * as `Letter`, `\p{^Greek}`) and handed to re2js as a class whose members are Go's: its own name
 * where the two tables agree, Go's ranges (go-unicode-tables.ts) where they do not. Refused, where
 * the two would still read a pattern differently: where case folding is on (`(?i)`, to the end of its
 * group), such a class, or a character written in the pattern whose case orbit Unicode changed after
 * 15.0. A group name used twice (Go accepts it, re2js does not) is made unique. Both lists below
 * hold for exactly these two versions: re2js is pinned in package.json, and the lists (and the
 * generated tables) must be derived again when re2js or KrakenD's Go changes.
 */
import { re2jsLibrary } from '../libraries.ts'

export interface GoRegExp {
  /** Go's MatchString on the UTF-8 encoding of `text`: a match anywhere. */
  test(text: string): boolean
  /** Go's MatchString on a header value as Node hands it over (each byte a latin1 character). */
  testHeader(value: string): boolean
}

/** `\p` names both read the same way (Go also accepts other spellings, which re2js refuses). */
const SAME_CLASSES = new Set(
  (
    'Any Ascii Cc Cf Co Cs Lt Me No Pc Pe Pf Pi Ps Sk Z Zl Zp Zs Adlam Ahom Armenian Avestan Bamum ' +
    'Batak Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Carian Chakma Cham Cherokee ' +
    'Chorasmian Coptic Cuneiform Cypriot Deseret Devanagari Dogra Duployan Elbasan Elymaic Ethiopic ' +
    'Georgian Glagolitic Gothic Grantha Greek Gujarati Gurmukhi Hangul Hanunoo Hatran Hebrew Hiragana ' +
    'Javanese Kaithi Katakana Kharoshthi Khmer Khojki Khudawadi Lao Lepcha Limbu Lisu Lycian Lydian ' +
    'Mahajani Makasar Malayalam Mandaic Manichaean Marchen Medefaidrin Miao Modi Mongolian Mro ' +
    'Multani Nabataean Nandinagari Newa Nko Nushu Ogham Oriya Osage Osmanya Palmyrene Phoenician ' +
    'Rejang Runic Samaritan Saurashtra Shavian Siddham Sinhala Sogdian Soyombo Sundanese Syriac ' +
    'Tagalog Tagbanwa Takri Tamil Tangsa Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai ' +
    'Vithkuqi Wancho Yezidi Yi'
  ).split(' '),
)
/** `\p` names both accept whose members differ (characters assigned after Unicode 15.0). */
const NEWER_CLASSES = new Set(
  (
    'Assigned C Cn L LC Lc Ll Lm Lo Lu M Mc Mn N Nd Nl P Pd Po S Sc Sm So Arabic Balinese Common ' +
    'Cyrillic Han Inherited Kannada Kawi Latin Myanmar Sharada Tangut Telugu'
  ).split(' '),
)
/** Code points whose case orbit differs between Unicode 15.0 (Go) and 17.0 (re2js). */
const NEWER_FOLDS: Array<[number, number]> = [
  [0x19b, 0x19b],
  [0x264, 0x264],
  [0x390, 0x390],
  [0x3b0, 0x3b0],
  [0x1c89, 0x1c8a],
  [0x1fd3, 0x1fd3],
  [0x1fe3, 0x1fe3],
  [0xa7cb, 0xa7cf],
  [0xa7d2, 0xa7d5],
  [0xa7da, 0xa7dc],
  [0xfb05, 0xfb06],
  [0x10d50, 0x10d65],
  [0x10d70, 0x10d85],
  [0x16ea0, 0x16eb8],
  [0x16ebb, 0x16ed3],
]

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself
const ASCII = /^[\x00-\x7f]*$/

/** A pattern refused here: with Go's wording when Go rejects it too. */
export class GoRegExpError extends Error {
  /** KrakenD's Go compiles it, but this runtime would match some characters differently. */
  readonly goAccepts: boolean
  constructor(message: string, goAccepts: boolean) {
    super(message)
    this.goAccepts = goAccepts
  }
}

/** Compiles `source` as Go would; throws a GoRegExpError where it cannot match as Go does. */
export function compileGoRegExp(source: string): GoRegExp {
  const { RE2JS } = re2jsLibrary()
  const scanned = scan(source)
  if (scanned.badRangeEnd) throw new GoRegExpError(scanned.badRangeEnd, false)
  const translated = withGoClasses(source, scanned)
  let re: ReturnType<typeof RE2JS.compile>
  try {
    re = RE2JS.compile(translated)
  } catch (error) {
    // Go's syntax.Error always ends in the offending text, empty after a trailing backslash.
    const message = (error as Error).message
    throw new GoRegExpError(
      message.endsWith('trailing backslash at end of expression') ? `${message}: \`\`` : message,
      false,
    )
  }
  const refusal = foldRefusal(scanned)
  if (refusal) throw refusal
  return {
    test: (text) => re.test(text),
    // Go reads the bytes as UTF-8, each invalid byte a U+FFFD: re2js does the same given bytes.
    testHeader: (value) => re.test(ASCII.test(value) ? value : Buffer.from(value, 'latin1')),
  }
}

/**
 * `source` with each `\p`/`\P` class written so that re2js matches Go's members, and each repeated
 * group name made unique (Go accepts `(?P<a>x)(?P<a>y)`, re2js refuses it; names do not change a match).
 */
function withGoClasses(source: string, { classes, renamed }: Scan): string {
  if (classes.length === 0 && renamed.length === 0) return source
  const chars = Array.from(source)
  const edits: Array<{ start: number; end: number; text: string }> = [...renamed]
  for (const found of classes) {
    const key = goTableKey(found.name.replace(/^\^/, ''))
    if (key === undefined)
      throw new GoRegExpError(
        `error parsing regexp: invalid character class range: \`\\p{${found.name}}\``,
        false,
      )
    const negated = found.negated !== found.name.startsWith('^')
    let text: string
    if (SAME_CLASSES.has(key)) text = `\\${negated ? 'P' : 'p'}{${key}}`
    else if (NEWER_CLASSES.has(key)) {
      const spans = goSpans(key)
      // Under (?i) Go adds the characters that fold into the class (its Fold tables, Unicode 15.0);
      // re2js folds Go's members written out, so they agree unless a member's case orbit changed.
      // A negated class inside brackets cannot be written out: Go negates after folding.
      if (found.folds && ((negated && found.inBracket) || foldRefusal({ folded: spans })))
        throw new GoRegExpError(
          `with (?i), \\p{${found.name}} folds other characters in KrakenD's Go (Unicode 15.0) than here (Unicode 17.0); list the cases without (?i)`,
          true,
        )
      const members = rangesText(negated && found.inBracket ? complement(spans) : spans)
      text = found.inBracket ? members : `[${negated ? '^' : ''}${members}]`
    } else
      throw new GoRegExpError(
        `\\p{${found.name}} is a class of KrakenD's Go that this runtime does not match as Go does; list the characters or ranges instead`,
        true,
      )
    edits.push({ start: found.start, end: found.end, text })
  }
  let out = ''
  let copied = 0
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    out += chars.slice(copied, edit.start).join('') + edit.text
    copied = edit.end
  }
  return out + chars.slice(copied).join('')
}

/** Go's regexp/syntax canonicalName: first letter upper case, the rest lower, no `_`, `-` or space. */
function canonicalName(name: string): string {
  let out = ''
  for (const c of name) {
    if (c === '_' || c === '-' || c === ' ') continue
    out += out === '' ? c.toUpperCase() : c.toLowerCase()
  }
  return out
}

/** The table Go's unicodeTable finds for a class name (its key), or undefined. */
function goTableKey(name: string): string | undefined {
  const canonical = canonicalName(name)
  if (canonical === 'Any' || canonical === 'Assigned' || canonical === 'Ascii') return canonical
  if (canonical === 'Lc') return 'LC'
  const { GO_TABLE_NAMES, GO_CATEGORY_ALIASES } = re2jsLibrary()
  goNames ??= new Set(GO_TABLE_NAMES.split(' '))
  if (goNames.has(canonical)) return canonical
  goAliases ??= new Map(
    Object.entries(GO_CATEGORY_ALIASES).map(([alias, key]) => [canonicalName(alias), key]),
  )
  return goAliases.get(canonical)
}
let goNames: Set<string> | undefined
let goAliases: Map<string, string> | undefined

type Span = [lo: number, hi: number]
const decoded = new Map<string, Span[]>()

/** Go's members of a class whose table differs in re2js, from go-unicode-tables.ts. */
function goSpans(key: string): Span[] {
  let spans = decoded.get(key)
  if (spans === undefined) {
    const numbers = (re2jsLibrary().GO_DIFFERING_TABLES[key] ?? '')
      .split(',')
      .map((n) => Number.parseInt(n, 36))
    spans = []
    let previous = -1
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      const lo = previous + 1 + (numbers[i] as number)
      previous = lo + (numbers[i + 1] as number)
      spans.push([lo, previous])
    }
    decoded.set(key, spans)
  }
  return spans
}

function complement(spans: Span[]): Span[] {
  const out: Span[] = []
  let next = 0
  for (const [lo, hi] of spans) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff])
  return out
}

const hex = (n: number) => `\\x{${n.toString(16)}}`
const rangesText = (spans: Span[]) =>
  spans.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('')

function foldRefusal({ folded }: Pick<Scan, 'folded'>): GoRegExpError | undefined {
  for (const [lo, hi] of folded)
    for (const [flo, fhi] of NEWER_FOLDS)
      if (lo <= fhi && flo <= hi) {
        const at = Math.max(lo, flo).toString(16).toUpperCase().padStart(4, '0')
        return new GoRegExpError(
          `with (?i), U+${at} folds differently in KrakenD's Go (Unicode 15.0) than here (Unicode 17.0); list its cases explicitly without (?i)`,
          true,
        )
      }
  return undefined
}

interface ClassUse {
  /** Where `\p...` starts and ends, in code points of the pattern. */
  start: number
  end: number
  name: string
  /** Written `\P`. */
  negated: boolean
  inBracket: boolean
  /** Under case folding (`(?i)` in scope). */
  folds: boolean
}

interface Scan {
  /** The `\p`/`\P` classes used. */
  classes: ClassUse[]
  /** The characters and class ranges written where case folding is on. */
  folded: Array<[number, number]>
  /** A group name used before, and the unique one it becomes (code points of the pattern). */
  renamed: Array<{ start: number; end: number; text: string }>
  /** Go's error for a class range ending in `\p`/`\P`, which Go refuses. */
  badRangeEnd?: string
}

const CONTROL: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 }

/** What the translation and the guards need from a pattern (invalid syntax is left to re2js). */
function scan(source: string): Scan {
  const chars = Array.from(source)
  const out: Scan = { classes: [], folded: [], renamed: [] }
  const names = new Set<string>()
  let i = 0
  // Go's flags hold to the end of the group they are set in: case folding per open group.
  let folds = false
  const groups: boolean[] = []
  const cp = (c: string) => c.codePointAt(0) as number
  const find = (a: string, b: string, from: number) => {
    for (let k = from; k + 1 < chars.length; k += 1) if (chars[k] === a && chars[k + 1] === b) return k
    return chars.length
  }

  /** After a backslash: the escaped character, or undefined for a class or an assertion. */
  const escaped = (inBracket = false): number | undefined => {
    const c = chars[i++] as string
    if (c === 'p' || c === 'P') {
      const braced = chars[i] === '{'
      const close = braced ? chars.indexOf('}', i) : i
      // Unterminated: left to re2js, which refuses it with Go's message.
      if (close === -1 || i >= chars.length) return undefined
      const name = braced ? chars.slice(i + 1, close).join('') : (chars[i] as string)
      out.classes.push({ start: i - 2, end: close + 1, name, negated: c === 'P', inBracket, folds })
      i = close + 1
      return undefined
    }
    if (c === 'x') {
      const braced = chars[i] === '{'
      const end = braced ? chars.indexOf('}', i) : i + 2
      if (end === -1) return undefined
      const digits = chars.slice(braced ? i + 1 : i, end).join('')
      i = braced ? end + 1 : end
      return Number.parseInt(digits, 16)
    }
    if (c >= '0' && c <= '7') {
      let octal = c
      while (octal.length < 3 && /^[0-7]$/.test(chars[i] ?? '')) octal += chars[i++]
      return Number.parseInt(octal, 8)
    }
    if (CONTROL[c] !== undefined) return CONTROL[c]
    return /[A-Za-z]/.test(c) ? undefined : cp(c)
  }
  const written = (lo: number, hi = lo) => {
    if (folds) out.folded.push([lo, hi])
  }
  const next = (): number | undefined => {
    const c = chars[i++] as string
    return c === '\\' ? escaped(true) : cp(c)
  }

  const charClass = () => {
    if (chars[i] === '^') i += 1
    let first = true
    while (i < chars.length && (first || chars[i] !== ']')) {
      first = false
      // Go's parseNamedClass: "[:" up to the next ":]" (none: the "[" is a literal).
      const posixEnd = chars[i] === '[' && chars[i + 1] === ':' ? find(':', ']', i + 2) : chars.length
      if (posixEnd < chars.length) {
        i = posixEnd + 2
        continue
      }
      const lo = next()
      if (lo === undefined) continue
      if (chars[i] === '-' && chars[i + 1] !== ']') {
        i += 1
        // Go reads a range's end as one character: `\p` there is an invalid escape. Translated into
        // Go's members, `[ -\p{Ll}]` would become a valid range here.
        if (chars[i] === '\\' && (chars[i + 1] === 'p' || chars[i + 1] === 'P'))
          out.badRangeEnd ??= `error parsing regexp: invalid escape sequence: \`\\${chars[i + 1]}\``
        written(lo, next() as number)
      } else written(lo)
    }
    i += 1
  }

  while (i < chars.length) {
    const c = chars[i++] as string
    if (c === '\\' && chars[i] === 'Q') {
      const end = find('\\', 'E', i + 1)
      for (const q of chars.slice(i + 1, end)) written(cp(q))
      i = end + 2
    } else if (c === '\\') {
      const e = escaped()
      if (e !== undefined) written(e)
    } else if (c === '[') charClass()
    else if (c === '(') {
      groups.push(folds)
      if (chars[i] !== '?') continue
      const named = chars[i + 1] === '<' ? i + 2 : chars[i + 1] === 'P' && chars[i + 2] === '<' ? i + 3 : -1
      const close = named === -1 ? -1 : chars.indexOf('>', named)
      if (close !== -1) {
        // Go's isValidCaptureName: a word of ASCII letters, digits and "_"; others are left to re2js.
        const name = chars.slice(named, close).join('')
        let unique = name
        for (let k = 1; /^\w+$/.test(name) && names.has(unique); k += 1) unique = `${name}_${k}`
        if (unique !== name) out.renamed.push({ start: named, end: close, text: unique })
        names.add(unique)
        continue
      }
      // (?flags) sets them for the rest of this group, (?flags:...) inside a new one: "i" before
      // any "-" turns case folding on, after it off. Other (?...) groups keep the flags.
      let j = i + 1
      let fold: boolean | undefined
      for (let on = true; j < chars.length && /[imsU-]/.test(chars[j] as string); j += 1)
        if (chars[j] === '-') on = false
        else if (chars[j] === 'i') fold = on
      if (chars[j] !== ')' && chars[j] !== ':') continue
      if (chars[j] === ')') folds = groups.pop() as boolean
      if (fold !== undefined) folds = fold
      i = j + 1
    } else if (c === ')') folds = groups.pop() ?? folds
    else written(cp(c))
  }
  return out
}
