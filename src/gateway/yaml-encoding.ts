// The YAML output: lura's `yaml` render is gin's c.YAML, goccy/go-yaml v1.19.2's Marshal of the
// response data. This writes what goccy's encoder builds and its printer prints: map keys sorted by
// their bytes, lists not indented under their key, strings quoted by goccy's own rules (IsNeedQuoted:
// YAML 1.1 words like `y` and `on`, anything its number or timestamp parsers accept, some first and
// last characters, `#`, `\`, `: `, `- `) with strconv.Quote, other multi-line strings as literal
// blocks. lura decodes backend JSON with UseNumber: a json.Number is a string to goccy, so a number
// from a backend is written as its text, quoted (`"42"`) unless goccy's parser would not read it
// as a number (`1e3`). Numbers of the config's static data are Go float64s (`5.0`, `1e+06`).
import { GoFloat64, goFormatFloat } from './go-float.ts'
import { GoNumber, isGoResponseError } from './go-json.ts'
import { goQuote } from './go-quote.ts'
import { goccyNumber, goccyTimestamp } from './yaml-goccy-scalars.ts'

/** goccy's nodes, with the column each one's tokens end up at once every AddColumn is applied. */
type Node =
  | { kind: 'scalar'; text: string; string: boolean; column: number }
  | { kind: 'map'; entries: Array<{ key: Node; value: Node }>; column: number }
  | { kind: 'seq'; items: Node[]; column: number }

const INDENT = 2

const RESERVED = new Set(
  'null Null NULL ~ true True TRUE false False FALSE y Y yes Yes YES n N no No NO on On ON off Off OFF'.split(
    ' ',
  ),
)

/** token.IsNeedQuoted. */
function needsQuotes(value: string): boolean {
  if (value === '' || RESERVED.has(value) || goccyNumber(value) || value === '-') return true
  if ('*&[{}],!|>%\'"@ `'.includes(value[0] as string)) return true
  const last = value[value.length - 1] as string
  if (last === ':' || last === ' ') return true
  if (goccyTimestamp(value)) return true
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === '#' || c === '\\') return true
    if ((c === ':' || c === '-') && value[i + 1] === ' ') return true
  }
  return false
}

const scalar = (text: string, column: number, string = false): Node => ({
  kind: 'scalar',
  text,
  string,
  column,
})

/** Encoder.encodeString: the text as the token's value, quoted where goccy quotes it. */
const stringNode = (value: string, column: number) =>
  scalar(needsQuotes(value) ? goQuote(value) : value, column, true)

/** A float64 as goccy writes it: %g's shortest text, `.0` added to a whole number. */
function goccyFloat(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '.inf'
  if (v === Number.NEGATIVE_INFINITY) return '-.inf'
  if (Number.isNaN(v)) return '.nan'
  const text = goFormatFloat(v)
  return text.includes('.') || text.includes('e') ? text : `${text}.0`
}

