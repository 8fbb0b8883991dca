// How KrakenD reads a YAML scalar: go.yaml.in/yaml/v3 (v3.0.4, through koanf) decoding into
// interface{}. Its resolver is not YAML 1.2's core schema: `017` is 15 (a 1.1 octal), `0b101` 5,
// `1_000` 1000, `09` the float 9, `yes` text, `2001-12-14` a time.Time. A guard setting written so
// (max_rate: 017) must mean here what it means there, so the gateway config's scalars are resolved
// by this port of its resolve() instead of the yaml library's schema.
import type { Document, LineCounter } from 'yaml'
import type { Problem } from './errors.ts'
import { GoYamlInt } from './go-yaml-ints.ts'

/** A scalar as written: its text after quoting/folding, its explicit tag, and whether it was plain. */
export interface WrittenScalar {
  text: string
  /** The explicit tag, long form (`tag:yaml.org,2002:int`) or local (`!foo`); `!` is the non-specific tag. */
  tag?: string | undefined
  /** Neither quoted nor a block scalar. */
  plain: boolean
}

export type ResolvedScalar =
  | { value: string | number | boolean | null; tag: string }
  | { refused: string; hint: string }

const LONG_TAG_PREFIX = 'tag:yaml.org,2002:'

/** go-yaml's table of exact spellings, looked up first. */
const SPELLED = new Map<string, [string, number | boolean | null]>()
for (const [tag, value, spellings] of [
  ['!!bool', true, ['true', 'True', 'TRUE']],
  ['!!bool', false, ['false', 'False', 'FALSE']],
  ['!!null', null, ['', '~', 'null', 'Null', 'NULL']],
  ['!!float', Number.NaN, ['.nan', '.NaN', '.NAN']],
  ['!!float', Number.POSITIVE_INFINITY, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  ['!!float', Number.NEGATIVE_INFINITY, ['-.inf', '-.Inf', '-.INF']],
] as const) {
  for (const spelling of spellings) SPELLED.set(spelling, [tag, value])
}

const RESOLVABLE = new Set(['', '!!str', '!!bool', '!!int', '!!float', '!!null', '!!timestamp'])
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
/** strconv.ParseInt(s, 0, 64)'s grammar: a sign, then hex, 0o/0b, a leading-0 octal or decimal. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** A value go-yaml resolved, with its tag (`!!int` for int, int64 and uint64 alike). */
type Resolved = [tag: string, value: string | number | bigint | boolean | null | 'timestamp']

function shortTag(tag: string): string {
  return tag.startsWith(LONG_TAG_PREFIX) ? `!!${tag.slice(LONG_TAG_PREFIX.length)}` : tag
}

/** ParseInt(s, 0, 64), then ParseUint(s, 0, 64): undefined where both fail. */
function goInteger(text: string): bigint | undefined {
  const match = GO_INT.exec(text)
  if (!match) return undefined
  const [, sign, hex, octal, binary, leadingZeroOctal, decimal] = match
  const magnitude =
    hex !== undefined
      ? BigInt(`0x${hex}`)
      : octal !== undefined
        ? BigInt(`0o${octal}`)
        : binary !== undefined
          ? BigInt(`0b${binary}`)
          : leadingZeroOctal !== undefined
            ? BigInt(`0o0${leadingZeroOctal}`)
            : BigInt(decimal as string)
  const value = sign === '-' ? -magnitude : magnitude
  if (value >= -INT64_MAX - 1n && value <= INT64_MAX) return value
  // ParseUint takes no sign at all.
  return sign === '' && value <= UINT64_MAX ? value : undefined
}

/** strconv.ParseFloat of a decimal text: undefined where it overflows (Go's ErrRange). */
function goFloat(text: string): number | undefined {
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}

/** Go accepts `_` in a float literal only between two digits. */
const UNDERSCORE_NOT_BETWEEN_DIGITS = /(^|[^0-9])_|_([^0-9]|$)/

/** The days of `month` (1-12) in `year`. */
const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

const DATE = String.raw`(\d{4})-(\d{1,2})-(\d{1,2})`
const CLOCK = String.raw`(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?`
/** go-yaml's allowedTimestampFormats, as time.Parse reads those layouts. */
const TIMESTAMP_LAYOUTS = [
  new RegExp(`^${DATE}[Tt]${CLOCK}(?:Z|[-+](\\d{2}):(\\d{2}))$`),
  new RegExp(`^${DATE} +${CLOCK}$`),
  new RegExp(`^${DATE}$`),
]

/** Whether go-yaml's parseTimestamp takes the text (time.Parse checks every field's range). */
function isGoTimestamp(text: string): boolean {
  for (const layout of TIMESTAMP_LAYOUTS) {
    const match = layout.exec(text)
    if (!match) continue
    const [year, month, day, hour = 0, minute = 0, second = 0, zoneHour = 0, zoneMinute = 0] = match
      .slice(1)
      .map((field) => (field === undefined ? undefined : Number(field)))
    if (year === undefined || month === undefined || day === undefined) continue
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) continue
    if (hour > 23 || minute > 59 || second > 59 || zoneHour > 24 || zoneMinute > 60) continue
    return true
  }
  return false
}

