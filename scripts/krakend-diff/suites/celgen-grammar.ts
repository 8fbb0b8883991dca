// A seeded grammar of CEL expressions over what krakend-cel declares (its defaultDeclarations):
// typed where a hint is given, ill-typed on purpose now and then, with literals of every kind
// (int/uint/double edges, NaN/Inf/-0, escapes, raw and bytes literals, lists, maps, null, timestamps,
// durations), operators, the standard macros and functions, conversions, overflows, division by
// zero and errors behind && / || / ?:. cel-go's standard library only: krakend-cel enables no ext.

export type Side = 'req' | 'resp' | 'jwt'
type T = 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'list' | 'map' | 'ts' | 'dur' | 'dyn'
const TYPES: T[] = ['bool', 'int', 'uint', 'double', 'string', 'bytes', 'list', 'map', 'ts', 'dur', 'dyn']

const LITERALS: Record<T, string[]> = {
  bool: ['true', 'false'],
  int: [
    '0',
    '1',
    '-1',
    '42',
    '7',
    '9223372036854775807',
    '-9223372036854775808',
    '0x7fffffffffffffff',
    '0xFF',
    '-0x10',
    '1000000000000',
  ],
  uint: ['0u', '1u', '2U', '18446744073709551615u', '0xFFu', '9223372036854775808u'],
  double: [
    '0.0',
    '-0.0',
    '1.5',
    '.5',
    '1e3',
    '1e308',
    '-1e308',
    '2.5e-320',
    '3.0',
    "double('NaN')",
    "double('inf')",
    "double('-Infinity')",
    "double('-0')",
    '1.0/0.0',
    '0.0/0.0',
  ],
  string: [
    "'a'",
    '"b"',
    "''",
    "'é'",
    "'\\u00e9'",
    "'\\x41'",
    "'\\101'",
    "'a\\nb'",
    "r'\\n'",
    'R"\\d+"',
    '"""tri"ple"""',
    "'''x'''",
    "'\\U0001F600'",
    "'日本'",
    "'42'",
    "'-1'",
    "'1e3'",
    "'NaN'",
    "'GET'",
    "'request'",
    "'/a/b'",
    "'\\''",
    "'\\\\'",
    "'x\\ty'",
    "'\\ufffd'",
  ],
  bytes: ["b'abc'", "b'\\xff'", 'B"x"', "rb'\\x'", "b'\\u00e9'", "b''", "b'\\377'", "bytes('é')"],
  list: ['[]', '[1, 2, 3]', "['a', 'b']", '[1, "a", true]', '[1u, 2.0]', '[[1], []]', '[null]', '[1, 1]'],
  map: [
    '{}',
    "{'a': 1}",
    "{'a': 1, 'b': 'x'}",
    '{1: 2}',
    '{1u: 1, 1: 2}',
    "{true: 'y'}",
    "{'k': [1, 2]}",
    "{'z': null}",
  ],
  ts: [
    "timestamp('2024-02-29T12:00:00Z')",
    "timestamp('1970-01-01T00:00:00.000000001Z')",
    "timestamp('2000-01-01T00:00:00+02:00')",
    "timestamp('9999-12-31T23:59:59Z')",
    "timestamp('0001-01-01T00:00:00Z')",
    'timestamp(0)',
    'timestamp(1700000000)',
    'null',
  ],
  dur: [
    "duration('1s')",
    "duration('-1.5h')",
    "duration('0')",
    "duration('1ms')",
    "duration('2562047h')",
    "duration('1h2m3.5s')",
    "duration('1µs')",
    "duration('3ns')",
    'duration(1000)',
    'null',
  ],
  dyn: ['null', 'dyn(1)', "dyn('a')", 'dyn([1u])', "dyn({'a': 1})"],
}

