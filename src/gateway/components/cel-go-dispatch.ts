/**
 * A cel-go (v0.29) check-time binding KrakenD shows, found by the differential fuzz: indexing a
 * dyn value by a key of a static type other than int (`resp_data.c[0u]`, `JWT.nested['a']`,
 * `x['a']`) matches only cel-go's map index, whose value type stays a free type parameter; a type
 * conversion (int, uint, double, string, bool, bytes, timestamp, duration) of it binds that
 * parameter to the function's first overload, the identity, so it fails at run time unless the
 * value already has the target type ("no such overload: int(string)"). `resp_data.c[0]`,
 * `JWT['n']` (a map of dyn) and `resp_data.d.f` convert. cel-js converted all of them, so
 * `int(JWT.nested['a']) == 1` let a token through that KrakenD refuses. Only the conversion of
 * the indexed value itself is followed (the parameter also travels through a list or a
 * conditional in cel-go: README, validation/cel deviations).
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
  const key = arg.right?.checkedType?.name ?? 'dyn'
  if (key === 'int' || key === 'dyn' || arg.left?.checkedType?.name !== 'dyn') return undefined
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