/** go-yaml's resolve() for a scalar that is no !!str/!!binary: the prefix tells what it may be. */
function resolveByShape(tag: string, text: string): Resolved {
  const spelled = SPELLED.get(text)
  if (spelled) return spelled
  const first = text[0] ?? ''
  if (first === '.') {
    if (/^\.[0-9_]+([eE][-+]?[0-9_]+)?$/.test(text) && !UNDERSCORE_NOT_BETWEEN_DIGITS.test(text)) {
      const value = goFloat(text.replaceAll('_', ''))
      if (value !== undefined) return ['!!float', value]
    }
    return ['!!str', text]
  }
  if (!/[-+0-9]/.test(first)) return ['!!str', text]
  if ((tag === '' || tag === '!!timestamp') && isGoTimestamp(text)) return ['!!timestamp', 'timestamp']
  const plain = text.replaceAll('_', '')
  const integer = goInteger(plain)
  if (integer !== undefined) return ['!!int', integer]
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = goFloat(plain)
    if (value !== undefined) return ['!!float', value]
  }
  return ['!!str', text]
}

/** go-yaml's decoding of one scalar into interface{}, as a JSON-like value, or why it is refused. */
export function resolveGoYamlScalar({ text, tag: writtenTag, plain }: WrittenScalar): ResolvedScalar {
  const tag = writtenTag === undefined || writtenTag === '!' ? '' : shortTag(writtenTag)
  // A quoted or block scalar without a tag, and anything tagged !!str, is the text itself.
  if ((tag === '' && !plain) || tag === '!!str') return { value: text, tag: '!!str' }
  if (tag === '!!binary') return decodeBinary(text)
  // A tag go-yaml does not resolve (`!foo`, `!!seq` on a scalar) leaves the text.
  if (!RESOLVABLE.has(tag)) return { value: text, tag: '!!str' }
  let [resolvedTag, value] = resolveByShape(tag, text)
  if (tag === '!!float' && resolvedTag === '!!int') {
    resolvedTag = '!!float'
    value = Number(value)
  }
  if (tag !== '' && tag !== resolvedTag) {
    return {
      refused: `cannot decode ${resolvedTag} \`${text}\` as a ${tag} (KrakenD's YAML reader refuses it too)`,
      hint: `Write a value of that type, or drop the ${tag} tag.`,
    }
  }
  if (value === 'timestamp') {
    return {
      refused: `\`${text}\` is a timestamp to KrakenD's YAML reader (a Go time.Time, not text)`,
      hint: `Quote it ("${text}") for the text; gwdeploy does not read YAML timestamps.`,
    }
  }
  if (typeof value === 'bigint') {
    // An int64 a float64 holds exactly (2^53, 2^60) reads as the JSON number does everywhere in
    // KrakenD (float64(i), encoding/json's text, mapstructure): only the others are refused.
    if (value > INT64_MAX || BigInt(Number(value)) !== value) {
      const asFloat = `${value}.0`
      // Past int64, go-yaml makes it a uint64, a type the readers that switch on int and float64
      // have no case for: a YAML `capacity: 9300000000000000000` limits as if absent there.
      if (value > INT64_MAX)
        return {
          refused: `the integer \`${text}\` (${value}) is beyond 2^53 and Go's int64: KrakenD's YAML reader makes it a uint64, which krakend-ratelimit, -circuitbreaker, -httpsecure and -cors skip (the setting as if absent) and its encoding/json readers take exact; gwdeploy cannot hold it`,
          hint: `Write ${asFloat} (a float, read as a JSON number is), a smaller number, or quote it for the text.`,
        }
      return {
        refused: `the integer \`${text}\` (${value}) is beyond 2^53 and not a float64: KrakenD's YAML reader keeps it exact, gwdeploy cannot`,
        hint: `Write ${asFloat} (a float, read as a JSON number is), a smaller number, or quote it for the text.`,
      }
    }
    return { value: Number(value), tag: resolvedTag }
  }
  return { value, tag: resolvedTag }
}