const VARIABLES: Record<Side, Partial<Record<T, string[]>>> = {
  req: {
    string: [
      'req_method',
      'req_path',
      'now',
      'req_params.Id',
      'req_params.Name',
      "req_params['Id']",
      'req_params.Missing',
      'req_params.`Id`',
      '.req_method',
      "req_headers['X-A'][0]",
      "req_headers['X-B'][0]",
      'req_querystring.q[0]',
      "req_querystring['n'][0]",
      "req_headers['X-A'][1]",
      "req_headers['x-a'][0]",
      "req_headers['User-Agent'][0]",
      'req_params.id',
      "req_querystring['Q'][0]",
    ],
    list: [
      "req_headers['X-A']",
      "req_headers['X-B']",
      'req_querystring.q',
      'req_querystring.n',
      "req_headers['Content-Type']",
      "req_headers['Accept-Encoding']",
      "req_headers['X-Forwarded-For']",
      "req_headers['Connection']",
      "req_headers['Host']",
      'req_headers.Cookie',
      'req_querystring.other',
    ],
    map: ['req_params', 'req_headers', 'req_querystring'],
  },
  resp: {
    bool: ['resp_completed', 'resp_data.b'],
    int: ['resp_metadata_status'],
    string: [
      'now',
      'resp_data.a',
      'resp_data.n',
      "resp_data['f']",
      "resp_metadata_headers['X-Be'][0]",
      "resp_metadata_headers['Content-Type'][0]",
    ],
    list: ['resp_data.l', "resp_metadata_headers['X-Be']", "resp_metadata_headers['Set-Cookie']"],
    map: ['resp_data', 'resp_data.m', 'resp_metadata_headers'],
    dyn: [
      'resp_data.z',
      'resp_data.n',
      'resp_data.l[0]',
      "resp_data.m['k']",
      'resp_data.missing',
      'resp_data.`a`',
      'resp_data.`a-b`',
      'resp_data.l[1]',
    ],
  },
  jwt: {
    string: ['JWT.sub', 'now', "JWT['iss']"],
    list: ['JWT.roles', 'JWT.ids'],
    map: ['JWT', 'JWT.m'],
    dyn: ['JWT.n', 'JWT.sub', 'JWT.exp', 'JWT.roles[0]', 'JWT.missing', "JWT.m['k']", 'JWT.f'],
  },
}

const GUARDS: Record<Side, string> = {
  req: "req_method != ''",
  resp: 'resp_completed || !resp_completed',
  jwt: 'size(JWT) >= 0',
}
const HAS_TARGETS: Record<Side, string[]> = {
  req: ['req_params', 'req_headers', 'req_querystring', 'req_params.Id'],
  resp: ['resp_data', 'resp_data.m', 'resp_data.l', 'resp_metadata_headers', 'resp_data.a'],
  jwt: ['JWT', 'JWT.m', 'JWT.sub', 'JWT.roles'],
}
const ZONES = [
  "'UTC'",
  "'Europe/Madrid'",
  "'utc'",
  "''",
  "'02:00'",
  "'-05:30'",
  "'+01:00'",
  "'Local'",
  "'Nowhere/X'",
]
const ACCESSORS = [
  'getFullYear',
  'getMonth',
  'getDayOfYear',
  'getDayOfMonth',
  'getDate',
  'getDayOfWeek',
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
]
const PATTERNS = [
  "'^a'",
  "'[0-9]+'",
  "'\\\\d'",
  "'(?i)GET'",
  "'é'",
  "'^$'",
  "'.'",
  "'a|b'",
  "'\\\\p{L}+'",
  "'['",
  "'^/a/.*$'",
  "r'\\s'",
  "'x*'",
]
const TYPE_NAMES = [
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'bool',
  'list',
  'map',
  'null_type',
  'type',
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'dyn',
]

/**
 * mulberry32: the shared LCG (fuzz-helpers.ts) multiplies past 2^53 and, started from some
 * seeds, falls into a short cycle (the same expression over and over).
 */
