// JSON texts at the edges of the output writers, for encgen.config.ts: keys that are no XML names
// (digits first, spaces, `<>&`, colons, mxj's `-attr` and `#text`, control characters, emoji, empty),
// YAML's words and number look-alikes as strings, numbers as texts Go keeps whole (1e21, -0, 1E+2,
// 0.1e-7, 30 digits, 1e400), nested nulls, mixed arrays, duplicate keys, deep nesting and top-level
// scalars. Written by hand so every text reaches the gateways as drawn.

export interface Draw {
  rnd: () => number
  pick: <T>(list: readonly T[]) => T
  /** The keys objects are made of (a backend's own, so merged backends do not race on one key). */
  keys: readonly string[]
}

export const EDGE_KEYS = [
  'a',
  'b',
  'id',
  'items',
  'data',
  'content',
  'collection',
  'ü',
  'x.y',
  '',
  '1a',
  '0',
  'a b',
  'x:y',
  '<k>',
  'a&b',
  '-k',
  '-id',
  '-',
  '-a b',
  '-<',
  '#text',
  '.k',
  'xmlns',
  'xml',
  'a/b',
  '"q"',
  'k\u0001',
  '😀',
  // above the surrogates: UTF-8 and UTF-16 sort these and the emoji the other way round
  'ﬁ',
  '\uff01',
  'A',
  '__proto__',
  'doc',
  'object',
  'true',
  '~',
  '- x',
  'k: v',
]

export const EDGE_NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '1.0',
  '1.50',
  '0.1',
  '1e21',
  '1E+2',
  '1e2',
  '0.1e-7',
  '-2.5e-3',
  '123456789012345678901234567890',
  '9007199254740993',
  '18446744073709551616',
  '1e308',
  '5e-324',
  '1e400',
  '-0.0',
  '0e0',
  '1e-7',
  '100000000000000000000000',
  '0.30000000000000004',
  '-9223372036854775808',
  '9223372036854775807',
  '1.7976931348623157e308',
]

export const EDGE_STRINGS = [
  '""',
  '"x"',
  '"é"',
  '"😀"',
  '"<a&b>"',
  '"]]>"',
  '"\\u2028\\u2029"',
  '"line\\nbreak\\t"',
  '"cr\\r\\nlf"',
  '"quote\\"s\\\\"',
  '"\\ud800"',
  '"\\u0000"',
  '"\\u0001\\u007f"',
  '"\\ufffe\\uffff"',
  '"null"',
  '"true"',
  '"yes"',
  '"on"',
  '"~"',
  '"1e3"',
  '"0x10"',
  '"012"',
  '"1_000"',
  '".inf"',
  '"-.NaN"',
  '"2001-12-14"',
  '"12:30:45"',
  '"- a"',
  '"a: b"',
  '"#c"',
  '" lead"',
  '"trail "',
  '"a\\u00a0b"',
  '"\'"',
  '"{}"',
  '"[]"',
  '"&amp;"',
  '"@at"',
  '"%p"',
  '"!tag"',
  '"*ref"',
  '"|"',
  '">"',
]

const LITERALS = ['null', 'true', 'false']

function scalar(d: Draw): string {
  const r = d.rnd()
  if (r < 0.4) return d.pick(EDGE_NUMBERS)
  if (r < 0.8) return d.pick(EDGE_STRINGS)
  return d.pick(LITERALS)
}

function object(d: Draw, depth: number): string {
  const n = Math.floor(d.rnd() * (depth > 2 ? 3 : 5))
  const members: string[] = []
  const used = new Set<string>()
  for (let i = 0; i < n; i += 1) {
    const key = d.pick(d.keys)
    // A key again now and then: Go's map keeps the last one.
    if (used.has(key) && d.rnd() < 0.7) continue
    used.add(key)
    members.push(`${JSON.stringify(key)}:${value(d, depth + 1)}`)
  }
  return `{${members.join(',')}}`
}

function array(d: Draw, depth: number): string {
  const n = Math.floor(d.rnd() * 4)
  const r = d.rnd()
  // Objects only, or values of any type mixed (nulls, nested arrays, scalars).
  const item = () => (r < 0.5 ? object(d, depth + 1) : value(d, depth + 1))
  return `[${Array.from({ length: n }, item).join(',')}]`
}