/** go-yaml decodes `!!binary` base64 (StdEncoding; line breaks skipped) into a Go string of the bytes. */
function decodeBinary(text: string): ResolvedScalar {
  const base64 = text.replace(/[\r\n]/g, '')
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    return {
      refused: '!!binary value contains invalid base64 data (KrakenD refuses it too)',
      hint: 'Write standard, padded base64 (A-Z a-z 0-9 + /).',
    }
  }
  const bytes = Buffer.from(base64, 'base64')
  try {
    return { value: new TextDecoder('utf-8', { fatal: true }).decode(bytes), tag: '!!str' }
  } catch {
    return {
      refused:
        'this !!binary value is not UTF-8 text once decoded: KrakenD keeps its raw bytes, gwdeploy cannot',
      hint: 'Write the text itself, or base64 of UTF-8 text.',
    }
  }
}

/** Key types whose text koanf's fmt.Sprintf("%v") writes as JavaScript's String() does. */
const KEY_TAGS = new Set(['!!str', '!!int', '!!bool'])

/**
 * Resolves, in place, every scalar of a document parsed with the failsafe schema (all text) as
 * go-yaml does; returns a located problem for each scalar gwdeploy cannot read as KrakenD does.
 */
export function resolveGoYamlScalars(
  doc: Document,
  yaml: Pick<typeof import('yaml'), 'visit' | 'isScalar' | 'isCollection' | 'isAlias'>,
  lineCounter: LineCounter,
  file: string,
): Problem[] {
  const problems: Problem[] = []
  const refuse = (message: string, hint: string, offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0)
    problems.push({ message, hint, location: { file, line, column: col } })
  }
  yaml.visit(doc, {
    Map(_, map) {
      let merges = 0
      for (const { key } of map.items) {
        const keyNode = yaml.isAlias(key) ? key.resolve(doc) : key
        if (yaml.isCollection(keyNode)) {
          refuse(
            "a list or map as a key: KrakenD's YAML reader refuses it (invalid map key)",
            'Write a plain text key.',
            (key as { range?: [number] }).range?.[0],
          )
        }
        // go-yaml compares keys by their text: a quoted '<<' repeats a plain one too.
        if (yaml.isScalar(key) && key.source === '<<' && ++merges === 2) {
          refuse(
            `mapping key "<<" already defined: KrakenD's YAML reader refuses a repeated merge key`,
            'Merge several maps with one key: `<<: [*first, *second]`.',
            key.range?.[0],
          )
        }
      }
    },
    Scalar(key, node) {
      const text = node.source ?? String(node.value)
      const plain = node.type === undefined || node.type === 'PLAIN'
      // A plain `<<` key is the merge the library already resolved (to a symbol).
      if (key === 'key' && plain && text === '<<' && node.tag === undefined) return
      const resolved = resolveGoYamlScalar({ text, tag: node.tag, plain })
      if ('refused' in resolved) return refuse(resolved.refused, resolved.hint, node.range?.[0])
      if (key === 'key' && !KEY_TAGS.has(resolved.tag)) {
        return refuse(
          `the key \`${text}\` is a ${resolved.tag.slice(2)} to KrakenD's YAML reader, not text`,
          `Quote it ("${text}") for the text.`,
          node.range?.[0],
        )
      }
      // A value go-yaml decodes as a Go int stays marked until the document is plain data
      // (settleGoYamlInts): a few KrakenD readers assert float64 and skip it.
      node.value =
        key !== 'key' && resolved.tag === '!!int' && typeof resolved.value === 'number'
          ? new GoYamlInt(resolved.value)
          : resolved.value
    },
  })
  return problems
}
