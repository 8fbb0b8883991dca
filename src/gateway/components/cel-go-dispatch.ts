/**
 * A cel-go (v0.29) run-time dispatch quirk KrakenD shows, found by the differential fuzz: a type
 * conversion (int, uint, double, string, bool, bytes, timestamp, duration) of a dyn value read by
 * an index of static type uint, double or string from anything but an activation variable
 * (`int(resp_data.c[0u])`, `int(JWT.nested['a'])`, `double(dyn(['1'])[0u])`) finds no overload
 * unless the value already has the target type: "no such overload: int(string)". The same
 * conversion of `resp_data.c[0]`, `JWT['n']` or `resp_data.d.f` converts. cel-js converted all of
 * them, so `int(JWT.nested['a']) == 1` let a token through that KrakenD refuses.
 */
import { celLibrary } from '../libraries.ts'

/** The renamed (cel-go-functions.ts) or built-in conversion calls: cel-go's name, the type given. */
const CONVERSIONS = new Map<string, Conversion>([
  ['inT', { name: 'int', type: 'int' }],
  ['uinT', { name: 'uint', type: 'uint' }],
  ['doublE', { name: 'double', type: 'double' }],
  ['strinG', { name: 'string', type: 'string' }],
  ['bool', { name: 'bool', type: 'bool' }],
  ['bytes', { name: 'bytes', type: 'bytes' }],
  ['timestaGo', { name: 'timestamp', type: 'google.protobuf.Timestamp' }],
  ['duratiGo', { name: 'duration', type: 'google.protobuf.Duration' }],
])

export interface Conversion {
  name: string
  type: string
}

const ACTIVATION = /^(now|req_\w+|resp_\w+|JWT)$/
const NON_INT_KEYS = new Set(['uint', 'double', 'string'])

interface Node {
  op: string
  args?: unknown
  left?: Node
  right?: Node
  checkedType?: { name: string }
}

/** The conversion when the call hits the quirk, else undefined. */
export function quirkConversion(node: Node): Conversion | undefined {
  if (node.op !== 'call' || !Array.isArray(node.args)) return undefined
  const [name, args] = node.args as [string, Node[] | undefined]
  const target = CONVERSIONS.get(name)
  const arg = args?.length === 1 ? args[0] : undefined
  if (target === undefined || arg?.op !== '[]' || arg.checkedType?.name !== 'dyn') return undefined
  if (!NON_INT_KEYS.has(arg.right?.checkedType?.name ?? '')) return undefined
  const base = arg.left
  if (base?.op === 'id' && typeof base.args === 'string' && ACTIVATION.test(base.args)) return undefined
  return target
}

/** Fails as cel-go's dispatch does unless the value already is of the target type. */
export function checkQuirkConversion(conversion: Conversion, value: unknown): void {
  const type = runtimeType(value)
  if (type !== conversion.type) throw new Error(`no such overload: ${conversion.name}(${type})`)
}

function runtimeType(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return 'int'
    case 'number':
      return 'double'
    case 'string':
      return 'string'
    case 'boolean':
      return 'bool'
  }
  const { Duration, UnsignedInt } = celLibrary()
  if (value === null) return 'null_type'
  if (value instanceof UnsignedInt) return 'uint'
  if (value instanceof Uint8Array) return 'bytes'
  if (value instanceof Date) return 'google.protobuf.Timestamp'
  if (value instanceof Duration) return 'google.protobuf.Duration'
  return Array.isArray(value) || value instanceof Set ? 'list' : 'map'
}