function value(d: Draw, depth: number): string {
  const r = d.rnd()
  if (depth >= 5 || r < 0.35) return scalar(d)
  if (r < 0.45) return d.pick(['null', '{}', '[]', '[null]', '{"a":null}', '[[]]', '[{}]'])
  if (r < 0.75) return object(d, depth)
  return array(d, depth)
}

/** `{"a":{"a":...}}` or `[[...]]` `levels` deep around a scalar. */
function deep(d: Draw, levels: number): string {
  let text = scalar(d)
  for (let i = 0; i < levels; i += 1)
    text = d.rnd() < 0.7 ? `{${JSON.stringify(d.pick(d.keys))}:${text}}` : `[${text}]`
  return d.rnd() < 0.5 ? `{"deep":${text}}` : text
}

/** A string member `pad` long, so the rendered answer lands near Go's 2 KB chunking threshold. */
const padded = (d: Draw, pad: number) =>
  `{${JSON.stringify(d.pick(d.keys))}:${JSON.stringify('x'.repeat(pad))},"n":${d.pick(EDGE_NUMBERS)}}`

/** One key over a list of maps, of mixed items, or over one value (mxj's root tag then is that key). */
function singleKey(d: Draw): string {
  const key = JSON.stringify(d.pick(d.keys))
  return `{${key}:${d.pick([
    `[${object(d, 1)},${object(d, 1)}]`,
    `[${object(d, 1)},${scalar(d)}]`,
    '[]',
    '[[]]',
    'null',
    scalar(d),
    object(d, 1),
    `{"-id":${d.pick(['1', `"<\\"'&>"`, 'true', 'null', '{}', '[]', '1e21', '""'])},${d.keys.includes('#text') ? '"#text"' : '"t"'}:${scalar(d)}}`,
  ])}}`
}

/** A backend's body: mostly an object (an array with `collection`), now and then an edge. */
export function edgeBody(d: Draw, collection: boolean): string {
  const r = d.rnd()
  if (r < 0.04) return padded(d, 1950 + Math.floor(d.rnd() * 120))
  if (r < 0.06) return `{"list":[${Array.from({ length: 60 }, () => object(d, 2)).join(',')}]}`
  if (r < 0.14) return singleKey(d)
  if (collection && r < 0.18) return `[${singleKey(d)},${singleKey(d)}]`
  if (r < 0.22) return d.pick(['null', '{}', '[]', '{"a":null}', '{"a":{"b":null}}', '[null]', '{"":""}'])
  if (r < 0.26) return d.pick(['1', '-0', '1e21', '"s"', '""', 'true', 'false', '"<&>"'])
  if (r < 0.31) return deep(d, 8 + Math.floor(d.rnd() * 40))
  if (r < 0.34) return '{"a":1,"a":2,"b":{"c":1,"c":null}}'
  return collection ? array(d, 0) : object(d, 0)
}

const TEXTS: Array<string | Buffer> = [
  '',
  ' ',
  'plain',
  'key: value',
  '- item',
  '# not a comment',
  'line one\nline two\n',
  'trailing spaces  \nnext',
  '\ttab first',
  'crlf\r\nline',
  'no newline at end\nx',
  '\n\nleading blank lines',
  'null',
  'true',
  '1e21',
  '0x1F',
  '"quoted"',
  "'single'",
  '<b>html</b> & ]]>',
  '\u0000nul',
  '\u0085next line',
  '\u2028sep',
  '\ufeffbom',
  'é😀',
  Buffer.from([0x61, 0xff, 0xfe, 0x62]),
  Buffer.from([0xe9, 0x74, 0xe9]),
  Buffer.from([0xed, 0xa0, 0x80]),
]

/** A `string` backend's body: text YAML and XML must quote, escape or fold, bytes that are no UTF-8. */
export function textBody(d: Draw): string | Buffer {
  const first = d.pick(TEXTS)
  if (d.rnd() < 0.7 || Buffer.isBuffer(first)) return first
  const second = d.pick(TEXTS)
  return Buffer.isBuffer(second) ? first : `${first}${d.pick(['', '\n', ' ', ': '])}${second}`
}