/** fmt.Sprint order of the keys: their UTF-8 bytes, which is code point order. */
function byBytes(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/** Every node below `node` (itself included) `by` columns to the right: goccy's AddColumn. */
function addColumn(node: Node, by: number): void {
  node.column += by
  if (node.kind === 'map')
    for (const { key, value } of node.entries) {
      addColumn(key, by)
      addColumn(value, by)
    }
  else if (node.kind === 'seq') for (const item of node.items) addColumn(item, by)
}

/**
 * lura's NamedHTTPResponseError (return_error_details): goccy does not inline the embedded
 * HTTPResponseError, so its fields sit under `httpresponseerror`, in declaration order, the
 * status code an int.
 */
function responseError(fields: Record<string, unknown>, column: number): Node {
  const inner: Node = {
    kind: 'map',
    column,
    entries: Object.keys(fields).map((name) => {
      const v = fields[name]
      return {
        key: stringNode(name, column),
        value: typeof v === 'number' ? scalar(String(v), column) : encode(v, column),
      }
    }),
  }
  addColumn(inner, INDENT)
  return { kind: 'map', column, entries: [{ key: stringNode('httpresponseerror', column), value: inner }] }
}

/** Encoder.encodeValue for the values a response holds. Sequences start at the encoder's column, 1. */
function encode(value: unknown, column: number): Node {
  if (value === null || value === undefined) return scalar('null', column)
  if (typeof value === 'string') return stringNode(value, column)
  if (typeof value === 'boolean') return scalar(String(value), column)
  // A NaN or ±Inf is no json.Number: a Lua script's float64.
  if (typeof value === 'number')
    return Number.isFinite(value) ? stringNode(String(value), column) : scalar(goccyFloat(value), column)
  if (value instanceof GoNumber)
    return value instanceof GoFloat64
      ? scalar(goccyFloat(value.value), column)
      : stringNode(value.literal, column)
  if (Array.isArray(value)) return { kind: 'seq', column: 1, items: value.map((v) => encode(v, 1)) }
  const fields = value as Record<string, unknown>
  if (isGoResponseError(fields)) return responseError(fields, column)
  const entries = Object.keys(fields)
    .sort(byBytes)
    .map((key) => {
      const encoded = encode(fields[key], column)
      if (encoded.kind === 'map') addColumn(encoded, INDENT)
      return { key: stringNode(key, column), value: encoded }
    })
  return { kind: 'map', column, entries }
}

/** token.DetectLineBreakCharacter. */
function lineBreakOf(text: string): string {
  const n = text.split('\n').length - 1
  const r = text.split('\r').length - 1
  const rn = text.split('\r\n').length - 1
  if (n === rn && r === rn) return '\r\n'
  return r > n ? '\r' : '\n'
}

/** StringNode.String: a plain value with a line break becomes a literal block. */
function printScalar(node: Extract<Node, { kind: 'scalar' }>): string {
  const value = node.text
  if (!node.string) return value
  const lbc = lineBreakOf(value)
  if (value.includes(lbc)) {
    const header = value.endsWith(lbc + lbc) ? '|+' : value.endsWith(lbc) ? '|' : '|-'
    const space = ' '.repeat(node.column - 1)
    const indent = ' '.repeat(INDENT)
    const lines = value.split(lbc).map((line) => `${space}${indent}${line}`)
    const block = trimSuffix(trimSuffix(lines.join(lbc), `${lbc}${indent}${space}`), `${indent}${space}`)
    return `${header}${lbc}${block}`
  }
  if (value[0] === '{' || value[0] === '[') return `'${value}'`
  return value
}

const trimSuffix = (text: string, suffix: string) =>
  suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text

function print(node: Node): string {
  if (node.kind === 'scalar') return printScalar(node)
  if (node.kind === 'map') {
    if (node.entries.length === 0) return '{}'
    return node.entries.map(({ key, value }) => printEntry(key, value)).join('\n')
  }
  return node.items.length === 0 ? '[]' : printSequence(node)
}

/** MappingValueNode.toString. */
function printEntry(key: Node, value: Node): string {
  const head = `${' '.repeat(key.column - 1)}${print(key)}`
  if (value.kind === 'scalar') return `${head}: ${print(value)}`
  if (value.kind === 'map' ? value.entries.length === 0 : value.items.length === 0)
    return `${head}: ${print(value)}`
  return `${head}:\n${print(value)}`
}

/** SequenceNode.blockStyleString: each item's text re-indented after its `- `. */
function printSequence(node: Extract<Node, { kind: 'seq' }>): string {
  const space = ' '.repeat(node.column - 1)
  return node.items
    .map((item) => {
      let text = print(item)
      let newLinePrefix = ''
      if (text.startsWith('\n')) {
        text = text.slice(1)
        newLinePrefix = '\n'
      }
      const lines = text.split('\n')
      const first = (lines[0] as string).replace(/^ +/, '')
      const diffLength = (lines[0] as string).length - first.length
      if (lines.length > 1 && item.kind === 'scalar' && item.string)
        for (let i = 1; i < lines.length; i++) lines[i] = trimPrefix(lines[i] as string, `${space}  `)
      const out = [first]
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i] as string
        out.push(Buffer.byteLength(line) <= diffLength ? '' : `${space}  ${line.slice(diffLength)}`)
      }
      return `${newLinePrefix}${space}- ${out.join('\n')}`
    })
    .join('\n')
}

const trimPrefix = (text: string, prefix: string) =>
  text.startsWith(prefix) ? text.slice(prefix.length) : text

export function writeYaml(data: Record<string, unknown>): string {
  return `${print(encode(data, 1))}\n`
}