export function celRandom(seed: number) {
  let state = (seed * 0x9e3779b9) >>> 0
  const rnd = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  return { rnd, pick }
}

/** `illTyped`: how often a sub-expression ignores the type asked for (ILL= in celgen.config.ts). */
export function celGrammar(seed: number, illTyped = 0.06) {
  const { rnd, pick } = celRandom(seed)
  const chance = (p: number) => rnd() < p
  let side: Side = 'req'
  let scope: string[] = []

  function leaf(t: T): string {
    const vars = VARIABLES[side][t] ?? []
    if (scope.length > 0 && chance(0.25)) return pick(scope)
    if (vars.length > 0 && chance(0.55)) return pick(vars)
    return pick(LITERALS[t])
  }

  function gen(t: T, depth: number): string {
    if (chance(illTyped)) t = pick(TYPES) // ill-typed on purpose
    if (depth <= 0 || chance(0.25)) return leaf(t)
    const d = depth - 1
    if (chance(0.08)) return `(${gen('bool', d)} ? ${gen(t, d)} : ${gen(t, d)})`
    if (chance(0.04)) return `dyn(${gen(t, d)})`
    switch (t) {
      case 'bool':
        return boolean(d)
      case 'int':
        return pick([
          () => `${gen('int', d)} ${pick(['+', '-', '*', '/', '%'])} ${gen('int', d)}`,
          () => `-${gen('int', d)}`,
          () => `size(${gen(pick(['string', 'bytes', 'list', 'map'] as T[]), d)})`,
          () => `${gen('string', d)}.size()`,
          () => `int(${gen(pick(['string', 'double', 'uint', 'ts', 'dur', 'dyn', 'int'] as T[]), d)})`,
          () => `${gen('ts', d)}.${pick(ACCESSORS)}(${chance(0.4) ? pick(ZONES) : ''})`,
          () => `${gen('dur', d)}.${pick(['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'])}()`,
        ])()
      case 'uint':
        return pick([
          () => `${gen('uint', d)} ${pick(['+', '-', '*', '/', '%'])} ${gen('uint', d)}`,
          () => `uint(${gen(pick(['string', 'double', 'int', 'dyn'] as T[]), d)})`,
        ])()
      case 'double':
        return pick([
          () => `${gen('double', d)} ${pick(['+', '-', '*', '/'])} ${gen('double', d)}`,
          () => `-${gen('double', d)}`,
          () => `double(${gen(pick(['string', 'int', 'uint', 'dyn', 'double'] as T[]), d)})`,
        ])()
      case 'string':
        return pick([
          () => `${gen('string', d)} + ${gen('string', d)}`,
          () => `string(${gen(pick(TYPES), d)})`,
          () => `${gen('list', d)}[${gen('int', d)}]`,
          () => `${gen('map', d)}[${gen('string', d)}]`,
        ])()
      case 'bytes':
        return pick([() => `${gen('bytes', d)} + ${gen('bytes', d)}`, () => `bytes(${gen('string', d)})`])()
      case 'list':
        return pick([
          () => `[${Array.from({ length: Math.floor(rnd() * 3) }, () => gen(pick(TYPES), d)).join(', ')}]`,
          () => `${gen('list', d)} + ${gen('list', d)}`,
          () => macro('map', d),
          () => macro('filter', d),
          () => `${gen('map', d)}[${gen('string', d)}]`,
        ])()
      case 'map':
        return `{${Array.from({ length: Math.floor(rnd() * 3) }, () => `${gen(pick(['string', 'int', 'uint', 'bool'] as T[]), d)}: ${gen(pick(TYPES), d)}`).join(', ')}}`
      case 'ts':
        return pick([
          () => `timestamp(${gen(pick(['string', 'int', 'dyn'] as T[]), d)})`,
          () => `${gen('ts', d)} ${pick(['+', '-'])} ${gen('dur', d)}`,
          () => `${gen('dur', d)} + ${gen('ts', d)}`,
        ])()
      case 'dur':
        return pick([
          () => `duration(${gen('string', d)})`,
          () => `${gen('dur', d)} ${pick(['+', '-'])} ${gen('dur', d)}`,
          () => `${gen('ts', d)} - ${gen('ts', d)}`,
        ])()
      default:
        return pick([
          () => `${gen('list', d)}[${gen(pick(['int', 'uint', 'double', 'dyn'] as T[]), d)}]`,
          () => `${gen('map', d)}[${gen(pick(['string', 'int', 'dyn'] as T[]), d)}]`,
          () => `${gen('map', d)}.${pick(['a', 'k', 'Id', 'sub', 'n', 'm', 'l', 'z'])}`,
          () => `type(${gen(pick(TYPES), d)})`,
        ])()
    }
  }

  function boolean(d: number): string {
    const any = () => pick(TYPES)
    return pick([
      () => {
        const t = any()
        return `${gen(t, d)} ${pick(['==', '!=', '<', '<=', '>', '>='])} ${gen(chance(0.8) ? t : any(), d)}`
      },
      () => `${gen('bool', d)} ${pick(['&&', '||'])} ${gen('bool', d)}`,
      () => `!${gen('bool', d)}`,
      () => `${pick(['!-', '-!', '!!-', '- -', '!!'])}${gen(pick(TYPES), d)}`,
      () => `${gen(any(), d)} in ${gen(pick(['list', 'map'] as T[]), d)}`,
      () => `${gen('string', d)}.${pick(['startsWith', 'endsWith', 'contains'])}(${gen('string', d)})`,
      () => `${gen('string', d)}.matches(${chance(0.7) ? pick(PATTERNS) : gen('string', d)})`,
      () => `matches(${gen('string', d)}, ${pick(PATTERNS)})`,
      () =>
        `has(${pick([...HAS_TARGETS[side], "{'a': 1}", "{'a': 1}.a", '[1]'])}.${pick(['a', 'Id', 'k', 'sub', 'm', 'z', 'missing', 'q', 'l'])})`,
      () => macro(pick(['all', 'exists', 'exists_one']), d),
      () => `type(${gen(any(), d)}) == ${pick(TYPE_NAMES)}`,
      () => `bool(${gen('string', d)})`,
      () =>
        `${pick(['1 / 0 == 1', '1 % 0 == 0', '9223372036854775807 + 1 > 0', '0u - 1u > 0u', '[1][5] == 1', "{'a': 1}['b'] == 1", "int('x') == 0", '-(-9223372036854775807 - 1) < 0'])} ${pick(['&&', '||'])} ${gen('bool', d)}`,
      () =>
        `${gen('bool', d)} ${pick(['&&', '||'])} ${pick(['1 / 0 == 1', "int('x') == 0", 'req_params.Missing == "x"', 'resp_data.missing == 1'])}`,
    ])()
  }

  function macro(name: string, d: number): string {
    const range = chance(0.7) ? gen('list', d) : gen('map', d)
    const v = pick(['x', 'y', 'e'])
    const saved = scope
    scope = [...scope, v]
    const body = name === 'map' ? gen(pick(TYPES), d) : gen('bool', d)
    const filter = name === 'map' && chance(0.3) ? `${gen('bool', d)}, ` : ''
    scope = saved
    return `${range}.${name}(${v}, ${filter}${body})`
  }

  /** An expression for a side (it names one of the side's variables so krakend-cel runs it there). */
  function expression(s: Side, depth = 3): string {
    side = s
    scope = []
    const out = gen('bool', depth)
    if (out.includes(s === 'jwt' ? 'JWT' : s)) return out
    const guard = GUARDS[s]
    return chance(0.5) ? `${guard} && (${out})` : `(${out}) || !(${guard})`
  }

  return { expression, rnd, pick }
}
