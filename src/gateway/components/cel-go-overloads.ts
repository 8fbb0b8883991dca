/**
 * cel-go's (v0.29) standard overloads (common/stdlib/standard.go) in declaration order, which is the
 * order its checker tries them in (cel-go-check.ts): `ts`/`dur` are timestamp and duration, `A`/`B`
 * type parameters. Names are the rewritten text's (cel-go-functions.ts renames some calls).
 */
import { DYN, type GoType, listOf, mapOf, prim } from './cel-go-types.ts'

export interface Overload {
  args: GoType[]
  result: GoType
}

const TS = 'google.protobuf.Timestamp'
const DUR = 'google.protobuf.Duration'
const ALIASES: Record<string, string> = { ts: TS, dur: DUR, null: 'null_type' }
export const PARAM_A = -1
export const PARAM_B = -2

function specType(text: string): GoType {
  if (text === 'A') return { kind: 'param', id: PARAM_A }
  if (text === 'B') return { kind: 'param', id: PARAM_B }
  if (text === 'dyn') return DYN
  if (text.startsWith('list(')) return listOf(specType(text.slice(5, -1)))
  if (text.startsWith('map(')) {
    const [key, value] = text.slice(4, -1).split(';')
    return mapOf(specType(key as string), specType(value as string))
  }
  return prim(ALIASES[text] ?? text)
}

const overloads = (...specs: string[]): Overload[] =>
  specs.map((spec) => {
    const [args, result] = spec.split('>') as [string, string]
    return { args: args.split(',').map(specType), result: specType(result) }
  })

export const ORDER_ALL = overloads(
  ...'bool,bool int,int int,double int,uint uint,uint uint,double uint,int double,double double,int double,uint string,string bytes,bytes ts,ts dur,dur'
    .split(' ')
    .map((pair) => `${pair}>bool`),
)
export const ORDER_SAME_TYPE = ORDER_ALL.filter((o) => exactPair(o))
function exactPair(o: Overload): boolean {
  const [a, b] = o.args as [GoType, GoType]
  return a.kind === 'prim' && b.kind === 'prim' && a.name === b.name
}

const ACCESSOR = overloads('ts>int', 'ts,string>int')
const TIME_ACCESSOR = overloads('ts>int', 'ts,string>int', 'dur>int')
const SIZE = overloads('bytes>int', 'list(A)>int', 'map(A;B)>int', 'string>int')
const STRING_TEST = overloads('string,string>bool')

/** Global functions and operators, as the rewritten text names them, in cel-go's declaration order. */
export const GLOBAL: Record<string, Overload[]> = {
  '+': overloads(
    'bytes,bytes>bytes',
    'double,double>double',
    'dur,dur>dur',
    'dur,ts>ts',
    'ts,dur>ts',
    'int,int>int',
    'list(A),list(A)>list(A)',
    'string,string>string',
    'uint,uint>uint',
  ),
  '-': overloads(
    'double,double>double',
    'dur,dur>dur',
    'int,int>int',
    'ts,dur>ts',
    'ts,ts>dur',
    'uint,uint>uint',
  ),
  '*': overloads('double,double>double', 'int,int>int', 'uint,uint>uint'),
  '/': overloads('double,double>double', 'int,int>int', 'uint,uint>uint'),
  '%': overloads('int,int>int', 'uint,uint>uint'),
  '==': overloads('A,A>bool'),
  '!=': overloads('A,A>bool'),
  in: overloads('A,list(A)>bool', 'A,map(A;B)>bool'),
  '[]': overloads('list(A),int>A', 'map(A;B),A>B'),
  '?:': overloads('bool,A,A>A'),
  '!_': overloads('bool>bool'),
  negGo: overloads('double>double', 'int>int'),
  '-_': overloads('double>double', 'int>int'),
  size: SIZE,
  inT: overloads('int>int', 'double>int', 'dur>int', 'string>int', 'ts>int', 'uint>int'),
  uinT: overloads('uint>uint', 'double>uint', 'int>uint', 'string>uint'),
  doublE: overloads('double>double', 'int>double', 'string>double', 'uint>double'),
  strinG: overloads(
    'string>string',
    'bool>string',
    'bytes>string',
    'double>string',
    'dur>string',
    'int>string',
    'ts>string',
    'uint>string',
  ),
  booL: overloads('bool>bool', 'string>bool'),
  byteS: overloads('bytes>bytes', 'string>bytes'),
  timestaGo: overloads('ts>ts', 'int>ts', 'string>ts'),
  duratiGo: overloads('dur>dur', 'string>dur'),
  dyn: overloads('A>dyn'),
  type: overloads('A>type'),
  matchGo: STRING_TEST,
}

/** Member functions: the receiver is the first argument. */
export const MEMBER: Record<string, Overload[]> = {
  size: SIZE,
  containS: STRING_TEST,
  startsWitH: STRING_TEST,
  endsWitH: STRING_TEST,
  matchGo: STRING_TEST,
  getFullYear: ACCESSOR,
  getMonth: ACCESSOR,
  getDayOfYear: ACCESSOR,
  getDayOfMonth: ACCESSOR,
  getDate: ACCESSOR,
  getDayOfWeek: ACCESSOR,
  getHours: TIME_ACCESSOR,
  getMinutes: TIME_ACCESSOR,
  getSeconds: TIME_ACCESSOR,
  getMilliseconds: TIME_ACCESSOR,
}

export const CONVERSIONS = new Set([
  'inT',
  'uinT',
  'doublE',
  'strinG',
  'booL',
  'byteS',
  'timestaGo',
  'duratiGo',
])
export const ORDERINGS = new Set(['<', '<=', '>', '>='])
export const GO_NAMES: Record<string, string> = {
  '+': '_+_',
  '-': '_-_',
  '*': '_*_',
  '/': '_/_',
  '%': '_%_',
  '==': '_==_',
  '!=': '_!=_',
  '<': '_<_',
  '<=': '_<=_',
  '>': '_>_',
  '>=': '_>=_',
  in: '@in',
  '[]': '_[_]',
  '?:': '_?_:_',
  '!_': '!_',
  '-_': '-_',
  negGo: '-_',
  inT: 'int',
  uinT: 'uint',
  doublE: 'double',
  strinG: 'string',
  booL: 'bool',
  byteS: 'bytes',
  containS: 'contains',
  startsWitH: 'startsWith',
  endsWitH: 'endsWith',
  timestaGo: 'timestamp',
  duratiGo: 'duration',
  matchGo: 'matches',
}
